"""Build SDK clients and providers from connection profiles.

Nothing here imports ``openai`` (or ``httpx2``) at module level: ``client_factory`` returns a
function that imports and builds the client when the provider sends its first request, so the
GUI can create providers at start-up for free (``import openai`` costs ~0.4 s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.api.defaults import DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import ConnectionKind, ConnectionProfile
from desktop.core.errors import AuthError, ConnectionFailedError

if TYPE_CHECKING:
    from openai import AsyncOpenAI

ClientFactory = Callable[[], "AsyncOpenAI"]

OPENAI_BASE_URL = "https://api.openai.com/v1"

DEMO_API_KEY = "demo"
"""The emulator accepts any key; the SDK insists on having one."""


_MISSING_KEY_MESSAGE = (
    "No API key is saved for this connection. Open Settings, paste the key for “{name}” "
    "and save it."
)


def client_factory(
    profile: ConnectionProfile,
    *,
    api_key: str | None,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> ClientFactory:
    """Check the settings now, and return a function that builds the SDK client later.

    Args:
        profile: the connection to talk to.
        api_key: the key from the keychain (ignored for the Demo).
        base_url: overrides the profile's address (the app passes the emulator's URL for the Demo).
        timeout: seconds for each read/write/pool wait (the SDK's default is 600 s).
        connect_timeout: seconds to set up the connection.
        max_retries: retries the SDK makes on 408/409/429/5xx and connection errors.

    Returns:
        A function returning a new ``openai.AsyncOpenAI`` (or ``AsyncAzureOpenAI``).

    Raises:
        AuthError: the connection needs a key and none was given.
        ConnectionFailedError: the Demo was asked for without the emulator's address, or a
            compatible/Azure profile has no address.
    """
    kind = profile.kind
    url = (base_url or "").strip() or None
    if kind is ConnectionKind.DEMO:
        if url is None:
            raise ConnectionFailedError(
                "demo connection without emulator URL",
                user_message="The demo service is not running. Restart the app to try again.",
            )
        key: str = DEMO_API_KEY
        if profile.uses_azure_api:
            # Demo Azure: the same emulator, through its Azure-style /openai/... paths.
            return _azure_builder(
                _emulator_root(url), profile.api_version, key, timeout, connect_timeout, max_retries
            )
    else:
        if not api_key:
            raise AuthError(
                f"no API key for profile {profile.id}",
                user_message=_MISSING_KEY_MESSAGE.format(name=profile.name),
            )
        key = api_key
    if kind is ConnectionKind.COMPATIBLE:
        url = url or profile.base_url.strip() or None
        if url is None:
            raise ConnectionFailedError(
                "compatible profile without base URL",
                user_message="Enter the base URL of this connection in Settings.",
            )
    if kind is ConnectionKind.AZURE:
        endpoint = url or profile.azure_endpoint.strip()
        if not endpoint:
            raise ConnectionFailedError(
                "azure profile without endpoint",
                user_message="Enter the Azure endpoint of this connection in Settings.",
            )
        return _azure_builder(
            endpoint, profile.api_version, key, timeout, connect_timeout, max_retries
        )

    if kind is ConnectionKind.OPENAI:
        # Explicit, so that an OPENAI_BASE_URL in the user's environment cannot redirect
        # the key of an "OpenAI" connection somewhere else.
        url = url or profile.base_url.strip() or OPENAI_BASE_URL
    organization = (profile.organization.strip() or None) if kind is ConnectionKind.OPENAI else None
    project = (profile.project.strip() or None) if kind is ConnectionKind.OPENAI else None

    def build() -> AsyncOpenAI:
        import httpx2
        from openai import AsyncOpenAI

        return AsyncOpenAI(
            api_key=key,
            organization=organization,
            project=project,
            base_url=url,
            timeout=httpx2.Timeout(timeout, connect=connect_timeout),
            max_retries=max_retries,
        )

    return build


def _emulator_root(base_url: str) -> str:
    """The emulator's root address from its OpenAI-style base URL (``http://host:port/v1``)."""
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


def _azure_builder(
    endpoint: str,
    api_version: str,
    key: str,
    timeout: float,
    connect_timeout: float,
    max_retries: int,
) -> ClientFactory:
    def build_azure() -> AsyncOpenAI:
        import httpx2
        from openai import AsyncAzureOpenAI

        return AsyncAzureOpenAI(
            azure_endpoint=endpoint,
            api_version=api_version,
            api_key=key,
            timeout=httpx2.Timeout(timeout, connect=connect_timeout),
            max_retries=max_retries,
        )

    return build_azure


def create_provider(
    profile: ConnectionProfile,
    *,
    api_key: str | None,
    base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> OpenAIProvider:
    """Create the provider for a connection. Cheap: the SDK loads on the first request.

    Args:
        profile: the connection to talk to.
        api_key: the key from the keychain (ignored for the Demo).
        base_url: overrides the profile's address (the emulator's URL for the Demo).
        timeout: seconds for each read/write/pool wait.
        connect_timeout: seconds to set up the connection.
        max_retries: retries the SDK makes on its own (0 disables them).

    Returns:
        A provider; call ``aclose()`` on it when done.

    Raises:
        AuthError: the connection needs a key and none was given.
        ConnectionFailedError: the connection has no address to talk to.
    """
    factory = client_factory(
        profile,
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        connect_timeout=connect_timeout,
        max_retries=max_retries,
    )
    secret = api_key if profile.kind is not ConnectionKind.DEMO else None
    is_azure = profile.uses_azure_api
    return OpenAIProvider(factory, secret=secret, label=profile.display_name, is_azure=is_azure)
