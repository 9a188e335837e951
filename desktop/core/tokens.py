"""Token counting with tiktoken, working offline from the vocabularies the app ships.

tiktoken normally downloads its vocabularies on first use. The app ships them gzipped and
pre-fills tiktoken's cache (``TIKTOKEN_CACHE_DIR``) with the uncompressed files, named the way
tiktoken names them and carrying the hash it expects, so tiktoken never reaches the network.

tiktoken itself is imported lazily, on the first encoding request: importing this module stays
cheap at start-up. Every public function is thread-safe.
"""

from __future__ import annotations

import gzip
import hashlib
import os
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

            try:
                encoding = tiktoken.get_encoding(name)
            except Exception as exc:  # tiktoken raises ValueError, OSError, requests errors...
                raise VocabularyError(f"cannot load encoding {name!r}: {exc}") from exc
            _encodings[name] = encoding
    return encoding


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
