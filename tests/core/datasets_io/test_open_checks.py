from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.core.datasets_io.open_checks import check_text_file
from desktop.core.errors import (
    DatasetUnreadableError,
    EmptyDatasetError,
    NotTextFileError,
    UnsupportedEncodingError,
)


def write(tmp_path: Path, data: bytes, name: str = "data.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_accepts_text_when_file_is_jsonl(tmp_path: Path) -> None:
    info = check_text_file(write(tmp_path, b'{"messages": []}\n'))
    assert info.size == 17
    assert not info.has_utf8_bom


def test_notes_bom_when_file_starts_with_utf8_bom(tmp_path: Path) -> None:
    assert check_text_file(write(tmp_path, b"\xef\xbb\xbf{}\n")).has_utf8_bom


def test_raises_empty_naming_the_file_when_it_has_no_bytes(tmp_path: Path) -> None:
    with pytest.raises(EmptyDatasetError) as caught:
        check_text_file(write(tmp_path, b""))
    assert "data.jsonl" in caught.value.user_message
    assert caught.value.file == str(tmp_path / "data.jsonl")


def test_raises_empty_when_file_has_only_whitespace(tmp_path: Path) -> None:
    with pytest.raises(EmptyDatasetError):
        check_text_file(write(tmp_path, b"\n \r\n\t\n"))


def test_raises_not_text_when_file_has_nul_bytes(tmp_path: Path) -> None:
    with pytest.raises(NotTextFileError) as caught:
        check_text_file(write(tmp_path, b"abc\x00\x01\x02def"))
    assert "not a text file" in caught.value.user_message


def test_names_excel_when_jsonl_is_really_a_zip(tmp_path: Path) -> None:
    with pytest.raises(NotTextFileError) as caught:
        check_text_file(write(tmp_path, b"PK\x03\x04rest", "sheet.jsonl"))
    assert "Excel" in caught.value.user_message


def test_raises_encoding_error_when_file_is_utf16(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedEncodingError) as caught:
        check_text_file(write(tmp_path, "{}\n".encode("utf-16")))
    assert "UTF-8" in caught.value.user_message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_raises_unreadable_naming_the_file_when_permission_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, b"{}\n")
    path.chmod(0)
    with pytest.raises(DatasetUnreadableError) as caught:
        check_text_file(path)
    assert "may not read" in caught.value.user_message


def test_raises_unreadable_when_open_is_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, b"{}\n")
    real_open = open

    def denying_open(file: object, *args: object, **kwargs: object) -> object:
        if file == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", denying_open)
    with pytest.raises(DatasetUnreadableError) as caught:
        check_text_file(path)
    assert "You may not read “data.jsonl”" in caught.value.user_message


def test_raises_unreadable_when_path_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetUnreadableError) as caught:
        check_text_file(tmp_path)
    assert "folder" in caught.value.user_message
