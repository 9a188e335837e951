"""Every creation carries a client token in its metadata, so a retry can find the job."""

from __future__ import annotations

import pytest

from desktop.core.jobs.client_token import (
    CLIENT_TOKEN_KEY,
    client_token_of,
    new_client_token,
    user_metadata,
    with_client_token,
)
from desktop.core.types import FineTuningJob, JobCreateRequest


def test_new_client_token_differs_when_called_twice() -> None:
    first, second = new_client_token(), new_client_token()
    assert first != second
    assert 0 < len(first) <= 64


def test_with_client_token_keeps_user_metadata_when_adding_token() -> None:
    request = JobCreateRequest(model="m", training_file="f", metadata={"team": "blue"})
    tagged = with_client_token(request, "tok")
    assert tagged.metadata == {"team": "blue", CLIENT_TOKEN_KEY: "tok"}
    assert request.metadata == {"team": "blue"}
    assert tagged.model == "m"


def test_with_client_token_replaces_old_token_when_request_already_tagged() -> None:
    request = with_client_token(JobCreateRequest(model="m", training_file="f"), "old")
    assert with_client_token(request, "new").metadata == {CLIENT_TOKEN_KEY: "new"}


def test_with_client_token_rejects_token_when_empty() -> None:
    with pytest.raises(ValueError, match="empty"):
        with_client_token(JobCreateRequest(model="m", training_file="f"), "")


def test_client_token_of_reads_token_when_job_was_tagged() -> None:
    job = FineTuningJob(
        id="j",
        model="m",
        status="queued",
        created_at=0,
        training_file="f",
        metadata={CLIENT_TOKEN_KEY: "tok"},
    )
    assert client_token_of(job) == "tok"


def test_client_token_of_is_none_when_job_was_created_elsewhere() -> None:
    job = FineTuningJob(id="j", model="m", status="queued", created_at=0, training_file="f")
    assert client_token_of(job) is None


def test_user_metadata_drops_the_client_token_when_present() -> None:
    metadata = {CLIENT_TOKEN_KEY: "tok", "team": "support"}
    assert user_metadata(metadata) == {"team": "support"}
    assert metadata[CLIENT_TOKEN_KEY] == "tok"
