"""Helpers shared by the Playground's GUI tests: the window on the Playground, the models they
pick, clicks like a person's, and the Compare view's openings."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.compare import CompareWidget
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run, until

MINI = "gpt-4o-mini-2024-07-18"
BIG = "gpt-4o-2024-08-06"
NANO = "gpt-4.1-nano-2025-04-14"
MINI_41 = "gpt-4.1-mini-2025-04-14"
GONE = "ft:gpt-4o-mini-2024-07-18:demo::gone0001"
"""A fine-tuned model the emulator does not know: it refuses it (404 model_not_found)."""


def open_playground(make_window: WindowFactory, loop: Any, base_url: str) -> MainWindow:
    """The window on the Playground tab, its Demo pointed at ``base_url``, models loaded."""
    window = make_window(demo_url=base_url)
    window.tabs.setCurrentWidget(window.playground_tab)
    run(loop, context_of(window).connection_service.start_check())
    # The Jobs tab lists the connection's jobs once it is reachable; let that finish so a fault a
    # test injects next meets the Playground's request, not the list.
    run(loop, window.jobs_tab.service.refresh())
    return window


def click(qtbot: Any, widget: Any) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_row(qtbot: Any, view: QListWidget, row: int) -> None:
    rect = view.visualItemRect(view.item(row))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_compare(qtbot: Any, window: Any) -> CompareWidget:
    playground = window.playground_tab
    click(qtbot, playground.compare_button)
    view = playground.compare_view
    assert view is not None and view.isVisible()
    return view


def compare_and_wait(
    qtbot: Any, loop: Any, view: CompareWidget, models: list[str], text: str
) -> None:
    assert view.choose_models(models)
    qtbot.keyClicks(view.message_edit, text)
    click(qtbot, view.send_button)
    task = view.compare_task
    assert task is not None, "Send did not start the comparison"
    assert view.stop_button.isEnabled() and not view.send_button.isEnabled()
    run(loop, task)


def start_slow_round(qtbot: Any, loop: Any, view: CompareWidget, text: str) -> asyncio.Task[None]:
    """Send ``text`` to MINI and BIG and wait until both columns show some of their answer."""
    assert view.choose_models([MINI, BIG])
    qtbot.keyClicks(view.message_edit, text)
    click(qtbot, view.send_button)
    task = view.compare_task
    assert task is not None
    run(loop, until(lambda: all(len(c.answer.split()) >= 3 for c in view.columns[:2])))
    return task
