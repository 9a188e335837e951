"""The request log: every exchange the emulator served, for tests to inspect."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["RecordedRequest", "RequestLog", "redact_headers"]

_SECRET_HEADERS = {"authorization": "Bearer ***", "api-key": "***"}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request and the answer it got.

    ``path`` has no query string; header names are lower-case, and credentials are redacted.
    ``status`` is 0 when the emulator dropped the connection without answering.
    ``response_json`` is the parsed JSON answer (None for streams, raw bytes and dropped ones);
    ``stream_events`` holds the parsed ``data:`` chunks of a streamed chat (filled as they go).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    response_json: object | None
    response_content_type: str
    stream_events: list[object] = field(default_factory=list)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Lower-case header names, with the API key replaced by asterisks."""
    redacted = {}
    for name, value in headers.items():
        key = name.lower()
        redacted[key] = _SECRET_HEADERS.get(key, value)
    return redacted


class RequestLog:
    """A thread-safe, append-only list of ``RecordedRequest``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, item: RecordedRequest) -> None:
        """Record one exchange."""
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the log, oldest first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every recorded exchange."""
        with self._lock:
            self._items.clear()
