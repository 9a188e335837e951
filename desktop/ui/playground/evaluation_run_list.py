"""The Evaluation window's saved runs: listed newest first, opened, renamed, deleted, run again.

A small list (a plain ``QListWidget`` over ``PlaygroundStore.list_runs``); the window does the
work behind each button through the signals. A run still marked running in the database that
is not the window's live run reads "interrupted": the window was closed or the app stopped
while it ran, and every answer received before is kept. Call only from the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.playground.evaluation_runs import run_state

if TYPE_CHECKING:
    from desktop.storage.playground_store import EvalRunSummary

__all__ = ["RunIdRole", "RunListWidget", "run_line"]

RunIdRole = Qt.ItemDataRole.UserRole + 1
"""``item.data(RunIdRole)``: the run's id."""


def run_line(summary: EvalRunSummary, *, live: bool) -> str:
    """One run as the list shows it: name, date, models, examples, state."""
    when = dt.datetime.fromtimestamp(summary.created_at).strftime("%d %b %Y %H:%M")
    examples = "1 example" if summary.examples == 1 else f"{summary.examples:,} examples"
    state = run_state(summary.status, live=live)
    return (
        f"{summary.name}\n{when} · {', '.join(summary.models)} · {examples} · "
        f"{summary.results:,} answers · {state}"
    )


class RunListWidget(QWidget):
    """Saved runs and their buttons; emits the chosen run's id."""

    open_requested = Signal(str)
    rename_requested = Signal(str)
    delete_requested = Signal(str)
    run_again_requested = Signal(str)
    continue_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._summaries: dict[str, EvalRunSummary] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Saved runs")
        title.setObjectName("sectionLabel")
        self.list = QListWidget()
        self.list.setObjectName("evalRunList")
        self.list.setWordWrap(True)
        self.list.setToolTip("Every evaluation is kept here, with its settings and answers")
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("evalOpenRunButton")
        self.open_button.setToolTip("Show this run's answers and figures")
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setObjectName("evalRenameRunButton")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("evalDeleteRunButton")
        self.again_button = QPushButton("Run again on another model…")
        self.again_button.setObjectName("evalRunAgainButton")
        self.again_button.setToolTip(
            "Ask another model (e.g. a newer fine-tune) the same examples with the same "
            "settings, and see its answers next to this run's"
        )
        self.continue_button = QPushButton("Finish this run")
        self.continue_button.setObjectName("evalContinueRunButton")
        self.continue_button.setToolTip(
            "Ask for the answers this run is missing (it was cancelled or interrupted) and "
            "the failed ones again"
        )
        buttons = QGridLayout()
        buttons.addWidget(self.open_button, 0, 0)
        buttons.addWidget(self.rename_button, 0, 1)
        buttons.addWidget(self.delete_button, 0, 2)
        buttons.addWidget(self.again_button, 1, 0, 1, 3)
        buttons.addWidget(self.continue_button, 2, 0, 1, 3)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.itemDoubleClicked.connect(self._on_double_clicked)
        self.list.currentRowChanged.connect(self._on_current_changed)
        for button, signal in (
            (self.open_button, self.open_requested),
            (self.rename_button, self.rename_requested),
            (self.delete_button, self.delete_requested),
            (self.again_button, self.run_again_requested),
            (self.continue_button, self.continue_requested),
        ):
            button.clicked.connect(lambda _=False, s=signal: self._emit_current(s))
        self._busy = False
        self._update_buttons()

    def set_runs(self, summaries: list[EvalRunSummary], *, live_run: str | None) -> None:
        """Show ``summaries`` (the current run stays selected when still listed)."""
        current = self.current_run_id
        self._summaries = {s.id: s for s in summaries}
        self.list.clear()
        for summary in summaries:
            item = QListWidgetItem(run_line(summary, live=summary.id == live_run))
            item.setData(RunIdRole, summary.id)
            self.list.addItem(item)
            if summary.id == current:
                self.list.setCurrentItem(item)
        self._update_buttons()

    @property
    def current_run_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(RunIdRole)) if item is not None else None

    def select_run(self, run_id: str) -> bool:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.data(RunIdRole) == run_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def texts(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def set_busy(self, busy: bool) -> None:
        """While a run goes, runs can be opened but not changed or started."""
        self._busy = busy
        self._update_buttons()

    def _emit_current(self, signal: object) -> None:
        run_id = self.current_run_id
        if run_id is not None:
            signal.emit(run_id)  # type: ignore[attr-defined]

    def _on_double_clicked(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(str(item.data(RunIdRole)))

    def _on_current_changed(self, _row: int) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.current_run_id is not None
        self.open_button.setEnabled(chosen)
        for button in (
            self.rename_button,
            self.delete_button,
            self.again_button,
            self.continue_button,
        ):
            button.setEnabled(chosen and not self._busy)
