"""Job statuses in plain words, their badge colour, and how long a job has taken."""

from __future__ import annotations

from typing import Literal

from desktop.core.types import FINISHED_STATUSES, FineTuningJob, JobStatus

__all__ = [
    "StatusTone",
    "format_duration",
    "is_active",
    "job_duration_seconds",
    "status_label",
    "status_tone",
]

StatusTone = Literal["neutral", "active", "good", "bad", "warn"]

_LABELS: dict[str, str] = {
    JobStatus.VALIDATING_FILES: "Checking files",
    JobStatus.QUEUED: "Waiting in queue",
    JobStatus.RUNNING: "Training",
    JobStatus.PAUSED: "Paused",
    JobStatus.SUCCEEDED: "Succeeded",
    JobStatus.FAILED: "Failed",
    JobStatus.CANCELLED: "Cancelled",
}

_TONES: dict[str, StatusTone] = {
    JobStatus.VALIDATING_FILES: "active",
    JobStatus.QUEUED: "neutral",
    JobStatus.RUNNING: "active",
    JobStatus.PAUSED: "warn",
    JobStatus.SUCCEEDED: "good",
    JobStatus.FAILED: "bad",
    JobStatus.CANCELLED: "neutral",
}


def status_label(status: str) -> str:
    """The status in plain words for the list and the detail view.

    Args:
        status: the status string the connection sent.

    Returns:
        E.g. ``"Training"`` for ``"running"``; a status the app does not know is shown as it is.
    """
    return _LABELS.get(status, status)


def status_tone(status: str) -> StatusTone:
    """The colour family of the status badge.

    Args:
        status: the status string the connection sent.

    Returns:
        ``"active"`` (working), ``"good"``, ``"bad"``, ``"warn"`` or ``"neutral"`` (also for
        statuses the app does not know).
    """
    return _TONES.get(status, "neutral")


def is_active(status: str) -> bool:
    """Whether the job may still change, so it is worth watching.

    Args:
        status: the status string the connection sent.

    Returns:
        False only for succeeded, failed and cancelled jobs; True for everything else,
        including statuses the app does not know yet.
    """
    return status not in FINISHED_STATUSES


def job_duration_seconds(job: FineTuningJob, *, now: float) -> float | None:
    """How long the job has taken: from creation to finish, or to ``now`` while it runs.

    Args:
        job: the job.
        now: the current Unix time in seconds.

    Returns:
        Seconds (never negative), or None for a finished job whose finish time is unknown.
    """
    if job.finished_at is not None:
        end = float(job.finished_at)
    elif is_active(job.status):
        end = now
    else:
        return None
    return max(0.0, end - job.created_at)


def format_duration(seconds: float) -> str:
    """A duration in short plain words.

    Args:
        seconds: the duration (negative values count as 0).

    Returns:
        ``"42 s"``, ``"4 min 12 s"``, ``"2 h 05 min"`` or ``"3 d 04 h"``.
    """
    total = max(0, int(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours:02d} h"
