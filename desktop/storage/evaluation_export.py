"""Writing an evaluation's results table to CSV or XLSX, all or nothing.

The rows come from :func:`desktop.core.playground.evaluation_report.result_rows` (a header,
then one row per example). Both writers build the whole file in memory and hand it to
:func:`desktop.core.files.write_via_temp`: a temporary file beside the target, renamed over
it once complete. A full disk or a folder the user may not write to raises a plain
``FileSaveError`` naming the file, and nothing half-written is left behind.

CSV is UTF-8 with a byte order mark, so spreadsheet programs read accents correctly. XLSX has
a bold, frozen header row, column widths fitted to their content (long texts wrapped at a
readable width) and numbers stored as numbers (costs too, exactly, from their decimal text).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from desktop.core.files import write_via_temp
from desktop.core.playground.evaluation_report import CellValue, rows_to_csv

__all__ = ["EXPORT_FORMATS", "export_results", "results_csv_bytes", "results_xlsx_bytes"]

EXPORT_FORMATS = {".csv": "CSV", ".xlsx": "Excel workbook"}
"""The file types :func:`export_results` writes, by suffix."""

_COST_SUFFIX = "cost_usd"
_WIDE_COLUMN = 60
_MIN_WIDTH = 8
_SHEET_TITLE = "Results"


def results_csv_bytes(rows: Sequence[Sequence[CellValue]]) -> bytes:
    """The rows as CSV bytes (UTF-8 with a byte order mark)."""
    return rows_to_csv(rows).encode("utf-8-sig")


def _cell(value: CellValue, *, cost: bool) -> object:
    if cost and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def results_xlsx_bytes(rows: Sequence[Sequence[CellValue]]) -> bytes:
    """The rows as an Excel workbook: bold frozen header, fitted widths, numbers as numbers."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # slow import: lazily
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.title = _SHEET_TITLE
    header = [str(value) for value in rows[0]] if rows else []
    costs = {i for i, name in enumerate(header) if name.endswith(_COST_SUFFIX)}
    widths = [len(name) for name in header]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=row_number, column=column + 1)
            stored = _cell(value, cost=row_number > 1 and column in costs)
            cell.value = stored
            if isinstance(stored, str):
                cell.data_type = "s"  # text starting with "=" stays text, never a formula
            if isinstance(value, str):
                longest = max((len(line) for line in value.splitlines()), default=0)
                if column < len(widths):
                    widths[column] = max(widths[column], min(longest, _WIDE_COLUMN))
                if longest > _WIDE_COLUMN or "\n" in value:
                    cell.alignment = wrap
            elif value is not None and column < len(widths):
                widths[column] = max(widths[column], len(str(value)))
            if row_number == 1:
                cell.font = bold
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(width, _MIN_WIDTH) + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_results(path: Path, rows: Sequence[Sequence[CellValue]]) -> None:
    """Write the results table to ``path``, as CSV or XLSX by its suffix, all or nothing.

    Args:
        path: the file to create or replace (``.csv`` or ``.xlsx``).
        rows: the table, header first.

    Raises:
        ValueError: the suffix is neither ``.csv`` nor ``.xlsx``.
        FileSaveError: the file could not be written (``DiskFullError``,
            ``WritePermissionError``...); nothing is left half-written.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = results_csv_bytes(rows)
    elif suffix == ".xlsx":
        data = results_xlsx_bytes(rows)
    else:
        raise ValueError(f"cannot export results as {suffix or 'a file without a suffix'}")
    write_via_temp(path, (data,))
