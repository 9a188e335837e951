"""Training figures (loss and accuracy per step) from job events and from the result file.

While a job runs, the connection reports figures in ``metrics`` events; once it has finished,
its result file (a CSV table) holds one row per step. Both become :class:`MetricPoint` values.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from desktop.core.errors import FinetuneError
from desktop.core.types import JobEvent

__all__ = [
    "MetricPoint",
    "MetricsSummary",
    "ResultFileError",
    "merge_points",
    "parse_results_csv",
    "points_from_events",
    "summarize",
]

# Names the services use for each figure, most specific first.
_TRAIN_LOSS = ("train_loss",)
_TRAIN_ACCURACY = ("train_mean_token_accuracy", "train_accuracy")
_VALID_LOSS = ("valid_loss", "validation_loss")
_VALID_ACCURACY = ("valid_mean_token_accuracy", "valid_accuracy", "validation_accuracy")


class ResultFileError(FinetuneError):
    """The job's result file is not the table of training figures it should be."""

    default_user_message = (
        "The job's result file could not be read as a table of training figures, so the "
        "charts show only what the job reported while it ran. You can still download the "
        "file and look at it."
    )


@dataclass(frozen=True, slots=True)
class MetricPoint:
    """The figures at one training step; None where the service reported none."""

    step: int
    train_loss: float | None = None
    train_accuracy: float | None = None
    valid_loss: float | None = None
    valid_accuracy: float | None = None


@dataclass(frozen=True, slots=True)
class MetricsSummary:
    """The headline figures of a run (None where no point had the figure)."""

    steps: int
    final_train_loss: float | None
    best_train_loss: float | None
    final_train_accuracy: float | None
    final_valid_loss: float | None
    best_valid_loss: float | None
    best_valid_step: int | None
    final_valid_accuracy: float | None

    @property
    def has_validation(self) -> bool:
        """Whether any point carried a validation figure."""
        return self.final_valid_loss is not None or self.final_valid_accuracy is not None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _first(data: Mapping[str, object], names: Sequence[str]) -> float | None:
    for name in names:
        number = _number(data.get(name))
        if number is not None:
            return number
    return None


def _step(value: object) -> int | None:
    number = _number(value)
    if number is None or number != int(number) or number < 0:
        return None
    return int(number)


def _point(data: Mapping[str, object]) -> MetricPoint | None:
    step = _step(data.get("step"))
    if step is None:
        return None
    return MetricPoint(
        step=step,
        train_loss=_first(data, _TRAIN_LOSS),
        train_accuracy=_first(data, _TRAIN_ACCURACY),
        valid_loss=_first(data, _VALID_LOSS),
        valid_accuracy=_first(data, _VALID_ACCURACY),
    )


def _combine(old: MetricPoint, new: MetricPoint) -> MetricPoint:
    """``new`` wins for every figure it has; ``old`` fills the gaps."""
    return replace(
        old,
        train_loss=new.train_loss if new.train_loss is not None else old.train_loss,
        train_accuracy=new.train_accuracy if new.train_accuracy is not None else old.train_accuracy,
        valid_loss=new.valid_loss if new.valid_loss is not None else old.valid_loss,
        valid_accuracy=new.valid_accuracy if new.valid_accuracy is not None else old.valid_accuracy,
    )


def merge_points(old: Sequence[MetricPoint], new: Iterable[MetricPoint]) -> list[MetricPoint]:
    """Add new points to a series: one point per step, sorted by step.

    Args:
        old: the points known so far.
        new: points just received (e.g. new events, or the result file).

    Returns:
        The merged series; where both have a step, ``new``'s figures win and ``old`` fills in
        the figures ``new`` lacks.
    """
    by_step: dict[int, MetricPoint] = {}
    for point in (*old, *new):
        known = by_step.get(point.step)
        by_step[point.step] = point if known is None else _combine(known, point)
    return [by_step[step] for step in sorted(by_step)]


def points_from_events(events: Iterable[JobEvent]) -> list[MetricPoint]:
    """The training figures reported in a job's ``metrics`` events.

    Args:
        events: the job's events, in any order (others than ``metrics`` are ignored, and so
            are metrics events without a usable step number).

    Returns:
        One point per step, sorted by step.
    """
    ordered = sorted(
        (event for event in events if event.type == "metrics"), key=lambda e: e.created_at
    )
    points = (_point(event.data) for event in ordered)
    return merge_points((), (point for point in points if point is not None))


def parse_results_csv(data: bytes) -> list[MetricPoint]:
    """Read a job's result file (CSV with a ``step`` column and loss/accuracy columns).

    Args:
        data: the file's bytes as downloaded.

    Returns:
        One point per step, sorted by step (empty for a file with only the header).

    Raises:
        ResultFileError: the bytes are not text, or not a table with ``step`` and
            ``train_loss`` columns.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultFileError(f"result file is not UTF-8 text: {exc}") from exc
    if not text.strip():
        return []
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip() for name in reader.fieldnames or ()]
        if "step" not in header or "train_loss" not in header:
            raise ResultFileError(
                f"result file has no step/train_loss columns; header: {text.splitlines()[0]!r:.200}"
            )
        points: list[MetricPoint] = []
        for number, row in enumerate(reader, start=2):
            clean = {str(k).strip(): v for k, v in row.items() if k is not None}
            point = _point(clean)
            if point is None:
                raise ResultFileError(f"result file line {number} has no step number: {row!r:.200}")
            points.append(point)
    except csv.Error as exc:
        raise ResultFileError(f"result file is not valid CSV: {exc}") from exc
    return merge_points((), points)


def summarize(points: Sequence[MetricPoint]) -> MetricsSummary:
    """The final and best figures of a series.

    Args:
        points: the series, sorted by step (as :func:`merge_points` returns it).

    Returns:
        The summary; "final" is the figure at the last step that has it, "best" the lowest.
    """

    def last(values: Iterable[float | None]) -> float | None:
        found = [v for v in values if v is not None]
        return found[-1] if found else None

    train = [p.train_loss for p in points if p.train_loss is not None]
    valid = [(p.valid_loss, p.step) for p in points if p.valid_loss is not None]
    best_valid = min(valid, key=lambda pair: pair[0]) if valid else None
    return MetricsSummary(
        steps=max((p.step for p in points), default=0),
        final_train_loss=last(p.train_loss for p in points),
        best_train_loss=min(train) if train else None,
        final_train_accuracy=last(p.train_accuracy for p in points),
        final_valid_loss=last(p.valid_loss for p in points),
        best_valid_loss=best_valid[0] if best_valid else None,
        best_valid_step=best_valid[1] if best_valid else None,
        final_valid_accuracy=last(p.valid_accuracy for p in points),
    )
