"""``Provider`` for OpenAI, Azure OpenAI and OpenAI-compatible services, over the ``openai`` SDK.

The SDK client is built on the first request (``import openai`` is slow, and start-up is not the
time to pay for it). Retries and timeouts belong to the SDK client (see ``clients.py``); nothing
here loops. Every SDK exception leaves as a ``desktop.core.errors.ApiError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from desktop.api import convert, uploads
from desktop.api.errors import CREATE_JOB, is_sdk_error, map_stream_error, sdk_errors
from desktop.api.provider import (
    LegacyUploadProgressCallback,
    RestartReason,
    UploadProgress,
    UploadProgressCallback,
)
from desktop.core.errors import ApiError, ResumableUpload, StreamInterruptedError
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

if TYPE_CHECKING:
    from openai import AsyncOpenAI

log = logging.getLogger(__name__)

MULTIPART_THRESHOLD = 32 * 1024 * 1024
"""Files at least this big go through the Uploads API instead of one ``POST /files``."""

PART_SIZE = uploads.MAX_PART_SIZE
"""Size of each Uploads API part (the service's maximum)."""

UPLOAD_MIME_TYPE = uploads.UPLOAD_MIME_TYPE

_CLOSED_MESSAGE = "The connection was changed or closed while this was running. Try again."


class OpenAIProvider:
    """A connection to one OpenAI-protocol service.

    Invariants: at most one SDK client per provider, created on the first request and closed
    by ``aclose()``; after ``aclose()`` every call raises ``ApiError``. The API key is never part
    of ``repr()`` or of any error's text.

    Threading: call every coroutine from the app's one asyncio loop.
    """

    def __init__(
        self,
        client_factory: Callable[[], AsyncOpenAI],
        *,
        secret: str | None = None,
        label: str = "",
        is_azure: bool = False,
        multipart_threshold: int = MULTIPART_THRESHOLD,
        part_size: int = PART_SIZE,
        parallel_parts: int = uploads.DEFAULT_PARALLEL_PARTS,
    ) -> None:
        """Wrap a client factory (see ``desktop.api.clients.client_factory``).

        Args:
            client_factory: builds the SDK client; called once, on the first request.
            secret: the API key in use, only so it can be scrubbed from error text.
            label: a name for logs and ``repr`` (e.g. the profile's display name).
            is_azure: chat ``model`` values are deployment names on Azure.
            multipart_threshold: files this big or bigger use the Uploads API.
            part_size: bytes per Uploads API part (at most 64 MB).
            parallel_parts: Uploads API parts in flight at once.
        """
        if multipart_threshold <= 0 or not 0 < part_size <= uploads.MAX_PART_SIZE:
            raise ValueError("multipart_threshold must be positive and part_size in 1..64 MB")
        if parallel_parts < 1:
            raise ValueError("parallel_parts must be at least 1")
        self._factory = client_factory
        self._secret = secret
        self._label = label
        self._is_azure = is_azure
        self._multipart_threshold = multipart_threshold
        self._part_size = part_size
        self._parallel_parts = parallel_parts
        self._client_instance: AsyncOpenAI | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._client_instance else "idle"
        return f"<OpenAIProvider {self._label!r} {state}>"

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def is_azure(self) -> bool:
        """On Azure, a chat request's ``model`` is the deployment name."""
        return self._is_azure

    def _client(self) -> AsyncOpenAI:
        if self._closed:
            raise ApiError("provider used after aclose()", user_message=_CLOSED_MESSAGE)
        if self._client_instance is None:
            with self._errors():
                self._client_instance = self._factory()
        return self._client_instance

    def _errors(self, operation: str | None = None) -> contextlib.AbstractContextManager[None]:
        return sdk_errors(api_key=self._secret, operation=operation)

    # ------------------------------------------------------------------ models

    async def list_models(self) -> list[ModelInfo]:
        client = self._client()
        with self._errors():
            return [convert.model_info(m) async for m in client.models.list()]

    async def retrieve_model(self, model_id: str) -> ModelInfo:
        client = self._client()
        with self._errors():
            return convert.model_info(await client.models.retrieve(model_id))

    # ------------------------------------------------------------------ files

    async def list_files(self, *, purpose: str | None = None) -> list[RemoteFile]:
        """All files (every page), optionally only those with ``purpose``."""
        client = self._client()
        from openai import omit  # loaded already: the client exists

        with self._errors():
            files = client.files.list(purpose=purpose or omit)
            return [convert.remote_file(f) async for f in files]

    async def retrieve_file(self, file_id: str) -> RemoteFile:
        client = self._client()
        with self._errors():
            return convert.remote_file(await client.files.retrieve(file_id))

    async def upload_file(
        self,
        path: Path,
        *,
        purpose: str = "fine-tune",
        progress: UploadProgressCallback | LegacyUploadProgressCallback | None = None,
        resume: ResumableUpload | None = None,
    ) -> RemoteFile:
        """Upload a file; files of ``multipart_threshold`` bytes or more go in parallel parts.

        Args:
            path: the file to send.
            purpose: the Files API purpose.
            progress: receives an ``UploadProgress`` (small files: at 0 and at the end; parts:
                as they travel). The earlier ``f(bytes_sent, total_bytes)`` form still works.
            resume: the ``state`` of an ``UploadInterruptedError`` for this file: only the
                parts missing on the service are sent. When the file changed or the upload
                expired, it starts again and the progress reports say why (``restarted``).

        Returns:
            The stored file.

        Raises:
            UploadInterruptedError: the connection failed during a multi-part upload; the upload
                stays open on the service for resuming.
            FileChangedOnDiskError: the file changed while its parts were being sent.
            ApiError: the service refused or could not be reached (a half-done multipart upload
                is cancelled first, best effort).
            OSError: the file could not be read.
            asyncio.CancelledError: the calling task was cancelled (the upload is cancelled on
                the service, best effort).
        """
        size = (await asyncio.to_thread(path.stat)).st_size
        report = uploads.adapt_progress(progress)
        client = self._client()
        if size >= self._multipart_threshold:
            outcome = await uploads.upload_in_parts(
                client,
                path,
                purpose=purpose,
                part_size=self._part_size,
                parallel=self._parallel_parts,
                progress=report,
                errors=self._errors,
                resume=resume,
            )
            return outcome.file
        restarted = None
        if resume is not None:
            # The file is now small enough for one request: the saved upload is of no use.
            restarted = RestartReason.FILE_CHANGED
            await uploads.cancel_upload_quietly(client, resume.upload_id)
        started = time.monotonic()
        report(UploadProgress(0, size, 0.0, restarted=restarted))
        with self._errors():
            stored = await client.files.create(file=path, purpose=cast(Any, purpose))
        rate = size / max(time.monotonic() - started, 1e-6)
        report(UploadProgress(size, size, rate, restarted=restarted))
        return convert.remote_file(stored)

    async def delete_file(self, file_id: str) -> None:
        client = self._client()
        with self._errors():
            await client.files.delete(file_id)

    async def file_content(self, file_id: str) -> bytes:
        client = self._client()
        with self._errors():
            response = await client.files.content(file_id)
            return response.content

    # ------------------------------------------------------------------ jobs

    async def create_job(self, request: JobCreateRequest) -> FineTuningJob:
        """Start a job; only hyperparameters the user set are sent (the rest stay "auto").

        Sent once, without the SDK's retries: a retried create whose first answer was lost
        would start a second job (``desktop.api.jobs.create_job_once`` looks for the first
        one instead).
        """
        client = self._client().with_options(max_retries=0)
        options: dict[str, Any] = {"method": convert.method_param(request)}
        if request.validation_file:
            options["validation_file"] = request.validation_file
        if request.suffix:
            options["suffix"] = request.suffix
        if request.seed is not None:
            options["seed"] = request.seed
        if request.metadata:
            options["metadata"] = dict(request.metadata)
        with self._errors(CREATE_JOB):
            job = await client.fine_tuning.jobs.create(
                model=request.model, training_file=request.training_file, **options
            )
        return convert.fine_tuning_job(job)

    async def list_jobs(
        self,
        *,
        after: str | None = None,
        limit: int = 20,
        metadata: Mapping[str, str] | None = None,
    ) -> Page[FineTuningJob]:
        """One page of jobs, newest first; ``metadata`` filters by ``metadata[k]=v`` pairs."""
        client = self._client()
        options = _paging(after, limit)
        if metadata:
            options["metadata"] = dict(metadata)
        with self._errors():
            page = await client.fine_tuning.jobs.list(**options)
        return Page(tuple(convert.fine_tuning_job(j) for j in page.data), bool(page.has_more))

    async def retrieve_job(self, job_id: str) -> FineTuningJob:
        client = self._client()
        with self._errors():
            return convert.fine_tuning_job(await client.fine_tuning.jobs.retrieve(job_id))

    async def cancel_job(self, job_id: str) -> FineTuningJob:
        client = self._client()
        with self._errors():
            return convert.fine_tuning_job(await client.fine_tuning.jobs.cancel(job_id))

    async def pause_job(self, job_id: str) -> FineTuningJob:
        client = self._client()
        with self._errors():
            return convert.fine_tuning_job(await client.fine_tuning.jobs.pause(job_id))

    async def resume_job(self, job_id: str) -> FineTuningJob:
        client = self._client()
        with self._errors():
            return convert.fine_tuning_job(await client.fine_tuning.jobs.resume(job_id))

    async def list_events(
        self, job_id: str, *, after: str | None = None, limit: int = 50
    ) -> Page[JobEvent]:
        """One page of a job's events, newest first (the service's order)."""
        client = self._client()
        with self._errors():
            page = await client.fine_tuning.jobs.list_events(job_id, **_paging(after, limit))
        return Page(tuple(convert.job_event(e) for e in page.data), bool(page.has_more))

    async def list_checkpoints(
        self, job_id: str, *, after: str | None = None, limit: int = 50
    ) -> Page[Checkpoint]:
        client = self._client()
        with self._errors():
            page = await client.fine_tuning.jobs.checkpoints.list(job_id, **_paging(after, limit))
        return Page(tuple(convert.checkpoint(c) for c in page.data), bool(page.has_more))

    # ------------------------------------------------------------------ chat

    async def stream_chat(
        self, request: ChatRequest, *, max_retries: int | None = None
    ) -> AsyncGenerator[ChatChunk, None]:
        """Stream a reply: text pieces, then a chunk with ``finish_reason``, then ``usage``.

        On Azure ``request.model`` must be the deployment name. Cancelling the consuming task,
        or closing this generator, closes the HTTP stream. ``max_retries`` overrides the
        client's retry budget for this request (the SDK still does the retrying).

        Raises:
            StreamInterruptedError: the stream broke (or ended without finishing) after it
                opened; the chunks already yielded stand.
            ApiError: the request was refused before any chunk arrived.
        """
        client = self._client()
        if max_retries is not None:
            client = client.with_options(max_retries=max_retries)
        options: dict[str, Any] = {}
        if request.temperature is not None:
            options["temperature"] = request.temperature
        if request.top_p is not None:
            options["top_p"] = request.top_p
        if request.max_tokens is not None:
            options["max_tokens"] = request.max_tokens
        if request.stop:
            options["stop"] = list(request.stop)
        if request.seed is not None:
            options["seed"] = request.seed
        with self._errors():
            stream = await client.chat.completions.create(
                model=request.model,
                messages=cast(Any, convert.chat_messages(request.messages)),
                stream=True,
                stream_options={"include_usage": True},
                **options,
            )
        finished = False
        async with stream:
            try:
                async for sdk_chunk in stream:
                    for chunk in convert.chat_chunks(sdk_chunk):
                        finished = finished or chunk.finish_reason is not None
                        yield chunk
            except Exception as exc:
                if not is_sdk_error(exc):
                    raise
                raise map_stream_error(exc, api_key=self._secret) from None
        if not finished:
            raise StreamInterruptedError("the stream ended without a finish_reason")

    # ------------------------------------------------------------------ lifetime

    async def aclose(self) -> None:
        """Close the HTTP client; safe to call twice. Later calls raise ``ApiError``."""
        self._closed = True
        client, self._client_instance = self._client_instance, None
        if client is not None:
            await client.close()


def _paging(after: str | None, limit: int) -> dict[str, Any]:
    options: dict[str, Any] = {"limit": limit}
    if after:
        options["after"] = after
    return options
