"""Turn SDK exceptions into the app's error hierarchy (``desktop.core.errors``).

Mapping is by exception CLASS and by the structured fields the SDK parsed from the error body
(``code``, ``type``, status, headers), never by reading the message text. The only text we
keep is the server's message, scrubbed of anything that looks like a key, as technical detail
(and, for 400-class answers, inside the user message, where it tells the user what to fix).

``openai`` is never imported here at module level: an SDK exception can only exist once the SDK
is loaded, so we look it up in ``sys.modules`` instead of importing it.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import re
import socket
import ssl
import sys
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from desktop.core.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConnectionFailedError,
    FineTuningUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    StreamInterruptedError,
    TimeoutFailedError,
)

if TYPE_CHECKING:
    import openai

FINE_TUNING_UNAVAILABLE_CODES: frozenset[str] = frozenset(
    {
        "fine_tuning_unavailable",
        "fine_tuning_not_available",
        "fine_tuning_disabled",
        "fine_tuning_not_allowed",
        "fine_tuning_access_denied",
        "fine_tuning_deprecated",
        "fine_tuning_platform_unavailable",
    }
)
"""Error ``code``/``type`` values meaning "this organization may not fine-tune any more".

OpenAI has not documented the code it sends since it began winding down self-serve
fine-tuning (May 2026: "no longer accessible to new users"); users report only a permission
error on ``jobs.create``. So we accept a small set of plausible codes, on a 403 from any call
and on a 400 from job creation. Add the real one here once it is known.
"""

QUOTA_CODES: frozenset[str] = frozenset({"insufficient_quota", "billing_hard_limit_reached"})
"""429 codes that mean "out of credit" rather than "too many requests right now"."""

CREATE_JOB = "create_job"
"""``operation`` name of job creation (where a refusal can mean fine-tuning is unavailable)."""

_MAX_SERVER_TEXT = 300

# "sk-abc***def", "sk-proj-…", and any token the server masked with asterisks.
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_\-*.]{2,}|\S*\*{3,}\S*")
_BEARER = re.compile(r"(?i)\b(bearer|api-key)\s*[:=]?\s*\S+")


def scrub_secrets(text: str, *, api_key: str | None = None) -> str:
    """Remove anything that looks like an API key from ``text``.

    Args:
        text: a message that may echo a key (the server says "Incorrect API key provided: sk-…").
        api_key: the key in use, removed verbatim too (Azure keys have no ``sk-`` prefix).

    Returns:
        The text with keys replaced by ``[redacted]``.
    """
    if api_key and len(api_key) >= 4:
        text = text.replace(api_key, "[redacted]")
    text = _BEARER.sub(lambda m: f"{m.group(1)} [redacted]", text)
    return _KEY_LIKE.sub("[redacted]", text)


def map_sdk_error(
    exc: BaseException, *, api_key: str | None = None, operation: str | None = None
) -> ApiError:
    """Translate an SDK (or transport) exception into the app's ``ApiError`` hierarchy.

    Args:
        exc: what the SDK raised. Exceptions the SDK does not raise become a plain ``ApiError``.
        api_key: the key in use, so it can be scrubbed from the technical detail.
        operation: what was being done (``CREATE_JOB`` enables the fine-tuning refusal check).

    Returns:
        The matching ``ApiError`` subclass carrying ``status_code``, ``request_id`` and ``code``.
    """
    if isinstance(exc, ApiError):
        return exc
    sdk = sys.modules.get("openai")
    if sdk is not None and isinstance(exc, sdk.APIStatusError):
        return _map_status_error(exc, api_key=api_key, operation=operation)
    if sdk is not None and isinstance(exc, sdk.APIConnectionError):
        return _map_connection_error(exc, api_key=api_key, operation=operation)
    if sdk is not None and isinstance(exc, sdk.APIError):
        # An error event inside a 200 stream, or a malformed response.
        return ApiError(
            _detail(exc, api_key=api_key, status=None, code=exc.code, request_id=None),
            code=exc.code,
        )
    if _is_transport_error(exc):
        return ConnectionFailedError(
            scrub_secrets(f"{type(exc).__name__}: {exc}", api_key=api_key),
            user_message=_connection_user_message(exc),
        )
    return ApiError(scrub_secrets(f"{type(exc).__name__}: {exc}", api_key=api_key))


def map_stream_error(exc: BaseException, *, api_key: str | None = None) -> ApiError:
    """Map an error raised while iterating an already-open stream.

    A broken connection, a timeout between chunks or an error event all mean the reply was cut
    off part-way, so they become ``StreamInterruptedError``; HTTP status errors keep their
    usual mapping.

    Args:
        exc: what the SDK (or transport) raised during iteration.
        api_key: the key in use, scrubbed from the detail.

    Returns:
        The mapped error.
    """
    sdk = sys.modules.get("openai")
    interrupted = _is_transport_error(exc)
    if sdk is not None and isinstance(exc, sdk.APIError):
        interrupted = not isinstance(exc, sdk.APIStatusError)
    if not interrupted:
        return map_sdk_error(exc, api_key=api_key)
    mapped = map_sdk_error(exc, api_key=api_key)
    return StreamInterruptedError(
        f"stream interrupted: {mapped.detail}",
        status_code=mapped.status_code,
        request_id=mapped.request_id,
        code=mapped.code,
    )


def is_sdk_error(exc: BaseException) -> bool:
    """Whether ``exc`` is something ``map_sdk_error`` knows how to explain."""
    sdk = sys.modules.get("openai")
    return (sdk is not None and isinstance(exc, sdk.OpenAIError)) or _is_transport_error(exc)


@contextlib.contextmanager
def sdk_errors(*, api_key: str | None = None, operation: str | None = None) -> Iterator[None]:
    """Re-raise SDK exceptions from the block as mapped ``ApiError``s.

    The original exception is not chained (``from None``): its text may echo part of the key.
    Anything that is not an SDK error (a bug, ``CancelledError``) passes through untouched.

    Args:
        api_key: the key in use, scrubbed from details.
        operation: see ``map_sdk_error``.

    Raises:
        ApiError: the mapped error.
    """
    try:
        yield
    except Exception as exc:
        if not is_sdk_error(exc):
            raise
        raise map_sdk_error(exc, api_key=api_key, operation=operation) from None


# --------------------------------------------------------------------------- status errors


def _map_status_error(
    exc: openai.APIStatusError, *, api_key: str | None, operation: str | None
) -> ApiError:
    import openai

    status = exc.status_code
    code = _error_code(exc)
    request_id = exc.request_id
    detail = _detail(exc, api_key=api_key, status=status, code=code, request_id=request_id)
    common: dict[str, Any] = {"status_code": status, "request_id": request_id, "code": code}
    server_text = _server_message(exc, api_key=api_key)
    codes = {c for c in (code, _error_type(exc)) if c}

    if isinstance(exc, openai.AuthenticationError):
        return AuthError(detail, **common)
    if codes & FINE_TUNING_UNAVAILABLE_CODES and (
        isinstance(exc, openai.PermissionDeniedError)
        or (operation == CREATE_JOB and isinstance(exc, openai.BadRequestError))
    ):
        return FineTuningUnavailableError(detail, **common)
    if isinstance(exc, openai.PermissionDeniedError):
        return PermissionDeniedError(detail, **common)
    if isinstance(exc, openai.RateLimitError):
        if codes & QUOTA_CODES:
            return QuotaExceededError(detail, **common)
        retry_after = retry_after_seconds(exc.response.headers)
        return RateLimitedError(
            detail,
            user_message=_rate_limited_message(retry_after),
            retry_after=retry_after,
            **common,
        )
    if isinstance(exc, openai.NotFoundError):
        return NotFoundError(detail, **common)
    if isinstance(
        exc, openai.BadRequestError | openai.UnprocessableEntityError | openai.ConflictError
    ):
        message = f"The service said: {server_text}" if server_text else None
        return BadRequestError(detail, user_message=message, **common)
    if isinstance(exc, openai.InternalServerError) or status >= 500:
        return ServerError(detail, **common)
    if status == 408:
        return TimeoutFailedError(detail, **common)
    return ApiError(detail, **common)


def _error_code(exc: openai.APIError) -> str | None:
    if exc.code:
        return str(exc.code)
    body = exc.body
    if isinstance(body, Mapping) and body.get("code") is not None:
        return str(body["code"])
    return None


def _error_type(exc: openai.APIError) -> str | None:
    value = getattr(exc, "type", None)
    return value if isinstance(value, str) and value else None


def _server_message(exc: openai.APIError, *, api_key: str | None) -> str:
    body = exc.body
    text = body.get("message") if isinstance(body, Mapping) else None
    if not isinstance(text, str) or not text.strip():
        return ""
    text = scrub_secrets(" ".join(text.split()), api_key=api_key)
    if len(text) > _MAX_SERVER_TEXT:
        text = text[: _MAX_SERVER_TEXT - 1] + "…"
    return text


def _detail(
    exc: openai.APIError,
    *,
    api_key: str | None,
    status: int | None,
    code: str | None,
    request_id: str | None,
) -> str:
    facts = [f"HTTP {status}" if status is not None else None]
    facts += [f"code={code}" if code else None, f"request_id={request_id}" if request_id else None]
    where = ", ".join(f for f in facts if f)
    text = _server_message(exc, api_key=api_key) or scrub_secrets(exc.message, api_key=api_key)
    head = f"{type(exc).__name__} ({where})" if where else type(exc).__name__
    return f"{head}: {text}"


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``retry-after``.

    Args:
        headers: the response headers (case-insensitive mapping).

    Returns:
        The delay, or None when the server gave none (or gave nonsense).
    """
    with contextlib.suppress(TypeError, ValueError):
        millis = headers.get("retry-after-ms")
        if millis is not None:
            return max(0.0, float(millis) / 1000.0)
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _rate_limited_message(retry_after: float | None) -> str | None:
    if retry_after is None or retry_after <= 0:
        return None
    seconds = max(1, round(retry_after))
    unit = "second" if seconds == 1 else "seconds"
    return f"The service is busy (too many requests). Wait {seconds} {unit} and try again."


