"""Turning Browse's add/edit/duplicate/delete requests into undoable edits of the document.

Each edit is a :class:`~desktop.ui.datasets.edit_form.DocumentEditCommand` on the tab's
``QUndoStack``, so Ctrl+Z / Ctrl+Shift+Z walk through them and undoing back to the saved state
makes the document unmodified again. Call only from the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from desktop.ui.datasets.browse_view import BrowseView
from desktop.ui.datasets.edit_form import DocumentEditCommand, ExampleEditDialog

if TYPE_CHECKING:
    from desktop.core.datasets_io.document import DatasetDocument, Edit


class ExampleEditController(QObject):
    """Edits ``document`` (None: nothing editable) on behalf of ``browse``.

    ``edited`` is emitted after every edit, undo and redo.
    """

    edited = Signal()

    def __init__(self, browse: BrowseView, undo_stack: QUndoStack) -> None:
        super().__init__(browse)
        self._browse = browse
        self.undo_stack = undo_stack
        self.document: DatasetDocument | None = None
        self.edit_dialog: ExampleEditDialog | None = None
        browse.add_requested.connect(self._on_add_requested)
        browse.edit_requested.connect(self._on_edit_requested)
        browse.duplicate_requested.connect(self._on_duplicate_requested)
        browse.delete_requested.connect(self._on_delete_requested)

    def _push(self, edit: Edit, text: str) -> None:
        assert self.document is not None
        self.undo_stack.push(DocumentEditCommand(self.document, edit, text, self._after_edit))

    def _after_edit(self, row: int) -> None:
        self._browse.model.refresh()
        self.edited.emit()  # may reset the model again (problem markers): select afterwards
        if self.document is not None and self.document.row_count:
            self._browse.select_row(min(row, self.document.row_count - 1))

    def _on_add_requested(self) -> None:
        self._open_editor(None)

    def _on_edit_requested(self, row: int) -> None:
        self._open_editor(row)

    def _open_editor(self, row: int | None) -> None:
        if self.document is None:
            return
        text = None if row is None else self.document.read_row(row)
        title = "New example" if row is None else f"Edit line {row + 1:,}"
        dialog = ExampleEditDialog(text, title=title, parent=self._browse)
        dialog.accepted.connect(lambda: self._on_editor_accepted(dialog, row))
        dialog.finished.connect(dialog.deleteLater)
        self.edit_dialog = dialog
        dialog.open()

    def _on_editor_accepted(self, dialog: ExampleEditDialog, row: int | None) -> None:
        if self.document is None:
            return
        if row is None:
            current = self._browse.current_row
            at = self.document.row_count if current is None else current + 1
            self._push(self.document.add_example_op(dialog.result_text(), at=at), "Add example")
        else:
            self._push(self.document.replace_example_op(row, dialog.result_text()), "Edit example")

    def add_example(self, text: str) -> int:
        """Add ``text`` as the last example (an undoable edit). Returns its 1-based number."""
        assert self.document is not None
        self._push(self.document.add_example_op(text), "Add example")
        return self.document.row_count

    def _on_duplicate_requested(self, row: int) -> None:
        if self.document is not None:
            self._push(self.document.duplicate_example_op(row), "Duplicate example")

    def _on_delete_requested(self, row: int) -> None:
        if self.document is not None:
            self._push(self.document.delete_examples_op(row), "Delete example")
