"""JSON views of a job at a moment: the ``fine_tuning.job`` object and its event list."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from desktop.sandbox.catalog import ORGANIZATION_ID
from desktop.sandbox.jobs import Job, short_hash

__all__ = ["TimelineEvent", "job_events", "job_object"]

_MAX_METRIC_EVENTS = 200


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """An event at a point of job time (``order`` breaks ties)."""

    job_time: float
    order: int
    key: str
    message: str
    level: str = "info"
    type: str = "message"
    data: dict[str, Any] = field(default_factory=dict)


def _timeline(job: Job) -> list[TimelineEvent]:
    validated, started, ended = job.phase_ends
    events = [TimelineEvent(0.0, 0, "created", "Created fine-tuning job")]
    events.append(
        TimelineEvent(0.0, 1, "validating", f"Validating training file: {job.training_file}")
    )
    if job.validation_file:
        events.append(
            TimelineEvent(
                0.0, 2, "validating-v", f"Validating validation file: {job.validation_file}"
            )
        )
    if job.error is not None:
        events.append(TimelineEvent(validated, 0, "failed", str(job.error["message"]), "error"))
        return events
    events.append(
        TimelineEvent(validated, 0, "validated", "Files validated, moving job to queued state")
    )
    events.append(TimelineEvent(started, 0, "started", "Fine-tuning job started"))
    steps = job.total_steps
    stride = max(1, math.ceil(steps / _MAX_METRIC_EVENTS))
    checkpoint_steps = set(job.checkpoint_steps())
    failing = job.failing_step
    for m in job.metrics():
        if failing is not None and m.step >= failing:
            error = job.error_object() or {}
            message = str(error.get("message", "Fine-tuning failed"))
            events.append(TimelineEvent(job.step_time(failing), 0, "failed", message, "error"))
            return events
        when = job.step_time(m.step)
        if m.step % stride == 0 or m.step in (1, steps):
            text = f"Step {m.step}/{steps}: training loss={m.train_loss:.2f}"
            if m.valid_loss is not None:
                text += f", validation loss={m.valid_loss:.2f}"
            data: dict[str, Any] = {**m.as_data(), "total_steps": steps}
            events.append(TimelineEvent(when, 0, f"step-{m.step}", text, "info", "metrics", data))
        if m.step in checkpoint_steps:
            events.append(
                TimelineEvent(
                    when,
                    1,
                    f"ckpt-{m.step}",
                    f"Checkpoint created at step {m.step} with Snapshot ID: "
                    f"{job.checkpoint_model(m.step)}",
                )
            )
    running = ended - started
    events += [
        TimelineEvent(started + running * 0.93, 0, "model", "New fine-tuned model created"),
        TimelineEvent(
            started + running * 0.95, 0, "policy", "Evaluating model against our usage policies"
        ),
        TimelineEvent(
            ended,
            0,
            "enabled",
            "Usage policy evaluations completed, model is now enabled for sampling",
        ),
        TimelineEvent(ended, 1, "done", "The job has successfully completed"),
    ]
    return events


def job_events(job: Job, now: float) -> list[dict[str, Any]]:
    """Events that have happened by ``now``, newest first, as ``fine_tuning.job.event`` objects.

    Args:
        job: the job.
        now: simulated Unix time.

    Returns:
        JSON-ready event objects.
    """
    elapsed = job.job_time(now)
    entries: list[tuple[float, int, str, TimelineEvent]] = []
    for event in _timeline(job):
        if event.job_time <= elapsed:
            entries.append((job.sim_time(event.job_time), event.order, event.key, event))
    for index, note in enumerate(job.notes):
        event = TimelineEvent(float(note["job_time"]), 9, f"note-{index}", str(note["message"]))
        entries.append((float(note["sim"]), 9, event.key, event))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [
        {
            "object": "fine_tuning.job.event",
            "id": f"ftevent-{short_hash(job.id, key)}",
            "created_at": int(sim),
            "level": event.level,
            "message": event.message,
            "type": event.type,
            "data": event.data,
        }
        for sim, _, key, event in reversed(entries)
    ]


def job_object(job: Job, now: float, *, running_status: str | None = None) -> dict[str, Any]:
    """The ``fine_tuning.job`` JSON object at simulated time ``now``.

    Args:
        job: the job.
        now: simulated Unix time.
        running_status: reported instead of ``running`` (a status the client may not know).

    Returns:
        The JSON-ready object.
    """
    status = job.status(now)
    finished = job.finished_at(now)
    if job.error is None:
        hyper: dict[str, Any] = {
            "n_epochs": job.n_epochs,
            "batch_size": job.batch_size,
            "learning_rate_multiplier": job.learning_rate_multiplier,
        }
    else:
        hyper = {
            key: job.hyperparameters.get(key, "auto")
            for key in ("n_epochs", "batch_size", "learning_rate_multiplier")
        }
    method_hyper = dict(hyper)
    if job.method == "dpo":
        beta = job.hyperparameters.get("beta", "auto")
        method_hyper["beta"] = 0.1 if beta == "auto" and job.error is None else beta
    succeeded = status == "succeeded"
    estimated = None
    if status in ("queued", "running"):
        estimated = int(job.sim_time(job.phase_ends[2]))
    reported = running_status if running_status and status == "running" else status
    return {
        "object": "fine_tuning.job",
        "id": job.id,
        "created_at": int(job.created_at),
        "error": job.error_object() if status == "failed" else None,
        "fine_tuned_model": job.fine_tuned_model if succeeded else None,
        "finished_at": None if finished is None else int(finished),
        "hyperparameters": hyper,
        "model": job.model,
        "organization_id": ORGANIZATION_ID,
        "result_files": [job.result_file] if succeeded and job.result_file else [],
        "status": reported,
        "trained_tokens": job.tokens_per_epoch * job.n_epochs if succeeded else None,
        "training_file": job.training_file,
        "validation_file": job.validation_file,
        "integrations": [],
        "seed": job.seed,
        "estimated_finish": estimated,
        "method": {"type": job.method, job.method: {"hyperparameters": method_hyper}},
        "metadata": job.metadata,
        "user_provided_suffix": job.suffix,
    }
