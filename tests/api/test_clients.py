"""Client factory: settings per connection kind, missing keys, lazy SDK import."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from desktop.api.clients import client_factory, create_provider
from desktop.core.connections import ConnectionKind, ConnectionProfile, demo_profile
from desktop.core.errors import AuthError, ConnectionFailedError


def _close(client: object) -> None:
    asyncio.run(client.close())  # type: ignore[attr-defined]


def test_importing_the_api_layer_does_not_import_openai_when_the_app_starts() -> None:
    code = (
        "import sys\n"
        "import desktop.api.clients, desktop.api.connection, desktop.api.connection_check\n"
        "import desktop.api.errors, desktop.api.retries, desktop.api.openai_provider\n"
        "from desktop.api.clients import create_provider\n"
        "from desktop.core.connections import demo_profile\n"
        "p = create_provider(demo_profile(), api_key=None, base_url='http://127.0.0.1:9/v1')\n"
        "print(sorted(m for m in ('openai', 'httpx2') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_create_provider_raises_auth_error_when_an_openai_key_is_missing() -> None:
    profile = ConnectionProfile(id="p1", name="Work", kind=ConnectionKind.OPENAI)
    with pytest.raises(AuthError) as caught:
        create_provider(profile, api_key=None)
    assert "Settings" in caught.value.user_message
    assert "Work" in caught.value.user_message


def test_create_provider_raises_when_the_demo_has_no_emulator_address() -> None:
    with pytest.raises(ConnectionFailedError):
        create_provider(demo_profile(), api_key=None)


def test_openai_client_gets_organization_project_and_bounded_timeout() -> None:
    import httpx2
    from openai import AsyncAzureOpenAI, AsyncOpenAI

    profile = ConnectionProfile(
        id="p1", name="Work", kind=ConnectionKind.OPENAI, organization="org-1", project=""
    )
    client = client_factory(profile, api_key="sk-test-123456", timeout=30.0, max_retries=5)()
    try:
        assert isinstance(client, AsyncOpenAI)
        assert not isinstance(client, AsyncAzureOpenAI)
        assert client.organization == "org-1"
        assert client.max_retries == 5
        assert client.timeout == httpx2.Timeout(30.0, connect=10.0)
    finally:
        _close(client)


def test_openai_client_ignores_base_url_from_environment_when_profile_has_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/elsewhere")
    profile = ConnectionProfile(id="p1", name="Work", kind=ConnectionKind.OPENAI)
    client = client_factory(profile, api_key="sk-test-123456")()
    try:
        assert str(client.base_url).startswith("https://api.openai.com/v1")
    finally:
        _close(client)


def test_compatible_client_uses_the_profile_base_url() -> None:
    profile = ConnectionProfile(
        id="p2", name="Local", kind=ConnectionKind.COMPATIBLE, base_url="http://127.0.0.1:8000/v1"
    )
    client = client_factory(profile, api_key="anything")()
    try:
        assert str(client.base_url).startswith("http://127.0.0.1:8000/v1")
    finally:
        _close(client)


def test_azure_client_uses_endpoint_and_api_version() -> None:
    from openai import AsyncAzureOpenAI

    profile = ConnectionProfile(
        id="p3",
        name="Contoso",
        kind=ConnectionKind.AZURE,
        azure_endpoint="https://contoso.openai.azure.com",
        api_version="2025-04-01-preview",
    )
    provider = create_provider(profile, api_key="0123456789abcdef0123456789abcdef")
    assert provider.is_azure
    client = client_factory(profile, api_key="0123456789abcdef0123456789abcdef")()
    try:
        assert isinstance(client, AsyncAzureOpenAI)
        assert "contoso.openai.azure.com" in str(client.base_url)
        assert client._api_version == "2025-04-01-preview"
    finally:
        _close(client)


def test_provider_repr_never_shows_the_key() -> None:
    profile = ConnectionProfile(id="p1", name="Work", kind=ConnectionKind.OPENAI)
    provider = create_provider(profile, api_key="sk-very-secret-key-0042")
    assert "secret" not in repr(provider)
    assert "0042" not in repr(provider)


def test_openai_provider_satisfies_the_provider_protocol() -> None:
    from desktop.api.provider import Provider

    provider = create_provider(demo_profile(), api_key=None, base_url="http://127.0.0.1:9/v1")
    assert isinstance(provider, Provider)
