"""Fixtures for the create-job dialog: the real window's Demo connection on the emulator.

``create_env`` builds a ``CreateJobEnv`` from the real ``AppContext`` (its database, catalog and
connection service), with the models the emulator listed. ``Driver`` clicks and types through
the dialog like a person and runs the qasync loop until the work a click started is done.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLineEdit, QRadioButton

from desktop.core.jobs.draft import JobDraft
from desktop.storage.jobs_store import JobsStore
from desktop.ui.common.main_window import MainWindow
from desktop.ui.jobs.create import CreateJobDialog, CreateJobEnv, file_fields
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run

TODAY = dt.date(2026, 11, 27)
MODEL = "gpt-4o-mini-2024-07-18"

EnvFactory = Callable[..., CreateJobEnv]


def dpo_line(i: int) -> str:
    """One preference (DPO) example."""
    return json.dumps(
        {
            "input": {"messages": [{"role": "user", "content": f"Say {i}"}]},
            "preferred_output": [{"role": "assistant", "content": f"{i}."}],
            "non_preferred_output": [{"role": "assistant", "content": f"No, {i + 1}."}],
        }
    )


@pytest.fixture
def main_window(make_window: WindowFactory, emulator: Any) -> MainWindow:
    """The real window, shown (closing the dialog must not quit the app), on the emulator."""
    window = make_window(demo_url=emulator.base_url)
    window.show()
    return window


@pytest.fixture
def create_env(
    main_window: MainWindow,
    qasync_loop: Any,
    ui_settings: QSettings,
    tmp_path: Path,
) -> EnvFactory:
    context = context_of(main_window)
    service = context.connection_service
    run(qasync_loop, service.start_check())
    store = JobsStore(context.database)

    def factory(*, today: dt.date = TODAY) -> CreateJobEnv:
        return CreateJobEnv(
            profile=service.profile,
            provider=service.provider,
            models=service.models,
            catalog=context.catalog,
            jobs_store=store,
            settings=ui_settings,
            today=today,
            split_dir=tmp_path / "splits",
            prepare_tokenizers=context.ensure_tokenizers,
        )

    return factory


@pytest.fixture(autouse=True)
def no_file_dialog() -> Iterator[list[str]]:
    """Browse… never opens a modal file dialog in these tests."""
    asked: list[str] = []

    def chooser(_parent: Any, title: str) -> Path | None:
        asked.append(title)
        return None

    previous = file_fields.set_file_chooser(chooser)
    yield asked
    file_fields.set_file_chooser(previous)


class Driver:
    """Drives one dialog like a person: type, click, and wait for what the click started."""

    def __init__(self, qtbot: Any, loop: Any, dialog: CreateJobDialog) -> None:
        self.qtbot = qtbot
        self.loop = loop
        self.dialog = dialog

    def click(self, button: QAbstractButton) -> None:
        assert button.isVisible() and button.isEnabled(), (
            f"{button.text()!r} cannot be clicked: {self.dialog.hint_label.text()} "
            f"{self.dialog.review_page.quote_label.text()}"
        )
        if isinstance(button, QCheckBox | QRadioButton):
            # The box itself, not the middle of a wide row (which is outside its click area).
            spot = QPoint(8, button.height() // 2)
            self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=spot)
        else:
            self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def type_into(self, edit: QLineEdit, text: str, *, enter: bool = False) -> None:
        edit.setFocus()
        edit.selectAll()
        self.qtbot.keyClicks(edit, text)
        if enter:
            self.qtbot.keyClick(edit, Qt.Key.Key_Return)

    def choose_training(self, path: Path) -> None:
        field = self.dialog.data_page.training_file
        self.type_into(field.path_edit, str(path), enter=True)
        assert field.check_task is not None, "the file was not checked"
        run(self.loop, field.check_task, timeout=60)

    def next(self) -> None:
        self.click(self.dialog.next_button)

    def to_review(self) -> None:
        """Next until the Review page, waiting for the quote."""
        while self.dialog.pages.currentIndex() < 3:
            self.next()
        tasks = [self.dialog.prepare_task, self.dialog.probe_task]
        assert tasks[0] is not None
        # One run for both: the read-only probe ("may this account fine-tune?") is a request,
        # and the SDK must never see the loop stop under it.
        run(self.loop, asyncio.gather(*(t for t in tasks if t is not None)), timeout=60)

    def confirm_and_create(self) -> None:
        review = self.dialog.review_page
        if not review.confirm_check.isChecked():
            self.click(review.confirm_check)
        self.create()

    def create(self) -> None:
        self.click(self.dialog.create_button)
        task = self.dialog.create_task
        assert task is not None
        assert not self.dialog.create_button.isEnabled(), "Create stays enabled while running"
        run(self.loop, task, timeout=60)


DialogFactory = Callable[..., Driver]


@pytest.fixture
def open_dialog(
    qtbot: Any, qasync_loop: Any, create_env: EnvFactory, main_window: MainWindow
) -> DialogFactory:
    def factory(*, draft: JobDraft | None = None, env: CreateJobEnv | None = None) -> Driver:
        dialog = CreateJobDialog(main_window, env=env or create_env(), draft=draft)
        dialog.show()
        return Driver(qtbot, qasync_loop, dialog)

    return factory
