"""Worker processes load the tokenizer from its parsed vocabulary, kept beside tiktoken's cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import tiktoken

from desktop.core import tokens
from desktop.resources import tokenizer_dir

TEXTS = ["Hello, world!", "Grüße aus Köln — wie geht's?", "def f(x):\n    return x * 2\n", ""]


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty tokenizer cache of this test's own, and no encoding loaded yet."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    monkeypatch.setattr(tokens, "_encodings", {})
    tokens.configure_offline_vocabularies(tokenizer_dir(), tmp_path)
    return tmp_path


def load_again(monkeypatch: pytest.MonkeyPatch) -> tiktoken.Encoding:
    monkeypatch.setattr(tokens, "_encodings", {})
    return tokens.get_encoding("o200k_base")


def test_later_loads_skip_parsing_the_vocabulary_when_it_was_loaded_once(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tokens.get_encoding("o200k_base")
    expected = [first.encode_ordinary(text) for text in TEXTS]

    def no_parsing(name: str) -> tiktoken.Encoding:
        raise AssertionError(f"{name}'s vocabulary was parsed again")

    monkeypatch.setattr(tiktoken, "get_encoding", no_parsing)
    again = load_again(monkeypatch)

    assert again is not first
    assert [again.encode_ordinary(text) for text in TEXTS] == expected
    assert len(list(fresh_cache.glob("o200k_base-*.ranks"))) == 1


def test_damaged_parsed_vocabulary_is_ignored_and_rewritten_when_loading(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [tokens.get_encoding("o200k_base").encode_ordinary(text) for text in TEXTS]
    (kept,) = fresh_cache.glob("o200k_base-*.ranks")
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0xFF
    kept.write_bytes(bytes(data))

    again = load_again(monkeypatch)

    assert [again.encode_ordinary(text) for text in TEXTS] == expected
    assert kept.read_bytes() != bytes(data)
