"""Checks before a file is opened as a dataset: readable, not empty, text rather than binary.

The checks read only the first 64 KiB, so they are instant even for a 5 GB file; problems further
in (a line that is not UTF-8, broken JSON) are the checking engine's job, reported per line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from desktop.core.datasets_io._streams import open_input
from desktop.core.errors import EmptyDatasetError, NotTextFileError, UnsupportedEncodingError

__all__ = ["SAMPLE_BYTES", "TextFileInfo", "check_text_file"]

SAMPLE_BYTES = 64 << 10

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Signatures of files people pick by mistake, and what to tell them.
_KNOWN_BINARY: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or an Excel/Word file; import Excel files as a table"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"SQLite format 3\x00", "a database"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls/.doc); save it as .xlsx or CSV first"),
)


@dataclass(frozen=True, slots=True)
class TextFileInfo:
    """What the first bytes of a usable text file showed."""

    size: int
    has_utf8_bom: bool


def check_text_file(path: Path) -> TextFileInfo:
    """Make sure ``path`` can be read as a text dataset.

    Args:
        path: the file the user chose.

    Returns:
        Its size and whether it starts with a UTF-8 byte-order mark.

    Raises:
        DatasetUnreadableError: missing, a folder, or no read permission.
        EmptyDatasetError: no bytes, or only whitespace.
        NotTextFileError: NUL bytes or a known binary signature (ZIP/Excel, gzip, PDF...).
        UnsupportedEncodingError: UTF-16 text (a byte-order mark), which must be re-saved.
    """
    with open_input(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(SAMPLE_BYTES)
    name = path.name
    if not head.strip(b" \t\r\n" + _UTF8_BOM):
        raise EmptyDatasetError(
            f"{path}: {size} bytes, no content",
            user_message=f"“{name}” is empty. Add examples to it or choose another file.",
            file=str(path),
        )
    if head.startswith(_UTF16_BOMS):
        raise UnsupportedEncodingError(
            f"{path}: UTF-16 byte-order mark",
            user_message=(
                f"“{name}” is saved as UTF-16 text. Save it again as UTF-8 (in most editors: "
                "Save As → Encoding → UTF-8) and open it once more."
            ),
            file=str(path),
        )
    for signature, what in _KNOWN_BINARY:
        if head.startswith(signature):
            raise NotTextFileError(
                f"{path}: starts with {signature!r}",
                user_message=f"“{name}” is not a text file: it looks like {what}.",
                file=str(path),
            )
    nul = head.find(b"\x00")
    if nul >= 0:
        raise NotTextFileError(
            f"{path}: NUL byte at offset {nul}",
            user_message=(
                f"“{name}” is not a text file (it contains binary data). Choose a JSONL, CSV, "
                "TSV or Excel (.xlsx) file."
            ),
            file=str(path),
        )
    return TextFileInfo(size=size, has_utf8_bom=head.startswith(_UTF8_BOM))
