"""Statuses read as plain words; unknown ones are shown as they are and never break anything."""

from __future__ import annotations

import pytest

from desktop.core.jobs.status import (
    format_duration,
    is_active,
    job_duration_seconds,
    status_label,
    status_tone,
)
from desktop.core.types import FineTuningJob


def _job(status: str, *, created: int = 1_000, finished: int | None = None) -> FineTuningJob:
    return FineTuningJob(
        id="j",
        model="m",
        status=status,
        created_at=created,
        training_file="f",
        finished_at=finished,
    )


def test_label_uses_plain_words_when_status_is_known() -> None:
    assert status_label("running") == "Training"
    assert status_label("validating_files") == "Checking files"


def test_label_shows_status_as_is_when_app_does_not_know_it() -> None:
    assert status_label("cooling_down") == "cooling_down"


@pytest.mark.parametrize(
    ("status", "tone"),
    [("running", "active"), ("succeeded", "good"), ("failed", "bad"), ("paused", "warn")],
)
def test_tone_matches_outcome_when_status_is_known(status: str, tone: str) -> None:
    assert status_tone(status) == tone


def test_tone_is_neutral_when_status_is_unknown() -> None:
    assert status_tone("cooling_down") == "neutral"


@pytest.mark.parametrize("status", ["validating_files", "queued", "running", "paused", "odd"])
def test_is_active_when_job_may_still_change(status: str) -> None:
    assert is_active(status)


@pytest.mark.parametrize("status", ["succeeded", "failed", "cancelled"])
def test_is_not_active_when_job_has_finished(status: str) -> None:
    assert not is_active(status)


def test_duration_runs_to_finish_when_job_has_finished() -> None:
    assert job_duration_seconds(_job("succeeded", finished=1_252), now=9_999) == 252.0


def test_duration_runs_to_now_when_job_is_running() -> None:
    assert job_duration_seconds(_job("running"), now=1_060.5) == 60.5


def test_duration_is_none_when_finished_job_lacks_finish_time() -> None:
    assert job_duration_seconds(_job("cancelled"), now=9_999) is None


def test_duration_is_zero_when_clock_is_behind_creation() -> None:
    assert job_duration_seconds(_job("running"), now=500) == 0.0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (42.9, "42 s"),
        (252, "4 min 12 s"),
        (2 * 3600 + 5 * 60 + 7, "2 h 05 min"),
        (3 * 86400 + 4 * 3600, "3 d 04 h"),
        (-5, "0 s"),
    ],
)
def test_format_duration_picks_units_when_given_seconds(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
