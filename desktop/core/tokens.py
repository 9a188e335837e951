"""Token counting with tiktoken, working offline from the vocabularies the app ships.

tiktoken normally downloads its vocabularies on first use. The app ships them gzipped and
pre-fills tiktoken's cache (``TIKTOKEN_CACHE_DIR``) with the uncompressed files, named the way
tiktoken names them and carrying the hash it expects, so tiktoken never reaches the network.

tiktoken itself is imported lazily, on the first encoding request: importing this module stays
cheap at start-up. Every public function is thread-safe.

Loading an encoding the usual way parses its vocabulary (200,000 base64 lines for o200k_base,
~0.14 s); each dataset-check worker process pays that again. So the first load also writes the
parsed vocabulary, in ``marshal`` form with a checksum, beside tiktoken's cached file
(``<name>-<key>.ranks``, the key covering the vocabulary's hash, tiktoken's and Python's
versions); later loads, in any process, read that instead (~0.03 s). A missing, stale or
damaged file is ignored (and rewritten): the tokens counted are the same either way.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import marshal
import os
import sys
import threading
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.errors import FileSaveError, FinetuneError
from desktop.core.files import write_via_temp

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "DEFAULT_ENCODING",
    "EXPECTED_SHA256",
    "VocabularyError",
    "cache_file_name",
    "configure_offline_vocabularies",
    "count_chat_tokens",
    "count_tokens",
    "encoding_name_for_model",
    "get_encoding",
    "split_into_tokens",
]

DEFAULT_ENCODING = "o200k_base"

# tiktoken's own ``expected_hash`` values (tiktoken_ext/openai_public.py), uncompressed files.
EXPECTED_SHA256: Mapping[str, str] = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

_DOWNLOAD_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"

# Per message: <|im_start|>, role separator, <|im_end|>; plus 3 to prime the reply (cookbook).
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_REPLY_PRIMING_TOKENS = 3

_FAST_SUFFIX = ".ranks"
_DIGEST_SIZE = 32  # sha256 of the marshalled vocabulary, stored before it
_MIN_RANKS = 1000  # fewer ranks than this: not a real vocabulary (e.g. dropped by a worker)

_log = logging.getLogger(__name__)

_configure_lock = threading.Lock()
_encoding_lock = threading.Lock()
_encodings: dict[str, tiktoken.Encoding] = {}


class VocabularyError(FinetuneError):
    """A shipped tokenizer vocabulary is missing or damaged (a broken installation)."""

    default_user_message = (
        "The app's tokenizer files are missing or damaged, so tokens cannot be counted. "
        "Reinstall Finetune Studio."
    )


def cache_file_name(encoding_name: str) -> str:
    """The file name tiktoken looks for in its cache: sha1 of the vocabulary's download URL.

    Args:
        encoding_name: e.g. ``"o200k_base"``.

    Returns:
        The 40-character hex digest used as the cache file name.
    """
    url = _DOWNLOAD_URL.format(name=encoding_name)
    return hashlib.sha1(url.encode()).hexdigest()


def _file_has_hash(path: Path, expected: str) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == expected


def _read_vocabulary(source: Path, name: str, expected: str) -> bytes:
    try:
        data = gzip.decompress(source.read_bytes())
    except FileNotFoundError as exc:
        raise VocabularyError(f"tokenizer vocabulary {source} is missing") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise VocabularyError(f"tokenizer vocabulary {source} cannot be read: {exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise VocabularyError(
            f"tokenizer vocabulary {source} for {name} has sha256 {actual}, expected {expected}"
        )
    return data


def configure_offline_vocabularies(vocab_dir: Path, cache_dir: Path) -> None:
    """Install the shipped vocabularies into tiktoken's cache and point tiktoken at it.

    For every known encoding, ``vocab_dir/<name>.tiktoken.gz`` is checked against tiktoken's
    expected hash and written uncompressed to ``cache_dir/<sha1 of download URL>`` (atomically),
    unless a correct file is already there. Then ``TIKTOKEN_CACHE_DIR`` is set to ``cache_dir``.
    Idempotent and thread-safe.

    Args:
        vocab_dir: folder with ``cl100k_base.tiktoken.gz`` and ``o200k_base.tiktoken.gz``.
        cache_dir: folder for tiktoken's cache; created if missing.

    Raises:
        VocabularyError: a vocabulary file is missing, unreadable or has the wrong hash, or the
            cache folder cannot be written.
    """
    with _configure_lock:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VocabularyError(f"cannot create tokenizer cache {cache_dir}: {exc}") from exc
        for name, expected in EXPECTED_SHA256.items():
            target = cache_dir / cache_file_name(name)
            if _file_has_hash(target, expected):
                continue
            data = _read_vocabulary(vocab_dir / f"{name}.tiktoken.gz", name, expected)
            try:
                write_via_temp(target, [data])
            except FileSaveError as exc:
                raise VocabularyError(f"cannot write tokenizer cache {target}: {exc}") from exc
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)


def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding called ``name``, loaded once and shared (thread-safe).

    Call :func:`configure_offline_vocabularies` first, or tiktoken will try to download.

    Args:
        name: ``"o200k_base"`` or ``"cl100k_base"`` (any name tiktoken knows works).

    Returns:
        The encoding.

    Raises:
        VocabularyError: the encoding cannot be loaded (unknown name, no vocabulary).
    """
    encoding = _encodings.get(name)
    if encoding is not None:
        return encoding
    with _encoding_lock:
        encoding = _encodings.get(name)
        if encoding is None:
            import tiktoken  # lazy: keeps start-up fast

            fast = _fast_vocabulary_path(name, tiktoken.__version__)
            encoding = _load_fast(name, fast) if fast is not None else None
            if encoding is None:
                try:
                    encoding = tiktoken.get_encoding(name)
                except Exception as exc:  # tiktoken raises ValueError, OSError, requests errors
                    raise VocabularyError(f"cannot load encoding {name!r}: {exc}") from exc
                if fast is not None:
                    _save_fast(encoding, fast)
            _encodings[name] = encoding
    return encoding


