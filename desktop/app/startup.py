"""Start-up in two phases (the window's frame paints first, the rest follows) and ``run_gui``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop import APP_ID, APP_NAME, __version__
from desktop.core.errors import FinetuneError
from desktop.resources import resource_path
from desktop.storage.paths import AppPaths, app_paths
from desktop.ui.common.main_window import MainWindow
from desktop.ui.common.theme import apply_theme

if TYPE_CHECKING:
    import qasync

    from desktop.storage.keychain import Keychain
from desktop.app.context import AppContext, AppStorage, create_app_context, open_storage

log = logging.getLogger(__name__)

ORGANIZATION_NAME = "Finetune Studio"
ORGANIZATION_DOMAIN = "finetune-studio.app"
ICON_CANDIDATES = (("icons", "app.png"), ("icons", "app.svg"), ("app.png",))
FIRST_PAINT_FALLBACK_MS = 1000
"""Build the content after this long even if the window was never painted (e.g. hidden)."""


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
