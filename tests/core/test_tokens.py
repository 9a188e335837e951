"""Token counting works offline from the shipped vocabularies."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.core import tokens
from desktop.resources import tokenizer_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _keep_session_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """configure_offline_vocabularies sets TIKTOKEN_CACHE_DIR; restore it after each test."""
    current = os.environ.get("TIKTOKEN_CACHE_DIR")
    if current is None:
        monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    else:
        monkeypatch.setenv("TIKTOKEN_CACHE_DIR", current)


_OFFLINE_SCRIPT = textwrap.dedent(
    """
    import json, socket, sys
    from pathlib import Path

    def refuse(self, address):
        raise OSError(f"network is unreachable in this test: {address!r}")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = lambda *a, **k: refuse(None, a)

    import desktop.core.tokens as tokens
    lazy = "tiktoken" not in sys.modules
    tokens.configure_offline_vocabularies(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({
        "lazy": lazy,
        "cl100k": tokens.count_tokens("hello world", "cl100k_base"),
        "o200k": tokens.count_tokens("hello world", "o200k_base"),
    }))
    """
)


def test_counts_tokens_when_network_is_unreachable_and_cache_is_empty(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")
    }
    env["HTTPS_PROXY"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"
    env["PYTHONPATH"] = str(REPO_ROOT)
    cache = tmp_path / "empty-cache"
    result = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT, str(tokenizer_dir()), str(cache)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"lazy": True, "cl100k": 2, "o200k": 2}


def test_writes_uncompressed_vocabularies_when_cache_is_empty(tmp_path: Path) -> None:
    tokens.configure_offline_vocabularies(tokenizer_dir(), tmp_path)
    for name in ("cl100k_base", "o200k_base"):
        cached = tmp_path / tokens.cache_file_name(name)
        assert cached.read_bytes() == gzip.decompress(
            (tokenizer_dir() / f"{name}.tiktoken.gz").read_bytes()
        )
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path)


def test_cache_names_match_tiktoken_when_computed() -> None:
    assert tokens.cache_file_name("cl100k_base") == "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
    assert tokens.cache_file_name("o200k_base") == "fb374d419588a4632f3f557e76b4b70aebbca790"


def test_replaces_cache_file_when_it_is_corrupted(tmp_path: Path) -> None:
    tokens.configure_offline_vocabularies(tokenizer_dir(), tmp_path)
    cached = tmp_path / tokens.cache_file_name("o200k_base")
    cached.write_bytes(b"garbage")
    tokens.configure_offline_vocabularies(tokenizer_dir(), tmp_path)
    assert cached.stat().st_size > 1_000_000
    assert not list(tmp_path.glob("*.tmp"))


def test_leaves_cache_untouched_when_already_correct(tmp_path: Path) -> None:
    tokens.configure_offline_vocabularies(tokenizer_dir(), tmp_path)
    cached = tmp_path / tokens.cache_file_name("cl100k_base")
    before = cached.stat().st_mtime_ns
    tokens.configure_offline_vocabularies(tokenizer_dir(), tmp_path)
    assert cached.stat().st_mtime_ns == before


def test_raises_vocabulary_error_when_vocabulary_file_is_missing(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "cl100k_base.tiktoken.gz").write_bytes(
        (tokenizer_dir() / "cl100k_base.tiktoken.gz").read_bytes()
    )
    with pytest.raises(
        tokens.VocabularyError, match=r"o200k_base\.tiktoken\.gz is missing"
    ) as info:
        tokens.configure_offline_vocabularies(vocab, tmp_path / "cache")
    assert "Reinstall" in info.value.user_message


def test_raises_vocabulary_error_when_vocabulary_file_is_corrupt(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "cl100k_base.tiktoken.gz").write_bytes(gzip.compress(b"not a vocabulary"))
    with pytest.raises(tokens.VocabularyError, match="cl100k_base"):
        tokens.configure_offline_vocabularies(vocab, tmp_path / "cache")


def test_raises_vocabulary_error_when_file_is_not_gzip(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab"
    vocab.mkdir()
    (vocab / "cl100k_base.tiktoken.gz").write_bytes(b"plain text")
    with pytest.raises(tokens.VocabularyError, match="cannot be read"):
        tokens.configure_offline_vocabularies(vocab, tmp_path / "cache")


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("gpt-4o-mini-2024-07-18", "o200k_base"),
        ("gpt-4o-2024-08-06", "o200k_base"),
        ("gpt-4.1-nano-2025-04-14", "o200k_base"),
        ("o4-mini-2025-04-16", "o200k_base"),
        ("o1", "o200k_base"),
        ("gpt-5-mini", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:acme:bot:9ABel2dg", "o200k_base"),
        ("ft:gpt-3.5-turbo-0125:acme::abc123", "cl100k_base"),
        ("gpt-3.5-turbo-1106", "cl100k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("babbage-002", "cl100k_base"),
        ("davinci-002", "cl100k_base"),
        ("some-unknown-model", "o200k_base"),
    ],
)
def test_picks_encoding_when_given_model_id(model_id: str, expected: str) -> None:
    assert tokens.encoding_name_for_model(model_id) == expected


def test_counts_zero_when_text_is_empty() -> None:
    assert tokens.count_tokens("", "o200k_base") == 0


def test_counts_special_token_text_as_ordinary_when_present() -> None:
    assert tokens.count_tokens("<|endoftext|>", "cl100k_base") > 1


def test_pieces_rejoin_to_text_when_characters_span_tokens() -> None:
    text = "naïve café — 你好世界 🎉👍🏽 done\n"
    for name in ("cl100k_base", "o200k_base"):
        pieces = tokens.split_into_tokens(text, name)
        assert "".join(pieces) == text
        assert all(pieces)
        assert len(pieces) <= tokens.count_tokens(text, name)


def test_groups_bytes_when_one_character_needs_several_tokens() -> None:
    pieces = tokens.split_into_tokens("🎉", "cl100k_base")
    assert pieces == ["🎉"]
    assert tokens.count_tokens("🎉", "cl100k_base") > 1


def test_splits_nothing_when_text_is_empty() -> None:
    assert tokens.split_into_tokens("", "o200k_base") == []


def test_chat_count_follows_cookbook_formula_when_name_present() -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "hello world", "name": "bob"},
        {"role": "assistant", "content": "Hi.", "weight": 1},
    ]
    count = tokens.count_tokens
    expected = 3 * 3 + 3 + 1  # per message, reply priming, one name
    for message in messages:
        for value in message.values():
            if isinstance(value, str):
                expected += count(value, "o200k_base")
    assert tokens.count_chat_tokens(messages, "o200k_base") == expected


def test_chat_count_is_reply_priming_when_no_messages() -> None:
    assert tokens.count_chat_tokens([], "cl100k_base") == 3


def test_raises_vocabulary_error_when_encoding_is_unknown() -> None:
    with pytest.raises(tokens.VocabularyError):
        tokens.get_encoding("no_such_encoding")
