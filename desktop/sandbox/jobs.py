"""A simulated fine-tuning job: its record and the timeline derived from the simulated clock.

Nothing runs in the background. A job's status, events, checkpoints and metrics are pure
functions of the record and "job time" (simulated seconds since creation, minus pauses), so any
request can compute them lazily and ``advance()`` on the clock finishes a job deterministically.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from desktop.sandbox.catalog import ORGANIZATION_NAME

__all__ = ["BASE_DURATIONS", "Checkpoint", "Job", "Metrics", "auto_epochs", "short_hash"]

# Seconds of job time for validating, queueing and training at time_scale 1: about a minute.
BASE_DURATIONS = (5.0, 5.0, 50.0)
_TRAIN_SHARE = 0.9  # training steps fill the first 90% of the running phase


def auto_epochs(n_examples: int) -> int:
    """Epochs for ``n_epochs="auto"``: the OpenAI cookbook heuristic (target 3 epochs).

    Args:
        n_examples: number of training examples.

    Returns:
        The number of epochs.
    """
    n = max(1, n_examples)
    if n * 3 < 100:
        return min(25, 100 // n)
    if n * 3 > 25000:
        return max(1, 25000 // n)
    return 3


def short_hash(*parts: object, length: int = 24) -> str:
    """A stable alphanumeric digest of ``parts`` (used for derived ids)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest)[:length]


