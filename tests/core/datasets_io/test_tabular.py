from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from desktop.core.datasets_io.tabular import ColumnMapping, convert_table, read_table_preview
from desktop.core.errors import (
    DatasetFileError,
    EmptyDatasetError,
    MissingColumnsError,
    NotTextFileError,
    OperationCancelledError,
    UnsupportedEncodingError,
)

QA = ColumnMapping(user="question", assistant="answer")


def csv_file(tmp_path: Path, text: str, name: str = "table.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_file(tmp_path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "table.xlsx"
    workbook.save(path)
    return path


def read_jsonl(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_previews_columns_and_rows_when_file_is_csv(tmp_path: Path) -> None:
    preview = read_table_preview(csv_file(tmp_path, "question,answer\nHi,Hello\nA,B\n"))
    assert preview.columns == ("question", "answer")
    assert preview.rows == (("Hi", "Hello"), ("A", "B"))
    assert preview.delimiter == ","
    assert preview.sheet_names == ()


def test_limits_preview_rows_when_rows_is_given(tmp_path: Path) -> None:
    text = "q,a\n" + "".join(f"{i},{i}\n" for i in range(50))
    assert len(read_table_preview(csv_file(tmp_path, text), rows=5).rows) == 5


def test_sniffs_semicolon_when_csv_uses_semicolons(tmp_path: Path) -> None:
    preview = read_table_preview(csv_file(tmp_path, "q;a\nx, y;z\nu;v\n"))
    assert preview.delimiter == ";"
    assert preview.rows[0] == ("x, y", "z")


def test_uses_tab_when_file_is_tsv(tmp_path: Path) -> None:
    preview = read_table_preview(csv_file(tmp_path, "q\ta\nx,1\ty\n", "table.tsv"))
    assert preview.rows == (("x,1", "y"),)


def test_drops_bom_when_csv_starts_with_one(tmp_path: Path) -> None:
    preview = read_table_preview(csv_file(tmp_path, "q,a\nx,y\n", encoding="utf-8-sig"))
    assert preview.columns == ("q", "a")


def test_keeps_newlines_when_fields_are_quoted(tmp_path: Path) -> None:
    preview = read_table_preview(csv_file(tmp_path, 'q,a\n"line 1\nline 2","say ""hi"""\n'))
    assert preview.rows == (("line 1\nline 2", 'say "hi"'),)


def test_names_blank_and_repeated_headers_when_reading(tmp_path: Path) -> None:
    preview = read_table_preview(csv_file(tmp_path, "q,,q\n1,2,3\n"))
    assert preview.columns == ("q", "Column 2", "q (2)")


def test_pads_short_rows_when_cells_are_missing(tmp_path: Path) -> None:
    preview = read_table_preview(csv_file(tmp_path, "q,a,s\nx\n"))
    assert preview.rows == (("x", "", ""),)


def test_raises_encoding_error_when_csv_is_latin1(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "q,a\ncafé,thé\n", encoding="latin-1")
    with pytest.raises(UnsupportedEncodingError) as caught:
        read_table_preview(path)
    assert "table.csv" in caught.value.user_message
    assert "UTF-8" in caught.value.user_message


def test_raises_encoding_error_when_bad_bytes_come_late(tmp_path: Path) -> None:
    text = "q,a\n" + "x,y\n" * 40000 + "café,thé\n"
    path = csv_file(tmp_path, text, encoding="latin-1")
    with pytest.raises(UnsupportedEncodingError) as caught:
        convert_table(path, ColumnMapping(user="q", assistant="a"), tmp_path / "out.jsonl")
    assert "around row" in caught.value.user_message


def test_raises_empty_when_csv_has_no_bytes(tmp_path: Path) -> None:
    with pytest.raises(EmptyDatasetError):
        read_table_preview(csv_file(tmp_path, ""))


def test_raises_not_text_when_csv_is_binary(tmp_path: Path) -> None:
    with pytest.raises(NotTextFileError):
        read_table_preview(csv_file(tmp_path, "q,a\x00\x00\x01"))


def test_converts_rows_to_chat_examples_when_mapping_matches(tmp_path: Path) -> None:
    src = csv_file(tmp_path, "question,answer\n Hi ,Hello\n")
    result = convert_table(src, QA, tmp_path / "out.jsonl")
    assert result.examples_written == 1
    assert read_jsonl(tmp_path / "out.jsonl") == [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    ]


def test_uses_system_column_and_falls_back_to_fixed_prompt_when_cell_is_empty(
    tmp_path: Path,
) -> None:
    src = csv_file(tmp_path, "sys,question,answer\nBe kind,a,b\n,c,d\n")
    mapping = ColumnMapping("question", "answer", system="sys", fixed_system_prompt="Default")
    convert_table(src, mapping, tmp_path / "out.jsonl")
    systems = [ex["messages"][0] for ex in read_jsonl(tmp_path / "out.jsonl")]  # type: ignore[index]
    assert systems == [
        {"role": "system", "content": "Be kind"},
        {"role": "system", "content": "Default"},
    ]


def test_skips_rows_with_reason_when_mapped_cell_is_empty(tmp_path: Path) -> None:
    src = csv_file(tmp_path, "question,answer\na,b\n,only answer\nq,\n")
    result = convert_table(src, QA, tmp_path / "out.jsonl")
    assert result.examples_written == 1
    assert [(s.row, s.reason) for s in result.rows_skipped] == [
        (3, "the “question” cell (user message) is empty"),
        (4, "the “answer” cell (assistant message) is empty"),
    ]


def test_ignores_fully_empty_rows_when_converting(tmp_path: Path) -> None:
    src = csv_file(tmp_path, "question,answer\na,b\n,\n\n")
    result = convert_table(src, QA, tmp_path / "out.jsonl")
    assert (result.examples_written, result.skipped_count) == (1, 0)


def test_raises_missing_columns_listing_existing_when_mapping_is_wrong(tmp_path: Path) -> None:
    src = csv_file(tmp_path, "prompt,reply\na,b\n")
    with pytest.raises(MissingColumnsError) as caught:
        convert_table(src, QA, tmp_path / "out.jsonl")
    error = caught.value
    assert error.missing == ("question", "answer")
    assert error.available == ("prompt", "reply")
    assert "table.csv" in error.user_message
    assert "“prompt”, “reply”" in error.user_message
    assert not (tmp_path / "out.jsonl").exists()


def test_rejects_mapping_when_user_column_is_blank() -> None:
    with pytest.raises(ValueError):
        ColumnMapping(user="", assistant="a")


def test_writes_nothing_when_cancelled(tmp_path: Path) -> None:
    src = csv_file(tmp_path, "question,answer\n" + "a,b\n" * 2000)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelledError):
        convert_table(src, QA, tmp_path / "out.jsonl", cancel=cancel)
    assert not (tmp_path / "out.jsonl").exists()


def test_reports_progress_to_the_end_when_converting(tmp_path: Path) -> None:
    src = csv_file(tmp_path, "question,answer\n" + "a,b\n" * 2000)
    seen: list[tuple[int, int]] = []
    convert_table(src, QA, tmp_path / "out.jsonl", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] > 0


def test_reads_first_sheet_when_workbook_has_several(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path, {"Data": [["question", "answer"], ["Hi", 3.0]], "Other": [["x"]]})
    preview = read_table_preview(path)
    assert preview.sheet_names == ("Data", "Other")
    assert preview.sheet == "Data"
    assert preview.rows == (("Hi", "3"),)


def test_reads_chosen_sheet_when_sheet_is_given(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path, {"A": [["x"]], "B": [["question", "answer"], ["q", "a"]]})
    result = convert_table(path, QA, tmp_path / "out.jsonl", sheet="B")
    assert result.examples_written == 1


def test_uses_spreadsheet_row_numbers_when_excel_rows_are_skipped(tmp_path: Path) -> None:
    rows: list[list[object]] = [["question", "answer"], ["a", "b"], [None, None], ["c", None]]
    result = convert_table(xlsx_file(tmp_path, {"S": rows}), QA, tmp_path / "out.jsonl")
    assert [s.row for s in result.rows_skipped] == [4]


def test_raises_missing_columns_when_excel_sheet_lacks_them(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path, {"S": [["Frage", "Antwort"], ["a", "b"]]})
    with pytest.raises(MissingColumnsError) as caught:
        convert_table(path, QA, tmp_path / "out.jsonl")
    assert "“Frage”, “Antwort”" in caught.value.user_message


def test_raises_listing_sheets_when_chosen_sheet_does_not_exist(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path, {"One": [["q"]], "Two": [["q"]]})
    with pytest.raises(DatasetFileError) as caught:
        read_table_preview(path, sheet="Three")
    assert "“One”, “Two”" in caught.value.user_message


def test_raises_empty_when_excel_sheet_has_no_rows(tmp_path: Path) -> None:
    with pytest.raises(EmptyDatasetError):
        read_table_preview(xlsx_file(tmp_path, {"Empty": []}))


def test_raises_clear_error_when_xlsx_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip")
    with pytest.raises(DatasetFileError) as caught:
        read_table_preview(path)
    assert "broken.xlsx" in caught.value.user_message
