"""Import CSV, TSV and Excel (.xlsx) tables as chat examples.

- CSV/TSV: read with the standard ``csv`` module (quoted fields may span lines). Text must be
  UTF-8, with or without a byte-order mark; anything else is refused with a message saying how to
  re-save it. The delimiter is ``\\t`` for ``.tsv`` files and sniffed (``,`` ``;`` ``\\t`` ``|``)
  for the others, ``,`` when sniffing fails. Fields up to 16 MiB are accepted.
- Excel: ``openpyxl`` in read-only mode (streaming, values as last calculated by Excel), the
  first sheet unless one is chosen.
- The first row holds the column names; blank names become "Column N", repeated names get
  " (2)", " (3)"... Row numbers in results are the ones a spreadsheet shows: the header is row 1.
- Rows with every cell empty are ignored (Excel often reports trailing blank rows). A row whose
  user or assistant cell is empty is skipped with a reason. Cell text is stripped of surrounding
  whitespace. The system message comes from the mapped system column; where there is none or the
  cell is empty, ``fixed_system_prompt`` is used if given.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop.core.datasets_io._streams import (
    Progress,
    batched,
    check_cancel,
    dump_json_line,
)
from desktop.core.datasets_io._tables import EXCEL_SUFFIXES, open_table
from desktop.core.datasets_io.convert import ConversionResult, SkipLog
from desktop.core.errors import (
    MissingColumnsError,
)
from desktop.core.files import write_via_temp

__all__ = [
    "EXCEL_SUFFIXES",
    "ColumnMapping",
    "TablePreview",
    "convert_table",
    "read_table_preview",
]

_CANCEL_EVERY_ROWS = 512


@dataclass(frozen=True, slots=True)
class TablePreview:
    """The first rows of a table, for the mapping wizard.

    ``sheet_names`` is empty for CSV/TSV; ``delimiter`` is None for Excel.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    sheet_names: tuple[str, ...] = ()
    sheet: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which columns become which messages.

    ``user`` and ``assistant`` are required column names; ``system`` an optional column;
    ``fixed_system_prompt`` a system message for rows without one (see the module docstring).
    """

    user: str
    assistant: str
    system: str | None = None
    fixed_system_prompt: str | None = None

    def __post_init__(self) -> None:
        if not self.user or not self.assistant:
            raise ValueError("both a user column and an assistant column must be chosen")

    @property
    def columns(self) -> tuple[str, ...]:
        """The mapped column names, in message order."""
        named = (self.system, self.user, self.assistant)
        return tuple(name for name in named if name)

    def validate(self, available: Sequence[str], *, file: Path) -> None:
        """Check that every mapped column exists.

        Raises:
            MissingColumnsError: naming the missing columns and the file, listing those there.
        """
        missing = tuple(name for name in self.columns if name not in available)
        if not missing:
            return
        listed = ", ".join(f"“{name}”" for name in available) or "none"
        wanted = ", ".join(f"“{name}”" for name in missing)
        raise MissingColumnsError(
            f"{file}: missing columns {missing!r}; columns: {tuple(available)!r}",
            user_message=(
                f"“{file.name}” has no column {wanted}. Its columns are: {listed}. "
                "Choose one of these."
            ),
            file=str(file),
            missing=missing,
            available=tuple(available),
        )


def read_table_preview(path: Path, *, sheet: str | None = None, rows: int = 20) -> TablePreview:
    """Column names and the first ``rows`` non-empty rows of a CSV, TSV or .xlsx file.

    Args:
        path: the table.
        sheet: for Excel, the sheet to read (default: the first).
        rows: how many data rows to return.

    Returns:
        The preview; every row has one string per column.

    Raises:
        DatasetUnreadableError, NotTextFileError, EmptyDatasetError: the file cannot be used.
        UnsupportedEncodingError: a CSV/TSV file that is not UTF-8.
        DatasetFileError: not a valid workbook, or no sheet named ``sheet``.
    """
    with open_table(path, sheet) as table:
        preview: list[tuple[str, ...]] = []
        for _, values in table.rows:
            preview.append(values)
            if len(preview) >= rows:
                break
        return TablePreview(
            columns=table.columns,
            rows=tuple(preview),
            sheet_names=table.sheet_names,
            sheet=table.sheet,
            delimiter=table.delimiter,
        )


def convert_table(
    path: Path,
    mapping: ColumnMapping,
    out_path: Path,
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ConversionResult:
    """Write one chat example per table row to a JSONL file.

    Args:
        path: the CSV, TSV or .xlsx file (only read).
        mapping: which columns become which messages.
        out_path: the JSONL file to write (all-or-nothing).
        sheet: for Excel, the sheet (default: the first).
        progress: ``(done, total)``: bytes for CSV/TSV, rows for Excel (total 0 when unknown).
        cancel: set to stop; ``out_path`` is then left as it was.

    Returns:
        Examples written and rows skipped (row numbers as the spreadsheet shows them).

    Raises:
        MissingColumnsError: a mapped column does not exist (the message lists those that do).
        DatasetUnreadableError, NotTextFileError, EmptyDatasetError, UnsupportedEncodingError,
            DatasetFileError: the table cannot be read.
        FileSaveError: ``out_path`` cannot be written.
        OperationCancelledError: ``cancel`` was set.
    """
    skipped = SkipLog()
    written = 0
    with open_table(path, sheet) as table:
        mapping.validate(table.columns, file=path)
        positions = {name: table.columns.index(name) for name in mapping.columns}

        def chunks() -> Iterator[bytes]:
            nonlocal written
            for count, (row_number, values) in enumerate(table.rows, start=1):
                if count % _CANCEL_EVERY_ROWS == 0:
                    check_cancel(cancel)
                    if progress is not None:
                        progress(*table.position())
                example = _example(values, positions, mapping)
                if isinstance(example, str):
                    skipped.add(row_number, example)
                    continue
                written += 1
                yield dump_json_line(example)
            if progress is not None:
                done, total = table.position()
                progress(max(done, total), max(done, total))

        write_via_temp(out_path, batched(chunks()), cancel=cancel)
    return ConversionResult(written, tuple(skipped.listed), 0, skipped.not_listed)


def _example(
    values: tuple[str, ...], positions: dict[str, int], mapping: ColumnMapping
) -> dict[str, object] | str:
    """The chat example of one row, or the reason to skip it."""
    user = values[positions[mapping.user]].strip()
    assistant = values[positions[mapping.assistant]].strip()
    for role, name, text in (
        ("user", mapping.user, user),
        ("assistant", mapping.assistant, assistant),
    ):
        if not text:
            return f"the “{name}” cell ({role} message) is empty"
    system = values[positions[mapping.system]].strip() if mapping.system else ""
    if not system and mapping.fixed_system_prompt:
        system = mapping.fixed_system_prompt.strip()
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    return {"messages": messages}
