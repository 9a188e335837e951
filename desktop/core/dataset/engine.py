"""Check a training file: streaming, in parallel across processes, cancellable.

The calling thread finds large chunks of whole lines (:mod:`chunks`) and hands their places
to a pool of worker processes, which read the bytes themselves (``json.loads`` holds the GIL,
so threads would not scale). Results come back in file order and are merged by a
:class:`ReportBuilder`; only a few chunks are in flight at a time, so memory stays flat
whatever the file's size. Chunks get smaller near the end so the workers finish together.

Workers are started with the ``spawn`` method: forking a process that runs Qt is unsafe,
and a spawned worker imports only ``desktop.core``. They inherit the parent's offline
tokenizer cache (``TIKTOKEN_CACHE_DIR``), so call
:func:`desktop.core.tokens.configure_offline_vocabularies` first. Small files are checked
in the calling thread, where starting processes would cost more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from pathlib import Path
from typing import TypeVar

from desktop.core.dataset.chunks import (
    DEFAULT_CHUNK_SIZE,
    Chunk,
    ChunkPlace,
    iter_chunk_places,
    iter_chunks,
)
from desktop.core.dataset.report import DatasetReport, ReportBuilder
from desktop.core.dataset.token_counter import TokenCounter
from desktop.core.dataset.worker import (
    CheckSettings,
    ChunkResult,
    check_chunk,
    init_worker,
    pool_check_chunk_at,
)
from desktop.core.errors import DatasetError, FinetuneError

__all__ = ["POOL_THRESHOLD_BYTES", "CheckCancelledError", "check_file"]

# Files smaller than this are checked in the calling thread when ``workers`` is not given.
POOL_THRESHOLD_BYTES = 16 * 1024 * 1024
_MAX_WORKERS = 8
# Only places are sent and results are small, so several chunks can wait per worker: one
# slow chunk at the head of the line then does not leave the other workers without work.
_IN_FLIGHT_PER_WORKER = 4
# The last bytes are split into this many chunks per worker, so the workers finish together.
_TAIL_PARTS_PER_WORKER = 2
_CANCEL_POLL_SECONDS = 0.1

_log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_C = TypeVar("_C", Chunk, ChunkPlace)


class CheckCancelledError(FinetuneError):
    """The check was cancelled through its ``cancel`` event before it finished."""

    default_user_message = "The check was cancelled."


def _worker_count(workers: int | None, size: int) -> int:
    if workers is not None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        return workers
    if size < POOL_THRESHOLD_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, _MAX_WORKERS))


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CheckCancelledError("dataset check cancelled")


def check_file(
    path: Path,
    *,
    encoding_name: str,
    context_limit: int | None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> DatasetReport:
    """Check a JSONL training file line by line and sum up what was found.

    Args:
        path: the file.
        encoding_name: tokenizer of the chosen model (``"o200k_base"``, ``"cl100k_base"``).
        context_limit: the model's training context in tokens (longer examples are flagged
            and billed up to it); None when unknown.
        progress: called as ``progress(bytes_done, total_bytes)`` from the calling thread
            after each chunk, and once with ``bytes_done == total_bytes`` at the end.
        cancel: when set, the check stops at the next chunk and raises.
        workers: worker processes; 1 checks in the calling thread; None picks the number of
            CPUs for files of :data:`POOL_THRESHOLD_BYTES` or more, else 1.
        chunk_size: bytes read at a time (tests use small values to cross boundaries).

    Returns:
        The report.

    Raises:
        DatasetError: the file cannot be read.
        CheckCancelledError: ``cancel`` was set.
        VocabularyError: the tokenizer cannot be loaded.
    """
    settings = CheckSettings(encoding_name=encoding_name, context_limit=context_limit)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _read_error(path, exc) from exc
    count = _worker_count(workers, size)
    try:
        return _check(path, size, settings, progress, cancel, count, chunk_size)
    except BrokenProcessPool as exc:
        # A worker died (killed, out of memory, or the main module cannot be re-imported
        # by "spawn"): the check still gets done, in this thread.
        _log.warning("dataset check workers failed (%s); checking in this thread", exc)
        return _check(path, size, settings, progress, cancel, 1, chunk_size)


def _check(
    path: Path,
    size: int,
    settings: CheckSettings,
    progress: Progress | None,
    cancel: threading.Event | None,
    count: int,
    chunk_size: int,
) -> DatasetReport:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _read_error(path, exc) from exc
    builder = ReportBuilder(context_limit=settings.context_limit)
    with handle:
        results: Generator[ChunkResult, None, None]
        if count == 1:
            chunks = _guarded(iter_chunks(handle, chunk_size=chunk_size), path)
            results = _check_here(chunks, settings, cancel)
        else:
            places = iter_chunk_places(
                handle, chunk_size=chunk_size, size=size, tail_parts=count * _TAIL_PARTS_PER_WORKER
            )
            results = _check_in_pool(path, _guarded(places, path), settings, cancel, count)
        with closing(results):  # stops the pool at once if progress() raises
            for result in results:
                builder.add(result)
                if progress is not None:
                    progress(result.end, size)
    if progress is not None:
        progress(size, size)
    return builder.finish(path, encoding_name=settings.encoding_name, size_bytes=size)


def _read_error(path: Path, exc: OSError) -> DatasetError:
    return DatasetError(
        f"cannot read {path}: {exc}",
        user_message=f"Could not read {path.name}: {exc.strerror or exc}. "
        "Check that the file exists and that you may open it.",
        file=str(path),
    )


def _guarded(chunks: Iterator[_C], path: Path) -> Iterator[_C]:
    """The chunks (or their places), with read errors turned into DatasetError."""
    try:
        yield from chunks
    except OSError as exc:
        raise _read_error(path, exc) from exc


def _check_here(
    chunks: Iterator[Chunk], settings: CheckSettings, cancel: threading.Event | None
) -> Generator[ChunkResult, None, None]:
    counter = TokenCounter(settings.encoding_name)
    for chunk in chunks:
        _check_cancel(cancel)
        yield check_chunk(chunk, settings, counter)
    _check_cancel(cancel)


def _result_when_done(future: Future[ChunkResult], cancel: threading.Event | None) -> ChunkResult:
    while True:
        _check_cancel(cancel)
        done, _ = wait([future], timeout=_CANCEL_POLL_SECONDS, return_when=FIRST_COMPLETED)
        if done:
            return future.result()


def _check_in_pool(
    path: Path,
    places: Iterator[ChunkPlace],
    settings: CheckSettings,
    cancel: threading.Event | None,
    workers: int,
) -> Generator[ChunkResult, None, None]:
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(os.environ.get("TIKTOKEN_CACHE_DIR"),),
    )
    pending: deque[Future[ChunkResult]] = deque()
    try:
        for place in places:
            _check_cancel(cancel)
            # Workers read the bytes themselves: only the chunk's place crosses the pipe.
            pending.append(
                pool.submit(
                    pool_check_chunk_at,
                    str(path),
                    place.offset,
                    place.length,
                    place.first_line,
                    settings,
                )
            )
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                yield _result_when_done(pending.popleft(), cancel)
        while pending:
            yield _result_when_done(pending.popleft(), cancel)
    finally:
        # The workers are gone before the report is put together: letting them exit in the
        # background saves ~0.05 s, but their memory then adds to the report's peak.
        pool.shutdown(wait=True, cancel_futures=True)
