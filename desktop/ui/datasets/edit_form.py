"""Editing one example in a form, and the undoable edits on the document.

:class:`ExampleEditDialog` lists the messages (role, text, and for assistant messages whether
the model trains on it) with add/remove; a line that is not a chat example is edited as JSON
text. :class:`DocumentEditCommand` wraps a ``DatasetDocument`` edit for a ``QUndoStack``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.datasets_io.document import DatasetDocument, Edit

ROLES = ("system", "user", "assistant", "tool")


class DocumentEditCommand(QUndoCommand):
    """One edit of the document; ``changed(row)`` runs after redo/undo (row to select)."""

    def __init__(
        self,
        document: DatasetDocument,
        edit: Edit,
        text: str,
        changed: Callable[[int], None],
    ) -> None:
        super().__init__(text)
        self._document = document
        self._edit = edit
        self._changed = changed

    def redo(self) -> None:
        self._edit.apply(self._document)
        self._changed(self._edit.at)

    def undo(self) -> None:
        self._edit.inverse().apply(self._document)
        self._changed(self._edit.at)


class MessageEditor(QFrame):
    """One message: role, text, "train on this reply" for assistant messages, Remove."""

    def __init__(self, message: dict[str, object], remove: Callable[[MessageEditor], None]) -> None:
        super().__init__()
        self.setObjectName("messageEditor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._extra = {k: v for k, v in message.items() if k not in ("role", "content", "weight")}
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.role_combo = QComboBox()
        self.role_combo.addItems(ROLES)
        role = str(message.get("role", "user"))
        if role not in ROLES:
            self.role_combo.addItem(role)
        self.role_combo.setCurrentText(role)
        self.role_combo.currentTextChanged.connect(self._on_role_changed)
        top.addWidget(QLabel("Role:"))
        top.addWidget(self.role_combo)
        self.weight_check = QCheckBox("Train on this reply")
        self.weight_check.setToolTip("Unticked: weight 0, the model does not learn from it.")
        self.weight_check.setChecked(message.get("weight", 1) != 0)
        self._had_weight = "weight" in message
        top.addWidget(self.weight_check)
        top.addStretch(1)
        self.remove_button = QPushButton("Remove message")
        self.remove_button.clicked.connect(lambda: remove(self))
        top.addWidget(self.remove_button)
        layout.addLayout(top)
        content = message.get("content", "")
        self._structured = not isinstance(content, str) and content is not None
        self.content_edit = QPlainTextEdit(
            json.dumps(content, ensure_ascii=False) if self._structured else str(content or "")
        )
        self.content_edit.setMinimumHeight(70)
        layout.addWidget(self.content_edit)
        self._on_role_changed(role)

    def _on_role_changed(self, role: str) -> None:
        self.weight_check.setVisible(role == "assistant")

    def message(self) -> dict[str, object]:
        """The message as JSON data (raises ValueError for structured content that is not JSON)."""
        role = self.role_combo.currentText()
        text = self.content_edit.toPlainText()
        content: object = json.loads(text) if self._structured else text
        out: dict[str, object] = {"role": role, "content": content, **self._extra}
        if role == "assistant" and (self._had_weight or not self.weight_check.isChecked()):
            out["weight"] = 1 if self.weight_check.isChecked() else 0
        return out


class ExampleEditDialog(QDialog):
    """Edit (or create) one example. ``result_text()`` is the new line once accepted.

    Opened with ``open()`` (window-modal, no nested event loop); connect ``accepted``.
    """

    def __init__(self, text: str | None, *, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exampleEditDialog")
        self.setWindowTitle(title)
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        record: object = None
        if text is None:
            empty = [{"role": "user", "content": ""}, {"role": "assistant", "content": ""}]
            record = {"messages": empty}
        else:
            try:
                record = json.loads(text)
            except ValueError:
                record = None
        messages = record.get("messages") if isinstance(record, dict) else None
        self._record = record if isinstance(record, dict) else {}
        self.editors: list[MessageEditor] = []
        self.raw_edit: QPlainTextEdit | None = None
        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e;")
        if isinstance(messages, list) and all(isinstance(m, dict) for m in messages):
            intro = QLabel("The conversation, in order. The last assistant message is the answer.")
            intro.setWordWrap(True)
            layout.addWidget(intro)
            area = QScrollArea()
            area.setWidgetResizable(True)
            body = QWidget()
            self._list = QVBoxLayout(body)
            self._list.addStretch(1)
            area.setWidget(body)
            layout.addWidget(area, 1)
            for message in messages:
                self.add_message(message)
            self.add_message_button = QPushButton("Add message")
            self.add_message_button.clicked.connect(self._on_add_message_clicked)
            layout.addWidget(self.add_message_button)
        else:
            note = QLabel(
                "This line is not a chat example, so it is edited as text. Write one JSON "
                'object, e.g. {"messages": [{"role": "user", "content": "Hi"}, ...]}.'
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            self.raw_edit = QPlainTextEdit(text or "")
            layout.addWidget(self.raw_edit, 1)
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._result = ""

    def add_message(self, message: dict[str, object] | None = None) -> MessageEditor:
        if message is None:
            last = self.editors[-1].role_combo.currentText() if self.editors else "assistant"
            message = {"role": "assistant" if last == "user" else "user", "content": ""}
        editor = MessageEditor(message, self._remove_message)
        self._list.insertWidget(self._list.count() - 1, editor)
        self.editors.append(editor)
        return editor

    def _remove_message(self, editor: MessageEditor) -> None:
        self.editors.remove(editor)
        editor.deleteLater()

    def _on_add_message_clicked(self) -> None:
        self.add_message()

    def result_text(self) -> str:
        """The edited example as one line of compact JSON."""
        return self._result

    def _on_ok_clicked(self) -> None:
        try:
            if self.raw_edit is not None:
                value = json.loads(self.raw_edit.toPlainText())
            else:
                value = {**self._record, "messages": [e.message() for e in self.editors]}
        except ValueError as exc:
            self.error_label.setText(f"This is not valid JSON ({exc}). Correct it and try again.")
            return
        self._result = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self.accept()
