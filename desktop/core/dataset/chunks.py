"""Read a file as large blocks of whole lines, each knowing where it starts.

A line never straddles two chunks: a chunk ends at the last newline of what was read, and
the rest is carried into the next one. A line longer than the chunk size makes its chunk
bigger, so only such a line is ever held whole. A UTF-8 byte order mark at the very start
is skipped (offsets still count it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["DEFAULT_CHUNK_SIZE", "UTF8_BOM", "Chunk", "iter_chunks"]

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
