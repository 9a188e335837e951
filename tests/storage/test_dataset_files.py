"""Safe saving: temp file + rename, backups, and the original untouched on every failure."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.datasets_io.document import DatasetDocument
from desktop.core.errors import (
    DiskFullError,
    FileSaveError,
    OperationCancelledError,
    WritePermissionError,
)
from desktop.core.files import FileInUseError
from desktop.storage.dataset_files import (
    backups_of,
    copy_sample,
    save_document,
    write_atomically,
)
from tests.storage.write_faults import leftovers, refuse_partial_files

ORIGINAL = b'{"messages": [{"role": "user", "content": "original"}]}\n'


def clock(*moments: dt.datetime) -> Iterator[dt.datetime]:
    yield from moments


def at(second: int) -> dt.datetime:
    return dt.datetime(2026, 1, 2, 10, 11, second)


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_bytes(ORIGINAL)
    return path


def failing_chunks(error: BaseException) -> Iterator[bytes]:
    yield b"new first part\n" * 100
    raise error


def test_writes_new_contents_when_file_does_not_exist(tmp_path: Path) -> None:
    dst = tmp_path / "new.jsonl"
    assert write_atomically(dst, [b"a\n", b"b\n"]) is None
    assert dst.read_bytes() == b"a\nb\n"
    assert backups_of(dst) == []


def test_replaces_contents_and_keeps_backup_when_file_exists(original: Path) -> None:
    backup = write_atomically(original, [b"new\n"], now=lambda: at(12))
    assert original.read_bytes() == b"new\n"
    assert backup == original.with_name("train.jsonl.20260102-101112.bak")
    assert backup.read_bytes() == ORIGINAL


def test_makes_no_backup_when_keep_backup_is_false(original: Path) -> None:
    assert write_atomically(original, [b"new\n"], keep_backup=False) is None
    assert backups_of(original) == []


def test_numbers_backups_when_two_saves_happen_in_one_second(original: Path) -> None:
    write_atomically(original, [b"v2\n"], now=lambda: at(12))
    second = write_atomically(original, [b"v3\n"], now=lambda: at(12))
    assert second is not None
    assert second.name == "train.jsonl.20260102-101112-1.bak"
    assert second.read_bytes() == b"v2\n"


def test_keeps_only_newest_backups_when_limit_is_reached(original: Path) -> None:
    for second, text in enumerate([b"v2\n", b"v3\n", b"v4\n"]):
        write_atomically(original, [text], max_backups=2, now=functools.partial(at, second))
    kept = backups_of(original)
    assert [b.read_bytes() for b in kept] == [b"v3\n", b"v2\n"]


def test_keeps_permission_bits_when_replacing_a_file(original: Path) -> None:
    original.chmod(0o640)
    write_atomically(original, [b"new\n"])
    assert original.stat().st_mode & 0o777 == 0o640


def test_leaves_original_untouched_when_disk_fills_mid_write(original: Path) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(DiskFullError) as caught:
        write_atomically(original, failing_chunks(full))
    assert original.read_bytes() == ORIGINAL
    assert leftovers(original.parent) == []
    assert backups_of(original) == []
    message = caught.value.user_message
    assert "train.jsonl" in message
    assert "free some space and save again; your previous version is unchanged" in message


def test_raises_disk_full_when_quota_is_exceeded(original: Path) -> None:
    quota = OSError(errno.EDQUOT, "Disk quota exceeded")
    with pytest.raises(DiskFullError):
        write_atomically(original, failing_chunks(quota))
    assert original.read_bytes() == ORIGINAL


def test_leaves_original_untouched_when_chunks_raise_any_error(original: Path) -> None:
    with pytest.raises(ValueError):
        write_atomically(original, failing_chunks(ValueError("bad row")))
    assert original.read_bytes() == ORIGINAL
    assert leftovers(original.parent) == []


def test_leaves_original_untouched_when_cancelled(original: Path) -> None:
    cancel = threading.Event()

    def chunks() -> Iterator[bytes]:
        yield b"part\n"
        cancel.set()
        yield b"more\n"

    with pytest.raises(OperationCancelledError):
        write_atomically(original, chunks(), cancel=cancel)
    assert original.read_bytes() == ORIGINAL
    assert leftovers(original.parent) == []


def test_removes_backup_when_rename_fails(original: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(FileSaveError) as caught:
        write_atomically(original, [b"new\n"])
    assert original.read_bytes() == ORIGINAL
    assert backups_of(original) == []
    assert leftovers(original.parent) == []
    assert "previous version is unchanged" in caught.value.user_message


def test_copies_backup_when_hard_links_are_not_supported(
    original: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    backup = write_atomically(original, [b"new\n"])
    assert backup is not None
    assert backup.read_bytes() == ORIGINAL


def _make_read_only(folder: Path) -> bool:
    """Make ``folder`` unwritable, even for root (immutable flag); False when impossible."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            return False
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if done.returncode != 0:
            return False
    else:
        folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.touch()
    except OSError:
        return True
    probe.unlink()
    return False


