"""The "Test connection" button: one bounded request, explained in plain words."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from desktop.api.provider import Provider
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
    TimeoutFailedError,
)

_WRONG_ADDRESS = (
    "The address answered, but not like an OpenAI-compatible service. Check the base URL in "
    "Settings (it usually ends in /v1)."
)


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What a connection test found. ``error`` is set exactly when ``ok`` is False."""

    ok: bool
    title: str
    message: str
    model_count: int = 0
    fine_tunable_count: int = 0
    error: ApiError | None = None


async def check_connection(
    provider: Provider, *, fine_tunable: Callable[[str], bool], timeout: float = 15.0
) -> ConnectionReport:
    """List the connection's models and say, in plain words, whether the connection works.

    Args:
        provider: the connection to test.
        fine_tunable: tells whether a model id can be fine-tuned (from the model catalog).
        timeout: seconds for the whole test, retries included.

    Returns:
        A report; failures are described in it, never raised as ``ApiError``.
    """
    try:
        async with asyncio.timeout(timeout):
            models = await provider.list_models()
    except TimeoutError:
        error: ApiError = TimeoutFailedError(f"no answer within {timeout:g} s while listing models")
        return _failure(error)
    except ApiError as exc:
        return _failure(exc)
    count = len(models)
    tunable = sum(1 for m in models if fine_tunable(m.id))
    models_text = "1 model" if count == 1 else f"{count} models"
    tail = f"{tunable} can be fine-tuned." if tunable else "none can be fine-tuned."
    return ConnectionReport(
        ok=True,
        title="Connected",
        message=f"Connected. {models_text}, {tail}",
        model_count=count,
        fine_tunable_count=tunable,
    )


def _failure(error: ApiError) -> ConnectionReport:
    title, message = describe_failure(error)
    return ConnectionReport(ok=False, title=title, message=message, error=error)


def describe_failure(error: ApiError) -> tuple[str, str]:
    """A short title and one or two plain sentences for a failed connection test.

    Args:
        error: what the test request raised.

    Returns:
        ``(title, message)``.
    """
    if isinstance(error, AuthError):
        return "Key rejected", error.user_message
    if isinstance(error, FineTuningUnavailableError):
        return "Fine-tuning unavailable", error.user_message
    if isinstance(error, PermissionDeniedError):
        return (
            "No permission",
            "The key works, but it may not list models. Ask the account owner to give this "
            "key (or its project) access to models, or use another key.",
        )
    if isinstance(error, QuotaExceededError):
        return "Out of credit", error.user_message
    if isinstance(error, RateLimitedError):
        return "Busy", error.user_message
    if isinstance(error, TimeoutFailedError):
        return "No answer", error.user_message
    if isinstance(error, ConnectionFailedError):
        return "Can't reach the service", error.user_message
    if isinstance(error, NotFoundError):
        return "Wrong address?", _WRONG_ADDRESS
    if isinstance(error, ServerError):
        return "Service problem", error.user_message
    if isinstance(error, BadRequestError):
        return "Request refused", error.user_message
    return "Connection failed", error.user_message
