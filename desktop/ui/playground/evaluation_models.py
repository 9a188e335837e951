"""The Evaluation window's results table: a thin Qt model over a run's examples and results.

One row per example; columns: number, prompt, reference, then for each model its answer,
words, latency, cost and similarity. Results arriving during a run are queued with
:meth:`EvalResultsModel.add_results` and reach the view in one ``dataChanged`` per flush
(every :data:`FLUSH_INTERVAL_MS`), never one repaint per answer, so a 1,000-example run
stays smooth. Call only from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from desktop.core.playground.evaluation import EvalExample, EvalResult
from desktop.ui.playground.transcript import format_cost

__all__ = [
    "FIXED_COLUMNS",
    "FLUSH_INTERVAL_MS",
    "MODEL_FIELDS",
    "EvalResultsModel",
    "ResultRole",
]

FLUSH_INTERVAL_MS = 100
"""How often queued results reach the table (and the window's summary)."""

FIXED_COLUMNS = ("#", "Prompt", "Reference")
MODEL_FIELDS = ("answer", "words", "latency", "cost", "similarity")

ResultRole = Qt.ItemDataRole.UserRole + 1
"""``data(index, ResultRole)``: the ``EvalResult`` of a model column's cell (or None)."""

_FAILED = QBrush(QColor("#b3261e"))
_SHORT_TEXT = 300
_Index = QModelIndex | QPersistentModelIndex


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHORT_TEXT else flat[: _SHORT_TEXT - 1] + "…"


class EvalResultsModel(QAbstractTableModel):
    """Examples × models; results by (example index, model). GUI thread only.

    ``flushed`` is emitted after queued results have been applied (the window refreshes its
    summary then).
    """

    flushed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._examples: list[EvalExample] = []
        self._row_of: dict[int, int] = {}
        self._models: list[str] = []
        self._earlier: frozenset[str] = frozenset()
        self._results: dict[tuple[int, str], EvalResult] = {}
        self._pending: list[EvalResult] = []
        self._flush_hooks: list[Callable[[list[EvalResult]], None]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

    # ------------------------------------------------------------------ content

    def set_run(
        self,
        examples: Sequence[EvalExample],
        models: Sequence[str],
        results: Iterable[EvalResult] = (),
        *,
        earlier: Iterable[str] = (),
    ) -> None:
        """Show a run; ``earlier``: models whose answers come from an earlier run."""
        self._timer.stop()
        self._pending.clear()
        self.beginResetModel()
        self._examples = list(examples)
        self._row_of = {example.index: row for row, example in enumerate(self._examples)}
        self._models = list(models)
        self._earlier = frozenset(earlier)
        self._results = {(r.example_index, r.model): r for r in results}
        self.endResetModel()

    def add_results(self, results: Iterable[EvalResult]) -> None:
        """Queue results; they show at the next flush (within ``FLUSH_INTERVAL_MS``)."""
        self._pending.extend(results)
        if self._pending and not self._timer.isActive():
            self._timer.start()

    def on_flush(self, hook: Callable[[list[EvalResult]], None]) -> None:
        """Call ``hook`` with each batch of results as it is applied (before ``flushed``)."""
        self._flush_hooks.append(hook)

    def flush(self) -> None:
        """Apply the queued results now: one ``dataChanged`` over the rows they touch."""
        self._timer.stop()
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        rows: list[int] = []
        for result in batch:
            self._results[(result.example_index, result.model)] = result
            row = self._row_of.get(result.example_index)
            if row is not None:
                rows.append(row)
        for hook in self._flush_hooks:
            hook(batch)
        if rows:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))
        self.flushed.emit()

    @property
    def examples(self) -> list[EvalExample]:
        return list(self._examples)

    @property
    def models(self) -> list[str]:
        return list(self._models)

    @property
    def results(self) -> list[EvalResult]:
        """Every result shown (queued ones not yet included)."""
        return list(self._results.values())

    def result(self, row: int, model: str) -> EvalResult | None:
        if not 0 <= row < len(self._examples):
            return None
        return self._results.get((self._examples[row].index, model))

    def column_of(self, model: str, field: str) -> int:
        """The column of one model's field (``"answer"``, ``"similarity"``…)."""
        return (
            len(FIXED_COLUMNS)
            + self._models.index(model) * len(MODEL_FIELDS)
            + MODEL_FIELDS.index(field)
        )

    # ------------------------------------------------------------------ Qt model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._examples)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED_COLUMNS) + len(self._models) * len(MODEL_FIELDS)

    def _model_field(self, column: int) -> tuple[str, str] | None:
        offset = column - len(FIXED_COLUMNS)
        if offset < 0:
            return None
        model_index, field_index = divmod(offset, len(MODEL_FIELDS))
        if model_index >= len(self._models):
            return None
        return self._models[model_index], MODEL_FIELDS[field_index]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if section < len(FIXED_COLUMNS):
            return FIXED_COLUMNS[section] if role == Qt.ItemDataRole.DisplayRole else None
        found = self._model_field(section)
        if found is None:
            return None
        model, field = found
        earlier = " (earlier run)" if model in self._earlier else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{model}{earlier}\n{field}" if field == "answer" else field
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{field} of {model}{earlier}"
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._examples):
            return None
        example = self._examples[index.row()]
        column = index.column()
        if column < len(FIXED_COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return (
                    str(example.index + 1),
                    _short(example.question),
                    _short(example.reference),
                )[column]
            if role == Qt.ItemDataRole.ToolTipRole and column > 0:
                return example.question if column == 1 else example.reference
            return None
        found = self._model_field(column)
        if found is None:
            return None
        model, field = found
        result = self._results.get((example.index, model))
        if role == ResultRole:
            return result
        if result is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell_text(result, field)
        if role == Qt.ItemDataRole.ToolTipRole and field == "answer":
            return f"Failed: {result.error}" if result.failed else result.answer
        if role == Qt.ItemDataRole.ForegroundRole and result.failed:
            return _FAILED
        if role == Qt.ItemDataRole.TextAlignmentRole and field != "answer":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _cell_text(result: EvalResult, field: str) -> str:
    if field == "answer":
        return f"Failed: {result.error}" if result.failed else _short(result.answer)
    if result.failed:
        return "—"
    if field == "words":
        return str(result.answer_words)
    if field == "latency":
        return "—" if result.latency is None else f"{result.latency:.2f} s"
    if field == "cost":
        return "unknown" if result.cost is None else format_cost(result.cost)
    if result.similarity is None:
        return "—"
    return f"{result.similarity * 100:.0f} %"
