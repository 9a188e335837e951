"""The Evaluation window's results: per-model summary and totals, the table, failures, export.

The summary is recomputed (``summarise``/``totals``) each time the table model flushes a batch
of results, at most ten times a second. Failures are listed by example and model with their
plain-words reason. Export writes ``result_rows`` as CSV or XLSX through
``desktop.storage.evaluation_export`` in a worker thread. Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import FinetuneError
from desktop.core.playground.evaluation import EvalResult
from desktop.core.playground.evaluation_report import (
    CellValue,
    EvalTotals,
    ModelSummary,
    result_rows,
    summarise,
    totals,
)
from desktop.storage.evaluation_export import export_results
from desktop.ui.common.async_slots import async_slot
from desktop.ui.common.errors import show_error
from desktop.ui.playground.dialogs import ask_save_path
from desktop.ui.playground.evaluation_models import FIXED_COLUMNS, MODEL_FIELDS, EvalResultsModel
from desktop.ui.playground.transcript import format_cost

__all__ = ["SIMILARITY_HELP", "ResultsPane", "summary_text"]

SIMILARITY_HELP = (
    "Similarity is the token F1 score used by the SQuAD benchmark, from 0 % to 100 %. Both "
    "texts are lower-cased, punctuation and the words “a”, “an” and “the” are removed, and the "
    "words they share are counted: 100 % means the answer uses exactly the reference's words "
    "(in any order), 0 % that they share none. It measures shared wording, not meaning: a "
    "correct answer in other words scores low, and word order, synonyms and facts are not "
    "checked. It suits short factual answers and replies in a fixed style; read the answers "
    "too."
)

_WIDE = 280
_NARROW = 80
_ROW_HEIGHT = 26


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _money(summary: ModelSummary | EvalTotals, *, simulated: bool) -> str:
    text = format_cost(summary.total_cost)
    if not summary.cost_complete:
        text += " (some prices unknown)"
    return text + (" (simulated, nothing charged)" if simulated else "")


def summary_text(
    summaries: Sequence[ModelSummary], total: EvalTotals, *, expected: int, simulated: bool
) -> str:
    """The figures above the table: one line per model, then the totals.

    Args:
        summaries: per model.
        total: over every model.
        expected: the answers the run asks for in all.
        simulated: the Demo connection (costs are made up).
    """
    lines = []
    for item in summaries:
        latency = "—" if item.mean_latency is None else f"{item.mean_latency:.2f} s"
        failed = f", {item.failed} failed" if item.failed else ""
        cost = _money(item, simulated=simulated) if item.answered else "no cost"
        lines.append(
            f"{item.model}: similarity {_percent(item.mean_similarity)} on average · "
            f"{latency} per answer · {cost} · "
            f"{item.answered} answered{failed}"
        )
    lines.append(
        f"In all: {total.answered + total.failed:,} of {expected:,} answers"
        + (f" ({total.failed} failed)" if total.failed else "")
        + f" · {total.prompt_tokens:,} input and {total.completion_tokens:,} output tokens"
        + f" · {_money(total, simulated=simulated)}"
    )
    return "\n".join(lines)


class ResultsPane(QWidget):
    """Summary, table, failures and export buttons for the run shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EvalResultsModel(self)
        self.run_name = ""
        self.run_id = ""
        self.simulated = False
        self.export_task: asyncio.Task[None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.title_label = QLabel("No run yet: choose a test set and models, then Run.")
        self.title_label.setObjectName("sectionLabel")
        self.title_label.setWordWrap(True)
        self.similarity_button = QPushButton("What is similarity?")
        self.similarity_button.setObjectName("evalSimilarityButton")
        self.similarity_button.setCheckable(True)
        self.similarity_button.setFlat(True)
        self.similarity_button.setToolTip(SIMILARITY_HELP)
        self.similarity_help = QLabel(SIMILARITY_HELP)
        self.similarity_help.setObjectName("evalSimilarityHelp")
        self.similarity_help.setWordWrap(True)
        self.similarity_help.setVisible(False)
        head.addWidget(self.title_label, 1)
        head.addWidget(self.similarity_button)
        layout.addLayout(head)
        layout.addWidget(self.similarity_help)
        self.similarity_button.toggled.connect(self.similarity_help.setVisible)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("evalSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.table = QTableView()
        self.table.setObjectName("evalResultsTable")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(_ROW_HEIGHT)
        vertical.setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.failures_list = QListWidget()
        self.failures_list.setObjectName("evalFailures")
        self.failures_list.setToolTip("Answers that failed; the other answers are not affected")
        self.failures_list.setWordWrap(True)
        self.failures_label = QLabel("Failures")
        self.failures_label.setObjectName("sectionLabel")
        failures = self._failures_box = QWidget()
        failures_layout = QVBoxLayout(failures)
        failures_layout.setContentsMargins(0, 0, 0, 0)
        failures_layout.addWidget(self.failures_label)
        failures_layout.addWidget(self.failures_list)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(failures)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)
        bottom = QHBoxLayout()
        self.export_label = QLabel()
        self.export_label.setObjectName("evalExportInfo")
        self.export_label.setWordWrap(True)
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_csv_button.setObjectName("evalExportCsvButton")
        self.export_csv_button.setToolTip("Save this run's table as a CSV file")
        self.export_xlsx_button = QPushButton("Export Excel…")
        self.export_xlsx_button.setObjectName("evalExportXlsxButton")
        self.export_xlsx_button.setToolTip("Save this run's table as an Excel workbook (.xlsx)")
        bottom.addWidget(self.export_label, 1)
        bottom.addWidget(self.export_csv_button)
        bottom.addWidget(self.export_xlsx_button)
        layout.addLayout(bottom)
        self.export_csv_button.clicked.connect(lambda: self.export(".csv"))
        self.export_xlsx_button.clicked.connect(lambda: self.export(".xlsx"))
        self.model.on_flush(self._on_batch)
        self.model.flushed.connect(self.refresh_summary)
        self._set_failures_visible(False)
        self._update_export()

    # ------------------------------------------------------------------ showing a run

    def show_run(
        self,
        title: str,
        run_name: str,
        examples: Sequence[object],
        models: Sequence[str],
        results: Sequence[EvalResult],
        *,
        earlier: Sequence[str] = (),
        simulated: bool,
        run_id: str = "",
    ) -> None:
        """Show a run (its saved results; more may arrive through ``model.add_results``)."""
        self.run_name = run_name
        self.run_id = run_id
        self.simulated = simulated
        self.title_label.setText(title)
        self.model.set_run(examples, models, results, earlier=earlier)  # type: ignore[arg-type]
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            wide = column in (1, 2) or (
                column >= len(FIXED_COLUMNS)
                and (column - len(FIXED_COLUMNS)) % len(MODEL_FIELDS) == 0
            )
            header.resizeSection(column, _WIDE if wide else _NARROW)
        header.resizeSection(0, 44)
        self.failures_list.clear()
        self._on_batch(list(results))
        self.refresh_summary()
        self._update_export()

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)

    def _on_batch(self, batch: list[EvalResult]) -> None:
        failed = sorted((r for r in batch if r.failed), key=lambda r: (r.example_index, r.model))
        for result in failed:
            self.failures_list.addItem(
                f"Example {result.example_index + 1} · {result.model}: {result.error}"
            )
        self._set_failures_visible(self.failures_list.count() > 0)
        self.failures_label.setText(f"Failures ({self.failures_list.count()})")

    def _set_failures_visible(self, visible: bool) -> None:
        self._failures_box.setVisible(visible)

    def refresh_summary(self) -> None:
        models = self.model.models
        if not models:
            self.summary_label.clear()
            return
        summaries = summarise(self.model.results, models)
        self.summary_label.setText(
            summary_text(
                summaries,
                totals(summaries),
                expected=len(self.model.examples) * len(models),
                simulated=self.simulated,
            )
        )
        self._update_export()

    def failures(self) -> list[str]:
        return [self.failures_list.item(row).text() for row in range(self.failures_list.count())]

    # ------------------------------------------------------------------ export

    def _update_export(self) -> None:
        has_rows = bool(self.model.models) and self.model.rowCount() > 0
        exporting = self.export_task is not None and not self.export_task.done()
        self.export_csv_button.setEnabled(has_rows and not exporting)
        self.export_xlsx_button.setEnabled(has_rows and not exporting)

    def export(self, suffix: str) -> asyncio.Task[None] | None:
        """Ask for a file and write the table there. Returns the writing task, or None."""
        kind = "CSV" if suffix == ".csv" else "Excel workbook"
        file_filter = "CSV (*.csv)" if suffix == ".csv" else "Excel workbook (*.xlsx)"
        safe = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in self.run_name)
        path = ask_save_path(
            self,
            f"Export results as {kind}",
            suggested=(safe.strip() or "evaluation") + suffix,
            file_filter=file_filter,
        )
        if path is None:
            return None
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.model.flush()
        rows = result_rows(self.model.examples, self.model.results, self.model.models)
        task = self._write(path, rows)
        self.export_task = task
        self._update_export()
        task.add_done_callback(lambda _t: self._update_export())
        return task

    @async_slot()
    async def _write(self, path: Path, rows: list[list[CellValue]]) -> None:
        self.export_label.setText(f"Saving {path.name}…")
        try:
            await asyncio.to_thread(export_results, path, rows)
        except FinetuneError as exc:
            self.export_label.setText(f"{path.name} was not saved.")
            show_error(self, exc)
            return
        self.export_label.setText(f"Saved {len(rows) - 1:,} rows to {path}.")
