"""Helpers for the dataset checker's tests: small files written line by line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

ENCODING = "o200k_base"


def chat_line(user: str = "Hello", reply: str = "Hi there!", *, system: str | None = None) -> str:
    """One valid chat example as a JSON line (no newline)."""
    messages = [] if system is None else [{"role": "system", "content": system}]
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return json.dumps({"messages": messages}, ensure_ascii=False)


def valid_lines(count: int, *, system: str | None = "You are terse.") -> list[str]:
    """``count`` distinct valid chat examples."""
    return [chat_line(f"Question {i}?", f"Answer {i}.", system=system) for i in range(count)]


WriteFile = Callable[..., Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write lines (str or bytes) joined by ``newline``, with an optional final newline."""

    def write(
        lines: list[str | bytes],
        *,
        newline: bytes = b"\n",
        final_newline: bool = True,
        prefix: bytes = b"",
        name: str = "data.jsonl",
    ) -> Path:
        encoded = [line.encode("utf-8") if isinstance(line, str) else line for line in lines]
        data = prefix + newline.join(encoded) + (newline if final_newline and lines else b"")
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
