"""Yes/no questions to the user, behind one replaceable function so tests can answer them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

Confirmer = Callable[[QWidget | None, str, str, str], bool]


def _message_box_confirmer(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    confirm = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is confirm


_confirm: Confirmer = _message_box_confirmer


def set_confirmer(confirmer: Confirmer) -> Confirmer:
    """Replace how questions are asked (tests answer them). Returns the previous function."""
    global _confirm
    previous = _confirm
    _confirm = confirmer
    return previous


def confirm(parent: QWidget | None, title: str, text: str, *, action: str) -> bool:
    """Ask before doing something that cannot be undone.

    Call from a plain (not async) slot: it runs a nested event loop until answered.

    Args:
        parent: the window asking.
        title: the box's title.
        text: the question, saying what will be lost.
        action: the label of the confirming button, e.g. "Reset".

    Returns:
        True when the user confirmed.
    """
    return _confirm(parent, title, text, action)
