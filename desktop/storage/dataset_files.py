"""Saving dataset files safely: never a half-written file, always a way back.

:func:`write_atomically` writes the new contents to a temporary file in the same folder, fsyncs
it, keeps the previous version as a backup, and renames the new file over the original. On any
error (disk full, no permission, the contents' iterator failing, cancel) the temporary file is
removed and the original is untouched.

Backups: ``<name>.<YYYYMMDD-HHMMSS>.bak`` beside the file (``train.jsonl`` →
``train.jsonl.20260102-101112.bak``; ``-1``, ``-2``... when several saves happen in one second),
made as a hard link (instant, no extra space until the next save) or a copy where links are not
supported. Only the newest ``max_backups`` (default 3) are kept; older ones are deleted after a
successful save. Timestamped names, rather than a single ``.bak``, mean two quick bad saves in a
row cannot overwrite the last good version.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from desktop.core.datasets_io._streams import Progress
from desktop.core.datasets_io.document import DatasetDocument
from desktop.core.errors import DatasetUnreadableError
from desktop.core.files import save_error, write_via_temp

__all__ = [
    "DEFAULT_MAX_BACKUPS",
    "backups_of",
    "copy_sample",
    "save_document",
    "write_atomically",
]

DEFAULT_MAX_BACKUPS = 3
_STAMP_FORMAT = "%Y%m%d-%H%M%S"


def write_atomically(
    dst: Path,
    chunks: Iterable[bytes],
    *,
    keep_backup: bool = True,
    max_backups: int = DEFAULT_MAX_BACKUPS,
    cancel: threading.Event | None = None,
    now: Callable[[], dt.datetime] = dt.datetime.now,
) -> Path | None:
    """Replace ``dst`` with ``chunks``, all or nothing, keeping the previous version as a backup.

    Args:
        dst: the file to create or replace.
        chunks: the new contents. If iterating raises, nothing changes on disk.
        keep_backup: keep the previous version (when ``dst`` exists) as a timestamped backup.
        max_backups: how many backups of ``dst`` to keep; older ones are deleted.
        cancel: checked between chunks; when set, ``OperationCancelledError`` is raised and
            nothing changes.
        now: the clock naming backups (tests pass a fixed one).

    Returns:
        The backup made, or None (new file, or ``keep_backup`` false).

    Raises:
        DiskFullError: the disk filled up; the message names the file and says what to do.
        WritePermissionError: the folder or file is not writable (read-only media, permissions).
        FileSaveError: any other write error.
        OperationCancelledError: ``cancel`` was set.
    """
    made: list[Path] = []

    def back_up() -> None:
        if keep_backup and dst.exists():
            made.append(_make_backup(dst, now()))

    try:
        write_via_temp(dst, chunks, cancel=cancel, before_replace=back_up)
    except BaseException:
        for backup in made:  # the original is still in place: this copy is not needed
            with contextlib.suppress(OSError):
                backup.unlink()
        raise
    if keep_backup:
        _prune_backups(dst, max_backups)
    return made[0] if made else None


def save_document(
    document: DatasetDocument,
    dst: Path | None = None,
    *,
    keep_backup: bool = True,
    max_backups: int = DEFAULT_MAX_BACKUPS,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> DatasetDocument:
    """Save a document's rows (the file plus its edits) with :func:`write_atomically`.

    Args:
        document: the document; it is closed after a successful save.
        dst: where to save (default: over the document's own file).
        keep_backup: keep the previous version of ``dst`` as a backup.
        max_backups: backups of ``dst`` to keep.
        progress: ``(rows_done, rows_total)``.
        cancel: set to stop; nothing changes on disk.

    Returns:
        A fresh, unmodified document over the saved file (its undo history starts anew).

    Raises:
        FileChangedOnDiskError: the document's file changed on disk since it was opened.
        FileSaveError: as :func:`write_atomically`; the document stays open and unchanged.
        OperationCancelledError: ``cancel`` was set.
    """
    target = document.path if dst is None else dst
    write_atomically(
        target,
        document.iter_chunks(progress=progress, cancel=cancel),
        keep_backup=keep_backup,
        max_backups=max_backups,
        cancel=cancel,
    )
    document.close()
    return DatasetDocument.open(target, cancel=cancel)


def copy_sample(sample: Path, folder: Path) -> Path:
    """An editable copy of a shipped sample dataset in ``folder`` (the shipped file is never
    opened for writing).

    A copy still identical to the sample is reused; otherwise a new one is made under the
    next free name (``name.jsonl``, ``name-2.jsonl``...), so the user's edits of an earlier
    copy are kept.

    Args:
        sample: the shipped sample (``resources/samples/...``).
        folder: where copies go (the app's data folder); created if missing.

    Returns:
        The copy to open.

    Raises:
        DatasetUnreadableError: the sample cannot be read (a broken installation).
        FileSaveError: the copy cannot be written.
    """
    try:
        data = sample.read_bytes()
    except OSError as exc:
        raise DatasetUnreadableError(
            f"cannot read the sample {sample}: {exc}",
            user_message=(
                f"The sample dataset “{sample.name}” is missing from the app's files. "
                "Reinstall Finetune Studio to get it back."
            ),
            file=str(sample),
        ) from exc
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise save_error(folder / sample.name, exc) from exc
    for counter in range(1, 1000):
        name = sample.name if counter == 1 else f"{sample.stem}-{counter}{sample.suffix}"
        candidate = folder / name
        try:
            if candidate.read_bytes() == data:
                return candidate
            continue  # edited by the user: keep it
        except FileNotFoundError:
            pass
        except OSError:
            continue
        write_via_temp(candidate, [data])
        return candidate
    raise save_error(folder / sample.name, FileExistsError(f"too many copies in {folder}"))


def backups_of(path: Path) -> list[Path]:
    """The backups :func:`write_atomically` kept for ``path``, newest first."""
    pattern = re.compile(rf"^{re.escape(path.name)}\.(\d{{8}}-\d{{6}})(?:-(\d+))?\.bak$")
    found: list[tuple[str, int, Path]] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match:
            found.append((match.group(1), int(match.group(2) or 0), Path(entry.path)))
    found.sort(reverse=True)
    return [backup for _, _, backup in found]


def _make_backup(dst: Path, moment: dt.datetime) -> Path:
    stamp = moment.strftime(_STAMP_FORMAT)
    for counter in range(1000):
        suffix = f"{stamp}-{counter}" if counter else stamp
        backup = dst.with_name(f"{dst.name}.{suffix}.bak")
        try:
            os.link(dst, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            if backup.exists():
                continue
        try:
            with open(backup, "xb") as target, open(dst, "rb") as source:
                shutil.copyfileobj(source, target, 1 << 20)
            shutil.copystat(dst, backup)
            return backup
        except FileExistsError:
            continue
        except OSError as exc:
            with contextlib.suppress(OSError):
                backup.unlink()
            raise save_error(dst, exc) from exc
    raise save_error(dst, FileExistsError(f"too many backups of {dst} this second"))


def _prune_backups(dst: Path, keep: int) -> None:
    for old in backups_of(dst)[max(keep, 0) :]:
        with contextlib.suppress(OSError):
            old.unlink()
