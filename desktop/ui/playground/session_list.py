"""The Playground's saved chats: a searchable list with New, Rename, Delete and Export.

The list reads ``PlaygroundStore`` summaries; opening, renaming and deleting go through the
store at once (sessions are saved after every turn, so the list is always current).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import FinetuneError
from desktop.ui.common.errors import show_error

if TYPE_CHECKING:
    from desktop.storage.playground_store import PlaygroundStore, SessionSummary

SessionIdRole = Qt.ItemDataRole.UserRole + 1
"""``item.data(SessionIdRole)`` is the session's id."""


def session_label(summary: SessionSummary) -> str:
    """A list line: the title, then the model and the day it was last changed."""
    day = dt.datetime.fromtimestamp(summary.updated_at).strftime("%d %b %Y %H:%M")
    return f"{summary.title}\n{summary.model} · {day}"


class SessionListWidget(QWidget):
    """Saved chat sessions, newest first, filtered by the search field.

    Call only from the GUI thread.
    """

    session_chosen = Signal(str)
    """The user picked a session (its id)."""
    new_requested = Signal()
    rename_requested = Signal(str)
    delete_requested = Signal(str)
    export_requested = Signal(str, str)
    """``(session id, "jsonl" or "md")``."""

    def __init__(self, store: PlaygroundStore | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        title = QLabel("Chats")
        title.setObjectName("sectionLabel")
        self.new_button = QPushButton("New chat")
        self.new_button.setObjectName("newChatButton")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.new_button)
        column.addLayout(head)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("sessionSearch")
        self.search_edit.setPlaceholderText("Search chats…")
        self.search_edit.setClearButtonEnabled(True)
        column.addWidget(self.search_edit)
        self.list = QListWidget()
        self.list.setObjectName("sessionList")
        self.list.setWordWrap(True)
        column.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setObjectName("renameChatButton")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteChatButton")
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.delete_button)
        column.addLayout(buttons)
        self.export_jsonl_button = QPushButton("Export JSONL…")
        self.export_jsonl_button.setObjectName("exportJsonlButton")
        self.export_jsonl_button.setToolTip("Save the conversation as one training example")
        self.export_markdown_button = QPushButton("Export Markdown…")
        self.export_markdown_button.setObjectName("exportMarkdownButton")
        self.export_markdown_button.setToolTip("Save the conversation as a readable document")
        column.addWidget(self.export_jsonl_button)
        column.addWidget(self.export_markdown_button)

        self.new_button.clicked.connect(self.new_requested)
        self.search_edit.textChanged.connect(self._on_search_changed)
        self.list.itemActivated.connect(self._on_item_activated)
        self.list.itemClicked.connect(self._on_item_activated)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.export_jsonl_button.clicked.connect(self._on_export_jsonl_clicked)
        self.export_markdown_button.clicked.connect(self._on_export_markdown_clicked)
        self.reload()

    @property
    def current_id(self) -> str | None:
        item = self.list.currentItem()
        value = item.data(SessionIdRole) if item is not None else None
        return value if isinstance(value, str) else None

    def ids(self) -> list[str]:
        """The ids listed, top to bottom."""
        return [str(self.list.item(row).data(SessionIdRole)) for row in range(self.list.count())]

    def titles(self) -> list[str]:
        """The titles listed, top to bottom."""
        return [self.list.item(row).text().split("\n", 1)[0] for row in range(self.list.count())]

    def reload(self, *, select: str | None = None) -> None:
        """Re-read the list from the store (keeping ``select`` or the current session chosen)."""
        select = select or self.current_id
        summaries: list[SessionSummary] = []
        if self._store is not None:
            try:
                summaries = self._store.list_sessions(search=self.search_edit.text())
            except FinetuneError as exc:
                show_error(self, exc)
        with QSignalBlocker(self.list):
            self.list.clear()
            for summary in summaries:
                item = QListWidgetItem(session_label(summary))
                item.setData(SessionIdRole, summary.id)
                item.setToolTip(summary.title)
                self.list.addItem(item)
                if summary.id == select:
                    self.list.setCurrentItem(item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.current_id is not None
        for button in (
            self.rename_button,
            self.delete_button,
            self.export_jsonl_button,
            self.export_markdown_button,
        ):
            button.setEnabled(chosen)

    def set_busy(self, busy: bool) -> None:
        """No switching or deleting sessions while a reply streams."""
        self.list.setEnabled(not busy)
        self.new_button.setEnabled(not busy)
        self.delete_button.setEnabled(not busy and self.current_id is not None)

    # ------------------------------------------------------------------ events

    def _on_search_changed(self, _text: str) -> None:
        self.reload()

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        value = item.data(SessionIdRole)
        if isinstance(value, str):
            self.session_chosen.emit(value)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        self._update_buttons()
        if current is not None:
            self._on_item_activated(current)

    def _on_rename_clicked(self) -> None:
        if self.current_id is not None:
            self.rename_requested.emit(self.current_id)

    def _on_delete_clicked(self) -> None:
        if self.current_id is not None:
            self.delete_requested.emit(self.current_id)

    def _on_export_jsonl_clicked(self) -> None:
        if self.current_id is not None:
            self.export_requested.emit(self.current_id, "jsonl")

    def _on_export_markdown_clicked(self) -> None:
        if self.current_id is not None:
            self.export_requested.emit(self.current_id, "md")