# --------------------------------------------------------------------------- connection errors

_DNS_MESSAGE = (
    "The server name could not be found. Check the address in Settings and that this computer "
    "is online."
)
_TLS_MESSAGE = (
    "A secure connection could not be set up (certificate problem). Check the address in "
    "Settings; on a company network, ask IT whether a proxy intercepts HTTPS."
)
_MAYBE_CREATED_MESSAGE = (
    "The connection broke while the job was being started, so it may have started anyway. "
    "Refresh the job list before trying again."
)
_REFUSED_MESSAGE = (
    "The server refused the connection. Check the address and port in Settings and that the "
    "service is running."
)


def _map_connection_error(
    exc: openai.APIConnectionError, *, api_key: str | None, operation: str | None
) -> ApiError:
    import openai

    root = _root_causes(exc)
    names = ", ".join(sorted({type(e).__name__ for e in root if e is not exc}))
    detail = scrub_secrets(
        f"{type(exc).__name__}: {exc.message}" + (f" (caused by {names})" if names else ""),
        api_key=api_key,
    )
    message = _connection_user_message(exc)
    if message is None and operation == CREATE_JOB:
        # The request may have reached the service before the answer was lost: a blind
        # "try again" could start the same job twice.
        message = _MAYBE_CREATED_MESSAGE
    if isinstance(exc, openai.APITimeoutError):
        return TimeoutFailedError(detail, user_message=message)
    return ConnectionFailedError(detail, user_message=message)


def _connection_user_message(exc: BaseException) -> str | None:
    causes = _root_causes(exc)
    if any(isinstance(e, ssl.SSLError) for e in causes):
        return _TLS_MESSAGE
    if any(isinstance(e, socket.gaierror) for e in causes):
        return _DNS_MESSAGE
    if any(
        isinstance(e, ConnectionRefusedError)
        or (isinstance(e, OSError) and e.errno == errno.ECONNREFUSED)
        for e in causes
    ):
        return _REFUSED_MESSAGE
    return None


def _root_causes(exc: BaseException) -> list[BaseException]:
    """Every exception reachable through ``__cause__``, ``__context__`` and exception groups."""
    seen: list[BaseException] = []
    pending = [exc]
    while pending and len(seen) < 50:
        current = pending.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
    return seen


def _is_transport_error(exc: BaseException) -> bool:
    """An ``httpx2`` transport error (e.g. ``RemoteProtocolError``) the SDK let through."""
    transport = sys.modules.get("httpx2")
    return transport is not None and isinstance(exc, transport.TransportError)
