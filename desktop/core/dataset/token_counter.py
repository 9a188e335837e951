"""Token counts of a dataset's strings, with a cache for the strings that repeat.

Training files repeat some strings in nearly every example (the system prompt, tool
definitions, stock replies); counting each once saves a large share of the tokenizer's work.
Counts are exact: the cache only remembers what ``encode_ordinary`` returned.
"""

from __future__ import annotations

from desktop.core import tokens

__all__ = ["TokenCounter"]

# Only strings up to this length are remembered (long replies rarely repeat), and the cache
# is emptied once it holds this many characters, which bounds its memory to about 1-4 MB.
_MAX_CACHED_LENGTH = 20_000
_MAX_CACHED_CHARS = 1_000_000


class TokenCounter:
    """Counts tokens of strings with one encoding, remembering repeated strings.

    Not thread-safe: use one per thread or process.
    """

    __slots__ = ("_cache", "_cached_chars", "_encode", "encoding_name", "lookup")

    def __init__(self, encoding_name: str) -> None:
        """Load the encoding (see :func:`desktop.core.tokens.get_encoding`).

        Args:
            encoding_name: e.g. ``"o200k_base"``.

        Raises:
            VocabularyError: the encoding cannot be loaded.
        """
        self.encoding_name = encoding_name
        self._encode = tokens.get_encoding(encoding_name).encode_ordinary
        self._cache: dict[str, int] = {}
        self._cached_chars = 0
        # ``lookup(text)`` is the cached count or None: a hot loop can try it before calling
        # :meth:`count`, saving a Python call for the strings that repeat.
        self.lookup = self._cache.get

    def count(self, text: str) -> int:
        """Number of tokens of ``text``, special-token text counted as ordinary text."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        count = len(self._encode(text)) if text else 0
        size = len(text)
        if size <= _MAX_CACHED_LENGTH:
            if self._cached_chars + size > _MAX_CACHED_CHARS:
                self._cache.clear()  # in place: ``lookup`` stays bound to it
                self._cached_chars = 0
            self._cache[text] = count
            self._cached_chars += size
        return count
