"""The app's one active connection: its profile, its key, and its (lazily created) provider."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.api.defaults import DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from desktop.core.connections import ConnectionProfile

if TYPE_CHECKING:
    from desktop.api.openai_provider import OpenAIProvider

KeySource = str | Callable[[], str | None] | None
"""The key itself, a function that looks it up (e.g. in the keychain) when first needed, or
None (the Demo needs no key)."""


class ActiveConnection:
    """Holds the active profile and hands out its provider.

    Invariants: at most one provider (one SDK client) exists per active profile. It is created
    on the first ``provider()`` call, which is synchronous and cheap: the SDK itself loads on
    the provider's first request. ``switch`` and ``aclose`` close the old provider, so anything
    still using it fails with an ``ApiError`` asking the user to try again.

    Threading: use from the app's one asyncio loop (the GUI thread under qasync).
    """

    def __init__(
        self,
        profile: ConnectionProfile,
        *,
        api_key: KeySource = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        """Remember the connection; no client is made yet.

        Args:
            profile: the connection to use.
            api_key: the key, or a function returning it (called once, on first use).
            base_url: overrides the profile's address (the emulator's URL for the Demo).
            timeout: seconds per read/write, for every client this object creates.
            connect_timeout: seconds to connect.
            max_retries: the SDK's retry budget.
        """
        self._profile = profile
        self._key_source: KeySource = api_key
        self._base_url = base_url
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._max_retries = max_retries
        self._provider: OpenAIProvider | None = None

    def __repr__(self) -> str:
        return f"<ActiveConnection {self._profile.display_name!r}>"

    @property
    def profile(self) -> ConnectionProfile:
        return self._profile

    def provider(self) -> OpenAIProvider:
        """The active profile's provider, created on first call.

        Raises:
            AuthError: the profile needs a key and none is available.
            ConnectionFailedError: the profile has no address to talk to.
        """
        if self._provider is None or self._provider.is_closed:
            # Imported here: the window imports this module at start-up, the provider later.
            from desktop.api.clients import create_provider

            source = self._key_source
            key = source() if callable(source) else source
            self._provider = create_provider(
                self._profile,
                api_key=key,
                base_url=self._base_url,
                timeout=self._timeout,
                connect_timeout=self._connect_timeout,
                max_retries=self._max_retries,
            )
        return self._provider

    async def switch(
        self, profile: ConnectionProfile, api_key: KeySource, base_url: str | None = None
    ) -> None:
        """Make ``profile`` the active connection, closing the old client first.

        Args:
            profile: the new connection.
            api_key: its key, or a function returning it.
            base_url: overrides the profile's address (the emulator's URL for the Demo).
        """
        old, self._provider = self._provider, None
        self._profile = profile
        self._key_source = api_key
        self._base_url = base_url
        if old is not None:
            await old.aclose()

    async def aclose(self) -> None:
        """Close the current client (at quit). Safe to call twice; ``provider()`` reopens."""
        old, self._provider = self._provider, None
        if old is not None:
            await old.aclose()
