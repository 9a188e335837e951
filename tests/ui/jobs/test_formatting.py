"""Plain-words formatting of the Jobs tab (no Qt)."""

from __future__ import annotations

from decimal import Decimal

from desktop.core.types import FineTuningJob
from desktop.ui.jobs.formatting import format_cost, job_suffix, job_title

JOB = FineTuningJob(
    id="ftjob-1",
    model="gpt-4o-mini-2024-07-18",
    status="succeeded",
    created_at=1,
    training_file="file-1",
    fine_tuned_model="ft:gpt-4o-mini-2024-07-18:demo-org:support-bot:abc123",
)


def test_suffix_is_read_from_the_model_id_when_the_job_does_not_report_it() -> None:
    assert job_suffix(JOB) == "support-bot"


def test_title_names_base_model_and_suffix_when_no_model_is_ready_yet() -> None:
    running = FineTuningJob(
        id="j",
        model="gpt-4o-mini-2024-07-18",
        status="running",
        created_at=1,
        training_file="f",
        suffix="bot",
    )
    assert job_title(running) == "gpt-4o-mini-2024-07-18 (bot)"


def test_cost_is_shown_in_dollars_with_tiny_amounts_rounded_up() -> None:
    assert [format_cost(Decimal(v)) for v in ("1234.5", "0.004", "0")] == [
        "$1,234.50",
        "<$0.01",
        "$0.00",
    ]
    assert format_cost(None) == ""
