"""An index of line starts, so a million-line file can be shown and read one row at a time.

The file is scanned once in large binary chunks; the byte offset of every line start is kept in an
``array('Q')`` (8 bytes a line: 1,000,000 lines take 8 MB). Rows are read on demand with
``os.pread`` on a handle kept open (a lock plus seek/read where ``pread`` does not exist).

For a fast first screen, :meth:`LineIndex.open` indexes nothing; ``grow(max_lines=100)`` indexes
the first rows at once, then ``grow()`` (from a worker thread) indexes the rest::

    index = LineIndex.open(path)
    index.grow(max_lines=200)          # first rows readable now
    index.grow(progress=..., cancel=...)  # the rest, in the background

Only the bytes present when the index was opened are indexed: if the file changes afterwards,
:meth:`file_changed` says so and the caller should offer to reload.
"""

from __future__ import annotations

import os
import re
import threading
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from desktop.core.datasets_io._streams import Progress, check_cancel, open_input
from desktop.core.errors import FileChangedOnDiskError

__all__ = ["FileStamp", "LineIndex"]

_CHUNK = 4 << 20
_FIRST_CHUNK = 64 << 10
_NEWLINE = re.compile(b"\n")


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What identifies a file's contents cheaply: size, modification time, inode."""

    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, result: os.stat_result) -> FileStamp:
        return cls(result.st_size, result.st_mtime_ns, result.st_ino, result.st_dev)


