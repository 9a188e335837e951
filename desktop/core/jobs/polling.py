"""How long to wait before asking the connection about a job again.

Fast while a job runs, slower while it waits in the queue or shows no change, stopped once it
has finished; after errors the wait grows, and a server's ``Retry-After`` is always respected.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.types import FINISHED_STATUSES, JobStatus

__all__ = ["PollPolicy", "next_poll_delay"]

_MAX_EXPONENT = 32  # beyond this every delay is already capped; avoids float overflow


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """Polling delays in seconds.

    ``active_seconds`` while a job validates or trains, ``queued_seconds`` while it waits in
    the queue; each poll without change multiplies the wait by ``factor`` up to
    ``idle_max_seconds`` (a paused job waits that long from the start); consecutive errors
    multiply it up to ``error_max_seconds``.
    """

    active_seconds: float = 5.0
    queued_seconds: float = 15.0
    idle_max_seconds: float = 120.0
    error_max_seconds: float = 300.0
    factor: float = 2.0

    def __post_init__(self) -> None:
        if min(self.active_seconds, self.queued_seconds) <= 0:
            raise ValueError("poll delays must be positive")
        if self.idle_max_seconds < max(self.active_seconds, self.queued_seconds):
            raise ValueError("idle_max_seconds must not be below the other delays")
        if self.error_max_seconds <= 0:
            raise ValueError("error_max_seconds must be positive")
        if self.factor < 1:
            raise ValueError("factor must be at least 1")


def _base_delay(policy: PollPolicy, status: str | None) -> float:
    if status == JobStatus.QUEUED:
        return policy.queued_seconds
    if status == JobStatus.PAUSED:
        return policy.idle_max_seconds
    return policy.active_seconds


def next_poll_delay(
    policy: PollPolicy,
    *,
    status: str | None,
    unchanged_polls: int,
    consecutive_errors: int,
    retry_after: float | None = None,
) -> float | None:
    """Seconds to wait before the next poll of one job, or None to stop polling it.

    Args:
        policy: the delays to use.
        status: the job's last known status (None before the first answer). Statuses the app
            does not know are treated like a running job.
        unchanged_polls: how many polls in a row brought nothing new (0 after a change).
        consecutive_errors: how many polls in a row failed (0 after a success).
        retry_after: the wait the server asked for (HTTP ``Retry-After``), if any.

    Returns:
        The delay in seconds; None once the job has finished (succeeded, failed or cancelled)
        and no error is pending.
    """
    if status in FINISHED_STATUSES and consecutive_errors == 0 and retry_after is None:
        return None
    base = _base_delay(policy, status)
    quiet = min(max(unchanged_polls, 0), _MAX_EXPONENT)
    delay = min(policy.idle_max_seconds, base * policy.factor**quiet)
    if consecutive_errors > 0:
        errors = min(consecutive_errors, _MAX_EXPONENT)
        backoff = min(policy.error_max_seconds, base * policy.factor**errors)
        delay = max(delay, backoff)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
