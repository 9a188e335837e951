"""API keys and Azure-style clients."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import openai
import pytest

from desktop.sandbox import Emulator
from tests.helpers.contract import check_exchanges

pytestmark = pytest.mark.integration


def _get_without_key(url: str) -> tuple[int, dict[str, object]]:
    try:
        urllib.request.urlopen(url, timeout=5)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    raise AssertionError("expected an HTTP error")


def test_answers_401_invalid_api_key_when_no_key_is_sent(emulator: Emulator) -> None:
    status, body = _get_without_key(f"{emulator.base_url}/models")

    assert status == 401
    assert body["error"]["code"] == "invalid_api_key"  # type: ignore[index]
    assert "didn't provide an API key" in body["error"]["message"]  # type: ignore[index]


def test_raises_authentication_error_when_key_is_not_accepted() -> None:
    with (
        Emulator(fast=True, api_keys={"sk-right"}) as emulator,
        openai.OpenAI(base_url=emulator.base_url, api_key="sk-wrong-key", max_retries=0) as sdk,
    ):
        with pytest.raises(openai.AuthenticationError) as caught:
            sdk.models.list()
        assert check_exchanges(emulator.requests) == []

    assert caught.value.code == "invalid_api_key"
    assert "Incorrect API key provided" in caught.value.message
    assert "sk-wrong-key" not in caught.value.message


def test_serves_request_when_key_is_accepted() -> None:
    with (
        Emulator(fast=True, api_keys={"sk-right"}) as emulator,
        openai.OpenAI(base_url=emulator.base_url, api_key="sk-right", max_retries=0) as sdk,
    ):
        assert sdk.models.list().data


def test_answers_404_in_error_envelope_when_path_is_unknown(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.get("/nothing/here", cast_to=object)

    assert "Invalid URL" in caught.value.message


def _azure(emulator: Emulator) -> openai.AsyncAzureOpenAI:
    return openai.AsyncAzureOpenAI(
        azure_endpoint=f"http://127.0.0.1:{emulator.port}",
        api_version="2024-10-21",
        api_key="azure-key",
        max_retries=0,
    )


def test_lists_models_when_client_is_azure(emulator: Emulator) -> None:
    async def scenario() -> list[str]:
        async with _azure(emulator) as azure:
            return [m.id async for m in azure.models.list()]

    ids = asyncio.run(scenario())

    assert "gpt-4o-mini-2024-07-18" in ids
    record = emulator.requests[-1]
    assert record.path == "/openai/models"
    assert record.query["api-version"] == "2024-10-21"
    assert record.headers["api-key"] == "***"


def test_streams_chat_from_deployment_when_client_is_azure(emulator: Emulator) -> None:
    async def scenario() -> str:
        async with _azure(emulator) as azure:
            stream = await azure.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "Hi there"}],
                stream=True,
            )
            return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    text = asyncio.run(scenario())

    assert "simulated" in text.lower()
    assert emulator.requests[-1].path == "/openai/deployments/gpt-4o-mini/chat/completions"
