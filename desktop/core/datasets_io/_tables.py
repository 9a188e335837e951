"""Reading CSV/TSV and .xlsx tables row by row (the rules are in ``tabular``'s docstring)."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from desktop.core.datasets_io._streams import open_input
from desktop.core.datasets_io.open_checks import check_text_file
from desktop.core.errors import DatasetFileError, EmptyDatasetError, UnsupportedEncodingError

__all__ = ["EXCEL_SUFFIXES", "Table", "open_table"]

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_SNIFF_BYTES = 64 << 10
_FIELD_LIMIT = 16 << 20
_DELIMITERS = ",;\t|"


class Table:
    """An open table: column names, then ``(row_number, values)`` for each non-empty row."""

    def __init__(
        self,
        columns: tuple[str, ...],
        rows: Iterator[tuple[int, tuple[str, ...]]],
        *,
        sheet_names: tuple[str, ...] = (),
        sheet: str | None = None,
        delimiter: str | None = None,
        position: Callable[[], tuple[int, int]] | None = None,
    ) -> None:
        self.columns = columns
        self.rows = rows
        self.sheet_names = sheet_names
        self.sheet = sheet
        self.delimiter = delimiter
        self._position = position

    def position(self) -> tuple[int, int]:
        return self._position() if self._position is not None else (0, 0)


@contextlib.contextmanager
def open_table(path: Path, sheet: str | None) -> Iterator[Table]:
    with open_input(path) as handle:
        if path.suffix.lower() in EXCEL_SUFFIXES or _looks_like_zip(handle):
            with _open_excel(path, handle, sheet) as table:
                yield table
        else:
            with _open_delimited(path, handle) as table:
                yield table


def _looks_like_zip(handle: BinaryIO) -> bool:
    head = handle.read(4)
    handle.seek(0)
    return head == b"PK\x03\x04"


@contextlib.contextmanager
def _open_delimited(path: Path, handle: BinaryIO) -> Iterator[Table]:
    check_text_file(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(path, handle)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    total = path.stat().st_size
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    record = 0

    def read() -> Iterator[list[str]]:
        nonlocal record
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise _not_utf8(path, record + 1) from exc
            except csv.Error as exc:
                raise DatasetFileError(
                    f"{path}: row {record + 1}: {exc}",
                    user_message=(
                        f"Row {record + 1} of “{path.name}” cannot be read as {_name(delimiter)} "
                        "(a quote that never closes?). Fix it in a spreadsheet and import again."
                    ),
                    file=str(path),
                    line=record + 1,
                ) from exc
            record += 1
            yield values

    records = read()
    try:
        header = next(records, None)
        if header is None:
            raise EmptyDatasetError(f"{path}: no rows", file=str(path))
        columns = _column_names(header)
        width = len(columns)

        def rows() -> Iterator[tuple[int, tuple[str, ...]]]:
            for values in records:
                if any(value.strip() for value in values):
                    yield record, _fit(values, width)

        yield Table(
            columns,
            rows(),
            delimiter=delimiter,
            position=lambda: (min(handle.tell(), total), total),
        )
    finally:
        text.detach()


def _sniff_delimiter(path: Path, handle: BinaryIO) -> str:
    head = handle.read(_SNIFF_BYTES)
    handle.seek(0)
    try:
        sample = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, None) from exc
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _not_utf8(path: Path, row: int | None) -> UnsupportedEncodingError:
    where = f" (around row {row})" if row else ""
    return UnsupportedEncodingError(
        f"{path}: not UTF-8{where}",
        user_message=(
            f"“{path.name}” is not saved as UTF-8 text{where}. In Excel choose Save As → "
            "“CSV UTF-8”, or in another editor save it with the UTF-8 encoding, then import it "
            "again."
        ),
        file=str(path),
        line=row,
    )


def _name(delimiter: str) -> str:
    return "TSV" if delimiter == "\t" else "CSV"


@contextlib.contextmanager
def _open_excel(path: Path, handle: BinaryIO, sheet: str | None) -> Iterator[Table]:
    import zipfile

    from openpyxl import load_workbook  # type: ignore[import-untyped]  # slow import: lazily

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DatasetFileError(
            f"{path}: not a readable .xlsx workbook: {exc!r}",
            user_message=(
                f"“{path.name}” is not a readable Excel workbook (.xlsx). Open it in Excel and "
                "save it again as .xlsx or as CSV UTF-8."
            ),
            file=str(path),
        ) from exc
    try:
        names = tuple(str(name) for name in workbook.sheetnames)
        if sheet is not None and sheet not in names:
            listed = ", ".join(f"“{name}”" for name in names)
            raise DatasetFileError(
                f"{path}: no sheet {sheet!r}; sheets: {names!r}",
                user_message=(f"“{path.name}” has no sheet “{sheet}”. Its sheets are: {listed}."),
                file=str(path),
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        total = int(worksheet.max_row or 0)
        cells = worksheet.iter_rows(values_only=True)
        header = next(cells, None)
        if header is None:
            raise EmptyDatasetError(
                f"{path}: sheet {worksheet.title!r} is empty",
                user_message=f"The sheet “{worksheet.title}” of “{path.name}” is empty.",
                file=str(path),
            )
        columns = _column_names([_cell_text(value) for value in header])
        width = len(columns)
        current = 1

        def rows() -> Iterator[tuple[int, tuple[str, ...]]]:
            nonlocal current
            for raw in cells:
                current += 1
                values = [_cell_text(value) for value in raw]
                if any(value.strip() for value in values):
                    yield current, _fit(values, width)

        yield Table(
            columns,
            rows(),
            sheet_names=names,
            sheet=str(worksheet.title),
            position=lambda: (current, total),
        )
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _column_names(raw: Sequence[str]) -> tuple[str, ...]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(raw, start=1):
        name = value.strip() or f"Column {position}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        names.append(name)
    return tuple(names)


def _fit(values: Sequence[str], width: int) -> tuple[str, ...]:
    """Pad short rows with empty cells; drop cells beyond the named columns."""
    if len(values) >= width:
        return tuple(values[:width])
    return (*values, *([""] * (width - len(values))))
