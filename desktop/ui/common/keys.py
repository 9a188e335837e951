"""Key presses the app's text boxes treat specially."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

__all__ = ["is_ctrl_enter"]


def is_ctrl_enter(event: QEvent) -> bool:
    """Whether ``event`` is Ctrl+Return or Ctrl+Enter being pressed (send the message).

    Message boxes catch it with an event filter rather than a shortcut, because a shortcut only
    serves the active window.
    """
    return (
        event.type() == QEvent.Type.KeyPress
        and isinstance(event, QKeyEvent)
        and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
    )
