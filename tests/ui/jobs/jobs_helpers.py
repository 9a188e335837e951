"""Helpers for the Jobs tab tests: training files, jobs started on the emulator, the tab."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTableView
from pytestqt.qtbot import QtBot

from desktop.core.jobs.records import JobOrigin
from desktop.core.types import FineTuningJob, Hyperparameters, JobCreateRequest
from desktop.ui.common.main_window import MainWindow
from desktop.ui.jobs.widget import JobsWidget
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import next_emission, run

T = TypeVar("T")

BASE_MODEL = "gpt-4o-mini-2024-07-18"


def write_training_file(path: Path, examples: int = 12, *, bad_line: int | None = None) -> Path:
    lines = []
    for i in range(1, examples + 1):
        if i == bad_line:
            lines.append('{"messages": [')
            continue
        messages = [
            {"role": "user", "content": f"Question number {i}?"},
            {"role": "assistant", "content": f"Answer number {i}."},
        ]
        lines.append(json.dumps({"messages": messages}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def online_window(
    make_window: WindowFactory, loop: qasync.QEventLoop, emulator: Any, *, connect: bool = True
) -> MainWindow:
    """The main window on the Demo (the emulator), checked and its jobs list refreshed.

    With active jobs on the connection, pass ``connect=False`` and await :func:`connected`
    inside the test's scenario (the jobs are followed from then on).
    """
    window = make_window(demo_url=emulator.base_url)
    show(window)
    if connect:
        run(loop, connected(window))
    return window


async def connected(window: MainWindow) -> None:
    """Check the connection (as the app does after start-up) and wait for the jobs list."""
    await context_of(window).connection_service.start_check()
    await window.jobs_tab.service.refresh()


def show(window: MainWindow) -> None:
    """Show the window on its Jobs tab (clicks need laid-out, visible widgets)."""
    window.tabs.setCurrentWidget(window.jobs_tab)
    window.resize(1300, 800)
    window.show()


def wait_loaded(tab: JobsWidget, qtbot: QtBot) -> None:
    """Wait until the list shows the jobs saved on this computer (read in a thread)."""
    if not tab.service.loaded:
        with qtbot.waitSignal(tab.service.cache_loaded, timeout=5000):
            pass


def start_job(
    window: MainWindow,
    loop: qasync.QEventLoop,
    training: Path,
    *,
    validation: Path | None = None,
    n_epochs: int | None = None,
    suffix: str = "support",
    record_origin: bool = True,
) -> FineTuningJob:
    """Upload the files and create a job straight through the provider (not the dialog)."""
    context = context_of(window)

    async def create() -> FineTuningJob:
        provider = await context.connection_service.provider()
        train = await provider.upload_file(training)
        valid = await provider.upload_file(validation) if validation else None
        hyper = Hyperparameters(n_epochs=n_epochs) if n_epochs else Hyperparameters()
        request = JobCreateRequest(
            model=BASE_MODEL,
            training_file=train.id,
            validation_file=valid.id if valid else None,
            hyperparameters=hyper,
            suffix=suffix,
        )
        return await provider.create_job(request)

    job = run(loop, create())
    if record_origin:
        context.jobs_store.record_origin(
            JobOrigin(
                profile_id=context.connection_service.profile.id,
                job_id=job.id,
                dataset_path=str(training),
                dataset_name=training.name,
                validation_path=str(validation) if validation else None,
            )
        )
    return job


async def refresh(tab: JobsWidget, qtbot: QtBot) -> None:
    """Press Refresh like a person and wait (on the running loop) for the refreshed list."""
    qtbot.mouseClick(tab.refresh_button, Qt.MouseButton.LeftButton)
    await tab.service.refresh()


def click_row(qtbot: QtBot, table: QTableView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def select_job(tab: JobsWidget, qtbot: QtBot, job_id: str) -> None:
    row = tab.list_model.row_of(job_id)
    assert row is not None, f"{job_id} is not in the list"
    click_row(qtbot, tab.table, row)
    assert tab.detail.job is not None and tab.detail.job.id == job_id


def open_page(tab: JobsWidget, qtbot: QtBot, title: str) -> None:
    pages = tab.detail.pages
    index = next(i for i in range(pages.count()) if pages.tabText(i) == title)
    bar = pages.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert pages.currentIndex() == index


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled() and button.isVisible(), f"{button.text()} cannot be clicked"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


async def wait_until_finished(tab: JobsWidget, job_id: str) -> FineTuningJob:
    """Wait (on the running loop) until the service reports the job finished."""
    current = tab.service.job(job_id)
    if current is not None and current.is_finished:
        return current
    (job,) = await next_emission(tab.service.job_finished, lambda j: j.id == job_id)
    assert isinstance(job, FineTuningJob)
    return job


def table_texts(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def detail_tasks(tab: JobsWidget) -> list[asyncio.Task[None]]:
    detail = tab.detail
    tasks = (
        detail.events_task,
        detail.charts_task,
        detail.checkpoints_task,
        detail.action_task,
        detail.download_task,
    )
    return [task for task in tasks if task is not None and not task.done()]


def settle(tab: JobsWidget, loop: qasync.QEventLoop) -> None:
    """Run the loop until the detail's loads (events, charts, checkpoints, action) are done.
    Only while no job is being followed: use :func:`settled` inside a running scenario."""
    run(loop, settled(tab))


async def settled(tab: JobsWidget) -> None:
    """Wait for the detail's loads (events, charts, checkpoints, action) to end."""
    while tasks := detail_tasks(tab):
        await asyncio.gather(*tasks, return_exceptions=True)


def run_scenario(
    loop: qasync.QEventLoop, tab: JobsWidget, scenario: Coroutine[Any, Any, T], timeout: float = 30
) -> T:
    """Run a test's steps as one coroutine on the running loop, then stop following jobs.

    Pollers must never run while the loop is not running (the SDK needs a running loop), so
    the service is closed before the test goes on to check what the window shows.
    """

    async def body() -> T:
        try:
            return await scenario
        finally:
            tab.detail.shutdown()
            await tab.service.aclose()

    return run(loop, body(), timeout)


async def wait_status(tab: JobsWidget, job_id: str, status: str) -> FineTuningJob:
    """Wait (on the running loop) until the service knows the job has ``status``."""
    current = tab.service.job(job_id)
    if current is not None and current.status == status:
        return current
    (job,) = await next_emission(
        tab.service.job_changed, lambda j: j.id == job_id and j.status == status
    )
    assert isinstance(job, FineTuningJob)
    return job
