"""Fixtures for the emulator's tests: an SDK client on the shared, per-test reset emulator."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from desktop.sandbox import Emulator


@pytest.fixture
def client(emulator: Emulator) -> Iterator[openai.OpenAI]:
    """A synchronous SDK client on the emulator, without retries."""
    with openai.OpenAI(base_url=emulator.base_url, api_key="sk-test", max_retries=0) as sdk:
        yield sdk