def _fast_vocabulary_path(name: str, tiktoken_version: str) -> Path | None:
    """Where the parsed vocabulary of ``name`` is kept (None: no offline cache, or a name
    whose vocabulary the app does not ship)."""
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR")
    expected = EXPECTED_SHA256.get(name)
    if not cache_dir or expected is None:
        return None
    versions = f"{expected}|{tiktoken_version}|{marshal.version}|{sys.version_info[:2]}"
    key = hashlib.sha256(versions.encode()).hexdigest()[:16]
    return Path(cache_dir) / f"{name}-{key}{_FAST_SUFFIX}"


def _load_fast(name: str, path: Path) -> tiktoken.Encoding | None:
    """The encoding built from its parsed vocabulary at ``path``; None when that file is
    missing or not exactly what :func:`_save_fast` wrote."""
    import tiktoken

    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest, payload = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        state = marshal.loads(payload)
        if not _is_encoding_state(state, name):
            return None
        return tiktoken.Encoding(**state)
    except Exception as exc:  # a file from another tiktoken that slipped through: rebuild
        _log.debug("ignoring parsed vocabulary %s: %s", path, exc)
        return None


def _is_encoding_state(state: object, name: str) -> bool:
    if not isinstance(state, dict) or set(state) != {
        "name",
        "pat_str",
        "special_tokens",
        "mergeable_ranks",
    }:
        return False
    ranks = state["mergeable_ranks"]
    return (
        state["name"] == name
        and isinstance(state["pat_str"], str)
        and isinstance(state["special_tokens"], dict)
        and isinstance(ranks, dict)
        and len(ranks) >= _MIN_RANKS
    )