class LineIndex:
    """Byte offsets of the lines of one file, with on-demand reads.

    Invariants: ``_starts[i]`` is the offset of line ``i``; ``_starts[-1]`` (one more entry than
    there are lines) is where the next unindexed line starts, or the file size once complete. A
    line's bytes exclude its ``\\n`` (and a ``\\r`` before it).

    Threading: reads (``len``, ``line_bytes``, ``read_line``, ``lines``) are safe from any
    thread, also while another thread runs :meth:`grow`. Run ``grow`` from one thread at a time.
    Close the index (or use it as a context manager) to release the file handle.
    """

    def __init__(self, path: Path, handle: BinaryIO) -> None:
        """Use :meth:`open` or :meth:`build`; ``handle`` is owned by the index from now on."""
        self._path = path
        self._handle = handle
        self._fd = handle.fileno()
        stamp = FileStamp.of(os.fstat(self._fd))
        self._stamp = stamp
        self._starts = array("Q", [0])
        self._scanned = 0  # bytes scanned so far (the next scan starts here)
        self._complete = stamp.size == 0
        self._read_lock = threading.Lock()  # only for the seek/read fallback
        self._grow_lock = threading.Lock()
        if self._complete:
            self._starts = array("Q")

    # ------------------------------------------------------------------ construction

    @classmethod
    def open(cls, path: Path) -> LineIndex:
        """Open ``path`` and return an empty index over it (grow it before reading).

        Raises:
            DatasetUnreadableError: missing file, folder, or no read permission.
        """
        return cls(path, open_input(path))

    @classmethod
    def build(
        cls,
        path: Path,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> LineIndex:
        """Index the whole file.

        Args:
            path: the file.
            progress: ``(bytes_done, bytes_total)``, once per chunk.
            cancel: set to stop; the handle is closed and ``OperationCancelledError`` raised.

        Returns:
            A complete index.

        Raises:
            DatasetUnreadableError: the file cannot be opened.
            OperationCancelledError: ``cancel`` was set.
        """
        index = cls.open(path)
        try:
            index.grow(progress=progress, cancel=cancel)
            check_cancel(cancel)
        except BaseException:
            index.close()
            raise
        return index

    # ------------------------------------------------------------------ growing

    @property
    def path(self) -> Path:
        return self._path

    @property
    def stamp(self) -> FileStamp:
        """Size, mtime and inode of the file when it was opened."""
        return self._stamp

    @property
    def is_complete(self) -> bool:
        """True once every line of the file (as it was when opened) is indexed."""
        return self._complete

    @property
    def bytes_indexed(self) -> int:
        return self._scanned

    def grow(
        self,
        *,
        max_lines: int | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> bool:
        """Index more of the file: until ``len(self) >= max_lines``, or to the end.

        A cancelled ``grow`` just stops; what is indexed stays valid and ``grow`` can resume.

        Args:
            max_lines: stop once this many lines are indexed (None: the whole file).
            progress: ``(bytes_done, bytes_total)``, once per chunk.
            cancel: checked between chunks.

        Returns:
            ``is_complete``.

        Raises:
            FileChangedOnDiskError: the file shrank below the size it had when opened.
        """
        with self._grow_lock:
            total = self._stamp.size
            # Small first reads while a first screen is wanted, large ones after.
            chunk_size = _FIRST_CHUNK if max_lines is not None else _CHUNK
            while not self._complete:
                if max_lines is not None and len(self) >= max_lines:
                    break
                if cancel is not None and cancel.is_set():
                    break
                self._scan_chunk(min(chunk_size, total - self._scanned))
                chunk_size = min(chunk_size * 4, _CHUNK)
                if progress is not None:
                    progress(self._scanned, total)
            return self._complete

    def _scan_chunk(self, size: int) -> None:
        start = self._scanned
        data = self._pread(size, start)
        if len(data) < size:
            raise self._changed_error()
        ends = array("Q", (start + match.end() for match in _NEWLINE.finditer(data)))
        self._scanned = start + size
        if self._scanned >= self._stamp.size:
            self._finish(ends)
            return
        # Each newline ends a line and starts the next; the last start stays the sentinel.
        self._starts.extend(ends)

    def _finish(self, ends: array[int]) -> None:
        size = self._stamp.size
        if ends and ends[-1] == size:
            ends = ends[:-1]  # a final newline does not start another line
        ends.append(size)
        self._starts.extend(ends)
        self._complete = True

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        """Lines indexed so far (all of them once complete)."""
        return len(self._starts) - 1 if self._starts else 0

    def span(self, i: int) -> tuple[int, int]:
        """``(offset, length)`` of line ``i`` in the file, its line ending included."""
        n = len(self)
        if not 0 <= i < n:
            raise IndexError(f"line {i} is outside 0..{n - 1}")
        start = self._starts[i]
        end = self._starts[i + 1]
        return start, end - start

    def line_bytes(self, i: int) -> bytes:
        """The bytes of line ``i`` (0-based) without its line ending.

        Raises:
            IndexError: ``i`` is not an indexed line.
            FileChangedOnDiskError: the file became shorter than when it was indexed.
        """
        start, length = self.span(i)
        data = self._pread(length, start)
        if len(data) < length:
            raise self._changed_error()
        return _strip_ending(data)

    def read_line(self, i: int) -> str:
        """Line ``i`` as text; bytes that are not UTF-8 show as U+FFFD (the checker flags them)."""
        return self.line_bytes(i).decode("utf-8", errors="replace")

    def lines(self, start: int, stop: int) -> list[str]:
        """Lines ``start`` to ``stop - 1`` (clamped to what is indexed), read in one go."""
        stop = min(stop, len(self))
        if start >= stop:
            return []
        begin = self._starts[start]
        end = self._starts[stop]
        data = self._pread(end - begin, begin)
        if len(data) < end - begin:
            raise self._changed_error()
        base = begin
        out = []
        for i in range(start, stop):
            piece = data[self._starts[i] - base : self._starts[i + 1] - base]
            out.append(_strip_ending(piece).decode("utf-8", errors="replace"))
        return out

    def read_bytes(self, offset: int, length: int) -> bytes:
        """Raw bytes of the indexed file (used to copy long runs of unchanged lines)."""
        data = self._pread(length, offset)
        if len(data) < length:
            raise self._changed_error()
        return data

    def iter_line_bytes(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Lines ``start`` to ``stop - 1`` as bytes, read in large blocks."""
        stop = len(self) if stop is None else min(stop, len(self))
        i = start
        while i < stop:
            block_end = i + 1
            while block_end < stop and self._starts[block_end] - self._starts[i] < _CHUNK:
                block_end += 1
            data = self.read_bytes(self._starts[i], self._starts[block_end] - self._starts[i])
            base = self._starts[i]
            for j in range(i, block_end):
                yield _strip_ending(data[self._starts[j] - base : self._starts[j + 1] - base])
            i = block_end

    def _pread(self, length: int, offset: int) -> bytes:
        if length == 0:
            return b""
        if hasattr(os, "pread"):
            return os.pread(self._fd, length, offset)
        with self._read_lock:
            os.lseek(self._fd, offset, os.SEEK_SET)
            return os.read(self._fd, length)

    # ------------------------------------------------------------------ changes and closing

    @property
    def memory_bytes(self) -> int:
        """Bytes held by the offset array."""
        return self._starts.buffer_info()[1] * self._starts.itemsize

    def file_changed(self) -> bool:
        """True when the file on disk is no longer the one indexed (size, mtime or inode).

        A vanished file counts as changed.
        """
        try:
            return FileStamp.of(os.stat(self._path)) != self._stamp
        except OSError:
            return True

    def _changed_error(self) -> FileChangedOnDiskError:
        return FileChangedOnDiskError(
            f"{self._path} is shorter than when it was indexed",
            user_message=(
                f"“{self._path.name}” changed on disk while it was open. Reload it to see the "
                "current contents."
            ),
            file=str(self._path),
        )

    def close(self) -> None:
        """Release the file handle; reads fail afterwards."""
        self._handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _strip_ending(data: bytes) -> bytes:
    if data.endswith(b"\n"):
        data = data[:-1]
    if data.endswith(b"\r"):
        data = data[:-1]
    return data
