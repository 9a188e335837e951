"""Multi-part uploads through the Uploads API: parallel parts, progress, resume and cancel.

A big file is sent as parts of at most 64 MB. A few parts travel at once (``parallel``); each
part is read from disk in a worker thread just before it is sent, so at most ``parallel`` parts
are in memory. The parts are put together in file order when the upload is completed, with the
file's MD5 (hashed in a worker thread while the parts travel).

When a part cannot be delivered because the connection failed (after the SDK's own retries),
the upload stays open on the service and ``UploadInterruptedError`` carries a
``ResumableUpload``; passed back as ``resume``, only the missing parts are sent. Any other
failure, and cancellation of the calling task, cancels the upload on the service (best effort).

The parts themselves are sent by :mod:`desktop.api.upload_parts`; this module is the entry
point: it checks the arguments, decides whether a saved upload can be resumed and opens a new
upload when not.

Threading: call from the app's one asyncio loop; the progress callback runs on that loop.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from desktop.api.provider import (
    LegacyUploadProgressCallback,
    RestartReason,
    UploadProgress,
    UploadProgressCallback,
)
from desktop.api.upload_parts import (
    ErrorScope,
    NotPendingError,
    PartSender,
    UploadOutcome,
    cancel_upload_quietly,
)
from desktop.core.errors import ResumableUpload

if TYPE_CHECKING:
    from openai import AsyncOpenAI

__all__ = [
    "DEFAULT_PARALLEL_PARTS",
    "MAX_PART_SIZE",
    "ErrorScope",
    "UploadOutcome",
    "adapt_progress",
    "cancel_upload_quietly",
    "restart_reason",
    "upload_in_parts",
]

log = logging.getLogger(__name__)

MAX_PART_SIZE = 64 * 1024 * 1024
"""The service's limit for one part."""

DEFAULT_PARALLEL_PARTS = 3
"""Parts in flight at once."""

UPLOAD_MIME_TYPE = "text/jsonl"

EXPIRY_MARGIN = 120.0
"""Seconds before ``expires_at`` from which a saved upload is not resumed any more."""


def adapt_progress(
    callback: UploadProgressCallback | LegacyUploadProgressCallback | None,
) -> UploadProgressCallback:
    """Accept both progress callback forms; the result always takes an ``UploadProgress``.

    Args:
        callback: ``f(UploadProgress)``, the earlier ``f(bytes_sent, total_bytes)``, or None.

    Returns:
        A callback taking ``UploadProgress`` (doing nothing for None).
    """
    if callback is None:
        return _ignore
    try:
        signature = inspect.signature(callback)
    except (TypeError, ValueError):
        return cast(UploadProgressCallback, callback)
    try:
        signature.bind(None)
    except TypeError:
        legacy = cast(LegacyUploadProgressCallback, callback)
        return lambda update: legacy(update.bytes_sent, update.total_bytes)
    return cast(UploadProgressCallback, callback)


def _ignore(update: UploadProgress) -> None:
    return None


def restart_reason(
    state: ResumableUpload,
    *,
    path: Path,
    size: int,
    mtime_ns: int,
    purpose: str,
    now: float,
) -> RestartReason | None:
    """Why ``state`` cannot be continued for this file, or None when it can.

    Args:
        state: the saved upload.
        path: the file to upload now.
        size: its size now.
        mtime_ns: its modification time now.
        purpose: the purpose asked for now.
        now: the current Unix time.

    Returns:
        ``FILE_CHANGED`` when the file, its version or the purpose differ (or the state is
        inconsistent), ``EXPIRED`` when the upload is about to expire, else None.
    """
    expected_parts = math.ceil(state.size / state.part_size) if state.part_size > 0 else -1
    consistent = 0 < state.part_size <= MAX_PART_SIZE and len(state.part_ids) == expected_parts
    same_file = Path(state.path) == path and (state.size, state.mtime_ns) == (size, mtime_ns)
    if not (consistent and same_file and state.purpose == purpose):
        return RestartReason.FILE_CHANGED
    if now >= state.expires_at - EXPIRY_MARGIN:
        return RestartReason.EXPIRED
    return None


async def upload_in_parts(
    client: AsyncOpenAI,
    path: Path,
    *,
    purpose: str,
    part_size: int,
    parallel: int = DEFAULT_PARALLEL_PARTS,
    progress: UploadProgressCallback = _ignore,
    errors: ErrorScope,
    resume: ResumableUpload | None = None,
    clock: Callable[[], float] = time.time,
) -> UploadOutcome:
    """Upload ``path`` through the Uploads API, continuing ``resume`` when it still applies.

    Args:
        client: the SDK client.
        path: the file to send.
        purpose: the Files API purpose.
        part_size: bytes per part for a new upload (a resumed one keeps its own).
        parallel: parts in flight at once.
        progress: receives ``UploadProgress``; an exception from it stops the upload.
        errors: maps SDK exceptions to ``ApiError`` (see ``OpenAIProvider._errors``).
        resume: the state from an ``UploadInterruptedError``.
        clock: Unix time, to judge whether ``resume`` has expired.

    Returns:
        The stored file and how it was sent.

    Raises:
        UploadInterruptedError: the connection failed; the upload can be resumed.
        FileChangedOnDiskError: the file changed while it was being sent.
        ApiError: the service refused (the upload is cancelled first, best effort).
        OSError: the file could not be read.
        ValueError: ``part_size`` or ``parallel`` is out of range.
    """
    if not 0 < part_size <= MAX_PART_SIZE or parallel < 1:
        raise ValueError("part_size must be in 1..64 MB and parallel at least 1")
    stat = await asyncio.to_thread(path.stat)
    size, mtime_ns = stat.st_size, stat.st_mtime_ns
    restarted: RestartReason | None = None
    if resume is not None:
        restarted = restart_reason(
            resume, path=path, size=size, mtime_ns=mtime_ns, purpose=purpose, now=clock()
        )
        if restarted is None:
            try:
                return await PartSender(client, resume, path, parallel, progress, errors).run(
                    resumed=True
                )
            except NotPendingError:
                restarted = RestartReason.EXPIRED
        elif restarted is RestartReason.FILE_CHANGED:
            await cancel_upload_quietly(client, resume.upload_id)
        log.info("upload %s not resumed (%s): starting again", resume.upload_id, restarted)
    with errors():
        upload = await client.uploads.create(
            bytes=size, filename=path.name, mime_type=UPLOAD_MIME_TYPE, purpose=cast(Any, purpose)
        )
    state = ResumableUpload(
        upload_id=upload.id,
        path=str(path),
        size=size,
        mtime_ns=mtime_ns,
        part_size=part_size,
        part_ids=(None,) * max(1, math.ceil(size / part_size)),
        created_at=upload.created_at,
        expires_at=upload.expires_at,
        purpose=purpose,
    )
    sender = PartSender(client, state, path, parallel, progress, errors, restarted=restarted)
    return await sender.run(resumed=False)
