"""A job's event log: newest first, levels coloured, older pages loaded on scroll.

The view only asks (``older_requested``); the detail widget fetches and hands the page back with
:meth:`EventLogView.add_older`. Call only from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from desktop.core.types import JobEvent
from desktop.ui.jobs.models import EventListModel


class EventLogView(QWidget):
    """The list of events plus a "Load older events" button (also triggered by scrolling)."""

    older_requested = Signal(str)
    """The user scrolled to the end: the id of the oldest event shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventLog")
        self.model = EventListModel(self)
        self.has_more = True
        self.loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListView()
        self.list.setObjectName("eventList")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(False)
        self.list.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        layout.addWidget(self.list, 1)
        self.status = QLabel("")
        self.status.setObjectName("eventLogStatus")
        layout.addWidget(self.status)
        self.more_button = QPushButton("Load older events")
        self.more_button.setObjectName("loadOlderEventsButton")
        self.more_button.clicked.connect(self._ask_older)
        layout.addWidget(self.more_button)
        self._update()

    def set_events(self, job_id: str | None, events: Sequence[JobEvent]) -> None:
        self.model.set_events(job_id, events)
        self.has_more = True
        self.loading = False
        self._update()

    def add_newer(self, events: Sequence[JobEvent]) -> None:
        self.model.add_events(events)
        self._update()

    def add_older(self, events: Sequence[JobEvent], *, has_more: bool) -> None:
        self.model.add_events(events, older=True)
        self.has_more = has_more
        self.loading = False
        self._update()

    def loading_failed(self, message: str) -> None:
        self.loading = False
        self.status.setText(message)
        self._update()

    def messages(self) -> list[str]:
        """What the log shows, top to bottom (tests read it)."""
        return [str(self.model.index(row, 0).data()) for row in range(self.model.rowCount())]

    def _update(self) -> None:
        count = self.model.rowCount()
        if self.loading:
            self.status.setText("Loading older events…")
        elif count == 0:
            self.status.setText("No events yet.")
        elif not self.has_more:
            self.status.setText(f"{count:,} events — the beginning of the job.")
        elif not self.status.text().startswith("Cannot"):
            self.status.setText(f"{count:,} events")
        self.more_button.setVisible(self.has_more and count > 0)
        self.more_button.setEnabled(not self.loading)

    def _on_scrolled(self, value: int) -> None:
        bar = self.list.verticalScrollBar()
        if value >= bar.maximum() > 0:
            self._ask_older()

    def _ask_older(self) -> None:
        oldest = self.model.oldest_id
        if self.loading or not self.has_more or oldest is None:
            return
        self.loading = True
        self._update()
        self.older_requested.emit(oldest)
