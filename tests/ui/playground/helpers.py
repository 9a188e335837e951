"""Helpers shared by the Playground's GUI tests: the models they pick, clicks like a person's, and
the Compare view's openings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from desktop.ui.playground.compare import CompareWidget
from tests.ui.loop_helpers import run

MINI = "gpt-4o-mini-2024-07-18"
BIG = "gpt-4o-2024-08-06"
NANO = "gpt-4.1-nano-2025-04-14"
MINI_41 = "gpt-4.1-mini-2025-04-14"
GONE = "ft:gpt-4o-mini-2024-07-18:demo::gone0001"
"""A fine-tuned model the emulator does not know: it refuses it (404 model_not_found)."""


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
