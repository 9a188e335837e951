"""Editing a dataset of any size without loading it: the file plus an overlay of edits.

A :class:`DatasetDocument` is a *piece table*: the rows are a list of :class:`Span` s, each a run
of rows either from the original file (read through its :class:`LineIndex`) or from an
append-only list of added rows. Deleting, inserting or replacing rows only splits and rearranges
spans, so every edit costs O(number of spans), whatever the file's size, and an edit's inverse is
just the spans it removed (added rows are never discarded, so spans stay valid forever).

Edits are small frozen dataclasses for a ``QUndoStack``: build one with the ``*_op`` methods,
``apply`` it (redo), and ``apply`` its ``inverse()`` (undo)::

    op = doc.replace_example_op(41, new_json)
    op.apply(doc)            # redo
    op.inverse().apply(doc)  # undo

Rows are one line of text each (an example's JSON); they may not contain line breaks. Row
indexes start at 0. Threading: a document belongs to one thread (the GUI thread); only
:meth:`DatasetDocument.iter_chunks` may run in a worker while the GUI waits for it.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.core.datasets_io._streams import Progress, check_cancel
from desktop.core.datasets_io.line_index import LineIndex
from desktop.core.errors import FileChangedOnDiskError

__all__ = [
    "ADDED",
    "ORIGINAL",
    "DatasetDocument",
    "Edit",
    "InsertRows",
    "RemoveRows",
    "ReplaceRows",
    "Span",
]

ORIGINAL = 0
ADDED = 1
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Span:
    """Rows ``start`` to ``stop - 1`` of a store: :data:`ORIGINAL` (the file) or :data:`ADDED`."""

    store: int
    start: int
    stop: int

    @property
    def count(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True, slots=True)
class InsertRows:
    """Insert the rows of ``spans`` before row ``at``."""

    at: int
    spans: tuple[Span, ...]

    def apply(self, doc: DatasetDocument) -> RemoveRows:
        """Perform the edit; returns its inverse."""
        doc._insert(self.at, self.spans)
        return self.inverse()

    def inverse(self) -> RemoveRows:
        return RemoveRows(self.at, self.spans)


@dataclass(frozen=True, slots=True)
class RemoveRows:
    """Remove the rows from ``at`` on, which must be exactly the rows of ``spans``."""

    at: int
    spans: tuple[Span, ...]

    def apply(self, doc: DatasetDocument) -> InsertRows:
        """Perform the edit; returns its inverse.

        Raises:
            ValueError: the rows at ``at`` are not the ones this edit was made for.
        """
        doc._remove(self.at, self.spans)
        return self.inverse()

    def inverse(self) -> InsertRows:
        return InsertRows(self.at, self.spans)


@dataclass(frozen=True, slots=True)
class ReplaceRows:
    """Replace the rows ``old`` (starting at ``at``) with the rows ``new``."""

    at: int
    old: tuple[Span, ...]
    new: tuple[Span, ...]

    def apply(self, doc: DatasetDocument) -> ReplaceRows:
        """Perform the edit; returns its inverse."""
        doc._remove(self.at, self.old)
        doc._insert(self.at, self.new)
        return self.inverse()

    def inverse(self) -> ReplaceRows:
        return ReplaceRows(self.at, self.new, self.old)


Edit = InsertRows | RemoveRows | ReplaceRows


class DatasetDocument:
    """The rows of a dataset file with unsaved edits on top.

    Invariants: ``_pieces`` holds no empty span and no two adjacent spans that could be merged;
    ``_starts[k]`` is the first row of ``_pieces[k]``; ``_saved`` is the piece list matching the
    file on disk, so undoing back to it makes the document unmodified again.
    """

    def __init__(self, index: LineIndex) -> None:
        """Wrap a complete index (the document owns it from now on).

        Raises:
            ValueError: the index is still growing.
        """
        if not index.is_complete:
            raise ValueError("index the whole file before editing it")
        self._index = index
        self._added: list[bytes] = []
        self._pieces: list[Span] = _normalized([Span(ORIGINAL, 0, len(index))])
        self._saved = tuple(self._pieces)
        self._starts: list[int] = []
        self._rebuild()

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> DatasetDocument:
        """Index ``path`` and open it for editing (see :meth:`LineIndex.build` for errors)."""
        return cls(LineIndex.build(path, progress=progress, cancel=cancel))

    # ------------------------------------------------------------------ reading

    @property
    def path(self) -> Path:
        return self._index.path

    @property
    def row_count(self) -> int:
        return self._starts[-1]

    @property
    def is_modified(self) -> bool:
        """True when the rows differ from the file as opened (or last saved)."""
        return tuple(self._pieces) != self._saved

    def row_bytes(self, row: int) -> bytes:
        """The bytes of one row (no line ending).

        Raises:
            IndexError: no such row.
        """
        piece, offset = self._locate(row)
        line = piece.start + offset
        return self._added[line] if piece.store == ADDED else self._index.line_bytes(line)

    def read_row(self, row: int) -> str:
        """One row as text (bytes that are not UTF-8 show as U+FFFD)."""
        return self.row_bytes(row).decode("utf-8", errors="replace")

    def rows(self, start: int, stop: int) -> list[str]:
        """Rows ``start`` to ``stop - 1`` (clamped to the document)."""
        return [self.read_row(row) for row in range(max(start, 0), min(stop, self.row_count))]

    def file_changed(self) -> bool:
        """True when the file on disk changed since it was opened (offer to reload)."""
        return self._index.file_changed()

    def _locate(self, row: int) -> tuple[Span, int]:
        if not 0 <= row < self.row_count:
            raise IndexError(f"row {row} is outside 0..{self.row_count - 1}")
        k = bisect.bisect_right(self._starts, row) - 1
        return self._pieces[k], row - self._starts[k]

    # ------------------------------------------------------------------ building edits

    def add_example_op(self, text: str, *, at: int | None = None) -> InsertRows:
        """An edit inserting ``text`` as a new row before ``at`` (default: at the end)."""
        position = self.row_count if at is None else at
        self._check_position(position, allow_end=True)
        return InsertRows(position, (self._store(text),))

    def duplicate_example_op(self, row: int) -> InsertRows:
        """An edit inserting a copy of ``row`` right after it."""
        return InsertRows(row + 1, self._spans(row, 1))

    def delete_examples_op(self, row: int, count: int = 1) -> RemoveRows:
        """An edit removing ``count`` rows from ``row`` on."""
        return RemoveRows(row, self._spans(row, count))

    def replace_example_op(self, row: int, text: str) -> ReplaceRows:
        """An edit replacing ``row`` with ``text``."""
        return ReplaceRows(row, self._spans(row, 1), (self._store(text),))

    def apply(self, edit: Edit) -> Edit:
        """Perform ``edit``; returns its inverse (for undo)."""
        return edit.apply(self)

    def _store(self, text: str) -> Span:
        if "\n" in text or "\r" in text:
            raise ValueError("an example must be a single line (serialise it without newlines)")
        self._added.append(text.encode("utf-8"))
        return Span(ADDED, len(self._added) - 1, len(self._added))

    def _spans(self, row: int, count: int) -> tuple[Span, ...]:
        """The spans holding rows ``row`` to ``row + count - 1`` (without changing anything)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._check_position(row, allow_end=False)
        self._check_position(row + count - 1, allow_end=False)
        out: list[Span] = []
        k = bisect.bisect_right(self._starts, row) - 1
        remaining, offset = count, row - self._starts[k]
        while remaining:
            piece = self._pieces[k]
            take = min(piece.count - offset, remaining)
            out.append(Span(piece.store, piece.start + offset, piece.start + offset + take))
            remaining -= take
            k, offset = k + 1, 0
        return tuple(out)

    def _check_position(self, row: int, *, allow_end: bool) -> None:
        limit = self.row_count if allow_end else self.row_count - 1
        if not 0 <= row <= limit:
            raise IndexError(f"row {row} is outside 0..{limit}")

    # ------------------------------------------------------------------ applying edits

    def _insert(self, at: int, spans: tuple[Span, ...]) -> None:
        self._check_position(at, allow_end=True)
        k = self._split_at(at)
        self._pieces[k:k] = spans
        self._pieces = _normalized(self._pieces)
        self._rebuild()

    def _remove(self, at: int, spans: tuple[Span, ...]) -> None:
        count = sum(span.count for span in spans)
        if _normalized(self._spans(at, count)) != _normalized(spans):
            raise ValueError(f"the rows at {at} are not the ones this edit was made for")
        first = self._split_at(at)
        last = self._split_at(at + count)
        del self._pieces[first:last]
        self._pieces = _normalized(self._pieces)
        self._rebuild()

    def _split_at(self, row: int) -> int:
        """Make a piece start at ``row``; returns its index (``len(_pieces)`` at the end)."""
        if row == self.row_count:
            return len(self._pieces)
        k = bisect.bisect_right(self._starts, row) - 1
        offset = row - self._starts[k]
        if offset == 0:
            return k
        piece = self._pieces[k]
        middle = piece.start + offset
        self._pieces[k : k + 1] = [
            Span(piece.store, piece.start, middle),
            Span(piece.store, middle, piece.stop),
        ]
        self._rebuild()
        return k + 1

    def _rebuild(self) -> None:
        starts = [0]
        for piece in self._pieces:
            starts.append(starts[-1] + piece.count)
        self._starts = starts

    # ------------------------------------------------------------------ saving

    def iter_chunks(
        self,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[bytes]:
        """The document's bytes in about 1 MiB chunks, every row ending in ``\\n``.

        Runs of unchanged rows are copied from the file byte for byte (``\\r\\n`` endings stay).

        Args:
            progress: ``(rows_done, rows_total)``.
            cancel: checked between chunks; raises ``OperationCancelledError``.

        Raises:
            FileChangedOnDiskError: the file changed since it was opened; saving would mix
                versions, so the caller should offer to reload (or save elsewhere first).
        """
        if self._index.file_changed():
            raise FileChangedOnDiskError(
                f"{self.path} changed on disk since it was opened",
                user_message=(
                    f"“{self.path.name}” was changed by another program since you opened it. "
                    "Save your version under another name, or reload the file."
                ),
                file=str(self.path),
            )
        total = self.row_count
        done = 0
        for piece in list(self._pieces):
            check_cancel(cancel)
            source = self._added_rows(piece) if piece.store == ADDED else self._file_rows(piece)
            yield from source
            done += piece.count
            if progress is not None:
                progress(done, total)

    def _added_rows(self, piece: Span) -> Iterator[bytes]:
        rows = self._added[piece.start : piece.stop]
        for first in range(0, len(rows), 8192):
            yield b"".join(row + b"\n" for row in rows[first : first + 8192])

    def _file_rows(self, piece: Span) -> Iterator[bytes]:
        begin, _ = self._index.span(piece.start)
        end_offset, end_length = self._index.span(piece.stop - 1)
        end = end_offset + end_length
        last = b""
        for offset in range(begin, end, _CHUNK):
            last = self._index.read_bytes(offset, min(_CHUNK, end - offset))
            yield last
        if not last.endswith(b"\n"):
            yield b"\n"  # the file's last line had no line ending

    def close(self) -> None:
        """Release the file handle."""
        self._index.close()


def _normalized(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if span.count <= 0:
            continue
        if out and out[-1].store == span.store and out[-1].stop == span.start:
            out[-1] = Span(span.store, out[-1].start, span.stop)
        else:
            out.append(span)
    return out
