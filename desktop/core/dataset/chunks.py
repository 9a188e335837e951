"""Read a file as large blocks of whole lines, each knowing where it starts.

A line never straddles two chunks: a chunk ends at the last newline of what was read, and
the rest is carried into the next one. A line longer than the chunk size makes its chunk
bigger, so only such a line is ever held whole. A UTF-8 byte order mark at the very start
is skipped (offsets still count it).

:func:`iter_chunk_places` finds the same kind of chunks without keeping their bytes (for
worker processes that read their chunk themselves): it reads each block once and copies
nothing, so the process that hands out the work leaves the CPU to the workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "UTF8_BOM",
    "Chunk",
    "ChunkPlace",
    "iter_chunk_places",
    "iter_chunks",
]

DEFAULT_CHUNK_SIZE = 2 * 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole lines of a file.

    Attributes:
        data: the bytes, each line ending with ``\\n`` except possibly the file's last line.
        offset: file offset of ``data[0]``.
        first_line: 1-based number of the first line in ``data``.
    """

    data: bytes
    offset: int
    first_line: int

    @property
    def end(self) -> int:
        """File offset just after the chunk."""
        return self.offset + len(self.data)


def iter_chunks(handle: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Chunk]:
    """Yield the file's lines in chunks of about ``chunk_size`` bytes.

    Args:
        handle: a file opened in binary mode, positioned at its start.
        chunk_size: bytes read at a time (at least 1).

    Yields:
        Chunks in file order; together they cover the whole file after the BOM.

    Raises:
        OSError: the file cannot be read.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    head = handle.read(len(UTF8_BOM))
    offset = len(UTF8_BOM) if head == UTF8_BOM else 0
    buffer = bytearray() if offset else bytearray(head)
    line = 1
    while True:
        block = handle.read(chunk_size)
        if not block:
            break
        searched = len(buffer)
        buffer += block
        cut = buffer.rfind(b"\n", searched) + 1
        if cut == 0:
            continue  # no line ends in this block yet: keep reading
        with memoryview(buffer) as view:
            data = bytes(view[:cut])
        del buffer[:cut]
        yield Chunk(data, offset, line)
        offset += cut
        line += data.count(b"\n")
    if buffer:
        yield Chunk(bytes(buffer), offset, line)


@dataclass(frozen=True, slots=True)
class ChunkPlace:
    """Where a chunk of whole lines is: ``length`` bytes from ``offset``, starting with line
    ``first_line`` (1-based)."""

    offset: int
    length: int
    first_line: int

    @property
    def end(self) -> int:
        """File offset just after the chunk."""
        return self.offset + self.length


def iter_chunk_places(
    handle: BinaryIO,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    size: int | None = None,
    tail_parts: int = 1,
    min_chunk_size: int = 64 * 1024,
) -> Iterator[ChunkPlace]:
    """Yield the places of chunks of about ``chunk_size`` bytes of whole lines.

    The chunks cover the same lines as :func:`iter_chunks` would (a line never straddles two),
    so checking each place's bytes gives the same result.

    Args:
        handle: a seekable file opened in binary mode.
        chunk_size: bytes per chunk (more when a line is longer).
        size: the file's size; with ``tail_parts`` > 1, chunks near the end get smaller (down
            to ``min_chunk_size``), so parallel workers finish at about the same time.
        tail_parts: how many parts the remaining bytes are split into once they fit in
            ``tail_parts`` chunks (usually twice the number of workers).
        min_chunk_size: the smallest chunk made near the end.

    Yields:
        Places in file order; together they cover the whole file after the BOM.

    Raises:
        OSError: the file cannot be read.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    handle.seek(0)
    offset = len(UTF8_BOM) if handle.read(len(UTF8_BOM)) == UTF8_BOM else 0
    line = 1
    while True:
        want = chunk_size
        if size is not None and tail_parts > 1:
            want = max(min(chunk_size, (size - offset) // tail_parts), min(min_chunk_size, want))
        handle.seek(offset)
        block = handle.read(want)
        if not block:
            return
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            block, cut = _read_to_line_end(handle, block, want)
        yield ChunkPlace(offset, cut, line)
        line += block.count(b"\n", 0, cut)
        offset += cut


def _read_to_line_end(handle: BinaryIO, start: bytes, step: int) -> tuple[bytes, int]:
    """A block holding no newline yet: read on to the end of its line (or of the file)."""
    grown = bytearray(start)
    while True:
        searched = len(grown)
        more = handle.read(step)
        if not more:
            return bytes(grown), len(grown)  # the file's last line, without a newline
        grown += more
        cut = grown.find(b"\n", searched) + 1
        if cut:
            return bytes(grown), cut
