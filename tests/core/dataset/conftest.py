"""Helpers for the dataset checker's tests: small files written line by line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.core.catalog import CatalogModel, ModelCatalog, read_catalog

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


@pytest.fixture(scope="session")
def catalog() -> ModelCatalog:
    """The catalog the app ships."""
    from desktop.resources import resource_path

    return read_catalog(resource_path("models.json"))


@pytest.fixture(scope="session")
def gpt4o_mini(catalog: ModelCatalog) -> CatalogModel:
    model = catalog.get("gpt-4o-mini-2024-07-18")
    assert model is not None
    return model
