"""Services the composition root creates lazily: the Demo's emulator, the keychain, the active
connection and the model catalog, each built on first use so start-up stays light.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.connections import ConnectionProfile, demo_profile
from desktop.core.errors import FinetuneError
from desktop.resources import resource_path

if TYPE_CHECKING:
    from desktop.api.connection import ActiveConnection
    from desktop.api.provider import Provider
    from desktop.core.catalog import ModelCatalog
    from desktop.sandbox import Emulator
    from desktop.storage.keychain import Keychain

log = logging.getLogger(__name__)

CATALOG_FILE = "models.json"


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
