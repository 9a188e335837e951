"""Helpers for the API tests: run a scenario on a fresh loop, make training files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from desktop.api.openai_provider import OpenAIProvider

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T], *closing: OpenAIProvider) -> T:
    """Run ``coro`` on a fresh event loop, then close ``closing`` providers on that same loop.

    The SDK's HTTP client belongs to the loop it first ran on, so a provider must be used and
    closed inside one ``asyncio.run``.
    """

    async def main() -> T:
        try:
            return await coro
        finally:
            for provider in closing:
                await provider.aclose()

    return asyncio.run(main())


def chat_line(i: int) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You answer in one short sentence."},
            {"role": "user", "content": f"What is {i} plus {i}?"},
            {"role": "assistant", "content": f"{i} plus {i} is {2 * i}."},
        ]
    }


def write_training_file(folder: Path, *, examples: int = 12, name: str = "train.jsonl") -> Path:
    """A valid chat fine-tuning file with ``examples`` lines."""
    path = folder / name
    path.write_text("".join(json.dumps(chat_line(i)) + "\n" for i in range(examples)))
    return path
