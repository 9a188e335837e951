"""Pure helpers of the error mapping: scrubbing keys, reading Retry-After."""

from __future__ import annotations

import email.utils
import time

import pytest

from desktop.api.errors import map_sdk_error, retry_after_seconds, scrub_secrets
from desktop.core.errors import ApiError


@pytest.mark.parametrize(
    "text",
    [
        "Incorrect API key provided: sk-abc***wxyz. You can find your API key at ...",
        "Incorrect API key provided: sk-proj-AbC_12-xyz",
        "Incorrect API key provided: 0123************cdef.",
        "header Authorization: Bearer sk-live-123456",
    ],
)
def test_scrub_secrets_removes_key_like_tokens(text: str) -> None:
    cleaned = scrub_secrets(text)
    assert "sk-" not in cleaned
    assert "***" not in cleaned
    assert "123456" not in cleaned
    assert "[redacted]" in cleaned


def test_scrub_secrets_removes_the_actual_key_even_without_prefix() -> None:
    key = "0123456789abcdef0123456789abcdef"
    assert key not in scrub_secrets(f"bad key {key} here", api_key=key)


def test_scrub_secrets_leaves_ordinary_text_alone() -> None:
    text = "Invalid file format for fine-tuning: line 3 has no 'messages'."
    assert scrub_secrets(text) == text


def test_retry_after_prefers_milliseconds_header() -> None:
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "1"}) == 0.25


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    parsed = retry_after_seconds({"retry-after": future})
    assert parsed is not None and 25 <= parsed <= 31
    assert retry_after_seconds({"retry-after": "whenever"}) is None
    assert retry_after_seconds({}) is None


def test_map_sdk_error_keeps_app_errors_and_wraps_unknown_ones() -> None:
    mine = ApiError("x")
    assert map_sdk_error(mine) is mine
    wrapped = map_sdk_error(ValueError("sk-abcdef123 leaked"))
    assert type(wrapped) is ApiError
    assert "sk-abcdef123" not in str(wrapped)


def _raised_from(cause: BaseException) -> BaseException:
    import httpx2

    try:
        try:
            raise cause
        except BaseException as inner:
            raise httpx2.ConnectError("connect failed") from inner
    except httpx2.ConnectError as outer:
        return outer


def test_dns_failure_in_the_cause_chain_gets_a_server_name_message() -> None:
    import socket

    error = map_sdk_error(_raised_from(socket.gaierror(-2, "Name or service not known")))
    assert "server name could not be found" in error.user_message


def test_certificate_failure_in_the_cause_chain_gets_a_secure_connection_message() -> None:
    import ssl

    error = map_sdk_error(_raised_from(ssl.SSLCertVerificationError("certificate verify failed")))
    assert "secure connection" in error.user_message


def test_refusal_inside_an_exception_group_is_found() -> None:
    group = ExceptionGroup("all attempts failed", [ConnectionRefusedError(111, "refused")])
    assert "refused" in map_sdk_error(_raised_from(group)).user_message
