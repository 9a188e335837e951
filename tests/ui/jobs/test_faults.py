"""Faults while following jobs: an unknown status, a job deleted remotely, a broken result file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.sandbox import Emulator, Faults
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
from tests.ui.loop_helpers import next_emission

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def off_spec_server() -> Iterator[Emulator]:
    """An emulator whose answers are not checked against the spec (unknown statuses are the
    point of the test)."""
    server = Emulator(fast=True).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def off_spec_emulator(off_spec_server: Emulator) -> Iterator[Emulator]:
    off_spec_server.reset()
    yield off_spec_server
    off_spec_server.reset()


def test_unknown_status_is_shown_as_it_is_and_the_job_still_followed(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    off_spec_emulator: Emulator,
    tmp_path: Path,
    crash_reports: list[str],
) -> None:
    window = online_window(make_window, qasync_loop, off_spec_emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))
    off_spec_emulator.faults = Faults(unknown_job_status="cooling_down")
    seen: list[str] = []

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        await next_emission(tab.service.job_changed, lambda j: j.status == "cooling_down")
        seen.append(tab.detail.status_badge.text())
        seen.append(table_texts(tab.table, 0)[0])
        assert job.id in tab.service.watched
        off_spec_emulator.faults = Faults()
        await wait_until_finished(tab, job.id)

    run_scenario(qasync_loop, tab, scenario())

    assert seen == ["cooling_down", "cooling_down"]
    assert tab.detail.status_badge.text() == "Succeeded"
    assert crash_reports == []


def test_job_deleted_remotely_is_kept_and_flagged_when_the_connection_forgets_it(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        emulator.faults = Faults(forget_jobs=True)
        await next_emission(tab.service.job_gone, lambda job_id: job_id == job.id)

    run_scenario(qasync_loop, tab, scenario())

    assert tab.list_model.find(job.id) is not None
    assert "no longer exists on the connection" in tab.detail.notice.text()
    assert "no longer on the connection" in tab.detail.overview.value("status")
    assert job.id not in tab.service.watched


def test_charts_fall_back_to_the_events_when_the_result_file_is_not_csv(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))
    emulator.faults = Faults(broken_result_files=True)

    async def scenario() -> None:
        await refresh(tab, qtbot)
        emulator.advance(600)
        await wait_until_finished(tab, job.id)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        open_page(tab, qtbot, "Charts")
        await settled(tab)

    run_scenario(qasync_loop, tab, scenario())

    assert "result file could not be read" in tab.detail.notice.text()
    xs, _ys = tab.detail.charts.curve_data("train_loss")
    assert xs, "the chart shows the points the job reported while it ran"
