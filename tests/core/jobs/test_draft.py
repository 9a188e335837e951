""" "Train again on…" copies dataset, method and the hyperparameters a job really used."""

from __future__ import annotations

from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.jobs.draft import JobDraft, draft_from_job
from desktop.core.jobs.records import JobOrigin
from desktop.core.types import FineTuningJob, Hyperparameters

USED = Hyperparameters(n_epochs=3, batch_size=4, learning_rate_multiplier=1.8)
JOB = FineTuningJob(
    id="ftjob-1",
    model="gpt-4o-mini-2024-07-18",
    status="succeeded",
    created_at=0,
    training_file="file-train",
    validation_file="file-valid",
    method="supervised",
    hyperparameters=USED,
    suffix="bot",
    seed=42,
    metadata={"team": "blue", CLIENT_TOKEN_KEY: "tok"},
)
ORIGIN = JobOrigin(
    profile_id="openai",
    job_id="ftjob-1",
    dataset_path="/data/train.jsonl",
    validation_path="/data/valid.jsonl",
)


def test_copies_settings_actually_used_when_job_is_given() -> None:
    draft = draft_from_job(JOB, ORIGIN, profile_id="openai", target_profile_id="azure")
    assert draft.model == "gpt-4o-mini-2024-07-18"
    assert draft.method == "supervised"
    assert draft.hyperparameters == USED
    assert draft.suffix == "bot"
    assert draft.seed == 42


def test_names_the_source_job_when_training_again() -> None:
    draft = draft_from_job(JOB, ORIGIN, profile_id="openai", target_profile_id="azure")
    assert (draft.source_profile_id, draft.source_job_id) == ("openai", "ftjob-1")


def test_drops_client_token_when_copying_metadata() -> None:
    draft = draft_from_job(JOB, ORIGIN, profile_id="openai")
    assert draft.metadata == {"team": "blue"}


def test_uses_local_files_when_origin_knows_them() -> None:
    draft = draft_from_job(JOB, ORIGIN, profile_id="openai", target_profile_id="azure")
    assert draft.training_path == "/data/train.jsonl"
    assert draft.validation_path == "/data/valid.jsonl"
    assert draft.training_file_id is None


def test_reuses_remote_files_when_same_connection_and_no_local_file() -> None:
    draft = draft_from_job(JOB, None, profile_id="openai")
    assert draft.training_file_id == "file-train"
    assert draft.validation_file_id == "file-valid"
    assert draft.training_path is None


def test_offers_no_file_when_other_connection_and_no_local_file() -> None:
    draft = draft_from_job(JOB, None, profile_id="openai", target_profile_id="azure")
    assert draft.training_file_id is None
    assert draft.training_path is None


def test_empty_draft_has_auto_settings_when_created_plainly() -> None:
    draft = JobDraft()
    assert draft.hyperparameters == Hyperparameters()
    assert draft.method == "supervised"
    assert draft.metadata == {}
