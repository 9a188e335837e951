"""Fixtures for the Jobs tab tests: fast polling against the fast emulator.

Also, for the whole session (this module is imported while tests are collected): a closed
qasync loop kills the Qt timers it still has registered. ``qasync.QEventLoop.close`` only
flags its timer object as stopped, so a ``call_later`` that was cancelled (every
``asyncio.wait_for`` timeout of ``tests/ui/loop_helpers.run``, 20 s) stays registered with Qt;
once the old loop is freed, that timer fires on freed memory and the process crashes inside
``QTimerInfoList::activateTimers`` — in whichever later test runs long enough (the Jobs tests
did). One test loop per test makes this a test-only problem: the app has one loop for its life.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import qasync

from desktop.core.jobs.polling import PollPolicy
from desktop.ui.jobs import service


def _stop_and_kill_timers(self: Any) -> None:
    callbacks: dict[int, Any] = self._SimpleTimer__callbacks
    for timer_id in list(callbacks):
        self.killTimer(timer_id)
    callbacks.clear()
    self._stopped = True


if not getattr(qasync._SimpleTimer.stop, "_kills_timers", False):
    _stop_and_kill_timers._kills_timers = True  # type: ignore[attr-defined]
    qasync._SimpleTimer.stop = _stop_and_kill_timers


@pytest.fixture(autouse=True)
def fast_polling() -> Iterator[None]:
    """Poll active jobs every 0.1 s (the emulator's jobs take ~3 s in fast mode)."""
    previous = service.POLL_POLICY
    service.POLL_POLICY = PollPolicy(
        active_seconds=0.1, queued_seconds=0.1, idle_max_seconds=0.4, error_max_seconds=0.5
    )
    try:
        yield
    finally:
        service.POLL_POLICY = previous
