"""Fixtures for the UI tests.

How async UI code is driven (see /work/shared/FIELD-NOTES.md): ``qasync_loop`` creates a
``qasync.QEventLoop`` on the test's ``QApplication`` and sets it as the asyncio loop. A test
clicks or types with ``qtbot`` and then runs the loop with ``run(loop, awaitable)``, awaiting
the task the click started (``widget.reply_task``...) or a signal (``next_emission``);
both helpers live in ``tests/ui/loop_helpers.py``. Never
``qtbot.waitUntil`` while a request is in flight: the qasync loop must be running for the SDK.

- ``shown_errors``: every ``show_error`` call, recorded instead of opening a message box.
- ``crash_reports``: every crash-dialog report, recorded instead of opening the dialog.
- ``confirm_answers``: answers the next yes/no questions (default: yes).
- ``ui_settings``: QSettings isolated under the test's ``FINETUNE_STUDIO_HOME``.
- ``make_window``: the real main window on a real ``AppContext`` (isolated home, fake keychain),
  with the Demo pointed at the ``emulator`` fixture or any URL factory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from desktop.app import AppContext, build_main_window, create_app_context
from desktop.ui.common import errors, prompts
from desktop.ui.common.main_window import MainWindow
from tests.ui.loop_helpers import run


@pytest.fixture
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """The app's one asyncio loop, as in ``run_gui``; leftover tasks are cancelled after."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()  # also joins the worker threads of ``asyncio.to_thread``
        _kill_qt_timers(loop)
        asyncio.set_event_loop(None)


def _kill_qt_timers(loop: qasync.QEventLoop) -> None:
    """Unregister the Qt timers a closed loop still holds.

    ``QEventLoop.close`` only flags its timer object as stopped; every ``call_later`` that was
    cancelled (each ``asyncio.wait_for`` timeout of ``loop_helpers.run``) stays registered with
    Qt. Once the loop is freed, such a timer fires on freed memory and the process crashes in
    ``QTimerInfoList::activateTimers`` during some later test. The app has one loop for its
    whole life, so this only concerns tests, which make one loop each.
    """
    timer = loop._timer
    callbacks: dict[int, object] = timer._SimpleTimer__callbacks
    for timer_id in list(callbacks):
        timer.killTimer(timer_id)
    callbacks.clear()


@dataclass
class ShownError:
    parent: QWidget | None
    exc: BaseException

    @property
    def message(self) -> str:
        return errors.user_message(self.exc)


@pytest.fixture
def shown_errors() -> Iterator[list[ShownError]]:
    """Records ``show_error`` calls instead of opening message boxes."""
    shown: list[ShownError] = []
    previous = errors.set_error_presenter(lambda parent, exc: shown.append(ShownError(parent, exc)))
    try:
        yield shown
    finally:
        errors.set_error_presenter(previous)


@pytest.fixture
def crash_reports() -> Iterator[list[str]]:
    """Records the details the crash dialog would show."""
    reports: list[str] = []
    previous = errors.set_crash_presenter(lambda _parent, details: reports.append(details))
    try:
        yield reports
    finally:
        errors.set_crash_presenter(previous)


@dataclass
class ConfirmAnswers:
    answer: bool = True
    questions: list[str] = field(default_factory=list)


@pytest.fixture
def confirm_answers() -> Iterator[ConfirmAnswers]:
    """Answers yes/no questions without a modal box; records what was asked."""
    answers = ConfirmAnswers()

    def answer(_parent: QWidget | None, _title: str, text: str, _action: str) -> bool:
        answers.questions.append(text)
        return answers.answer

    previous = prompts.set_confirmer(answer)
    try:
        yield answers
    finally:
        prompts.set_confirmer(previous)


@pytest.fixture
def ui_settings(isolated_home: Path) -> QSettings:
    """An INI QSettings under the test's home; default-format settings also point there."""
    QSettings.setPath(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(isolated_home / "qt")
    )
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(isolated_home / "qt")
    )
    return QSettings(str(isolated_home / "ui-test.ini"), QSettings.Format.IniFormat)


WindowFactory = Callable[..., MainWindow]


@dataclass
class OpenWindows:
    contexts: list[AppContext] = field(default_factory=list)
    windows: list[MainWindow] = field(default_factory=list)


@pytest.fixture
def make_window(
    qtbot: Any,
    qasync_loop: qasync.QEventLoop,
    fake_keyring: Any,
    ui_settings: QSettings,
) -> Iterator[WindowFactory]:
    """Build the real main window: ``make_window(demo_url=...)`` or ``make_window(factory=...)``.

    Each call opens a fresh ``AppContext`` on the test's isolated home (so two windows share
    the saved layout). Everything is closed after the test, on the running loop.
    """
    opened = OpenWindows()

    def factory(
        *, demo_url: str | None = None, demo_factory: Callable[[], str] | None = None
    ) -> MainWindow:
        if demo_factory is None:
            url = demo_url or "http://127.0.0.1:9/v1"  # discard port: nothing answers there
            demo_factory = lambda: url  # noqa: E731
        context = create_app_context(demo_base_url_factory=demo_factory)
        window = build_main_window(context)
        qtbot.addWidget(window)
        opened.contexts.append(context)
        opened.windows.append(window)
        return window

    yield factory
    for window in opened.windows:
        window.close()
    for context in opened.contexts:
        run(qasync_loop, context.aclose())


def context_of(window: MainWindow) -> AppContext:
    context = window._context
    assert isinstance(context, AppContext)
    return context
