"""Fixtures for the Jobs tab tests: fast polling against the fast emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.core.jobs.polling import PollPolicy
from desktop.ui.jobs import job_following


@pytest.fixture(autouse=True)
def fast_polling() -> Iterator[None]:
    """Poll active jobs every 0.1 s (the emulator's jobs take ~3 s in fast mode)."""
    previous = job_following.POLL_POLICY
    job_following.POLL_POLICY = PollPolicy(
        active_seconds=0.1, queued_seconds=0.1, idle_max_seconds=0.4, error_max_seconds=0.5
    )
    try:
        yield
    finally:
        job_following.POLL_POLICY = previous
