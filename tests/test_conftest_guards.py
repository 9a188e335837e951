"""The suite's own guards: stray ERROR logs fail a test, and only loopback can be reached."""

from __future__ import annotations

import logging
import socket

import pytest


def test_error_log_is_allowed_when_test_expects_it(
    expect_error_logs: list[logging.LogRecord],
) -> None:
    logging.getLogger("desktop.test").error("planned failure")

    assert [r.getMessage() for r in expect_error_logs] == ["planned failure"]


def test_connection_is_refused_when_address_is_not_loopback() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError, match="only loopback is allowed"):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    finally:
        sock.close()
