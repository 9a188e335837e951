"""The app's context: storage opened, services wired, and the main window built from them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from desktop.core.connections import ConnectionKind, ConnectionProfile
from desktop.core.errors import FinetuneError
from desktop.resources import tokenizer_dir
from desktop.storage.database import Database
from desktop.storage.paths import AppPaths, app_paths
from desktop.storage.profiles import ProfileStore
from desktop.ui.common.connection_state import active_profile
from desktop.ui.common.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

    from desktop.api.connection_check import ConnectionReport
    from desktop.api.provider import Provider
    from desktop.core.catalog import ModelCatalog
    from desktop.storage.jobs_store import JobsStore
    from desktop.storage.keychain import Keychain
    from desktop.storage.playground_store import PlaygroundStore
    from desktop.storage.settings import SettingsStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.settings import SettingsDialog
from desktop.app.services import (
    DemoServer,
    LazyCatalog,
    LazyConnection,
    LazyKeychain,
    ProviderPool,
)

log = logging.getLogger(__name__)

UI_SETTINGS_FILE = "ui-state.ini"
CHECK_TIMEOUT = 15.0


@dataclass(eq=False)
class AppStorage:
    """What the window's frame is built from: the data folders, the database, the connection
    profiles and the UI settings. Cheap to open (no ``asyncio``, no SDK).

    Call on the GUI thread; :meth:`close` it unless an ``AppContext`` took it over.
    """

    paths: AppPaths
    database: Database
    profiles: ProfileStore
    ui_settings: QSettings

    def active_profile(self) -> ConnectionProfile:
        """The connection the app starts on (the Demo if the stored one cannot be read)."""
        return active_profile(self.profiles)

    def close(self) -> None:
        """Flush the UI settings and close the database."""
        self.ui_settings.sync()
        self.database.close()


def open_storage(paths: AppPaths | None = None) -> AppStorage:
    """Create the data folders and open the database, the profiles and the UI settings.

    Args:
        paths: where data lives; default ``app_paths()`` (honours ``FINETUNE_STUDIO_HOME``).

    Returns:
        The open storage.

    Raises:
        StorageError: the data folder or the database cannot be opened.
    """
    paths = (paths or app_paths()).ensure()
    database = Database(paths.db_path)
    ui_settings = QSettings(str(paths.data_dir / UI_SETTINGS_FILE), QSettings.Format.IniFormat)
    return AppStorage(
        paths=paths, database=database, profiles=ProfileStore(database), ui_settings=ui_settings
    )


@dataclass(eq=False)
class AppContext:
    """Everything the window is built from. Create with :func:`create_app_context`.

    Call on the GUI thread; close with :meth:`aclose` on the running loop, then :meth:`close`.
    """

    paths: AppPaths
    database: Database
    profiles: ProfileStore
    keychains: LazyKeychain
    catalogs: LazyCatalog
    connection: LazyConnection
    connection_service: ConnectionService
    ui_settings: QSettings
    demo: DemoServer
    providers: ProviderPool
    _settings_store: SettingsStore | None = None
    _jobs_store: JobsStore | None = None
    _playground_store: PlaygroundStore | None = None
    _tokenizers_lock: threading.Lock = field(default_factory=threading.Lock)
    _tokenizers_ready: bool = False
    _closed: bool = False
    _background: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def keychain(self) -> Keychain:
        """The key store (created on first use)."""
        return self.keychains.keychain

    @property
    def catalog(self) -> ModelCatalog | None:
        """The model catalog (read on first use; None when unavailable)."""
        return self.catalogs.get()

    @property
    def settings_store(self) -> SettingsStore:
        """App settings in the database (recent datasets...); GUI thread only."""
        from desktop.storage.settings import SettingsStore

        if self._settings_store is None:
            self._settings_store = SettingsStore(self.database)
        return self._settings_store

    @property
    def jobs_store(self) -> JobsStore:
        """The local record of jobs, events, uploads and job links; GUI thread only."""
        from desktop.storage.jobs_store import JobsStore

        if self._jobs_store is None:
            self._jobs_store = JobsStore(self.database)
        return self._jobs_store

    @property
    def playground_store(self) -> PlaygroundStore:
        """The Playground's saved sessions, presets, votes and runs; GUI thread only."""
        from desktop.storage.playground_store import PlaygroundStore

        if self._playground_store is None:
            self._playground_store = PlaygroundStore(self.database)
        return self._playground_store

    def connection_profiles(self) -> list[ConnectionProfile]:
        """Every saved connection (the Demos included)."""
        return self.profiles.list()

    async def provider_for(self, profile_id: str) -> Provider:
        """The provider of any saved connection: the active one's own, otherwise the pool's
        (made on first use, remade when the profile or its key changed, closed in ``aclose``).

        Raises:
            StorageError: no such connection.
            AuthError: the connection needs a key and none is saved.
        """
        service = self.connection_service
        if profile_id == service.profile.id:
            return await service.provider()
        return await self.providers.provider_for(profile_id)

    async def check_connection(
        self, profile: ConnectionProfile, api_key: str | None
    ) -> ConnectionReport:
        """Test a profile with its own short-lived client (Settings → Test connection)."""
        import asyncio

        from desktop.api.clients import create_provider
        from desktop.api.connection_check import check_connection
        from desktop.api.preload import preload_sdk

        await asyncio.to_thread(preload_sdk)
        base_url = None
        if profile.kind is ConnectionKind.DEMO:
            base_url = await asyncio.to_thread(self.demo.base_url)
        provider = create_provider(profile, api_key=api_key, base_url=base_url, max_retries=1)
        try:
            catalog = await asyncio.to_thread(self.catalogs.get)
            fine_tunable = catalog.is_fine_tunable if catalog else _never
            return await check_connection(
                provider, fine_tunable=fine_tunable, timeout=CHECK_TIMEOUT
            )
        finally:
            await provider.aclose()

    def reset_demo(self) -> None:
        self.demo.reset()

    def create_settings_dialog(self, parent: QWidget, *, active_id: str) -> SettingsDialog:
        """The connections dialog on this context's profiles and keychain."""
        from desktop.ui.settings import SettingsDialog  # only when first opened

        return SettingsDialog(
            parent,
            profiles=self.profiles,
            keychain=self.keychain,
            check=self.check_connection,
            active_id=active_id,
        )

    def ensure_tokenizers(self) -> None:
        """Install the shipped tokenizer vocabularies (once; thread-safe; ~50 ms the first time)."""
        from desktop.core.tokens import configure_offline_vocabularies

        with self._tokenizers_lock:
            if not self._tokenizers_ready:
                configure_offline_vocabularies(tokenizer_dir(), self.paths.tokenizer_cache_dir)
                self._tokenizers_ready = True

    def start_background_work(self) -> list[asyncio.Task[Any]]:
        """After the window is shown: check the connection, prepare the tokenizers and read
        the model catalog (in worker threads, so their first use does not wait)."""
        import asyncio

        tasks: list[asyncio.Task[Any]] = [
            self.connection_service.start_check(),
            asyncio.ensure_future(self._prepare_tokenizers()),
            asyncio.ensure_future(asyncio.to_thread(self.catalogs.get)),
        ]
        self._background.extend(tasks)
        return tasks

    async def _prepare_tokenizers(self) -> None:
        import asyncio

        from desktop.core.tokens import DEFAULT_ENCODING, get_encoding

        try:
            await asyncio.to_thread(self.ensure_tokenizers)
            # Building an encoding holds the GIL for ~0.1 s (tiktoken's constructor): pay that
            # once now, while the user is still looking at the new window, rather than in the
            # middle of the first dataset check or reply.
            await asyncio.to_thread(get_encoding, DEFAULT_ENCODING)
        except FinetuneError as exc:
            log.warning("tokenizers unavailable: %s", exc)

    async def aclose(self) -> None:
        """Close the active client and stop the Demo emulator. Safe to call twice."""
        import asyncio

        if self._closed:
            return
        self._closed = True
        try:
            # Background work still going (a slow connection check) stops here, so none of it
            # wakes up after the loop is gone.
            pending = [task for task in self._background if not task.done()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await self.providers.aclose()
            await self.connection_service.aclose()
        finally:
            await asyncio.to_thread(self.demo.stop)
            self.close()

    def close(self) -> None:
        """Close the database and flush the UI settings (synchronous part of shutdown)."""
        self.ui_settings.sync()
        self.database.close()


def _never(_model_id: str) -> bool:
    return False


def create_app_context(
    *,
    paths: AppPaths | None = None,
    demo_base_url_factory: Callable[[], str] | None = None,
    keychain: Keychain | None = None,
    storage: AppStorage | None = None,
) -> AppContext:
    """Open storage and build the services, without making any request.

    Args:
        paths: where data lives; default ``app_paths()`` (honours ``FINETUNE_STUDIO_HOME``).
        demo_base_url_factory: returns the address of an already running emulator for the Demo
            (tests, self-test); default: start the app's own emulator on first use.
        keychain: the key store; default the system keychain.
        storage: storage opened already (:func:`open_storage`); the context takes it over.
            ``paths`` is ignored then.

    Returns:
        The context; the window is not created yet (see :func:`build_main_window`).

    Raises:
        StorageError: the data folder or the database cannot be opened.
    """
    from desktop.api.preload import preload_sdk
    from desktop.api.retries import watch_retries
    from desktop.ui.common.connection_service import ConnectionService

    storage = storage or open_storage(paths)
    keychains = LazyKeychain(keychain)
    demo = DemoServer(storage.paths.demo_dir, factory=demo_base_url_factory)
    # The service switches to the stored active profile before the first request.
    connection = LazyConnection()
    service = ConnectionService(
        connection,
        profiles=storage.profiles,
        keychain=keychains,
        demo_base_url_factory=demo.base_url,
        watch_retries=watch_retries,
        preload=preload_sdk,
    )
    return AppContext(
        paths=storage.paths,
        database=storage.database,
        profiles=storage.profiles,
        keychains=keychains,
        catalogs=LazyCatalog(),
        connection=connection,
        connection_service=service,
        ui_settings=storage.ui_settings,
        demo=demo,
        providers=ProviderPool(
            profiles=storage.profiles,
            keychain=keychains,
            demo_base_url=demo.base_url,
            preload=preload_sdk,
        ),
    )


def build_main_window(context: AppContext) -> MainWindow:
    """The main window on ``context``'s active connection, fully built (not shown, no request
    made yet).

    Needs a ``QApplication``; its tasks need the qasync loop set as the event loop.
    """
    window = MainWindow(context.ui_settings, connection=context.connection_service.load_active())
    window.build_content(context)
    return window
