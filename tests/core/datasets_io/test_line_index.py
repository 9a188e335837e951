from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from desktop.core.datasets_io import line_index
from desktop.core.datasets_io.line_index import LineIndex
from desktop.core.errors import (
    DatasetUnreadableError,
    FileChangedOnDiskError,
    OperationCancelledError,
)


def write(tmp_path: Path, data: bytes, name: str = "data.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_reads_every_line_when_file_ends_with_newline(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"a\nbb\nccc\n")) as index:
        assert [index.read_line(i) for i in range(len(index))] == ["a", "bb", "ccc"]


def test_keeps_last_line_when_file_lacks_final_newline(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"a\nlast")) as index:
        assert len(index) == 2
        assert index.read_line(1) == "last"


def test_has_no_lines_when_file_is_empty(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"")) as index:
        assert len(index) == 0
        assert index.is_complete


def test_counts_empty_lines_when_file_has_blank_lines(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"\n\nx\n")) as index:
        assert [index.read_line(i) for i in range(len(index))] == ["", "", "x"]


def test_strips_carriage_return_when_lines_end_with_crlf(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"one\r\ntwo\r\n")) as index:
        assert index.line_bytes(0) == b"one"
        assert index.lines(0, 2) == ["one", "two"]


def test_reads_a_range_when_lines_is_called(tmp_path: Path) -> None:
    data = b"".join(f"row {i}\n".encode() for i in range(50))
    with LineIndex.build(write(tmp_path, data)) as index:
        assert index.lines(10, 13) == ["row 10", "row 11", "row 12"]
        assert index.lines(48, 100) == ["row 48", "row 49"]


def test_iterates_line_bytes_when_asked_for_a_span(tmp_path: Path) -> None:
    data = b"".join(f"row {i}\n".encode() for i in range(20))
    with LineIndex.build(write(tmp_path, data)) as index:
        assert list(index.iter_line_bytes(18)) == [b"row 18", b"row 19"]


def test_replaces_invalid_utf8_when_reading_text(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"caf\xe9\n")) as index:
        assert index.read_line(0) == "caf\ufffd"
        assert index.line_bytes(0) == b"caf\xe9"


def test_raises_index_error_when_row_is_out_of_range(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"a\n")) as index, pytest.raises(IndexError):
        index.line_bytes(1)


def test_indexes_first_rows_only_when_grown_with_max_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(line_index, "_FIRST_CHUNK", 64)
    data = b"".join(f"{i:09d}\n".encode() for i in range(1000))
    with LineIndex.open(write(tmp_path, data)) as index:
        assert not index.grow(max_lines=5)
        assert 5 <= len(index) < 1000
        assert index.read_line(4) == "000000004"
        assert index.grow()
        assert len(index) == 1000
        assert index.read_line(999) == "000000999"


def test_matches_full_build_when_grown_in_small_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(line_index, "_FIRST_CHUNK", 7)
    monkeypatch.setattr(line_index, "_CHUNK", 13)
    data = b"".join(b"x" * (i % 17) + b"\n" for i in range(300)) + b"tail"
    path = write(tmp_path, data)
    with LineIndex.open(path) as small:
        small.grow(max_lines=3)
        small.grow()
        assert small.lines(0, len(small)) == data.decode().split("\n")


def test_stops_and_resumes_when_grow_is_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(line_index, "_CHUNK", 16)
    cancel = threading.Event()
    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        cancel.set()

    data = b"".join(f"{i:03d}\n".encode() for i in range(100))
    with LineIndex.open(write(tmp_path, data)) as index:
        assert not index.grow(progress=progress, cancel=cancel)
        assert len(calls) == 1
        assert index.grow()
        assert len(index) == 100


def test_raises_cancelled_when_build_is_cancelled(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelledError):
        LineIndex.build(write(tmp_path, b"a\n" * 10), cancel=cancel)


def test_reports_progress_in_bytes_when_building(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    LineIndex.build(write(tmp_path, b"abc\n" * 10), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (40, 40)


def test_reports_change_when_file_is_modified_after_indexing(tmp_path: Path) -> None:
    path = write(tmp_path, b"a\n")
    with LineIndex.build(path) as index:
        assert not index.file_changed()
        path.write_bytes(b"a\nb\n")
        assert index.file_changed()


def test_reports_change_when_file_is_replaced_with_same_size(tmp_path: Path) -> None:
    path = write(tmp_path, b"a\n")
    with LineIndex.build(path) as index:
        other = write(tmp_path, b"b\n", "other.jsonl")
        stat = path.stat()
        os.replace(other, path)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert index.file_changed()


def test_reports_change_when_file_is_deleted(tmp_path: Path) -> None:
    path = write(tmp_path, b"a\n")
    with LineIndex.build(path) as index:
        path.unlink()
        assert index.file_changed()


def test_ignores_appended_bytes_when_file_grows_during_indexing(tmp_path: Path) -> None:
    path = write(tmp_path, b"a\nb\n")
    with LineIndex.open(path) as index:
        with path.open("ab") as handle:
            handle.write(b"c\n")
        index.grow()
        assert len(index) == 2


def test_raises_unreadable_naming_the_file_when_it_is_missing(tmp_path: Path) -> None:
    with pytest.raises(DatasetUnreadableError) as caught:
        LineIndex.open(tmp_path / "gone.jsonl")
    assert "gone.jsonl" in caught.value.user_message


def test_uses_eight_bytes_per_line_when_complete(tmp_path: Path) -> None:
    with LineIndex.build(write(tmp_path, b"x\n" * 1000)) as index:
        assert index.memory_bytes <= 8 * 1100


def test_reads_same_rows_when_many_threads_read_at_once(tmp_path: Path) -> None:
    data = b"".join(f"line {i}\n".encode() for i in range(2000))
    errors: list[str] = []
    with LineIndex.build(write(tmp_path, data)) as index:

        def reader(offset: int) -> None:
            for i in range(offset, 2000, 7):
                if index.read_line(i) != f"line {i}":
                    errors.append(f"line {i}")

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(7)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


def test_raises_file_changed_when_file_shrinks_after_indexing(tmp_path: Path) -> None:
    path = write(tmp_path, b"first line\nsecond line\n")
    with LineIndex.build(path) as index:
        with path.open("r+b") as handle:
            handle.truncate(4)
        with pytest.raises(FileChangedOnDiskError):
            index.line_bytes(1)
