"""What endpoint handlers receive and return, independent of the HTTP plumbing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from re import Match

from desktop.sandbox.clock import SimClock
from desktop.sandbox.errors import bad_request
from desktop.sandbox.faults import FaultGate, Faults
from desktop.sandbox.state import Store

__all__ = [
    "ApiRequest",
    "BytesResponse",
    "DropConnection",
    "Handler",
    "JsonResponse",
    "Response",
    "Service",
    "StreamResponse",
    "page_after",
    "query_limit",
]


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One API call: ``path`` is relative to the API root (``/files``, not ``/v1/files``).

    ``deployment`` is set for Azure-style ``/openai/deployments/{name}/...`` calls.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    deployment: str | None = None

    def json(self) -> dict[str, object]:
        """The body parsed as a JSON object.

        Raises:
            ApiError: 400 when the body is not a JSON object.
        """
        try:
            value = json.loads(self.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise bad_request(
                "We could not parse the JSON body of your request. (HINT: This likely means "
                "you aren't using your HTTP library correctly.)"
            ) from None
        if not isinstance(value, dict):
            raise bad_request("The request body must be a JSON object.")
        return value


@dataclass(frozen=True, slots=True)
class JsonResponse:
    """A JSON answer."""

    body: object
    status: int = 200


@dataclass(frozen=True, slots=True)
class BytesResponse:
    """A raw answer (file contents)."""

    body: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class StreamResponse:
    """A server-sent-events answer: ``events`` are JSON chunks; ``[DONE]`` is added after them.

    ``cut_after``: drop the connection after that many reply-text chunks (a cut stream).
    """

    events: list[dict[str, object]]
    delay: float
    cut_after: int | None = None


@dataclass(frozen=True, slots=True)
class DropConnection:
    """Close the connection without answering (a lost response)."""

    status: int = 0


Response = JsonResponse | BytesResponse | StreamResponse | DropConnection


@dataclass
class Service:
    """Shared state and settings for handlers. Handlers run with ``store.lock`` held."""

    store: Store
    clock: SimClock
    gate: FaultGate
    faults: Callable[[], Faults]
    time_scale: float
    stream_delay: float

    def now(self) -> float:
        """Simulated Unix time."""
        return self.clock.now()


Handler = Callable[[Service, ApiRequest, Match[str]], Response]


def query_limit(request: ApiRequest, *, default: int, maximum: int) -> int:
    """The ``limit`` query parameter, checked.

    Raises:
        ApiError: 400 when it is not an integer in 1..maximum.
    """
    raw = request.query.get("limit")
    if raw is None:
        return default
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= maximum:
        raise bad_request(f"Invalid limit: must be an integer from 1 to {maximum}.", param="limit")
    return limit


def page_after(ids: list[str], after: str | None, limit: int) -> tuple[list[str], bool]:
    """One page of ``ids`` (already in listing order) following the cursor ``after``.

    Args:
        ids: every id, in listing order.
        after: the last id of the previous page, or None for the first page.
        limit: page size.

    Returns:
        The page and whether more follow. An unknown cursor gives an empty page.
    """
    start = 0
    if after:
        start = ids.index(after) + 1 if after in ids else len(ids)
    page = ids[start : start + limit]
    return page, start + limit < len(ids)
