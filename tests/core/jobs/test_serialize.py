"""Jobs, events and requests survive a trip through JSON unchanged."""

from __future__ import annotations

import json

import pytest

from desktop.core.jobs.serialize import (
    RecordFormatError,
    event_from_dict,
    event_to_dict,
    job_from_dict,
    job_to_dict,
    request_from_dict,
    request_to_dict,
)
from desktop.core.types import (
    FineTuningJob,
    Hyperparameters,
    JobCreateRequest,
    JobError,
    JobEvent,
)

FULL_JOB = FineTuningJob(
    id="ftjob-1",
    model="gpt-4o-mini-2024-07-18",
    status="failed",
    created_at=1_700_000_000,
    training_file="file-t",
    validation_file="file-v",
    finished_at=1_700_000_100,
    fine_tuned_model="ft:gpt-4o-mini-2024-07-18:org:bot:abc",
    method="dpo",
    hyperparameters=Hyperparameters(
        n_epochs=3, batch_size="auto", learning_rate_multiplier=1.8, beta=0.1
    ),
    trained_tokens=12_345,
    error=JobError(code="invalid_training_file", message="Line 7: bad", param="training_file"),
    result_files=("file-r",),
    seed=7,
    estimated_finish=1_700_000_200,
    suffix="bot",
    metadata={"team": "blue"},
)


def through_json(value: dict[str, object]) -> object:
    return json.loads(json.dumps(value))


def test_job_round_trips_when_every_field_is_set() -> None:
    assert job_from_dict(through_json(job_to_dict(FULL_JOB))) == FULL_JOB


def test_job_round_trips_when_fields_are_defaults() -> None:
    job = FineTuningJob(id="j", model="m", status="queued", created_at=1, training_file="f")
    assert job_from_dict(through_json(job_to_dict(job))) == job


def test_job_takes_defaults_when_optional_fields_missing() -> None:
    job = job_from_dict(
        {"id": "j", "model": "m", "status": "odd", "created_at": 1, "training_file": "f"}
    )
    assert job.hyperparameters == Hyperparameters()
    assert job.status == "odd"


def test_job_raises_record_format_error_when_id_missing() -> None:
    with pytest.raises(RecordFormatError, match="id"):
        job_from_dict({"model": "m", "status": "queued", "created_at": 1, "training_file": "f"})


def test_event_round_trips_when_it_carries_metrics() -> None:
    event = JobEvent(
        id="e1",
        created_at=5,
        level="warn",
        message="m",
        type="metrics",
        data={"step": 1, "train_loss": 0.5},
    )
    assert event_from_dict(through_json(event_to_dict(event))) == event


def test_request_round_trips_when_every_field_is_set() -> None:
    request = JobCreateRequest(
        model="m",
        training_file="f",
        validation_file="v",
        method="dpo",
        hyperparameters=Hyperparameters(n_epochs=2, beta="auto"),
        suffix="s",
        seed=1,
        metadata={"a": "b"},
    )
    assert request_from_dict(through_json(request_to_dict(request))) == request


def test_request_raises_when_method_unknown() -> None:
    with pytest.raises(RecordFormatError, match="method"):
        request_from_dict({"model": "m", "training_file": "f", "method": "rl"})
