"""The composition root: the only module that wires storage, the API layer, the emulator and
the UI together, and the only place that creates the asyncio event loop.

Start-up paints the real window first and loads the rest behind it (``run_gui``, through
:class:`GuiStartup`):

1. *Frame*: the ``QApplication``, the storage (paths, database, profiles, UI settings) and the
   main window's frame (menus, the three tabs, the status bar naming the active connection)
   are created and shown. Nothing on this path imports ``asyncio``, ``qasync``, the model
   catalog, the API layer, ``openai``, ``tiktoken`` or ``desktop.sandbox``: module-level imports
   here stay light, the rest is imported inside the functions that need it.
2. *Content*, in the event-loop turn after the first paint: the qasync loop, the log file, the
   crash hook, the connection service, the tabs' widgets; then the background work (connection
   check, tokenizer vocabularies, model catalog) starts. The SDK loads in a worker thread before
   the first request, and the Demo's emulator starts the first time the Demo connection is used.

Reusable pieces (for tests and ``--self-test``)::

    context = create_app_context(demo_base_url_factory=lambda: emulator.base_url)
    window = build_main_window(context)      # needs a QApplication and the qasync loop set
    ...
    await context.aclose()

    startup = GuiStartup(demo_base_url_factory=...)   # run_gui's two phases, one at a time
    window = startup.open_window()           # the frame, shown
    call_after_first_paint(window, startup.finish)
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from desktop import APP_ID, APP_NAME, __version__
from desktop.core.connections import ConnectionKind, ConnectionProfile, demo_profile
from desktop.core.errors import FinetuneError
from desktop.resources import resource_path, tokenizer_dir
from desktop.storage.database import Database
from desktop.storage.paths import AppPaths, app_paths
from desktop.storage.profiles import ProfileStore
from desktop.ui.common.connection_state import active_profile
from desktop.ui.common.main_window import MainWindow
from desktop.ui.common.theme import apply_theme

if TYPE_CHECKING:
    import asyncio

    import qasync

    from desktop.api.connection import ActiveConnection
    from desktop.api.connection_check import ConnectionReport
    from desktop.api.provider import Provider
    from desktop.core.catalog import ModelCatalog
    from desktop.sandbox import Emulator
    from desktop.storage.keychain import Keychain
    from desktop.storage.settings import SettingsStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.settings import SettingsDialog

log = logging.getLogger(__name__)

ORGANIZATION_NAME = "Finetune Studio"
ORGANIZATION_DOMAIN = "finetune-studio.app"
UI_SETTINGS_FILE = "ui-state.ini"
CATALOG_FILE = "models.json"
ICON_CANDIDATES = (("icons", "app.png"), ("icons", "app.svg"), ("app.png",))
CHECK_TIMEOUT = 15.0
FIRST_PAINT_FALLBACK_MS = 1000
"""Build the content after this long even if the window was never painted (e.g. hidden)."""


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
    _settings_store: SettingsStore | None = None
    _tokenizers_lock: threading.Lock = field(default_factory=threading.Lock)
    _tokenizers_ready: bool = False
    _closed: bool = False

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

        return [
            self.connection_service.start_check(),
            asyncio.ensure_future(self._prepare_tokenizers()),
            asyncio.ensure_future(asyncio.to_thread(self.catalogs.get)),
        ]

    async def _prepare_tokenizers(self) -> None:
        import asyncio

        try:
            await asyncio.to_thread(self.ensure_tokenizers)
        except FinetuneError as exc:
            log.warning("tokenizers unavailable: %s", exc)

    async def aclose(self) -> None:
        """Close the active client and stop the Demo emulator. Safe to call twice."""
        import asyncio

        if self._closed:
            return
        self._closed = True
        try:
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
    )


def build_main_window(context: AppContext) -> MainWindow:
    """The main window on ``context``'s active connection, fully built (not shown, no request
    made yet).

    Needs a ``QApplication``; its tasks need the qasync loop set as the event loop.
    """
    window = MainWindow(context.ui_settings, connection=context.connection_service.load_active())
    window.build_content(context)
    return window


class GuiStartup:
    """``run_gui``'s two-phase start: the real window is painted before the rest loads.

    - :meth:`open_window`: open the storage and show the main window's frame: its menus, its
      three tabs and the status bar naming the active connection. Imports nothing heavy.
    - :meth:`finish`: create the services (:func:`create_app_context` on the same storage),
      fill the window's tabs and start the background work. Needs the qasync loop set as the
      event loop. ``run_gui`` calls it in the event-loop turn after the first paint
      (:func:`call_after_first_paint`).

    Call on the GUI thread, with a ``QApplication``.
    """

    def __init__(
        self,
        *,
        paths: AppPaths | None = None,
        demo_base_url_factory: Callable[[], str] | None = None,
        keychain: Keychain | None = None,
    ) -> None:
        self._paths = paths
        self._demo_base_url_factory = demo_base_url_factory
        self._keychain = keychain
        self.storage: AppStorage | None = None
        self.window: MainWindow | None = None
        self.context: AppContext | None = None

    def open_window(self) -> MainWindow:
        """Phase one: the storage and the window's frame, shown.

        Raises:
            StorageError: the data folder or the database cannot be opened.
        """
        storage = self.storage = open_storage(self._paths)
        window = self.window = MainWindow(storage.ui_settings, connection=storage.active_profile())
        window.show()
        return window

    def finish(self) -> AppContext:
        """Phase two: the services, the tabs' content, then the background work (queued on the
        event loop). Call once, after :meth:`open_window`."""
        import asyncio

        if self.storage is None or self.window is None:
            raise RuntimeError("open_window() first")
        if self.context is not None:
            raise RuntimeError("the start-up is finished already")
        context = self.context = create_app_context(
            demo_base_url_factory=self._demo_base_url_factory,
            keychain=self._keychain,
            storage=self.storage,
        )
        context.connection_service.load_active()
        self.window.build_content(context)
        asyncio.get_event_loop().call_soon(context.start_background_work)
        return context

    def close_unfinished(self) -> None:
        """Close the storage when the app quits before :meth:`finish` ran."""
        if self.context is None and self.storage is not None:
            self.storage.close()


def call_after_first_paint(
    window: MainWindow,
    callback: Callable[[], object],
    *,
    fallback_ms: int = FIRST_PAINT_FALLBACK_MS,
) -> None:
    """Call ``callback`` once, in the event-loop turn after ``window`` is first painted (or
    after ``fallback_ms`` if it is never painted)."""
    done = False

    def run_once() -> None:
        nonlocal done
        if not done:
            done = True
            callback()

    window.first_painted.connect(lambda: QTimer.singleShot(0, run_once))
    QTimer.singleShot(fallback_ms, run_once)


def configure_application(app: QApplication) -> None:
    """Names (so settings and paths are per app), version, look and icon."""
    QCoreApplication.setOrganizationName(ORGANIZATION_NAME)
    QCoreApplication.setOrganizationDomain(ORGANIZATION_DOMAIN)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    apply_theme(app)
    for parts in ICON_CANDIDATES:
        try:
            icon_path = resource_path(*parts)
        except FileNotFoundError:
            break
        if icon_path.is_file():
            app.setWindowIcon(QIcon(str(icon_path)))
            break


class StartupLogBuffer(logging.Handler):
    """Holds the records logged before the log file is set up: ``logging.handlers`` (~7 ms)
    is imported after the first paint, and :func:`configure_logging` replays them there."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def buffer_startup_logs() -> StartupLogBuffer:
    """Collect INFO and above in memory until :func:`configure_logging` runs."""
    buffer = StartupLogBuffer()
    root = logging.getLogger()
    root.addHandler(buffer)
    root.setLevel(logging.INFO)
    return buffer


