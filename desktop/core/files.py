"""Writing a file all-or-nothing: a temporary file beside it, renamed over it at the end.

The one implementation of safe writing in the app: datasets (``desktop.core.datasets_io`` and
``desktop.storage.dataset_files``, which adds backups), the tokenizer cache and the emulator's
saved state all write through :func:`write_via_temp`.

The temporary file is ``.<name>.<8 hex digits>.partial`` in the destination's folder (same file
system, so the final ``os.replace`` is atomic). It is flushed and fsynced before the rename; on
any error or cancel it is removed and the destination is left as it was. A replaced file keeps
its permission bits. ``desktop.storage.dataset_files`` adds backups on top of this.

On Windows the rename fails with ``PermissionError`` while another program (Excel, an editor)
holds the destination open; such holds are often brief (a virus scanner, a sync client), so
the rename is retried for about a second before :class:`FileInUseError` says which file to
close.

The app's own readers must not be such a hold: the Datasets tab keeps the open dataset's file
open while it is shown, and Save or "Add to dataset" then renames a new version over it. On
Windows a file opened by Python's ``open`` cannot be replaced (it is not shared for deletion), so
readers open files with :func:`open_for_reading`, which on Windows also grants
``FILE_SHARE_DELETE``, and a rename refused there is done with ``ReplaceFileW`` (``MoveFileExW``,
behind ``os.replace``, never replaces an open file, while ``ReplaceFileW`` does when the readers
share it for deletion): the reader keeps the old contents, as on POSIX systems.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from desktop.core.errors import (
    DiskFullError,
    FileSaveError,
    OperationCancelledError,
    WritePermissionError,
)

__all__ = [
    "FileInUseError",
    "PendingFile",
    "check_cancel",
    "open_for_reading",
    "save_error",
    "write_via_temp",
]

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}
# Pauses between attempts to rename over a file another program holds open (~1 s in all).
RENAME_RETRY_DELAYS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.25)


class FileInUseError(FileSaveError):
    """Another program holds the file open, so it cannot be replaced (Windows)."""

    default_user_message = (
        "Another program has the file open: close it there and save again. Your changes are "
        "still here."
    )


def in_use_error(dst: Path, exc: OSError) -> FileInUseError:
    """The error for a rename over ``dst`` that another program keeps failing."""
    return FileInUseError(
        f"replacing {dst}: {exc}",
        user_message=(
            f"Another program has “{dst.name}” open, so it could not be replaced: close it "
            "there (Excel, an editor…) and save again. Your changes are still here, and the "
            "file on disk is unchanged."
        ),
        file=str(dst),
    )


def open_for_reading(path: Path) -> BinaryIO:
    """Open ``path`` for binary reading without stopping it from being replaced or renamed.

    The same as ``open(path, "rb")`` except on Windows, where the file is opened with
    ``FILE_SHARE_DELETE`` as well (see the module notes).

    Raises:
        OSError: as ``open`` (FileNotFoundError, PermissionError, IsADirectoryError…).
    """
    if sys.platform == "win32":
        return _open_shared_on_windows(path)
    return open(path, "rb")


if sys.platform == "win32":  # pragma: no cover (Windows only)
    import ctypes
    import msvcrt
    from ctypes import wintypes

    _GENERIC_READ = 0x80000000
    _SHARE_ALL = 0x1 | 0x2 | 0x4  # FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
    _OPEN_EXISTING = 3
    _FILE_ATTRIBUTE_NORMAL = 0x80
    _ERROR_ACCESS_DENIED = 5
    _INVALID_HANDLE = wintypes.HANDLE(-1).value

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _create_file = _kernel32.CreateFileW
    _create_file.restype = wintypes.HANDLE
    _create_file.argtypes = [
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.HANDLE,
    ]

    def _open_shared_on_windows(path: Path) -> BinaryIO:
        handle = _create_file(
            str(path),
            _GENERIC_READ,
            _SHARE_ALL,
            None,
            _OPEN_EXISTING,
            _FILE_ATTRIBUTE_NORMAL,
            None,
        )
        if handle == _INVALID_HANDLE or handle is None:
            code = ctypes.get_last_error()
            if code == _ERROR_ACCESS_DENIED and Path(path).is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
            # WinError picks the OSError subclass of the code (2: FileNotFoundError).
            error = ctypes.WinError(code)
            error.filename = str(path)
            raise error
        try:
            fd = msvcrt.open_osfhandle(handle, os.O_RDONLY | os.O_BINARY)
        except OSError:
            _kernel32.CloseHandle(handle)
            raise
        return os.fdopen(fd, "rb")


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`OperationCancelledError` when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise OperationCancelledError("cancelled by the user")


def save_error(dst: Path, exc: OSError) -> FileSaveError:
    """The :class:`FileSaveError` subclass for an OS error while writing ``dst``."""
    detail = f"writing {dst}: {exc}"
    if exc.errno in _DISK_FULL:
        return DiskFullError(
            detail,
            user_message=(
                f"The disk is full, so “{dst.name}” was not saved: free some space and save "
                "again; your previous version is unchanged."
            ),
            file=str(dst),
        )
    if exc.errno in _NO_PERMISSION or isinstance(exc, PermissionError):
        return WritePermissionError(
            detail,
            user_message=(
                f"You may not write “{dst.name}” in {dst.parent}. Save it to another folder; "
                "your previous version is unchanged."
            ),
            file=str(dst),
        )
    return FileSaveError(
        detail,
        user_message=(
            f"“{dst.name}” could not be saved ({os.strerror(exc.errno or errno.EIO)}). "
            "Your previous version is unchanged; try again or save to another folder."
        ),
        file=str(dst),
    )


class PendingFile:
    """A new version of ``dst`` being written to a temporary file beside it.

    ``write`` the contents, then ``commit`` (rename over ``dst``) or ``discard``. Used as a context
    manager, an exception discards it. Not thread-safe: one writer.
    """

    def __init__(self, dst: Path) -> None:
        self.dst = dst
        fd, self._temp = _create_temp(dst)
        self._out = os.fdopen(fd, "wb")
        self._done = False

    def write(self, data: bytes) -> None:
        """Append ``data``.

        Raises:
            FileSaveError: writing failed; the pending file is discarded.
        """
        try:
            self._out.write(data)
        except OSError as exc:
            self.discard()
            raise save_error(self.dst, exc) from exc

    def commit(self, *, before_replace: Callable[[], None] | None = None) -> None:
        """Flush, fsync and rename over ``dst``.

        Args:
            before_replace: called once the contents are on disk, just before the rename.

        Raises:
            FileSaveError: flushing or renaming failed; ``dst`` is unchanged.
        """
        try:
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
            _copy_mode(self.dst, self._temp)
            if before_replace is not None:
                before_replace()
            _replace_patiently(self._temp, self.dst)
        except FileInUseError:
            self.discard()
            raise
        except OSError as exc:
            self.discard()
            raise save_error(self.dst, exc) from exc
        except BaseException:
            self.discard()
            raise
        self._done = True
        _fsync_folder(self.dst.parent)

    def discard(self) -> None:
        """Close and remove the temporary file (no-op once committed)."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError):
            self._out.close()
        _remove_quietly(self._temp)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.discard()


