"""Services the composition root creates lazily: the Demo's emulator, the keychain, the active
connection, providers for any connection (``ProviderPool``) and the model catalog, each built on
first use so start-up stays light.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from desktop.core.connections import ConnectionKind, ConnectionProfile, demo_profile
from desktop.core.errors import FinetuneError
from desktop.resources import resource_path

if TYPE_CHECKING:
    import asyncio

    from desktop.api.connection import ActiveConnection
    from desktop.api.openai_provider import OpenAIProvider
    from desktop.api.provider import Provider
    from desktop.core.catalog import ModelCatalog
    from desktop.sandbox import Emulator
    from desktop.storage.keychain import Keychain

log = logging.getLogger(__name__)

CATALOG_FILE = "models.json"


class ProfileSource(Protocol):
    """``ProfileStore``: ``get`` raises a ``StorageError`` (``ProfileNotFoundError``) for an
    unknown id."""

    def get(self, profile_id: str) -> ConnectionProfile: ...


class KeySource(Protocol):
    """``LazyKeychain`` / ``Keychain``: the saved key of a profile, or None."""

    def get(self, profile_id: str) -> str | None: ...


class DemoServer:
    """The Demo connection's emulator, started on first use and stopped at quit.

    ``base_url()`` blocks while the emulator starts (imports it, binds a port), so call it in a
    worker thread; it is thread-safe. With ``factory`` set (tests, self-test) no emulator is
    started here: the factory's URL is used.
    """

    def __init__(self, state_dir: Path, *, factory: Callable[[], str] | None = None) -> None:
        self._state_dir = state_dir
        self._factory = factory
        self._lock = threading.Lock()
        self._emulator: Emulator | None = None

    @property
    def running(self) -> bool:
        return self._emulator is not None

    def base_url(self) -> str:
        """The emulator's address, starting it first if needed."""
        if self._factory is not None:
            return self._factory()
        with self._lock:
            if self._emulator is None:
                from desktop.sandbox import Emulator  # lazy: not on the start-up path

                self._state_dir.mkdir(parents=True, exist_ok=True)
                self._emulator = Emulator(state_dir=self._state_dir).start()
                log.info("demo emulator started at %s", self._emulator.base_url)
            return str(self._emulator.base_url)

    def reset(self) -> None:
        """Forget the Demo's files, jobs and models (the running emulator and its folder)."""
        import shutil

        with self._lock:
            if self._emulator is not None:
                self._emulator.reset()
            if self._state_dir.is_dir():
                for child in self._state_dir.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()

    def stop(self) -> None:
        with self._lock:
            emulator, self._emulator = self._emulator, None
        if emulator is not None:
            emulator.stop()


class LazyKeychain:
    """The system keychain, created on first use: importing ``keyring`` and finding its
    backend is kept off the start-up path. Thread-safe."""

    def __init__(self, keychain: Keychain | None = None) -> None:
        self._keychain = keychain
        self._lock = threading.Lock()

    @property
    def keychain(self) -> Keychain:
        with self._lock:
            if self._keychain is None:
                from desktop.storage.keychain import Keychain

                self._keychain = Keychain()
            return self._keychain

    def get(self, profile_id: str) -> str | None:
        return self.keychain.get(profile_id)


class LazyConnection:
    """``ActiveConnection``, created on the first switch: the API layer (and through it the
    SDK's error and conversion modules) is imported only when a request is about to be made.

    Call from the event loop's thread only.
    """

    def __init__(self) -> None:
        self._connection: ActiveConnection | None = None

    @property
    def connection(self) -> ActiveConnection:
        if self._connection is None:
            from desktop.api.connection import ActiveConnection

            self._connection = ActiveConnection(demo_profile())
        return self._connection

    async def switch(
        self, profile: ConnectionProfile, api_key: str | None, base_url: str | None = None
    ) -> None:
        await self.connection.switch(profile, api_key, base_url)

    def provider(self) -> Provider:
        return self.connection.provider()

    async def aclose(self) -> None:
        if self._connection is not None:
            await self._connection.aclose()