def _make_writable(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
    else:
        folder.chmod(0o755)


def test_raises_permission_error_naming_the_file_when_folder_is_read_only(
    original: Path,
) -> None:
    folder = original.parent
    if not _make_read_only(folder):
        pytest.skip("cannot make a folder read-only here")
    try:
        with pytest.raises(WritePermissionError) as caught:
            write_atomically(original, [b"new\n"])
        assert original.read_bytes() == ORIGINAL
        assert leftovers(folder) == []
    finally:
        _make_writable(folder)
    assert "train.jsonl" in caught.value.user_message
    assert caught.value.file == str(original)


def test_raises_permission_error_when_temp_file_is_refused(
    original: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_partial_files(monkeypatch)
    with pytest.raises(WritePermissionError):
        write_atomically(original, [b"new\n"])
    assert original.read_bytes() == ORIGINAL


def test_lists_backups_newest_first_when_there_are_several(original: Path) -> None:
    moments = clock(at(1), at(3), at(2))
    for text in (b"a\n", b"b\n", b"c\n"):
        write_atomically(original, [text], now=lambda: next(moments))
    assert [b.name for b in backups_of(original)] == [
        "train.jsonl.20260102-101103.bak",
        "train.jsonl.20260102-101102.bak",
        "train.jsonl.20260102-101101.bak",
    ]


def test_saves_edits_and_reopens_when_document_is_saved(original: Path) -> None:
    document = DatasetDocument.open(original)
    document.apply(document.add_example_op('{"messages": []}'))
    saved = save_document(document)
    assert original.read_bytes() == ORIGINAL + b'{"messages": []}\n'
    assert saved.row_count == 2
    assert not saved.is_modified
    assert backups_of(original)[0].read_bytes() == ORIGINAL
    saved.close()


def test_keeps_original_and_document_when_save_fails(
    original: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = DatasetDocument.open(original)
    document.apply(document.add_example_op("{}"))

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(DiskFullError):
        save_document(document)
    assert original.read_bytes() == ORIGINAL
    assert document.is_modified
    assert document.row_count == 2
    document.close()


def test_saves_when_another_program_lets_go_of_the_file_within_a_second(
    original: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    refusals = iter([PermissionError(13, "Access is denied")] * 3)

    def held_briefly(src: str | Path, dst: str | Path) -> None:
        error = next(refusals, None)
        if error is not None:
            raise error
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", held_briefly)
    write_atomically(original, [b"new\n"])

    assert original.read_bytes() == b"new\n"
    assert leftovers(original.parent) == []


def test_names_the_file_and_keeps_the_original_when_another_program_keeps_it_open(
    original: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = DatasetDocument.open(original)
    document.apply(document.add_example_op("{}"))
    attempts: list[float] = []

    def held_open(src: object, dst: object) -> None:
        attempts.append(time.monotonic())
        raise PermissionError(13, "The process cannot access the file", str(dst))

    monkeypatch.setattr(os, "replace", held_open)
    with pytest.raises(FileInUseError) as caught:
        save_document(document)

    message = caught.value.user_message
    assert "Another program has “train.jsonl” open" in message
    assert "close it" in message and "changes are still here" in message
    assert len(attempts) > 3 and 0.8 <= attempts[-1] - attempts[0] <= 3.0
    assert original.read_bytes() == ORIGINAL
    assert leftovers(original.parent) == [] and backups_of(original) == []
    assert document.is_modified and document.row_count == 2
    document.close()


def test_writes_to_other_file_when_saved_as(original: Path) -> None:
    document = DatasetDocument.open(original)
    document.apply(document.delete_examples_op(0))
    copy = original.with_name("copy.jsonl")
    save_document(document, copy).close()
    assert copy.read_bytes() == b""
    assert original.read_bytes() == ORIGINAL


# --------------------------------------------------------------------------- sample copies

SAMPLE = b'{"messages": [{"role": "user", "content": "sample"}]}\n'


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "shipped" / "sample.jsonl"
    path.parent.mkdir()
    path.write_bytes(SAMPLE)
    return path


def test_copies_the_sample_into_the_folder_when_no_copy_exists(
    sample: Path, tmp_path: Path
) -> None:
    copy = copy_sample(sample, tmp_path / "data" / "samples")

    assert copy == tmp_path / "data" / "samples" / "sample.jsonl"
    assert copy.read_bytes() == SAMPLE == sample.read_bytes()


def test_reuses_the_copy_when_it_is_still_identical(sample: Path, tmp_path: Path) -> None:
    first = copy_sample(sample, tmp_path / "samples")

    assert copy_sample(sample, tmp_path / "samples") == first
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["sample.jsonl"]


def test_makes_a_new_copy_and_keeps_the_edited_one_when_the_copy_was_edited(
    sample: Path, tmp_path: Path
) -> None:
    first = copy_sample(sample, tmp_path / "samples")
    first.write_bytes(b"my edits\n")

    second = copy_sample(sample, tmp_path / "samples")

    assert second.name == "sample-2.jsonl" and second.read_bytes() == SAMPLE
    assert first.read_bytes() == b"my edits\n"
