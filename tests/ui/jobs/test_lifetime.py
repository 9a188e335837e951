"""Models and their lifetime, "Train again on…", the report export, switching connections."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from desktop.core.connections import DEMO_AZURE_PROFILE_ID, ConnectionProfile
from desktop.core.types import FineTuningJob, ModelInfo
from desktop.ui.jobs import launch, report_export
from desktop.ui.jobs.create.dialog import CreateJobDialog
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.jobs.jobs_helpers import (
    click,
    connected,
    online_window,
    refresh,
    run_scenario,
    select_job,
    settled,
    show,
    start_job,
    wait_loaded,
    wait_until_finished,
    write_training_file,
)
from tests.ui.jobs.test_detail import finished_job
from tests.ui.loop_helpers import run, until

pytestmark = pytest.mark.gui


def test_models_view_counts_down_and_warns_when_a_model_retires_within_60_days(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window()
    show(window)
    view = window.jobs_tab.models_view
    view.today = lambda: dt.date(2026, 12, 1)
    models = (
        ModelInfo("ft:gpt-4o-2024-08-06:demo-org:soon:abc"),  # base retires 2027-01-14 (catalog)
        ModelInfo("ft:gpt-4.1-nano-2025-04-14:demo-org:later:def"),  # no date announced
        ModelInfo("ft:gpt-3.5-turbo-0125:demo-org:old:ghi"),  # retired 2026-10-23
        ModelInfo("gpt-4o-mini-2024-07-18"),  # a base model: not listed here
    )

    context_of(window).connection_service.models_changed.emit(models)
    window.jobs_tab.pages.setCurrentWidget(view)

    rows = view.rows()
    assert [row.id for row in rows] == [
        "ft:gpt-3.5-turbo-0125:demo-org:old:ghi",
        "ft:gpt-4o-2024-08-06:demo-org:soon:abc",
        "ft:gpt-4.1-nano-2025-04-14:demo-org:later:def",
    ]
    assert [view.model.index(row, 4).data() for row in range(3)] == [
        "retired",
        "44 days",
        "no date announced",
    ]
    assert view.model.index(1, 3).data() == "2027-01-14"
    assert view.model.index(1, 1).data() == "gpt-4o-2024-08-06"
    soon = view.model.index(1, 4).data(Qt.ItemDataRole.ForegroundRole)
    assert soon is not None and soon.color() == QColor("#8a5a00")
    gone = view.model.index(0, 4).data(Qt.ItemDataRole.ForegroundRole)
    assert gone is not None and gone.color() == QColor("#b3261e")
    assert view.model.index(2, 4).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "retire within 60 days" in view.summary.text()


def test_train_again_opens_the_create_dialog_on_the_other_connection_and_links_the_jobs(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    training = write_training_file(tmp_path / "support.jsonl")
    job = start_job(window, qasync_loop, training)
    asked: list[list[str]] = []

    def choose(_parent: Any, choices: list[ConnectionProfile]) -> ConnectionProfile:
        asked.append([profile.id for profile in choices])
        return next(p for p in choices if p.id == DEMO_AZURE_PROFILE_ID)

    monkeypatch.setattr(launch, "ask_connection", choose)

    async def scenario() -> None:
        await refresh(tab, qtbot)
        emulator.advance(600)
        await wait_until_finished(tab, job.id)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        click(qtbot, tab.detail.train_again_button)
        assert tab.launch_task is not None
        await tab.launch_task

    run_scenario(qasync_loop, tab, scenario())
    dialog = tab.create_dialog
    assert isinstance(dialog, CreateJobDialog)
    try:
        assert asked and "demo" not in asked[0] and DEMO_AZURE_PROFILE_ID in asked[0]
        assert dialog.env.profile.id == DEMO_AZURE_PROFILE_ID
        assert dialog.draft is not None and dialog.draft.training_path == str(training)
        assert dialog.draft.source_job_id == job.id
        new_job = FineTuningJob(
            id="ftjob-azure", model=job.model, status="queued", created_at=1, training_file="f"
        )
        dialog.job_created.emit(DEMO_AZURE_PROFILE_ID, new_job)
    finally:
        dialog.reject()

    links = context_of(window).jobs_store.links_for("demo", job.id)
    assert [(link.to_profile_id, link.to_job_id) for link in links] == [
        (DEMO_AZURE_PROFILE_ID, "ftjob-azure")
    ]
    assert "other connection" in tab.message.text()


def test_export_writes_report_charts_and_job_to_the_chosen_folder(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))
    folder = tmp_path / "report"
    monkeypatch.setattr(report_export, "ask_folder", lambda _parent, _title: folder)

    async def scenario() -> None:
        await refresh(tab, qtbot)
        emulator.advance(600)
        await wait_until_finished(tab, job.id)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        click(qtbot, tab.detail.export_button)
        assert tab.export_task is not None
        await tab.export_task

    run_scenario(qasync_loop, tab, scenario())

    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted([f"{job.id}-report.md", f"{job.id}-charts.png", f"{job.id}.json"])
    assert (folder / f"{job.id}-charts.png").read_bytes().startswith(b"\x89PNG")
    assert json.loads((folder / f"{job.id}.json").read_text())["id"] == job.id
    assert job.id in (folder / f"{job.id}-report.md").read_text()
    assert "Report exported" in tab.message.text()


def test_switching_connection_stops_following_jobs_and_shows_the_other_list(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))
    service = context_of(window).connection_service

    async def scenario() -> None:
        await refresh(tab, qtbot)
        assert job.id in tab.service.watched
        await service.activate(DEMO_AZURE_PROFILE_ID)
        assert tab.service.watched == frozenset()
        await tab.service.refresh()

    run_scenario(qasync_loop, tab, scenario())

    assert tab.service.profile_id == DEMO_AZURE_PROFILE_ID
    # Demo Azure is the same emulator through Azure-style paths: it lists the same job.
    assert tab.list_model.find(job.id) is not None
    assert not tab.message.text().startswith("Cannot reach")


def test_job_running_when_the_app_closed_is_followed_again_when_it_opens(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    first = online_window(make_window, qasync_loop, emulator)
    job = start_job(first, qasync_loop, write_training_file(tmp_path / "support.jsonl"))
    run_scenario(qasync_loop, first.jobs_tab, first.jobs_tab.service.refresh())
    first.close()  # the job is still running on the connection

    window = online_window(make_window, qasync_loop, emulator, connect=False)
    tab = window.jobs_tab
    wait_loaded(tab, qtbot)
    assert tab.list_model.find(job.id) is not None  # from the local record, before any request

    async def scenario() -> FineTuningJob:
        await connected(window)
        assert job.id in tab.service.watched
        return await wait_until_finished(tab, job.id)

    finished = run_scenario(qasync_loop, tab, scenario())

    assert finished.status == "succeeded"
    assert tab.notifier.history and tab.notifier.history[0].startswith("Fine-tuning succeeded")


def test_models_view_lists_the_new_model_when_a_followed_job_succeeds(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    finished = finished_job(window, qasync_loop, qtbot, emulator, tmp_path / "support.jsonl")
    model_id = finished.fine_tuned_model
    assert model_id is not None

    def listed() -> bool:
        return any(row.id == model_id and row.listed for row in tab.models_view.rows())

    run(qasync_loop, until(listed))
    assert window.playground_tab.select_model(model_id)
