"""One column of the Compare view: its title, the streamed answer, the footer and a vote button.

In blind mode the title is "Answer A", "Answer B"… until the vote reveals the model.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

__all__ = ["FLUSH_INTERVAL_MS", "CompareColumn", "answer_label"]

FLUSH_INTERVAL_MS = 33
"""How often streamed text reaches the screen (about 30 times a second)."""


def answer_label(position: int) -> str:
    """The blind name of a column: "Answer A" for the first, "Answer B" for the second…"""
    return f"Answer {chr(ord('A') + position)}"


class CompareColumn(QFrame):
    """A column's answer and what it took. Call only from the GUI thread."""

    vote_clicked = Signal(int)
    """The user chose this column's answer as the best (its position)."""

    def __init__(self, position: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position = position
        self.model = ""
        self._pending: list[str] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self.flush)
        self.setObjectName("compareColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        self.title_label = QLabel(answer_label(position))
        self.title_label.setObjectName("compareColumnTitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reply_view = QPlainTextEdit()
        self.reply_view.setObjectName("compareReply")
        self.reply_view.setReadOnly(True)
        self.footer = QLabel()
        self.footer.setObjectName("compareFooter")
        self.footer.setWordWrap(True)
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.vote_button = QPushButton("This one is best")
        self.vote_button.setObjectName("voteButton")
        self.vote_button.setToolTip("Vote for this answer; the models' names are then shown")
        self.vote_button.setEnabled(False)
        self.vote_button.clicked.connect(lambda: self.vote_clicked.emit(self.position))
        layout.addWidget(self.title_label)
        layout.addWidget(self.reply_view, 1)
        layout.addWidget(self.footer)
        layout.addWidget(self.vote_button)

    def begin(self, model: str, *, blind: bool) -> None:
        """Empty the column for a new answer from ``model`` (named unless ``blind``)."""
        self.model = model
        self._pending.clear()
        self._flush_timer.stop()
        self.reply_view.clear()
        self.footer.setText("Waiting for the reply…")
        self.vote_button.setEnabled(False)
        self.show_name(not blind)

    def show_name(self, named: bool) -> None:
        """Show the model's name in the title, or only the blind label."""
        blind_name = answer_label(self.position)
        self.title_label.setText(f"{blind_name}: {self.model}" if named else blind_name)

    def append(self, text: str) -> None:
        """Add streamed text at the end of the answer (shown at the next screen refresh)."""
        # Every insert lays out the growing answer again: insert a batch per refresh instead.
        self._pending.append(text)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Show the text received but not yet shown."""
        self._flush_timer.stop()
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        cursor = self.reply_view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.reply_view.setTextCursor(cursor)
        self.reply_view.ensureCursorVisible()

    @property
    def answer(self) -> str:
        """The answer's text (including text not yet shown)."""
        self.flush()
        return self.reply_view.toPlainText()
