"""Which checkpoint to use: spot over-fitting and recommend one, in plain words.

Over-fitting shows as the validation loss rising over the last checkpoints (or the last
training steps) while the training loss keeps falling: the model starts to memorise its
training examples instead of learning from them. The checkpoint with the lowest validation
loss is then the best choice. Without validation data nothing can be told apart, so the
final checkpoint is recommended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from desktop.core.jobs.metrics import MetricPoint
from desktop.core.types import Checkpoint

__all__ = [
    "MIN_RISE",
    "CheckpointAdvice",
    "advise",
    "checkpoint_train_loss",
    "checkpoint_valid_loss",
    "is_overfitting",
]

MIN_RISE = 0.05  # the validation loss must rise by 5 % of its best value to count
_MIN_SMOOTHED_POINTS = 8  # fewer validation points than this: judge from the checkpoints

NOTE_BEST_VALIDATION = "Best validation loss"
NOTE_RECOMMENDED_FINAL = "Final — recommended"
NOTE_OVERFITTED = "Likely over-fitted"


@dataclass(frozen=True, slots=True)
class CheckpointAdvice:
    """The recommendation for one job's checkpoints.

    ``recommended`` is None only when there are no checkpoints. ``notes`` maps checkpoint ids
    to a short label for the list (see :meth:`note_for`).
    """

    recommended: Checkpoint | None
    overfitting: bool
    explanation: str
    notes: Mapping[str, str] = field(default_factory=dict)

    def note_for(self, checkpoint_id: str) -> str:
        """The short label shown next to a checkpoint.

        Args:
            checkpoint_id: the checkpoint's id.

        Returns:
            ``"Best validation loss"``, ``"Final — recommended"``, ``"Likely over-fitted"``
            or ``""``.
        """
        return self.notes.get(checkpoint_id, "")


def _at_step(points: Sequence[MetricPoint], step: int, attribute: str) -> float | None:
    """The figure at ``step``, else at the nearest earlier step that has it."""
    best: tuple[int, float] | None = None
    for point in points:
        value = getattr(point, attribute)
        if value is None or point.step > step:
            continue
        if best is None or point.step > best[0]:
            best = (point.step, value)
    return best[1] if best is not None else None


def _metric(checkpoint: Checkpoint, names: Sequence[str]) -> float | None:
    for name in names:
        value = checkpoint.metrics.get(name)
        if value is not None:
            return float(value)
    return None


def checkpoint_valid_loss(
    checkpoint: Checkpoint, points: Sequence[MetricPoint] = ()
) -> float | None:
    """A checkpoint's validation loss.

    Args:
        checkpoint: the checkpoint (its own metrics are preferred: the full validation loss,
            then the sampled one).
        points: the job's training figures, used when the checkpoint carries none.

    Returns:
        The loss, or None when the job had no validation data.
    """
    own = _metric(checkpoint, ("full_valid_loss", "valid_loss"))
    return own if own is not None else _at_step(points, checkpoint.step_number, "valid_loss")


def checkpoint_train_loss(
    checkpoint: Checkpoint, points: Sequence[MetricPoint] = ()
) -> float | None:
    """A checkpoint's training loss (its own metric, else the figure at its step).

    Args:
        checkpoint: the checkpoint.
        points: the job's training figures.

    Returns:
        The loss, or None when unknown.
    """
    own = _metric(checkpoint, ("train_loss",))
    return own if own is not None else _at_step(points, checkpoint.step_number, "train_loss")


def is_overfitting(series: Sequence[tuple[float, float | None]]) -> bool:
    """Whether the validation loss rose at the end while the training loss fell.

    Args:
        series: ``(validation_loss, training_loss)`` pairs in step order (training loss None
            when unknown).

    Returns:
        True when the lowest validation loss comes before the last entry, the last one is at
        least :data:`MIN_RISE` above it, and the training loss (where known) fell meanwhile.
    """
    if len(series) < 2:
        return False
    best = min(range(len(series)), key=lambda index: series[index][0])
    last_valid, last_train = series[-1]
    best_valid, best_train = series[best]
    if best == len(series) - 1 or last_valid <= best_valid * (1 + MIN_RISE):
        return False
    return last_train is None or best_train is None or last_train < best_train


def _smoothed(points: Sequence[MetricPoint]) -> list[tuple[float, float | None]]:
    """Moving averages of the validation and training loss (the per-step values are noisy)."""
    usable = [p for p in points if p.valid_loss is not None]
    window = max(3, len(usable) // 8)
    series: list[tuple[float, float | None]] = []
    for end in range(window, len(usable) + 1):
        chunk = usable[end - window : end]
        valid = sum(p.valid_loss for p in chunk if p.valid_loss is not None) / window
        trains = [p.train_loss for p in chunk if p.train_loss is not None]
        series.append((valid, sum(trains) / len(trains) if trains else None))
    return series


def _loss(value: float) -> str:
    return f"{value:.3f}"


def advise(checkpoints: Sequence[Checkpoint], points: Sequence[MetricPoint]) -> CheckpointAdvice:
    """Recommend a checkpoint and say whether the job over-fitted.

    Args:
        checkpoints: the job's checkpoints, in any order.
        points: the job's training figures (events or result file), sorted by step.

    Returns:
        The advice: the checkpoint with the lowest validation loss, or the final checkpoint
        when there is no validation data, with a plain explanation.
    """
    ordered = sorted(checkpoints, key=lambda c: c.step_number)
    if not ordered:
        return CheckpointAdvice(
            None,
            False,
            "No checkpoints yet. The service saves them at the end of the last few epochs; "
            "the finished model is always available too.",
        )
    final = ordered[-1]
    valid = [(c, checkpoint_valid_loss(c, points)) for c in ordered]
    with_valid = [(c, loss) for c, loss in valid if loss is not None]
    if not with_valid:
        return CheckpointAdvice(
            final,
            False,
            "This job had no validation data, so the app cannot tell whether the model started "
            "to memorise its examples. The final checkpoint is recommended. Next time, add a "
            "validation dataset (or split some examples off) to see which checkpoint works best "
            "on examples it has not seen.",
            {final.id: NOTE_RECOMMENDED_FINAL},
        )
    best, best_loss = min(with_valid, key=lambda pair: pair[1])
    if sum(p.valid_loss is not None for p in points) >= _MIN_SMOOTHED_POINTS:
        overfitting = is_overfitting(_smoothed(points))
    else:
        overfitting = is_overfitting(
            [(loss, checkpoint_train_loss(c, points)) for c, loss in with_valid]
        )
    notes = {best.id: NOTE_BEST_VALIDATION}
    if overfitting and final.id != best.id:
        notes[final.id] = NOTE_OVERFITTED
    where = f"the checkpoint at step {best.step_number}"
    if overfitting:
        explanation = (
            "Likely over-fitting: near the end of training the validation loss rose while the "
            "training loss kept falling, so the model began to memorise its training examples "
            f"instead of learning from them. {where[0].upper()}{where[1:]} has the lowest "
            f"validation loss ({_loss(best_loss)}) and is recommended. Next time, train for "
            "fewer epochs or add more varied examples."
        )
    elif best.id == final.id:
        explanation = (
            f"The final checkpoint (step {final.step_number}) has the lowest validation loss "
            f"({_loss(best_loss)}) and is recommended. No sign of over-fitting."
        )
    else:
        final_loss = {c.id: loss for c, loss in with_valid}.get(final.id)
        compared = ""
        if final_loss is not None:
            compared = f", against {_loss(final_loss)} for the final one"
        close = final_loss is not None and final_loss <= best_loss * (1 + MIN_RISE)
        explanation = (
            f"{where[0].upper()}{where[1:]} has the lowest validation loss "
            f"({_loss(best_loss)}{compared}) and is recommended."
        )
        if close:
            explanation += " The difference is small, so the final model is a fine choice too."
    return CheckpointAdvice(best, overfitting, explanation, notes)