@dataclass
class Job:
    """The persisted record of a job. Mutated only under the store's lock.

    ``pauses`` holds ``[job_time_at_pause, sim_start, sim_end_or_None]``; ``notes`` are events
    caused by requests (pause, resume, cancel), each ``{"job_time", "sim", "message"}``.
    ``error`` is a file validation failure (known at creation, shown once validation ends);
    ``fail_at_step`` makes training fail at that step with a server-side error instead.
    """

    id: str
    created_at: float
    model: str
    base_model: str
    training_file: str
    validation_file: str | None
    suffix: str | None
    seed: int
    metadata: dict[str, str] | None
    method: str
    hyperparameters: dict[str, Any]
    n_examples: int
    tokens_per_epoch: int
    error: dict[str, Any] | None
    durations: list[float]
    pauses: list[list[float | None]] = field(default_factory=list)
    cancelled_at: list[float] | None = None  # [job_time, sim]
    result_file: str | None = None
    model_deleted: bool = False
    notes: list[dict[str, Any]] = field(default_factory=list)
    fail_at_step: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy for persistence."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Job:
        """Rebuild a record saved with ``to_dict``."""
        return cls(**raw)

    # ----------------------------------------------------------------- plan

    @property
    def n_epochs(self) -> int:
        """Resolved epochs ("auto" follows the cookbook heuristic)."""
        value = self.hyperparameters.get("n_epochs", "auto")
        return auto_epochs(self.n_examples) if value == "auto" else int(value)

    @property
    def batch_size(self) -> int:
        """Resolved batch size ("auto" ≈ 0.2% of the examples, 1..256)."""
        value = self.hyperparameters.get("batch_size", "auto")
        if value == "auto":
            return max(1, min(256, round(self.n_examples * 0.002)))
        return int(value)

    @property
    def learning_rate_multiplier(self) -> float:
        """Resolved learning-rate multiplier."""
        value = self.hyperparameters.get("learning_rate_multiplier", "auto")
        return 1.8 if value == "auto" else float(value)

    @property
    def total_steps(self) -> int:
        """ceil(examples × epochs / batch size)."""
        return max(1, math.ceil(self.n_examples * self.n_epochs / self.batch_size))

    @property
    def steps_per_epoch(self) -> float:
        """Steps in one epoch (fractional when batches straddle epochs)."""
        return self.total_steps / self.n_epochs

    @property
    def fine_tuned_model(self) -> str:
        """``ft:<base>:<org>:<suffix>:<8 chars>``; the suffix part is empty without a suffix."""
        return (
            f"ft:{self.base_model}:{ORGANIZATION_NAME}:{self.suffix or ''}:"
            f"{short_hash(self.id, length=8)}"
        )

    def checkpoint_model(self, step: int) -> str:
        """Name of the checkpoint model saved at ``step``."""
        return f"{self.fine_tuned_model}:ckpt-step-{step}"

    # ----------------------------------------------------------------- time

    def job_time(self, now: float) -> float:
        """Seconds of progress: simulated time since creation minus pauses, frozen on cancel."""
        if self.cancelled_at is not None:
            return self.cancelled_at[0]
        if self.pauses and self.pauses[-1][2] is None:
            return float(self.pauses[-1][0] or 0.0)
        paused = sum(float(end or 0.0) - float(start or 0.0) for _, start, end in self.pauses)
        return max(0.0, now - self.created_at - paused)

    def sim_time(self, job_time: float) -> float:
        """Simulated Unix time at which progress reached ``job_time``."""
        paused = sum(
            float(end) - float(start or 0.0)
            for at, start, end in self.pauses
            if end is not None and float(at or 0.0) < job_time
        )
        return self.created_at + job_time + paused

    @property
    def phase_ends(self) -> tuple[float, float, float]:
        """Job times at which validating, queueing and running end."""
        validate, queue, train = self.durations
        return validate, validate + queue, validate + queue + train

    def step_time(self, step: int) -> float:
        """Job time at which training step ``step`` is done."""
        _, started, ended = self.phase_ends
        return started + (ended - started) * _TRAIN_SHARE * step / self.total_steps

    @property
    def failing_step(self) -> int | None:
        """The training step at which this job fails (server-side), or None."""
        if self.error is not None or self.fail_at_step is None:
            return None
        return self.fail_at_step if 1 <= self.fail_at_step <= self.total_steps else None

    def failure_time(self) -> float | None:
        """Job time at which the job fails, or None when it does not fail."""
        if self.error is not None:
            return self.phase_ends[0]
        step = self.failing_step
        return None if step is None else self.step_time(step)

    def error_object(self) -> dict[str, Any] | None:
        """The ``error`` the job reports once failed (file problem or training failure)."""
        if self.error is not None:
            return self.error
        step = self.failing_step
        if step is None:
            return None
        return {
            "code": "server_error",
            "message": f"Fine-tuning failed at step {step} of {self.total_steps} because of an "
            "internal error on our side. Please try again. You are not charged for the failed "
            "job.",
            "param": None,
        }

    def status(self, now: float) -> str:
        """The status at simulated time ``now``."""
        if self.cancelled_at is not None:
            return "cancelled"
        elapsed = self.job_time(now)
        validated, started, ended = self.phase_ends
        if elapsed < validated:
            return "validating_files"
        failure = self.failure_time()
        if failure is not None and elapsed >= failure:
            return "failed"
        if self.pauses and self.pauses[-1][2] is None:
            return "paused"
        if elapsed < started:
            return "queued"
        return "running" if elapsed < ended else "succeeded"

    def finished_at(self, now: float) -> float | None:
        """Simulated time the job finished, or None while it is not finished."""
        status = self.status(now)
        if status == "cancelled" and self.cancelled_at is not None:
            return self.cancelled_at[1]
        if status == "failed":
            return self.sim_time(self.failure_time() or self.phase_ends[0])
        if status == "succeeded":
            return self.sim_time(self.phase_ends[2])
        return None

    # ----------------------------------------------------------------- results

    def metrics(self) -> tuple[Metrics, ...]:
        """Per-step metrics, deterministic for this job.

        With a validation file and 4 or more epochs the job over-fits: validation loss bottoms
        out at the end of the third-to-last epoch, then rises while training loss keeps falling.
        """
        return _metrics(
            self.id, self.total_steps, self.validation_file is not None, self.overfit_from
        )

    @property
    def overfit_from(self) -> float | None:
        """Share of training (0..1) after which validation loss rises, or None."""
        if self.validation_file is None or self.n_epochs < 4:
            return None
        return (self.n_epochs - 2) / self.n_epochs

    def checkpoint_steps(self) -> list[int]:
        """Steps that end each of the last 3 epochs, where checkpoints are saved."""
        return sorted(
            {
                min(self.total_steps, math.ceil(self.steps_per_epoch * epoch))
                for epoch in range(max(1, self.n_epochs - 2), self.n_epochs + 1)
            }
        )

    def checkpoints(self, now: float) -> list[Checkpoint]:
        """Checkpoints reached so far, newest first (one per each of the last 3 epochs)."""
        if self.error is not None:
            return []
        elapsed = self.job_time(now)
        failing = self.failing_step
        steps = [s for s in self.checkpoint_steps() if failing is None or s < failing]
        metrics = self.metrics()
        reached = [
            Checkpoint(
                id=f"ftckpt_{short_hash(self.id, 'ckpt', step)}",
                step=step,
                created_at=self.sim_time(self.step_time(step)),
                model=self.checkpoint_model(step),
                metrics=metrics[step - 1],
            )
            for step in steps
            if self.step_time(step) <= elapsed
        ]
        return reached[::-1]

    def results_csv(self) -> bytes:
        """The result file: one row of metrics per step."""
        lines = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
        for m in self.metrics():
            valid = (
                f"{m.valid_loss:.5f},{m.valid_accuracy:.5f}" if m.valid_loss is not None else ","
            )
            lines.append(f"{m.step},{m.train_loss:.5f},{m.train_accuracy:.5f},{valid}")
        return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True, slots=True)