class LazyCatalog:
    """The model catalog (``resources/models.json``), read on first use rather than at
    start-up: only prices, retirement dates and the fine-tunable check need it.

    Thread-safe; ``None`` when the file is missing or damaged.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False
        self._catalog: ModelCatalog | None = None

    def get(self) -> ModelCatalog | None:
        """The catalog, read the first time (~20 ms, so prefer a worker thread for that)."""
        with self._lock:
            if not self._loaded:
                from desktop.core.catalog import read_catalog

                try:
                    self._catalog = read_catalog(resource_path(CATALOG_FILE))
                except (FinetuneError, FileNotFoundError) as exc:
                    log.warning("model catalog unavailable: %s", exc)
                self._loaded = True
            return self._catalog


@dataclass(eq=False)
class _PooledProvider:
    provider: OpenAIProvider
    profile: ConnectionProfile
    key: str | None
    base_url: str | None

    @property
    def settings(self) -> tuple[ConnectionProfile, str | None, str | None]:
        return self.profile, self.key, self.base_url


class ProviderPool:
    """A provider for ANY connection profile by id, not just the active one (e.g. "Train again
    on…" another connection, or the jobs of a connection that is not in use).

    Invariants: at most one open provider per profile id. Each ``provider_for`` reads the
    profile and its key again; when either changed since the provider was made (edited in
    Settings, key replaced), the old provider is closed and a new one made. The Demo's emulator
    is started on first need (for the Demo and Demo Azure alike). ``aclose`` closes them all;
    afterwards ``provider_for`` raises.

    Threading: call on the event loop's thread (the GUI thread under qasync). Blocking work
    (loading the SDK, reading the keychain, starting the emulator) runs in worker threads.
    """

    def __init__(
        self,
        *,
        profiles: ProfileSource,
        keychain: KeySource,
        demo_base_url: Callable[[], str],
        preload: Callable[[], None] | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Remember where profiles, keys and the emulator come from; nothing is built yet.

        Args:
            profiles: the saved profiles (``ProfileStore``).
            keychain: the keys (``LazyKeychain``).
            demo_base_url: the emulator's address, starting it if needed (``DemoServer.base_url``;
                blocking, so it is called in a worker thread).
            preload: loads the SDK (``desktop.api.preload.preload_sdk``), once, in a worker thread.
            max_retries: the SDK's retry budget (default: the app's).
        """
        self._profiles = profiles
        self._keychain = keychain
        self._demo_base_url = demo_base_url
        self._preload = preload
        self._max_retries = max_retries
        self._pooled: dict[str, _PooledProvider] = {}
        self._lock_instance: asyncio.Lock | None = None
        self._closed = False

    @property
    def _lock(self) -> asyncio.Lock:
        # Made on first use: asyncio is not imported on the start-up path.
        if self._lock_instance is None:
            import asyncio

            self._lock_instance = asyncio.Lock()
        return self._lock_instance

    @property
    def open_profile_ids(self) -> frozenset[str]:
        """Ids of the profiles that have an open provider."""
        return frozenset(self._pooled)

    async def provider_for(self, profile_id: str) -> Provider:
        """The provider of connection ``profile_id``, made (or remade) if needed.

        Args:
            profile_id: a saved profile's id, ``"demo"`` or ``"demo-azure"``.

        Returns:
            The provider; do not close it yourself (``forget`` or ``aclose`` do).

        Raises:
            ProfileNotFoundError: no connection has this id.
            AuthError: the connection needs a key and none is saved.
            ConnectionFailedError: the connection has no address (or the Demo cannot start).
            StorageError: the profiles cannot be read.
            RuntimeError: the pool was closed.
        """
        async with self._lock:
            if self._closed:
                raise RuntimeError("ProviderPool used after aclose()")
            profile = self._profiles.get(profile_id)
            await self._preload_once()
            key, base_url = await self._access(profile)
            pooled = self._pooled.get(profile_id)
            wanted = (profile, key, base_url)
            if pooled is not None and not pooled.provider.is_closed and pooled.settings == wanted:
                return pooled.provider
            if pooled is not None:
                del self._pooled[profile_id]
                await pooled.provider.aclose()
            provider = self._create(profile, key, base_url)
            self._pooled[profile_id] = _PooledProvider(provider, profile, key, base_url)
            return provider

    async def forget(self, profile_id: str) -> None:
        """Close the provider of ``profile_id`` if there is one (e.g. the profile was deleted)."""
        async with self._lock:
            pooled = self._pooled.pop(profile_id, None)
        if pooled is not None:
            await pooled.provider.aclose()

    async def aclose(self) -> None:
        """Close every provider (at quit, before the emulator stops). Safe to call twice."""
        async with self._lock:
            self._closed = True
            pooled, self._pooled = list(self._pooled.values()), {}
        for entry in pooled:
            try:
                await entry.provider.aclose()
            except Exception:  # closing must go on for the others
                log.warning("closing a provider failed", exc_info=True)

    async def _preload_once(self) -> None:
        import asyncio

        preload, self._preload = self._preload, None
        if preload is not None:
            await asyncio.to_thread(preload)

    async def _access(self, profile: ConnectionProfile) -> tuple[str | None, str | None]:
        """``(key, base_url)`` for a profile: the emulator's address for the built-in demos."""
        import asyncio

        if profile.kind is ConnectionKind.DEMO:
            return None, await asyncio.to_thread(self._demo_base_url)
        return await asyncio.to_thread(self._keychain.get, profile.id), None

    def _create(
        self, profile: ConnectionProfile, key: str | None, base_url: str | None
    ) -> OpenAIProvider:
        from desktop.api.clients import create_provider

        if self._max_retries is None:
            return create_provider(profile, api_key=key, base_url=base_url)
        return create_provider(
            profile, api_key=key, base_url=base_url, max_retries=self._max_retries
        )
