"""Polling is fast while a job runs, slower when quiet, backs off on errors, stops when done."""

from __future__ import annotations

import pytest

from desktop.core.jobs.polling import PollPolicy, next_poll_delay

POLICY = PollPolicy()


def delay(
    status: str | None,
    *,
    unchanged: int = 0,
    errors: int = 0,
    retry_after: float | None = None,
) -> float | None:
    return next_poll_delay(
        POLICY,
        status=status,
        unchanged_polls=unchanged,
        consecutive_errors=errors,
        retry_after=retry_after,
    )


@pytest.mark.parametrize("status", ["succeeded", "failed", "cancelled"])
def test_stops_when_job_has_finished(status: str) -> None:
    assert delay(status) is None


def test_polls_fast_when_job_is_running() -> None:
    assert delay("running") == 5.0


def test_polls_fast_when_status_is_not_known_yet() -> None:
    assert delay(None) == 5.0


def test_treats_status_like_running_when_app_does_not_know_it() -> None:
    assert delay("cooling_down") == 5.0


def test_polls_slower_when_job_is_queued() -> None:
    assert delay("queued") == 15.0


def test_polls_slowly_when_job_is_paused() -> None:
    assert delay("paused") == 120.0


def test_backs_off_when_polls_bring_nothing_new() -> None:
    assert delay("running", unchanged=1) == 10.0
    assert delay("running", unchanged=2) == 20.0


def test_caps_quiet_backoff_when_job_stays_unchanged_long() -> None:
    assert delay("running", unchanged=10_000) == 120.0


def test_backs_off_when_polls_fail() -> None:
    assert delay("running", errors=1) == 10.0
    assert delay("running", errors=3) == 40.0


def test_caps_error_backoff_when_errors_pile_up() -> None:
    assert delay("running", errors=10_000) == 300.0


def test_waits_as_asked_when_server_sends_retry_after() -> None:
    assert delay("running", retry_after=42.0) == 42.0


def test_never_polls_faster_than_usual_when_retry_after_is_short() -> None:
    assert delay("queued", retry_after=1.0) == 15.0


def test_retries_when_finished_job_had_an_error_pending() -> None:
    assert delay("succeeded", errors=1) == 10.0


def test_rejects_policy_when_delays_are_not_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        PollPolicy(active_seconds=0)
