"""A pending creation turns into the origin record of the job it started."""

from __future__ import annotations

from decimal import Decimal

from desktop.core.jobs.records import JobOrigin, PendingCreate
from desktop.core.types import JobCreateRequest


def test_origin_for_carries_dataset_quote_and_token_when_job_is_found() -> None:
    pending = PendingCreate(
        profile_id="p1",
        client_token="tok",
        request=JobCreateRequest(model="m", training_file="file-1"),
        started_at=100.5,
        dataset_path="/data/a.jsonl",
        dataset_name="a.jsonl",
        validation_path="/data/v.jsonl",
        quoted_usd=Decimal("1.25"),
    )
    assert pending.origin_for("ftjob-1") == JobOrigin(
        profile_id="p1",
        job_id="ftjob-1",
        dataset_path="/data/a.jsonl",
        dataset_name="a.jsonl",
        validation_path="/data/v.jsonl",
        quoted_usd=Decimal("1.25"),
        client_token="tok",
        created_locally_at=100.5,
    )