def write_via_temp(
    dst: Path,
    chunks: Iterable[bytes],
    *,
    cancel: threading.Event | None = None,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Write ``chunks`` to ``dst`` so that ``dst`` is either fully new or untouched.

    Args:
        dst: the file to create or replace.
        chunks: the new contents; the iterable may raise (including
            :class:`OperationCancelledError`) and nothing is left behind.
        cancel: checked between chunks.
        before_replace: called after the new contents are safely on disk and just before the
            rename (used to keep a backup of the previous version).

    Raises:
        FileSaveError: writing failed (``DiskFullError``, ``WritePermissionError``...).
        OperationCancelledError: ``cancel`` was set.
    """
    with PendingFile(dst) as pending:
        try:
            for chunk in chunks:
                check_cancel(cancel)
                pending.write(chunk)
        except OSError as exc:  # e.g. the contents' source failing: the save failed all the same
            raise save_error(dst, exc) from exc
        check_cancel(cancel)
        pending.commit(before_replace=before_replace)


def _replace_patiently(temp: Path, dst: Path) -> None:
    """``os.replace(temp, dst)``, retried while ``dst`` is held open by another program.

    Raises:
        FileInUseError: still refused after about a second (and ``dst`` is not read-only).
        OSError: any other failure (a read-only ``dst`` keeps its ``PermissionError``).
    """
    for delay in (*RENAME_RETRY_DELAYS, None):
        try:
            _replace(temp, dst)
            return
        except PermissionError as exc:
            if delay is None:
                if _is_read_only(dst):
                    raise
                raise in_use_error(dst, exc) from exc
            time.sleep(delay)


def _replace(temp: Path, dst: Path) -> None:
    """``os.replace``; on Windows, when ``dst`` is open (shared for deletion, as the app's own
    readers open it), ``ReplaceFileW``, the one call Windows allows to replace such a file."""
    try:
        os.replace(temp, dst)
    except PermissionError:
        if sys.platform != "win32" or not dst.is_file():
            raise
        _replace_open_file_on_windows(temp, dst)


if sys.platform == "win32":  # pragma: no cover (Windows only)
    _REPLACEFILE_IGNORE_MERGE_ERRORS = 0x2
    _replace_file = _kernel32.ReplaceFileW
    _replace_file.restype = wintypes.BOOL
    _replace_file.argtypes = [
        wintypes.LPCWSTR,
        wintypes.LPCWSTR,
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.LPVOID,
    ]

    def _replace_open_file_on_windows(temp: Path, dst: Path) -> None:
        if not _replace_file(
            str(dst), str(temp), None, _REPLACEFILE_IGNORE_MERGE_ERRORS, None, None
        ):
            error = ctypes.WinError(ctypes.get_last_error())
            raise PermissionError(error.errno, error.strerror, str(dst))

else:

    def _replace_open_file_on_windows(temp: Path, dst: Path) -> None:
        raise NotImplementedError("ReplaceFileW exists on Windows only")


def _is_read_only(path: Path) -> bool:
    """Whether ``path`` exists and may not be written (Windows' read-only attribute)."""
    try:
        return not os.access(path, os.W_OK) and path.exists()
    except OSError:
        return False


def _create_temp(dst: Path) -> tuple[int, Path]:
    """Create the temporary file; mode 0o666 lets the umask decide, as for any new file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = dst.parent / f".{dst.name}.{secrets.token_hex(4)}.partial"
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue
        except OSError as exc:
            raise save_error(dst, exc) from exc
    raise FileSaveError(f"no free temporary name beside {dst}", file=str(dst))


def _copy_mode(dst: Path, temp: Path) -> None:
    """A replaced file keeps its permission bits (a new file keeps the umask's)."""
    try:
        mode = stat.S_IMODE(os.stat(dst).st_mode)
    except FileNotFoundError:
        return
    os.chmod(temp, mode)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows (not on Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