def _save_fast(encoding: tiktoken.Encoding, path: Path) -> None:
    """Keep ``encoding``'s parsed vocabulary at ``path`` for the next load (best effort: a
    read-only cache only means slower loads)."""
    # tiktoken's own pickling state (``Encoding.__getstate__``) holds these same four fields.
    state = {
        "name": encoding.name,
        "pat_str": encoding._pat_str,
        "special_tokens": encoding._special_tokens,
        "mergeable_ranks": encoding._mergeable_ranks,
    }
    if not _is_encoding_state(state, encoding.name):
        return
    payload = marshal.dumps(state)
    try:
        write_via_temp(path, [hashlib.sha256(payload).digest(), payload])
    except FinetuneError as exc:
        _log.debug("cannot keep the parsed vocabulary %s: %s", path, exc)
        return
    for stale in path.parent.glob(f"{encoding.name}-*{_FAST_SUFFIX}"):
        if stale != path:
            with contextlib.suppress(OSError):
                stale.unlink()


_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")
_CL100K_PREFIXES = ("gpt-3.5", "gpt-35", "gpt-4", "babbage-002", "davinci-002")
_CL100K_EMBEDDINGS = ("text-embedding-ada-002", "text-embedding-3")


def encoding_name_for_model(model_id: str) -> str:
    """The encoding a model uses; ``ft:<base>:...`` ids follow their base model.

    Args:
        model_id: a model id or snapshot, e.g. ``"gpt-4o-mini-2024-07-18"``.

    Returns:
        ``"o200k_base"`` or ``"cl100k_base"``; unknown models get ``"o200k_base"``.
    """
    model = model_id.strip().lower()
    if model.startswith("ft:"):
        model = model.split(":")[1]
    if model.startswith(_O200K_PREFIXES):
        return "o200k_base"
    if model.startswith(_CL100K_PREFIXES) or model.startswith(_CL100K_EMBEDDINGS):
        return "cl100k_base"
    return DEFAULT_ENCODING


def count_tokens(text: str, encoding_name: str) -> int:
    """Number of tokens in ``text``, special-token text counted as ordinary text.

    Args:
        text: any text.
        encoding_name: e.g. ``"o200k_base"``.

    Returns:
        The token count.

    Raises:
        VocabularyError: the encoding cannot be loaded.
    """
    if not text:
        return 0
    return len(get_encoding(encoding_name).encode_ordinary(text))


def split_into_tokens(text: str, encoding_name: str) -> list[str]:
    """Split ``text`` into token-sized pieces that concatenate back to ``text``.

    A character whose bytes span several tokens is kept whole in one piece, so pieces are
    always valid text (used to stream a reply piece by piece).

    Args:
        text: any text.
        encoding_name: e.g. ``"o200k_base"``.

    Returns:
        The pieces, in order; ``[]`` for empty text.

    Raises:
        VocabularyError: the encoding cannot be loaded.
    """
    if not text:
        return []
    encoding = get_encoding(encoding_name)
    pieces: list[str] = []
    pending = b""
    for token in encoding.encode_ordinary(text):
        pending += encoding.decode_single_token_bytes(token)
        try:
            piece = pending.decode("utf-8")
        except UnicodeDecodeError:
            continue  # a multi-byte character continues in the next token
        pieces.append(piece)
        pending = b""
    if pending:  # only for text with lone surrogates, which cannot round-trip anyway
        pieces.append(pending.decode("utf-8", errors="replace"))
    return pieces


def count_chat_tokens(messages: Sequence[Mapping[str, object]], encoding_name: str) -> int:
    """Estimate the tokens of a chat example with the OpenAI cookbook's formula.

    3 tokens per message, plus the tokens of every string-valued field of each message, plus 1
    per ``name`` field, plus 3 to prime the reply. It is an estimate, not the service's count.

    Args:
        messages: chat messages as mappings (``role``, ``content``, optional ``name``...).
        encoding_name: e.g. ``"o200k_base"``.

    Returns:
        The estimated token count.

    Raises:
        VocabularyError: the encoding cannot be loaded.
    """
    encoding = get_encoding(encoding_name)
    total = 0
    for message in messages:
        total += _TOKENS_PER_MESSAGE
        for key, value in message.items():
            if isinstance(value, str):
                total += len(encoding.encode_ordinary(value))
            if key == "name":
                total += _TOKENS_PER_NAME
    return total + _REPLY_PRIMING_TOKENS
