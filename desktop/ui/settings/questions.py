"""The questions the Settings dialog asks before it drops, deletes or keeps something.

Each is a window-modal ``QMessageBox.question`` over the dialog. Call only from the GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = [
    "ask_discard_changes",
    "ask_save_before_close",
    "ask_session_only",
    "confirm_delete_connection",
    "confirm_remove_key",
]

_Yes = QMessageBox.StandardButton.Yes
_No = QMessageBox.StandardButton.No


def ask_discard_changes(parent: QWidget) -> bool:
    """Whether the user lets unsaved edits of the shown connection go (default: no)."""
    answer = QMessageBox.question(
        parent,
        "Discard changes?",
        "This connection has changes that are not saved. Discard them?",
        _Yes | _No,
        _No,
    )
    return answer == _Yes


def confirm_delete_connection(parent: QWidget, name: str) -> bool:
    """Whether the user confirms deleting the connection ``name`` (default: no)."""
    answer = QMessageBox.question(
        parent,
        "Delete connection?",
        f"Delete the connection “{name}”? Its saved key is removed from this "
        "computer too. Your datasets are not affected.",
        _Yes | _No,
        _No,
    )
    return answer == _Yes


def confirm_remove_key(parent: QWidget, name: str) -> bool:
    """Whether the user confirms forgetting the saved key of ``name`` (default: no)."""
    answer = QMessageBox.question(
        parent,
        "Remove key?",
        f"Forget the saved key of “{name}”? You can paste a key again later.",
        _Yes | _No,
        _No,
    )
    return answer == _Yes


def ask_session_only(parent: QWidget) -> bool:
    """Whether to keep a key for this session only, with no keychain (default: yes)."""
    answer = QMessageBox.question(
        parent,
        "Keep the key for this session only?",
        "This computer has no keychain to store the key safely. Keep the key for this "
        "session only? It will be forgotten when the app closes, and it is never written "
        "to a file.",
        _Yes | _No,
        _Yes,
    )
    return answer == _Yes


def ask_save_before_close(parent: QWidget) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel for unsaved edits when the dialog closes (default: Save)."""
    save = QMessageBox.StandardButton.Save
    discard = QMessageBox.StandardButton.Discard
    return QMessageBox.question(
        parent,
        "Save changes?",
        "This connection has changes that are not saved. Save them before closing?",
        save | discard | QMessageBox.StandardButton.Cancel,
        save,
    )
