"""A read-only box for a very long text: the whole of a turn the conversation shows only the
start of, the conversation in Add to dataset (see ``desktop.core.playground.long_text``)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from desktop.core.playground.long_text import TextBlock, display_blocks, text_offset


class LongTextView(QPlainTextEdit):
    """A read-only text box for any text, however long: a paragraph too long to lay out at once
    is shown in blocks (``display_blocks``), which a text box lays out only when they scroll in.

    Copying a selection copies the text itself (the breaks added between blocks of one
    paragraph are not copied). Call only from the GUI thread.
    """

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("longTextView")
        self.setReadOnly(True)
        self._text = text
        self._blocks: list[TextBlock] = display_blocks(text)
        self.setPlainText("\n".join(block.text for block in self._blocks))

    def text(self) -> str:
        """The whole text shown."""
        return self._text

    def selected_text(self) -> str:
        """The part of the text selected (what Copy puts on the clipboard)."""
        cursor = self.textCursor()
        return self._text[
            self._offset(cursor.selectionStart()) : self._offset(cursor.selectionEnd())
        ]

    def createMimeDataFromSelection(self) -> QMimeData:
        data = QMimeData()
        data.setText(self.selected_text())
        return data

    def _offset(self, position: int) -> int:
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        return text_offset(self._blocks, cursor.blockNumber(), cursor.positionInBlock())
