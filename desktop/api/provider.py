"""The provider interface the rest of the app programs against.

The first implementation (``desktop.api.openai_provider.OpenAIProvider``) speaks OpenAI's protocol
and serves OpenAI, Azure OpenAI and compatible endpoints alike. A provider with a different API
can be added by implementing this protocol; nothing above ``desktop.api`` changes.

Threading: call every coroutine from the app's one asyncio loop (the qasync loop in the GUI).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from desktop.core.errors import ResumableUpload
from desktop.core.types import (
    ChatChunk,
    ChatRequest,
    Checkpoint,
    FineTuningJob,
    JobCreateRequest,
    JobEvent,
    ModelInfo,
    Page,
    RemoteFile,
)


class RestartReason(StrEnum):
    """Why an upload asked to resume started again from the first byte."""

    FILE_CHANGED = "file_changed"
    """The file's size or modification time (or the purpose) differs from the saved state."""
    EXPIRED = "expired"
    """The service's upload is over an hour old, or the service no longer accepts parts."""


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """How far an upload got.

    ``bytes_sent`` never decreases during one call and ends at ``total_bytes``.
    ``bytes_per_second`` is the recent sending speed (0.0 until there is a measurement).
    ``resumed_bytes``: bytes that were already on the service from an interrupted attempt.
    ``restarted``: set when a resume was asked for but the upload had to start again.
    """

    bytes_sent: int
    total_bytes: int
    bytes_per_second: float
    resumed_bytes: int = 0
    restarted: RestartReason | None = None


UploadProgressCallback = Callable[[UploadProgress], None]
"""Receives an ``UploadProgress``; called on the event loop's thread."""

LegacyUploadProgressCallback = Callable[[int, int], None]
"""The earlier form, called with (bytes sent, total bytes); still accepted."""


@runtime_checkable
class Provider(Protocol):
    """Everything the app asks of a connection. Every method raises ``core.errors.ApiError``
    subclasses, never SDK exceptions."""

    async def list_models(self) -> list[ModelInfo]: ...

    async def retrieve_model(self, model_id: str) -> ModelInfo: ...

    async def list_files(self, *, purpose: str | None = None) -> list[RemoteFile]: ...

    async def retrieve_file(self, file_id: str) -> RemoteFile: ...

    async def upload_file(
        self,
        path: Path,
        *,
        purpose: str = "fine-tune",
        progress: UploadProgressCallback | LegacyUploadProgressCallback | None = None,
        resume: ResumableUpload | None = None,
    ) -> RemoteFile:
        """Upload a file; large files go through the multipart Uploads API.

        A multi-part upload that loses its connection raises ``UploadInterruptedError``
        carrying a ``ResumableUpload``; passing it back as ``resume`` sends only what is missing.
        """
        ...

    async def delete_file(self, file_id: str) -> None: ...

    async def file_content(self, file_id: str) -> bytes: ...

    async def create_job(self, request: JobCreateRequest) -> FineTuningJob: ...

    async def list_jobs(
        self,
        *,
        after: str | None = None,
        limit: int = 20,
        metadata: Mapping[str, str] | None = None,
    ) -> Page[FineTuningJob]:
        """One page of jobs, newest first.

        ``metadata`` keeps only jobs whose metadata has every given key with the given value
        (the service filters; ``None`` or empty means no filter).
        """
        ...

    async def retrieve_job(self, job_id: str) -> FineTuningJob: ...

    async def cancel_job(self, job_id: str) -> FineTuningJob: ...

    async def pause_job(self, job_id: str) -> FineTuningJob: ...

    async def resume_job(self, job_id: str) -> FineTuningJob: ...

    async def list_events(
        self, job_id: str, *, after: str | None = None, limit: int = 50
    ) -> Page[JobEvent]: ...

    async def list_checkpoints(
        self, job_id: str, *, after: str | None = None, limit: int = 50
    ) -> Page[Checkpoint]: ...

    def stream_chat(
        self, request: ChatRequest, *, max_retries: int | None = None
    ) -> AsyncIterator[ChatChunk]:
        """Stream a reply; the last chunk carries ``usage`` when the service reports it.

        ``max_retries`` overrides the client's retry budget for this request (an evaluation's
        many requests wait out a 429 storm longer than a chat does). Cancelling the consuming
        task closes the HTTP stream.
        """
        ...

    async def aclose(self) -> None:
        """Close the HTTP client; safe to call twice."""
        ...
