"""Sending one multi-part upload: the parts in parallel, progress, and completion.

``upload_in_parts`` (in :mod:`desktop.api.uploads`) decides whether a saved upload can be
resumed and opens a new one when not; ``PartSender`` then sends the missing parts, a few at
once, each read from disk in a worker thread just before it is sent, hashes the file's MD5
meanwhile, and completes the upload. A connection failure leaves the upload open and raises
``UploadInterruptedError`` with its state; any other failure cancels it (best effort).

Threading: call from the app's one asyncio loop; the progress callback runs on that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import io
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.api import convert
from desktop.api.provider import RestartReason, UploadProgress, UploadProgressCallback
from desktop.core.errors import (
    ApiError,
    BadRequestError,
    ConnectionFailedError,
    FileChangedOnDiskError,
    NotFoundError,
    ResumableUpload,
    UploadInterruptedError,
)
from desktop.core.types import RemoteFile

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.types import Upload

__all__ = [
    "PROGRESS_INTERVAL",
    "ErrorScope",
    "NotPendingError",
    "PartSender",
    "UploadOutcome",
    "cancel_upload_quietly",
]

# Log lines keep the logger name they had before the part sending moved out of uploads.py.
log = logging.getLogger("desktop.api.uploads")

PROGRESS_INTERVAL = 0.1
"""Seconds between progress reports while parts are in flight."""

_RATE_WINDOW = 5.0
_HASH_CHUNK = 1024 * 1024
_CANCEL_TIMEOUT = 5.0

ErrorScope = Callable[[], contextlib.AbstractContextManager[None]]
"""Returns a context manager that turns SDK exceptions into ``ApiError`` (the provider's)."""


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What a multi-part upload did: the stored file, and how it got there."""

    file: RemoteFile
    upload_id: str
    parts_sent: int
    """Parts sent by this call."""
    parts_reused: int
    """Parts that were already on the service from an interrupted attempt."""
    restarted: RestartReason | None = None


class NotPendingError(Exception):
    """The resumed upload is not open on the service any more (expired, completed, unknown)."""


async def cancel_upload_quietly(client: AsyncOpenAI, upload_id: str) -> None:
    """Cancel an upload on the service; failures are logged, never raised.

    Runs to its end (or a short timeout) even while the calling task is being cancelled.
    """

    async def cancel() -> None:
        try:
            async with asyncio.timeout(_CANCEL_TIMEOUT):
                await client.uploads.cancel(upload_id)
        except (Exception, asyncio.CancelledError) as exc:
            # The upload expires on its own after an hour; nothing more to do.
            log.info("could not cancel upload %s: %s", upload_id, type(exc).__name__)

    # Shielded: a second cancellation of the caller leaves the request running to its end.
    await asyncio.shield(asyncio.ensure_future(cancel()))


class PartSender:
    """Sends the missing parts of one upload and completes it. Used once."""

    def __init__(
        self,
        client: AsyncOpenAI,
        state: ResumableUpload,
        path: Path,
        parallel: int,
        progress: UploadProgressCallback,
        errors: ErrorScope,
        *,
        restarted: RestartReason | None = None,
    ) -> None:
        self._client = client
        self._state = state
        self._path = path
        self._parallel = parallel
        self._errors = errors
        self._ids: list[str | None] = list(state.part_ids)
        self._meter = _ProgressMeter(
            progress, total=state.size, resumed=state.bytes_on_server, restarted=restarted
        )
        self._restarted = restarted
        self._changed = asyncio.Event()
        self._sent = 0

    async def run(self, *, resumed: bool) -> UploadOutcome:
        """Send the missing parts and complete the upload.

        Args:
            resumed: the upload was opened by an earlier attempt (its first part probes it).

        Returns:
            The stored file and how it was sent.

        Raises:
            NotPendingError: a resumed upload is not open on the service any more.
            UploadInterruptedError: the connection failed; the upload can be resumed.
            FileChangedOnDiskError: the file changed while it was being sent.
            ApiError: the service refused (the upload is cancelled first, best effort).
        """
        stop_hashing = threading.Event()
        digest = asyncio.ensure_future(
            asyncio.to_thread(_md5_of, self._path, self._state.size, stop_hashing)
        )
        try:
            missing = deque(self._state.missing_parts)
            if resumed and missing:
                # One part alone first: it tells whether the upload is still open. No report
                # before that, so that a restart does not make the count go backwards.
                await self._probe(missing.popleft())
            self._meter.emit(force=True)
            await self._send_all(missing)
            md5 = await digest
            await self._check_unchanged()
            done = await self._complete(md5, probe=resumed and not self._sent)
        except (UploadInterruptedError, NotPendingError):
            raise
        except BaseException:
            await cancel_upload_quietly(self._client, self._state.upload_id)
            raise
        finally:
            stop_hashing.set()
            if digest.done():
                if not digest.cancelled():
                    digest.exception()  # retrieved: a hashing error already surfaced or is moot
            else:
                digest.cancel()
        self._meter.emit()
        if done.file is None:
            raise ApiError(
                f"upload {self._state.upload_id} completed with status {done.status!r} but no file",
                user_message="The service did not finish storing the file. Try uploading it again.",
            )
        reused = sum(1 for p in self._state.part_ids if p is not None)
        return UploadOutcome(
            file=convert.remote_file(done.file),
            upload_id=self._state.upload_id,
            parts_sent=self._sent,
            parts_reused=reused,
            restarted=self._restarted,
        )

    # ----------------------------------------------------------------- parts

    async def _probe(self, index: int) -> None:
        try:
            await self._send_part(index)
        except (BadRequestError, NotFoundError) as exc:
            log.info("upload %s is not open any more: %s", self._state.upload_id, exc.detail)
            raise NotPendingError from None
        except ConnectionFailedError as exc:
            raise self._interrupted(exc) from None

    async def _send_all(self, indexes: deque[int]) -> None:
        failures: list[ConnectionFailedError] = []

        async def worker() -> None:
            while indexes and not failures:
                index = indexes.popleft()
                try:
                    await self._send_part(index)
                except ConnectionFailedError as exc:
                    # Parts already in flight may still arrive: let them finish, start no more.
                    failures.append(exc)
                    return
                finally:
                    self._changed.set()

        workers = {asyncio.create_task(worker()) for _ in range(min(self._parallel, len(indexes)))}
        pending: set[asyncio.Future[Any]] = set(workers)
        try:
            while pending:
                self._changed.clear()
                wake = asyncio.ensure_future(self._changed.wait())
                try:
                    done, pending = await asyncio.wait(
                        pending | {wake},
                        timeout=PROGRESS_INTERVAL,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    wake.cancel()
                pending.discard(wake)
                for task in done - {wake}:
                    task.result()  # re-raises a worker's unexpected failure
                self._meter.emit()
        except BaseException:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        if failures:
            raise self._interrupted(failures[0])

    async def _send_part(self, index: int) -> None:
        offset = index * self._state.part_size
        length = self._state.part_length(index)
        data = await asyncio.to_thread(_read_part, self._path, offset, length)
        if len(data) != length:
            raise _changed_error(self._path)
        body = _CountingReader(data, lambda position: self._meter.part_moved(index, position))
        try:
            with self._errors():
                part = await self._client.uploads.parts.create(self._state.upload_id, data=body)
        except BaseException:
            self._meter.part_lost(index)
            raise
        self._ids[index] = part.id
        self._sent += 1
        self._meter.part_done(index, length)

    async def _check_unchanged(self) -> None:
        stat = await asyncio.to_thread(self._path.stat)
        if (stat.st_size, stat.st_mtime_ns) != (self._state.size, self._state.mtime_ns):
            raise _changed_error(self._path)

    async def _complete(self, md5: str | None, *, probe: bool) -> Upload:
        part_ids = [p for p in self._ids if p is not None]
        if len(part_ids) != len(self._ids):
            raise ApiError(f"upload {self._state.upload_id}: parts missing before completion")
        options: dict[str, Any] = {"md5": md5} if md5 else {}
        try:
            with self._errors():
                return await self._client.uploads.complete(
                    self._state.upload_id, part_ids=part_ids, **options
                )
        except (BadRequestError, NotFoundError) as exc:
            if not probe:
                raise
            log.info("upload %s is not open any more: %s", self._state.upload_id, exc.detail)
            raise NotPendingError from None
        except ConnectionFailedError as exc:
            raise self._interrupted(exc) from None

    def _interrupted(self, cause: ConnectionFailedError) -> UploadInterruptedError:
        state = dataclasses.replace(self._state, part_ids=tuple(self._ids))
        missing = len(state.missing_parts)
        return UploadInterruptedError(
            f"upload {state.upload_id} interrupted with {missing} of {len(state.part_ids)} "
            f"parts missing: {cause.detail}",
            state=state,
            status_code=cause.status_code,
            request_id=cause.request_id,
            code=cause.code,
        )


class _ProgressMeter:
    """Adds up bytes handed to the transport and reports them, never going backwards."""

    def __init__(
        self,
        callback: UploadProgressCallback,
        *,
        total: int,
        resumed: int,
        restarted: RestartReason | None,
    ) -> None:
        self._callback = callback
        self._total = total
        self._resumed = resumed
        self._restarted = restarted
        self._done = resumed
        self._in_flight: dict[int, int] = {}
        self._samples: deque[tuple[float, int]] = deque([(time.monotonic(), resumed)])
        self._reported = -1
        self._rate = 0.0

    @property
    def sent(self) -> int:
        return min(self._total, self._done + sum(self._in_flight.values()))

    def part_moved(self, index: int, position: int) -> None:
        # A retried part is read again from its start: keep the furthest point reached.
        self._in_flight[index] = max(self._in_flight.get(index, 0), position)

    def part_lost(self, index: int) -> None:
        self._in_flight.pop(index, None)

    def part_done(self, index: int, length: int) -> None:
        self._in_flight.pop(index, None)
        self._done += length

    def emit(self, *, force: bool = False) -> None:
        sent = self.sent
        if sent <= self._reported and not force:
            return
        now = time.monotonic()
        self._samples.append((now, sent))
        while len(self._samples) > 2 and now - self._samples[1][0] >= _RATE_WINDOW:
            self._samples.popleft()
        first_time, first_sent = self._samples[0]
        if now - first_time > 0:
            self._rate = (sent - first_sent) / (now - first_time)
        self._reported = max(self._reported, sent)
        self._callback(
            UploadProgress(
                bytes_sent=self._reported,
                total_bytes=self._total,
                bytes_per_second=self._rate,
                resumed_bytes=self._resumed,
                restarted=self._restarted,
            )
        )


class _CountingReader(io.BytesIO):
    """One part's bytes, telling how far the HTTP client has read them (it reads as it sends)."""

    def __init__(self, data: bytes, moved: Callable[[int], None]) -> None:
        super().__init__(data)
        self._moved = moved

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self._moved(self.tell())
        return chunk


def _changed_error(path: Path) -> FileChangedOnDiskError:
    return FileChangedOnDiskError(
        f"{path} changed while it was being uploaded",
        user_message=f"“{path.name}” changed while it was being uploaded. Upload it again.",
        file=str(path),
    )


def _read_part(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def _md5_of(path: Path, size: int, stop: threading.Event) -> str | None:
    digest = hashlib.md5(usedforsecurity=False)
    left = size
    with path.open("rb") as handle:
        while left > 0:
            if stop.is_set():
                return None
            chunk = handle.read(min(_HASH_CHUNK, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()