class Metrics:
    """Training metrics at one step (validation ones only with a validation file)."""

    step: int
    train_loss: float
    train_accuracy: float
    valid_loss: float | None
    valid_accuracy: float | None

    def as_data(self) -> dict[str, float | int]:
        """The metric fields as OpenAI names them in events and checkpoints."""
        data: dict[str, float | int] = {
            "step": self.step,
            "train_loss": self.train_loss,
            "train_mean_token_accuracy": self.train_accuracy,
        }
        if self.valid_loss is not None and self.valid_accuracy is not None:
            data["valid_loss"] = self.valid_loss
            data["valid_mean_token_accuracy"] = self.valid_accuracy
        return data


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A checkpoint reached by a job."""

    id: str
    step: int
    created_at: float
    model: str
    metrics: Metrics


_OVERFIT_RISE = 0.35  # validation loss gains this share of the starting loss by the last step


@lru_cache(maxsize=64)
def _metrics(
    job_id: str, steps: int, with_validation: bool, overfit_from: float | None = None
) -> tuple[Metrics, ...]:
    rng = random.Random(job_id)
    start = 1.6 + rng.random() * 0.8
    floor = 0.08 + rng.random() * 0.25
    rate = 3.0 + rng.random() * 2.0
    rows: list[Metrics] = []
    for step in range(1, steps + 1):
        trend = floor + (start - floor) * math.exp(-rate * step / steps)
        if overfit_from is None:
            loss = max(0.01, trend * (1 + (rng.random() - 0.5) * 0.2))
        else:
            # Memorising: training loss keeps dropping clearly over the last epochs.
            late = max(0.0, step / steps - overfit_from) / (1 - overfit_from)
            loss = max(0.01, trend * (1 - 0.25 * late) * (1 + (rng.random() - 0.5) * 0.08))
        accuracy = min(0.99, max(0.0, 1 - 0.4 * loss + (rng.random() - 0.5) * 0.03))
        valid_loss = valid_accuracy = None
        if with_validation and overfit_from is not None:
            # Over-fitting: the validation curve follows training down to ``overfit_from``,
            # then climbs steadily; little noise, so the turn is unmistakable.
            share = step / steps
            settled = floor + (start - floor) * math.exp(-rate * min(share, overfit_from))
            rise = _OVERFIT_RISE * start * max(0.0, share - overfit_from) / (1 - overfit_from)
            valid_loss = max(0.01, settled * 1.08 + rise + (rng.random() - 0.5) * 0.01)
            valid_accuracy = min(0.99, max(0.0, 1 - 0.4 * valid_loss - rng.random() * 0.01))
        elif with_validation:
            valid_loss = max(0.01, trend * (1.08 + (rng.random() - 0.5) * 0.2))
            valid_accuracy = min(0.99, max(0.0, accuracy - 0.02 - rng.random() * 0.02))
        rows.append(
            Metrics(
                step,
                round(loss, 5),
                round(accuracy, 5),
                None if valid_loss is None else round(valid_loss, 5),
                None if valid_accuracy is None else round(valid_accuracy, 5),
            )
        )
    return tuple(rows)
