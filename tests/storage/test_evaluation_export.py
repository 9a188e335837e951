"""Writing an evaluation's results to CSV and XLSX: readable back, all or nothing."""

from __future__ import annotations

import csv
import errno
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.core.errors import DiskFullError, WritePermissionError
from desktop.core.playground.evaluation import EvalExample, EvalResult
from desktop.core.playground.evaluation_report import CellValue, result_rows
from desktop.core.types import ChatMessage, Usage
from desktop.storage.evaluation_export import export_results
from tests.storage.write_faults import leftovers, refuse_partial_files

MODEL = "gpt-4o-mini-2024-07-18"


def rows() -> list[list[CellValue]]:
    examples = [
        EvalExample(0, (ChatMessage("user", "Où est ma commande ?"),), "En route."),
        EvalExample(1, (ChatMessage("user", "=1+1"),), "Two."),
    ]
    results = [
        EvalResult(
            0,
            MODEL,
            "Elle est en route.",
            usage=Usage(10, 5),
            cost=Decimal("0.0000045"),
            latency=0.25,
            similarity=0.8,
        ),
        EvalResult(1, MODEL, "", error="The model no longer exists."),
    ]
    return result_rows(examples, results, [MODEL])


def test_csv_reads_back_with_accents_when_exported(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    export_results(path, rows())
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:3] == ["example", "prompt", "reference"]
    assert table[1][1] == "Où est ma commande ?"
    assert table[2][-1] == "The model no longer exists."


def test_xlsx_has_bold_frozen_header_and_numbers_when_exported(tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    export_results(path, rows())
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "example" and sheet["A1"].font.bold
    header = [cell.value for cell in sheet[1]]
    cost = header.index(f"{MODEL}: cost_usd") + 1
    similarity = header.index(f"{MODEL}: similarity") + 1
    assert sheet.cell(row=2, column=1).value == 1
    assert isinstance(sheet.cell(row=2, column=cost).value, float | int | Decimal)
    assert float(sheet.cell(row=2, column=cost).value) == pytest.approx(0.0000045)
    assert sheet.cell(row=2, column=similarity).value == pytest.approx(0.8)
    assert sheet.cell(row=3, column=2).value == "=1+1"  # text, not a formula
    assert sheet.cell(row=3, column=2).data_type == "s"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_replaces_the_file_whole_when_exported_twice(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text("old", encoding="utf-8")
    export_results(path, rows())
    assert "example" in path.read_text(encoding="utf-8-sig")
    assert leftovers(tmp_path) == []


def test_raises_permission_error_naming_the_file_when_the_folder_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_partial_files(monkeypatch)
    path = tmp_path / "results.xlsx"
    with pytest.raises(WritePermissionError) as caught:
        export_results(path, rows())
    assert "results.xlsx" in caught.value.user_message
    assert not path.exists()
    assert leftovers(tmp_path) == []


def test_leaves_nothing_half_written_when_the_disk_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.csv"
    path.write_text("old", encoding="utf-8")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskFullError) as caught:
        export_results(path, rows())
    assert "results.csv" in caught.value.user_message
    assert path.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_refuses_an_unknown_suffix_when_exporting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.txt"):
        export_results(tmp_path / "results.txt", rows())
