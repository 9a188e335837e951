"""The Playground's questions to the user (a name, a file to save to or open), behind replaceable
functions so tests can answer them without a modal dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QWidget

TextAsker = Callable[[QWidget | None, str, str, str], "str | None"]
"""``(parent, title, label, text)`` → the text entered, or None when cancelled."""

SavePathAsker = Callable[[QWidget | None, str, str, str], "Path | None"]
"""``(parent, title, suggested file name, filter)`` → the chosen path, or None."""

OpenPathAsker = Callable[[QWidget | None, str, str], "Path | None"]
"""``(parent, title, filter)`` → the chosen existing file, or None."""

ChoiceAsker = Callable[[QWidget | None, str, str, list[str]], "str | None"]
"""``(parent, title, label, items)`` → the item chosen, or None when cancelled."""


def _dialog_text(parent: QWidget | None, title: str, label: str, text: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def _dialog_save_path(
    parent: QWidget | None, title: str, suggested: str, file_filter: str
) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return Path(path) if path else None


def _dialog_open_path(parent: QWidget | None, title: str, file_filter: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return Path(path) if path else None


_ask_text: TextAsker = _dialog_text
_ask_save_path: SavePathAsker = _dialog_save_path
_ask_open_path: OpenPathAsker = _dialog_open_path


def _dialog_choice(parent: QWidget | None, title: str, label: str, items: list[str]) -> str | None:
    value, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return value if ok and value else None


_ask_choice: ChoiceAsker = _dialog_choice


def set_text_asker(asker: TextAsker) -> TextAsker:
    """Replace how a name is asked for (tests answer it). Returns the previous function."""
    global _ask_text
    previous = _ask_text
    _ask_text = asker
    return previous


def set_save_path_asker(asker: SavePathAsker) -> SavePathAsker:
    """Replace how a file to save to is asked for. Returns the previous function."""
    global _ask_save_path
    previous = _ask_save_path
    _ask_save_path = asker
    return previous


def set_open_path_asker(asker: OpenPathAsker) -> OpenPathAsker:
    """Replace how an existing file is asked for. Returns the previous function."""
    global _ask_open_path
    previous = _ask_open_path
    _ask_open_path = asker
    return previous


def ask_text(parent: QWidget | None, title: str, label: str, *, text: str = "") -> str | None:
    """Ask for a line of text (a preset's or a session's name).

    Call from a plain (not async) slot: it runs a nested event loop until answered.

    Returns:
        The text, or None when the user cancelled.
    """
    return _ask_text(parent, title, label, text)


def ask_save_path(
    parent: QWidget | None, title: str, *, suggested: str, file_filter: str
) -> Path | None:
    """Ask where to save a file.

    Returns:
        The path, or None when the user cancelled.
    """
    return _ask_save_path(parent, title, suggested, file_filter)


def ask_open_path(parent: QWidget | None, title: str, *, file_filter: str) -> Path | None:
    """Ask for an existing file to open.

    Call from a plain (not async) slot: it runs a nested event loop until answered.

    Returns:
        The path, or None when the user cancelled.
    """
    return _ask_open_path(parent, title, file_filter)


def set_choice_asker(asker: ChoiceAsker) -> ChoiceAsker:
    """Replace how a choice from a list is asked for. Returns the previous function."""
    global _ask_choice
    previous = _ask_choice
    _ask_choice = asker
    return previous


def ask_choice(parent: QWidget | None, title: str, label: str, items: list[str]) -> str | None:
    """Ask the user to pick one of ``items`` (e.g. the model to run an evaluation again on).

    Returns:
        The item chosen, or None when the user cancelled (or there was nothing to choose).
    """
    if not items:
        return None
    return _ask_choice(parent, title, label, items)
