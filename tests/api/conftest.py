"""Fixtures for the API tests: a provider pointed at the built-in emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import demo_profile


@pytest.fixture
def api_client(emulator: Any) -> Iterator[OpenAIProvider]:
    """Our provider for the Demo profile, at ``emulator.base_url``, without SDK retries.

    Use it inside one ``support.run(...)`` (which closes it); it is closed here otherwise.
    """
    provider = create_provider(
        demo_profile(), api_key=None, base_url=emulator.base_url, max_retries=0, timeout=10.0
    )
    yield provider
    if not provider.is_closed:
        asyncio.run(provider.aclose())


@pytest.fixture(scope="module")
def strict_emulator() -> Iterator[Any]:
    """An emulator that accepts only the key ``sk-good`` (401 for any other)."""
    from desktop.sandbox import Emulator

    server = Emulator(fast=True, api_keys={"sk-good"}).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def closed_port() -> int:
    """A localhost port with nothing listening on it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
