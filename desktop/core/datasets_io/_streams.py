"""Shared plumbing: opening input files with clear errors, streaming lines, JSON lines out."""

from __future__ import annotations

import errno
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from desktop.core.errors import DatasetUnreadableError
from desktop.core.files import check_cancel, open_for_reading

__all__ = [
    "Progress",
    "batched",
    "check_cancel",
    "dump_json_line",
    "is_blank",
    "iter_lines",
    "open_input",
    "refuse_same_file",
]

Progress = Callable[[int, int], None]
"""``progress(done, total)``; for file scans both are byte counts."""

_PROGRESS_EVERY_BYTES = 1 << 20
_CANCEL_EVERY_LINES = 1024


def open_input(path: Path) -> BinaryIO:
    """Open a file for binary reading, turning OS errors into errors that name the file.

    The file can still be saved over while it is open (``open_for_reading``), also on Windows.

    Raises:
        DatasetUnreadableError: missing file, a folder, or no read permission.
    """
    try:
        return open_for_reading(path)
    except FileNotFoundError as exc:
        raise DatasetUnreadableError(
            f"{path}: {exc}",
            user_message=f"“{path.name}” no longer exists. Choose the file again.",
            file=str(path),
        ) from exc
    except PermissionError as exc:
        raise DatasetUnreadableError(
            f"{path}: {exc}",
            user_message=(
                f"You may not read “{path.name}”. Change its permissions or copy it to a "
                "folder of yours, then open it again."
            ),
            file=str(path),
        ) from exc
    except IsADirectoryError as exc:
        raise DatasetUnreadableError(
            f"{path}: {exc}",
            user_message=f"“{path.name}” is a folder. Choose a file inside it.",
            file=str(path),
        ) from exc
    except OSError as exc:
        raise DatasetUnreadableError(
            f"{path}: {exc}",
            user_message=f"“{path.name}” cannot be read ({os.strerror(exc.errno or errno.EIO)}).",
            file=str(path),
        ) from exc


def iter_lines(
    path: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[tuple[int, bytes]]:
    """Stream ``(line_number, content)`` pairs; numbers start at 1, content has no line ending.

    A final line without a newline is still a line; an empty file yields nothing. Progress is
    reported in bytes, about once per MiB and once at the end.

    Raises:
        DatasetUnreadableError: the file cannot be opened.
        OperationCancelledError: ``cancel`` was set.
    """
    with open_input(path) as handle:
        total = os.fstat(handle.fileno()).st_size
        done = 0
        reported = 0
        for number, raw in enumerate(handle, start=1):
            done += len(raw)
            if number % _CANCEL_EVERY_LINES == 0:
                check_cancel(cancel)
            if progress is not None and done - reported >= _PROGRESS_EVERY_BYTES:
                reported = done
                progress(done, total)
            yield number, _strip_ending(raw)
        check_cancel(cancel)
        if progress is not None:
            progress(done, max(total, done))


def _strip_ending(raw: bytes) -> bytes:
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    if raw.endswith(b"\n"):
        return raw[:-1]
    return raw


def is_blank(line: bytes) -> bool:
    """True for an empty line or one of only ASCII whitespace."""
    return not line.strip()


def dump_json_line(value: object) -> bytes:
    """One compact JSON line (UTF-8, non-ASCII kept as is) ending in ``\\n``."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def refuse_same_file(src: Path, dst: Path) -> None:
    """Raise ValueError when ``dst`` is ``src``: outputs never overwrite their input."""
    if dst.resolve() == src.resolve():
        raise ValueError(f"refusing to overwrite the source file {src}")


def batched(lines: Iterable[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """Join small pieces into about ``size``-byte chunks (fewer writes)."""
    buffer: list[bytes] = []
    held = 0
    for piece in lines:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(buffer)
            buffer.clear()
            held = 0
    if buffer:
        yield b"".join(buffer)
