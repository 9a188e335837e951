"""Client tokens that make a job creation safe to retry.

The fine-tuning API takes no idempotency key, so every creation carries a random token in the
job's ``metadata``. After a lost answer the app looks for a job with that token before it
creates another one.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping

from desktop.core.types import FineTuningJob, JobCreateRequest

__all__ = [
    "CLIENT_TOKEN_KEY",
    "client_token_of",
    "new_client_token",
    "user_metadata",
    "with_client_token",
]

CLIENT_TOKEN_KEY = "finetune_studio_token"


def new_client_token() -> str:
    """A fresh random token, unique for each creation the user starts.

    Returns:
        32 lowercase hex digits (well under the 512-character metadata value limit).
    """
    return uuid.uuid4().hex


def with_client_token(request: JobCreateRequest, token: str) -> JobCreateRequest:
    """The same request with ``token`` added to its metadata (other metadata is kept).

    Args:
        request: the job to create.
        token: from :func:`new_client_token`; reuse the same one when retrying.

    Returns:
        A copy of ``request`` whose ``metadata[CLIENT_TOKEN_KEY]`` is ``token``.

    Raises:
        ValueError: ``token`` is empty.
    """
    if not token:
        raise ValueError("client token must not be empty")
    metadata = {**request.metadata, CLIENT_TOKEN_KEY: token}
    return dataclasses.replace(request, metadata=metadata)


def client_token_of(job: FineTuningJob) -> str | None:
    """The client token a job was created with, or None for jobs created elsewhere.

    Args:
        job: a job as listed by the connection.

    Returns:
        The token, or None.
    """
    return job.metadata.get(CLIENT_TOKEN_KEY) or None


def user_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """A job's metadata as its user set it: without the app's own client token.

    Args:
        metadata: the job's metadata.

    Returns:
        A copy without :data:`CLIENT_TOKEN_KEY` (the job itself keeps it).
    """
    return {key: value for key, value in metadata.items() if key != CLIENT_TOKEN_KEY}
