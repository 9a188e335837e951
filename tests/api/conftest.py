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
