"""Qt item models of the Jobs tab: thin adapters over plain lists of ``core`` values.

- :class:`JobListModel`: the connection's jobs, newest first, filtered by status.
- :class:`EventListModel`: one job's event log, newest first, levels coloured.
- :class:`CheckpointTableModel`: one job's checkpoints with their metrics and the advice.

Call only from the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Literal

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.core.jobs.checkpoints import CheckpointAdvice
from desktop.core.jobs.status import (
    format_duration,
    is_active,
    job_duration_seconds,
    status_label,
    status_tone,
)
from desktop.core.types import Checkpoint, FineTuningJob, JobEvent
from desktop.ui.jobs.formatting import (
    LEVEL_COLORS,
    TONE_COLORS,
    format_clock,
    format_cost,
    format_metric,
    format_timestamp,
    format_tokens,
    job_suffix,
)

JobRole = Qt.ItemDataRole.UserRole + 1
JobIdRole = Qt.ItemDataRole.UserRole + 2
EventRole = Qt.ItemDataRole.UserRole + 3
CheckpointRole = Qt.ItemDataRole.UserRole + 4

AnyIndex = QModelIndex | QPersistentModelIndex

StatusFilter = Literal["all", "active", "succeeded", "failed", "cancelled"]
STATUS_FILTERS: tuple[tuple[StatusFilter, str], ...] = (
    ("all", "All jobs"),
    ("active", "Active"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
)


def matches_filter(job: FineTuningJob, status_filter: StatusFilter) -> bool:
    """Whether ``job`` belongs in the list under ``status_filter``."""
    if status_filter == "all":
        return True
    if status_filter == "active":
        return is_active(job.status)
    return job.status == status_filter


def newest_first(jobs: Iterable[FineTuningJob]) -> list[FineTuningJob]:
    """Jobs sorted by creation time, newest first (ties by id, for a stable order)."""
    return sorted(jobs, key=lambda job: (job.created_at, job.id), reverse=True)


JOB_COLUMNS = (
    "Status",
    "Base model",
    "Suffix",
    "Dataset",
    "Created",
    "Finished",
    "Duration",
    "Trained tokens",
    "Cost",
)
STATUS_COLUMN, DURATION_COLUMN, COST_COLUMN = 0, 6, 8
_RIGHT_ALIGNED = {DURATION_COLUMN, 7, COST_COLUMN}


class JobListModel(QAbstractTableModel):
    """The jobs of one connection, newest first; only those the status filter lets through.

    ``cost`` and ``dataset_name`` are asked lazily, for rows that are painted, and their
    answers are cached per job version, so 2,000 jobs fill the list at once.
    """

    def __init__(
        self,
        *,
        cost: Callable[[FineTuningJob], Decimal | None] = lambda _job: None,
        dataset_name: Callable[[FineTuningJob], str | None] = lambda _job: None,
        now: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._cost = cost
        self._dataset_name = dataset_name
        self._now = now
        self._all: list[FineTuningJob] = []
        self._rows: list[FineTuningJob] = []
        self._filter: StatusFilter = "all"
        self._costs: dict[tuple[str, str, int | None], Decimal | None] = {}
        self._datasets: dict[str, str | None] = {}

    # ------------------------------------------------------------------ content

    @property
    def status_filter(self) -> StatusFilter:
        return self._filter

    @property
    def all_jobs(self) -> list[FineTuningJob]:
        """Every job, newest first, whatever the filter."""
        return list(self._all)

    def set_jobs(self, jobs: Sequence[FineTuningJob]) -> None:
        self.beginResetModel()
        self._all = newest_first(jobs)
        self._rows = [job for job in self._all if matches_filter(job, self._filter)]
        self._datasets.clear()
        self.endResetModel()

    def set_filter(self, status_filter: StatusFilter) -> None:
        self.beginResetModel()
        self._filter = status_filter
        self._rows = [job for job in self._all if matches_filter(job, status_filter)]
        self.endResetModel()

    def upsert(self, job: FineTuningJob) -> None:
        """Add a new job or replace a known one (keeps the order and the filter)."""
        self._all = newest_first([j for j in self._all if j.id != job.id] + [job])
        row = self.row_of(job.id)
        visible = matches_filter(job, self._filter)
        if row is not None and visible:
            self._rows[row] = job
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(JOB_COLUMNS) - 1))
        elif row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        elif visible:
            position = 0
            key = (job.created_at, job.id)
            while (
                position < len(self._rows)
                and (
                    self._rows[position].created_at,
                    self._rows[position].id,
                )
                > key
            ):
                position += 1
            self.beginInsertRows(QModelIndex(), position, position)
            self._rows.insert(position, job)
            self.endInsertRows()

    def forget_dataset_name(self, job_id: str) -> None:
        self._datasets.pop(job_id, None)

    def job_at(self, row: int) -> FineTuningJob | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, job_id: str) -> int | None:
        for row, job in enumerate(self._rows):
            if job.id == job_id:
                return row
        return None

    def find(self, job_id: str) -> FineTuningJob | None:
        return next((job for job in self._all if job.id == job_id), None)

    def refresh_durations(self) -> None:
        """Repaint the duration column of active jobs (their duration grows)."""
        for row, job in enumerate(self._rows):
            if is_active(job.status):
                index = self.index(row, DURATION_COLUMN)
                self.dataChanged.emit(index, index)

    # ------------------------------------------------------------------ Qt

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(JOB_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return JOB_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        job = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(job, column)
        if role == JobRole:
            return job
        if role == JobIdRole:
            return job.id
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN:
            return QBrush(QColor(TONE_COLORS.get(status_tone(job.status), TONE_COLORS["neutral"])))
        if role == Qt.ItemDataRole.FontRole and column == STATUS_COLUMN:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{job.id}\n{status_label(job.status)}"
        return None

    def _text(self, job: FineTuningJob, column: int) -> str:
        if column == STATUS_COLUMN:
            return status_label(job.status)
        if column == 1:
            return job.model
        if column == 2:
            return job_suffix(job) or ""
        if column == 3:
            if job.id not in self._datasets:
                self._datasets[job.id] = self._dataset_name(job)
            return self._datasets[job.id] or ""
        if column == 4:
            return format_timestamp(job.created_at)
        if column == 5:
            return format_timestamp(job.finished_at)
        if column == DURATION_COLUMN:
            seconds = job_duration_seconds(job, now=self._now())
            return "" if seconds is None else format_duration(seconds)
        if column == 7:
            return format_tokens(job.trained_tokens)
        key = (job.id, job.status, job.trained_tokens)
        if key not in self._costs:
            self._costs[key] = self._cost(job)
        return format_cost(self._costs[key])


class EventListModel(QAbstractListModel):
    """One job's events, newest first. Levels are coloured (errors red, warnings amber)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[JobEvent] = []
        self._ids: set[str] = set()
        self.job_id: str | None = None

    def set_events(self, job_id: str | None, events: Sequence[JobEvent]) -> None:
        """Show ``events`` (newest first, as the connection lists them)."""
        self.beginResetModel()
        self.job_id = job_id
        self._events = sorted(events, key=lambda e: e.created_at, reverse=True)  # stable
        self._ids = {event.id for event in self._events}
        self.endResetModel()

    def add_events(self, events: Iterable[JobEvent], *, older: bool = False) -> int:
        """Add newer events on top (``older``: a page from before those shown, at the end);
        returns how many were new."""
        fresh = [event for event in events if event.id not in self._ids]
        if not fresh:
            return 0
        merged = [*self._events, *fresh] if older else [*fresh, *self._events]
        self.set_events(self.job_id, merged)
        return len(fresh)

    @property
    def events(self) -> list[JobEvent]:
        return list(self._events)

    @property
    def oldest_id(self) -> str | None:
        return self._events[-1].id if self._events else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._events):
            return None
        event = self._events[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            level = "" if event.level == "info" else f"[{event.level}] "
            return f"{format_clock(event.created_at)}  {level}{event.message}"
        if role == Qt.ItemDataRole.ForegroundRole and event.level in LEVEL_COLORS:
            return QBrush(QColor(LEVEL_COLORS[event.level]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{format_timestamp(event.created_at)} · {event.level}\n{event.message}"
        if role == EventRole:
            return event
        return None


CHECKPOINT_COLUMNS = (
    "Step",
    "Train loss",
    "Train accuracy",
    "Validation loss",
    "Validation accuracy",
    "Note",
    "Model",
)
_METRIC_KEYS = (
    "train_loss",
    "train_mean_token_accuracy",
    "valid_loss",
    "valid_mean_token_accuracy",
)


def checkpoint_metric(checkpoint: Checkpoint, key: str) -> float | None:
    """A metric of a checkpoint; the full-validation value wins over the batch one."""
    for name in (f"full_{key}", key) if key.startswith("valid") else (key,):
        value = checkpoint.metrics.get(name)
        if isinstance(value, int | float):
            return float(value)
    return None


class CheckpointTableModel(QAbstractTableModel):
    """Checkpoints by step with their metrics; the recommended one is bold with its note."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._checkpoints: list[Checkpoint] = []
        self._advice: CheckpointAdvice | None = None

    def set_checkpoints(
        self, checkpoints: Sequence[Checkpoint], advice: CheckpointAdvice | None
    ) -> None:
        self.beginResetModel()
        self._checkpoints = sorted(checkpoints, key=lambda c: c.step_number)
        self._advice = advice
        self.endResetModel()

    def checkpoint_at(self, row: int) -> Checkpoint | None:
        return self._checkpoints[row] if 0 <= row < len(self._checkpoints) else None

    def row_of(self, checkpoint_id: str) -> int | None:
        for row, checkpoint in enumerate(self._checkpoints):
            if checkpoint.id == checkpoint_id:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._checkpoints)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CHECKPOINT_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return CHECKPOINT_COLUMNS[section]
        return None

    def _recommended(self, checkpoint: Checkpoint) -> bool:
        advice = self._advice
        return (
            advice is not None
            and advice.recommended is not None
            and advice.recommended.id == checkpoint.id
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._checkpoints):
            return None
        checkpoint = self._checkpoints[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(checkpoint.step_number)
            if 1 <= column <= 4:
                return format_metric(checkpoint_metric(checkpoint, _METRIC_KEYS[column - 1]))
            if column == 5:
                return self._advice.note_for(checkpoint.id) if self._advice else ""
            return checkpoint.fine_tuned_model_checkpoint
        if role == Qt.ItemDataRole.FontRole and self._recommended(checkpoint):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == 5 and self._recommended(checkpoint):
            return QBrush(QColor(TONE_COLORS["good"]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return checkpoint.fine_tuned_model_checkpoint
        if role == CheckpointRole:
            return checkpoint
        return None
