"""The job detail: the event log's older pages, chart hover and PNG, result download, New job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from desktop.core.types import FineTuningJob
from desktop.ui.jobs import charts as charts_module
from desktop.ui.jobs import detail as detail_module
from desktop.ui.jobs.create.dialog import CreateJobDialog
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.jobs.jobs_helpers import (
    click,
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
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def finished_job(
    window: Any, loop: Any, qtbot: QtBot, emulator: Any, path: Path, *, follow: bool = True
) -> FineTuningJob:
    """A job that succeeded; with ``follow=False`` the window first sees it finished."""
    tab = window.jobs_tab
    job = start_job(window, loop, write_training_file(path, 40))
    if not follow:
        emulator.advance(600)

    async def scenario() -> FineTuningJob:
        await refresh(tab, qtbot)
        emulator.advance(600)
        return await wait_until_finished(tab, job.id)

    if follow:
        return run_scenario(loop, tab, scenario())
    run(loop, refresh(tab, qtbot))
    finished = tab.service.job(job.id)
    assert finished is not None and finished.is_finished
    return finished


def test_event_log_loads_older_events_when_asked_for_more(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = finished_job(
        window, qasync_loop, qtbot, emulator, tmp_path / "support.jsonl", follow=False
    )
    context = context_of(window)

    async def newest_five() -> None:
        provider = await context.connection_service.provider()
        page = await provider.list_events(job.id, limit=5)
        context.jobs_store.save_events("demo", job.id, page.items)

    run(qasync_loop, newest_five())  # as if only the newest five had been seen before
    select_job(tab, qtbot, job.id)
    open_page(tab, qtbot, "Events")
    run(qasync_loop, settled(tab))
    log = tab.detail.events
    assert len(log.messages()) == 5

    click(qtbot, log.more_button)
    run(qasync_loop, settled(tab))

    assert len(log.messages()) > 5
    assert len(log.messages()) == len(set(log.messages()))


def test_chart_shows_values_on_hover_and_saves_a_png_when_asked(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = finished_job(window, qasync_loop, qtbot, emulator, tmp_path / "support.jsonl")
    select_job(tab, qtbot, job.id)
    open_page(tab, qtbot, "Charts")
    run(qasync_loop, settled(tab))
    chart = tab.detail.charts
    target = tmp_path / "charts.png"
    monkeypatch.setattr(charts_module, "ask_png_path", lambda _parent, _title, _name: target)

    loss_plot = chart.plot_area.findChild(object, "lossPlot")
    center = loss_plot.viewport().rect().center()
    qtbot.mouseMove(loss_plot.viewport(), center + QPoint(5, 0))
    qtbot.mouseMove(loss_plot.viewport(), center)
    click(qtbot, chart.save_button)

    assert chart.hover_label.text().startswith("Step ")
    assert "training loss" in chart.hover_label.text()
    assert target.read_bytes().startswith(b"\x89PNG")


def test_result_file_is_saved_where_the_user_chose_when_download_is_clicked(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = finished_job(window, qasync_loop, qtbot, emulator, tmp_path / "support.jsonl")
    target = tmp_path / "results.csv"
    monkeypatch.setattr(detail_module, "ask_download_path", lambda _parent, _name: target)
    select_job(tab, qtbot, job.id)
    run(qasync_loop, settled(tab))

    (button,) = tab.detail.overview.download_buttons
    click(qtbot, button)
    run(qasync_loop, settled(tab))

    assert target.read_text().startswith("step,")
    assert "Saved" in tab.detail.notice.text()


def test_new_job_opens_the_create_dialog_and_follows_the_job_it_creates(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    click(qtbot, tab.new_job_button)
    dialog = tab.create_dialog
    assert isinstance(dialog, CreateJobDialog)
    try:
        assert dialog.env.profile.id == "demo" and dialog.isVisible()
        job = start_job(window, qasync_loop, write_training_file(tmp_path / "new.jsonl"))

        async def scenario() -> None:
            dialog.job_created.emit("demo", job)  # what the dialog says once it created the job
            assert job.id in tab.service.watched
            await wait_until_finished(tab, job.id)

        run_scenario(qasync_loop, tab, scenario())
    finally:
        dialog.reject()

    assert tab.detail.job is not None and tab.detail.job.id == job.id
    assert table_texts(tab.table, 0) == ["Succeeded"]
