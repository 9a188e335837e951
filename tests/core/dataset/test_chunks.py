"""Chunk places (for worker processes) cover the file's lines exactly as chunks do."""

from __future__ import annotations

import io

import pytest

from desktop.core.dataset.chunks import UTF8_BOM, iter_chunk_places, iter_chunks

LINES = [b'{"n": %d, "text": "%s"}' % (i, b"x" * (i * 7 % 90)) for i in range(60)]


def file_bytes(*, bom: bool = False, newline: bytes = b"\n", final_newline: bool = True) -> bytes:
    body = newline.join(LINES) + (newline if final_newline else b"")
    return (UTF8_BOM if bom else b"") + body


def chunk_triples(data: bytes, chunk_size: int) -> list[tuple[bytes, int, int]]:
    return [
        (c.data, c.offset, c.first_line)
        for c in iter_chunks(io.BytesIO(data), chunk_size=chunk_size)
    ]


def place_triples(data: bytes, chunk_size: int, **tail: int) -> list[tuple[bytes, int, int]]:
    places = iter_chunk_places(io.BytesIO(data), chunk_size=chunk_size, **tail)
    return [(data[p.offset : p.end], p.offset, p.first_line) for p in places]


def assert_whole_lines(places: list[tuple[bytes, int, int]], data: bytes, start: int) -> None:
    """The places hold ``data[start:]`` in order, each a run of whole lines, numbered right."""
    assert b"".join(chunk for chunk, _, _ in places) == data[start:]
    assert [offset for _, offset, _ in places][:1] == [start]
    for chunk, offset, first_line in places:
        assert chunk and (chunk.endswith(b"\n") or offset + len(chunk) == len(data))
        assert first_line == data[start:offset].count(b"\n") + 1


@pytest.mark.parametrize("chunk_size", [1, 5, 64, 300, 100_000])
@pytest.mark.parametrize(
    "layout",
    [{}, {"bom": True}, {"newline": b"\r\n"}, {"final_newline": False}],
    ids=["plain", "bom", "crlf", "no-final-newline"],
)
def test_places_hold_the_same_lines_as_chunks_when_read_back(
    chunk_size: int, layout: dict[str, object]
) -> None:
    data = file_bytes(**layout)  # type: ignore[arg-type]
    start = len(UTF8_BOM) if layout.get("bom") else 0

    places = place_triples(data, chunk_size)

    assert_whole_lines(places, data, start)
    chunks = chunk_triples(data, chunk_size)
    assert b"".join(c for c, _, _ in chunks) == b"".join(c for c, _, _ in places)


def test_every_line_is_in_exactly_one_place_when_the_end_is_split_finer() -> None:
    data = file_bytes(final_newline=False)

    places = place_triples(data, 400, size=len(data), tail_parts=4, min_chunk_size=50)

    assert_whole_lines(places, data, 0)


def test_chunks_get_smaller_near_the_end_when_tail_parts_are_asked_for() -> None:
    data = file_bytes() * 20

    sizes = [
        len(chunk)
        for chunk, _, _ in place_triples(
            data, 4000, size=len(data), tail_parts=4, min_chunk_size=100
        )
    ]

    assert min(sizes[:5]) > 3500
    assert max(sizes[-4:]) < 1000
