"""A job followed from start to finish: list, detail, live chart, notification.

While a job is followed, its pollers run on the qasync loop, so each test runs as one
coroutine (clicks included) on the running loop (see tests/ui/conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WindowFactory
from tests.ui.jobs.jobs_helpers import (
    online_window,
    open_page,
    refresh,
    run_scenario,
    select_job,
    settled,
    start_job,
    table_texts,
    wait_until_finished,
    write_training_file,
)

pytestmark = pytest.mark.gui


def test_running_job_is_followed_to_success_when_it_appears_after_refresh(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))

    async def scenario() -> None:
        await refresh(tab, qtbot)
        assert job.id in tab.service.watched
        select_job(tab, qtbot, job.id)
        open_page(tab, qtbot, "Charts")
        await settled(tab)
        finished = await wait_until_finished(tab, job.id)
        await settled(tab)  # the result file replaces the points of the events

        assert finished.status == "succeeded"
        assert tab.detail.overview.model_id_label.text() == finished.fine_tuned_model

    run_scenario(qasync_loop, tab, scenario())

    assert table_texts(tab.table, 0) == ["Succeeded"]
    assert table_texts(tab.table, 3) == ["support.jsonl"]
    assert tab.detail.status_badge.text() == "Succeeded"
    xs, ys = tab.detail.charts.curve_data("train_loss")
    assert len(xs) >= 5 and all(y > 0 for y in ys)
    assert tab.detail.charts.stack.currentWidget() is tab.detail.charts.plot_area
    assert tab.detail.events.messages(), "the event log shows the job's events"
    assert job.id not in tab.service.watched


def test_chart_receives_points_while_the_job_runs(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))
    counts: list[int] = []

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        open_page(tab, qtbot, "Charts")
        await settled(tab)
        tab.detail.charts.points_changed.connect(counts.append)
        await wait_until_finished(tab, job.id)
        await settled(tab)

    run_scenario(qasync_loop, tab, scenario())

    assert len({c for c in counts if c > 0}) >= 2, f"the chart did not grow: {counts}"


def test_notification_says_model_result_and_cost_when_a_job_succeeds(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))

    async def scenario() -> str | None:
        await refresh(tab, qtbot)
        finished = await wait_until_finished(tab, job.id)
        await tab.service.refresh()  # a later refresh does not notify again
        return finished.fine_tuned_model

    model = run_scenario(qasync_loop, tab, scenario())

    assert len(tab.notifier.history) == 1
    line = tab.notifier.history[0]
    assert line.startswith("Fine-tuning succeeded: ")
    assert str(model) in line
    assert re.search(r" — cost <?\$\d", line), line
    assert tab.message.text() == line
