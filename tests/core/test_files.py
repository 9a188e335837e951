"""Reading a file without stopping it from being saved over (``open_for_reading``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.files import open_for_reading, write_via_temp


def test_a_file_open_for_reading_can_be_saved_over_and_the_reader_keeps_the_old_bytes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"old line\n")

    with open_for_reading(path) as reader:
        # As the Datasets tab's Save does while the tab still shows the file.
        write_via_temp(path, [b"new line\n"])
        kept = reader.read()

    assert kept == b"old line\n"
    assert path.read_bytes() == b"new line\n"


def test_open_for_reading_raises_what_open_raises_when_the_file_is_missing_or_a_folder(
    tmp_path: Path,
) -> None:
    with pytest.raises(FileNotFoundError):
        open_for_reading(tmp_path / "missing.jsonl")
    with pytest.raises((IsADirectoryError, PermissionError)):
        open_for_reading(tmp_path)