def configure_logging(log_dir: Path, *, replay: StartupLogBuffer | None = None) -> None:
    """Log INFO and above to a rotating file in the app's log folder.

    Args:
        log_dir: the folder of the log file.
        replay: the start-up buffer, whose records are written to the file and which is removed.
    """
    import logging.handlers  # ~7 ms: only once the window is painted

    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir / f"{APP_ID}.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    if replay is not None:
        root.removeHandler(replay)
        for record in replay.records:
            handler.handle(record)
        replay.records.clear()


def _show_startup_error(exc: FinetuneError) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, exc.user_message)
    box.setDetailedText(str(exc))
    box.exec()


class _GuiRun:
    """``run_gui``'s state between its phases."""

    def __init__(
        self, app: QApplication, startup: GuiStartup, log_buffer: StartupLogBuffer, log_dir: Path
    ) -> None:
        self.app = app
        self.startup = startup
        self.log_buffer = log_buffer
        self.log_dir = log_dir
        self.loop: qasync.QEventLoop | None = None
        self.uninstall_hook: Callable[[], None] | None = None

    def continue_after_paint(self) -> None:
        """Phase two on the running Qt event loop: the qasync loop, logs, crash hook, content."""
        import asyncio

        import qasync

        from desktop.ui.common.errors import install_excepthook

        window = self.startup.window
        if window is None or not window.isVisible():  # closed before it was painted
            return
        configure_logging(self.log_dir, replay=self.log_buffer)
        self.uninstall_hook = install_excepthook()
        # Qt's event loop is already running (app.exec()): qasync attaches to it.
        self.loop = qasync.QEventLoop(self.app, already_running=True)
        asyncio.set_event_loop(self.loop)
        self.startup.finish()

    def shut_down(self) -> None:
        """After Qt's event loop ended: cancel the window's tasks, close the services."""
        import asyncio

        startup, loop = self.startup, self.loop
        try:
            if loop is not None:
                loop.stop()  # it was attached to app.exec(), which has returned
            if loop is not None and startup.window is not None and startup.context is not None:
                loop.run_until_complete(_shutdown(startup.window, startup.context))
            else:  # the app quit (or phase two failed) before the services existed
                startup.close_unfinished()
        finally:
            if loop is not None:
                loop.close()
                asyncio.set_event_loop(None)
            if self.log_buffer in logging.getLogger().handlers:
                configure_logging(self.log_dir, replay=self.log_buffer)
            if self.uninstall_hook is not None:
                self.uninstall_hook()


def run_gui(argv: list[str]) -> int:
    """Run the app until its window closes.

    Args:
        argv: the process arguments (``argv[0]`` first); Qt options are honoured.

    Returns:
        The process exit code.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    configure_application(app)
    log_buffer = buffer_startup_logs()
    paths = app_paths()
    startup = GuiStartup(paths=paths)
    try:
        window = startup.open_window()
    except FinetuneError as exc:
        configure_logging(paths.log_dir, replay=log_buffer)
        log.error("cannot start: %s", exc)
        _show_startup_error(exc)
        return 1
    run = _GuiRun(app, startup, log_buffer, paths.log_dir)
    call_after_first_paint(window, run.continue_after_paint)
    try:
        return app.exec()
    finally:
        run.shut_down()


async def _shutdown(window: MainWindow, context: AppContext) -> None:
    import asyncio

    tasks = window.pending_tasks()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await context.aclose()


def main() -> int:
    """``python -m desktop.app``: run the window with the process arguments."""
    return run_gui(list(sys.argv))


if __name__ == "__main__":
    sys.exit(main())
