"""The main window: three tabs, the menus and the connection status bar.

The tabs ask for each other (a model to try opens in the Playground, a dataset line or a file
the Playground wrote in the Datasets tab, a job in the Jobs tab): :mod:`tab_links` wires that.

The window is built in two steps so that it can be painted before the rest of the app has
loaded: the constructor builds the frame (menus, the three tabs with empty pages, the status
bar naming the active connection), which needs neither ``asyncio`` nor the services, and
:meth:`MainWindow.build_content` fills the tabs and connects the window to the app's services.
``desktop.app.build_main_window`` does both at once; ``run_gui`` paints the frame first.

Window geometry, state, splitter positions and the last tab are saved in ``ui_settings`` when
the window closes and restored when it is created (splitters: when the content is built); how
is in :mod:`desktop.ui.common.window_layout`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from desktop import APP_NAME
from desktop.core.connections import ConnectionProfile
from desktop.ui.common import window_layout
from desktop.ui.common.status_bar import ConnectionStatusWidget
from desktop.ui.common.tab_links import TabLinks

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from desktop.ui.common.about_dialog import AboutDialog, HelpDialog
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.common.context import SettingsDialogPort, WindowContext
    from desktop.ui.datasets.widget import DatasetsWidget
    from desktop.ui.jobs.widget import JobsWidget
    from desktop.ui.playground.widget import PlaygroundWidget

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1100, 720)

TAB_TITLES = ("Datasets", "Jobs", "Playground")
"""The tabs, in order. Their pages are empty until ``build_content`` puts the widgets in."""

RESET_DEMO_QUESTION = (
    "Reset the demo data?\n\n"
    "Everything the Demo connection stored (uploaded files, jobs and demo models) will be "
    "deleted. Your real connections are not affected."
)


def preferences_shortcuts() -> list[QKeySequence]:
    """The platform's Preferences shortcut, or Ctrl+, where the platform has none (Linux)."""
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
    return standard or [QKeySequence("Ctrl+,")]


class MainWindow(QMainWindow):
    """The application window. Tabs: Datasets, Jobs, Playground.

    Created as a frame showing ``connection``; :meth:`build_content` (once) fills the tabs and
    follows ``context``'s connection service. Until then the tabs' pages are empty and the
    actions that need the services (Preferences, Reset demo data) are disabled.

    Call only from the GUI thread. ``closeEvent`` saves the layout and cancels running tasks.
    """

    first_painted = Signal()
    """Emitted once, when the window has been painted for the first time."""
    content_built = Signal()
    """Emitted once, when :meth:`build_content` has filled the tabs."""

    datasets_tab: DatasetsWidget
    jobs_tab: JobsWidget
    playground_tab: PlaygroundWidget

    def __init__(
        self,
        ui_settings: QSettings,
        *,
        connection: ConnectionProfile,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self._settings = ui_settings
        self._context: WindowContext | None = None
        self._service: ConnectionService | None = None
        self.settings_dialog: SettingsDialogPort | None = None
        self.about_dialog: AboutDialog | None = None  # dialogs are imported when first opened
        self.help_dialog: HelpDialog | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.tab_links: TabLinks | None = None
        self._painted = False
        self._closed = False

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        for title in TAB_TITLES:
            self.tabs.addTab(QWidget(), title)
        self.setCentralWidget(self.tabs)

        self.connection_status = ConnectionStatusWidget(connection)
        self.statusBar().addPermanentWidget(self.connection_status)
        self.statusBar().setSizeGripEnabled(True)

        self._build_menus()
        self.resize(*DEFAULT_SIZE)
        self.restore_layout()

    @property
    def content_ready(self) -> bool:
        """Whether :meth:`build_content` has run."""
        return self._context is not None

    def build_content(self, context: WindowContext) -> None:
        """Put the tabs' widgets in and follow ``context``'s connection service.

        Needs the qasync loop set as the event loop for the tasks the widgets start.

        Raises:
            RuntimeError: the content was built already.
        """
        if self._context is not None:
            raise RuntimeError("the window's content is already built")
        # Imported here, not at the top: the frame is painted before these modules load.
        from desktop.ui.datasets.widget import DatasetsWidget
        from desktop.ui.jobs.widget import JobsWidget
        from desktop.ui.playground.widget import PlaygroundWidget

        self._context = context
        self._service = context.connection_service
        self.datasets_tab = DatasetsWidget(
            settings=context.settings_store,
            catalog=lambda: context.catalog,
            service=self._service,
            prepare_tokenizers=context.ensure_tokenizers,
            ui_settings=context.ui_settings,
            jobs_store=context.jobs_store,
        )
        self.jobs_tab = JobsWidget(
            self._service,
            store=context.jobs_store,
            catalog=lambda: context.catalog,
            settings=context.ui_settings,
            provider_for=context.provider_for,
            profiles=context.connection_profiles,
            prepare_tokenizers=context.ensure_tokenizers,
        )
        self.playground_tab = PlaygroundWidget(
            self._service,
            catalog=lambda: context.catalog,
            store=context.playground_store,
            jobs_store=context.jobs_store,
        )
        current = self.tabs.currentIndex()
        self.tabs.setUpdatesEnabled(False)
        try:
            pages = (self.datasets_tab, self.jobs_tab, self.playground_tab)
            for index, (page, title) in enumerate(zip(pages, TAB_TITLES, strict=True)):
                placeholder = self.tabs.widget(index)
                self.tabs.removeTab(index)
                self.tabs.insertTab(index, page, title)
                if placeholder is not None:
                    placeholder.deleteLater()
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.setUpdatesEnabled(True)
        self.tab_links = TabLinks(
            self.tabs,
            datasets=self.datasets_tab,
            jobs=self.jobs_tab,
            playground=self.playground_tab,
            track=self._track,
        )
        self.connection_status.attach(self._service)
        for action in (self.preferences_action, self.reset_demo_action):
            action.setEnabled(True)
        self._restore_splitters()
        self.content_built.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    # ------------------------------------------------------------------ cross-tab hooks

    def open_model_in_playground(self, model_id: str) -> bool:
        """Show the Playground with ``model_id`` chosen (see :class:`TabLinks`)."""
        return self._links().open_model_in_playground(model_id)

    def show_job(self, profile_id: str, job_id: str) -> bool:
        """Show a job in the Jobs tab (see :class:`TabLinks`)."""
        return self._links().show_job(profile_id, job_id)

    def open_dataset_line(self, path: Path, line: int) -> asyncio.Task[None] | None:
        """Show the Datasets tab with ``path`` open at ``line`` (see :class:`TabLinks`)."""
        return self._links().open_dataset_line(path, line)

    @property
    def open_line_task(self) -> asyncio.Task[None] | None:
        """The last task opening a dataset at a line (from the Jobs tab)."""
        return self.tab_links.open_line_task if self.tab_links is not None else None

    def _links(self) -> TabLinks:
        if self.tab_links is None:
            raise RuntimeError("the window's content is not built yet")
        return self.tab_links

    # ------------------------------------------------------------------ menus

    def _build_menus(self) -> None:
        # Shortcuts are set as lists: the overload resolution of ``setShortcut`` initialises
        # PySide's whole ``Qt`` namespace (~15 ms), which the first paint does not otherwise need.
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcuts(QKeySequence.StandardKey.Quit)
        if not self.quit_action.shortcuts():
            self.quit_action.setShortcuts([QKeySequence("Ctrl+Q")])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self._on_quit_triggered)
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        self.preferences_action = QAction("&Preferences…", self)
        self.preferences_action.setShortcuts(preferences_shortcuts())
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.preferences_action.setStatusTip("Manage connections and API keys")
        self.preferences_action.triggered.connect(self._on_preferences_triggered)
        self.preferences_action.setEnabled(False)  # until the services exist
        edit_menu.addAction(self.preferences_action)

        demo_menu = bar.addMenu("&Demo")
        self.reset_demo_action = QAction("&Reset demo data…", self)
        self.reset_demo_action.setStatusTip("Delete the Demo connection's files, jobs and models")
        self.reset_demo_action.triggered.connect(self._on_reset_demo_triggered)
        self.reset_demo_action.setEnabled(False)  # until the services exist
        demo_menu.addAction(self.reset_demo_action)

        help_menu = bar.addMenu("&Help")
        self.help_action = QAction(f"{APP_NAME} &Help", self)
        self.help_action.setShortcuts(QKeySequence.StandardKey.HelpContents)
        if not self.help_action.shortcuts():
            self.help_action.setShortcuts([QKeySequence("F1")])
        self.help_action.triggered.connect(self._on_help_triggered)
        help_menu.addAction(self.help_action)
        help_menu.addSeparator()
        self.about_action = QAction(f"&About {APP_NAME}", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._on_about_triggered)
        help_menu.addAction(self.about_action)

    def _on_quit_triggered(self) -> None:
        self.close()

    def _on_help_triggered(self) -> None:
        self.open_help()

    def _on_about_triggered(self) -> None:
        self.open_about()

    def _on_preferences_triggered(self) -> None:
        self.open_preferences()

    def _on_reset_demo_triggered(self) -> None:
        from desktop.ui.common.prompts import confirm

        if confirm(self, "Reset demo data", RESET_DEMO_QUESTION, action="Reset"):
            self.reset_demo()

    def open_help(self) -> HelpDialog:
        from desktop.ui.common.about_dialog import HelpDialog

        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show()
        self.help_dialog.raise_()
        return self.help_dialog

    def open_about(self) -> AboutDialog:
        from desktop.ui.common.about_dialog import AboutDialog

        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self)
        self.about_dialog.open()
        return self.about_dialog

    def _services(self) -> tuple[WindowContext, ConnectionService]:
        if self._context is None or self._service is None:
            raise RuntimeError("the window's content is not built yet")
        return self._context, self._service

    def open_preferences(self) -> SettingsDialogPort:
        """Open the connections dialog (window-modal, not blocking the event loop).

        Raises:
            RuntimeError: the window's content is not built yet.
        """
        context, service = self._services()
        dialog = context.create_settings_dialog(self, active_id=service.profile.id)
        dialog.active_changed.connect(self._on_active_profile_chosen)
        dialog.profiles_changed.connect(self._on_profiles_changed)
        dialog.finished.connect(dialog.deleteLater)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _on_active_profile_chosen(self, profile_id: str) -> None:
        _, service = self._services()
        self._track(service.activate(profile_id))

    def _on_profiles_changed(self) -> None:
        # The active profile may have been edited (address, key): use the saved version.
        _, service = self._services()
        self._track(service.activate(service.profile.id))

    def reset_demo(self) -> None:
        """Clear the Demo's stored data; reload its models if it is the active connection.

        Raises:
            RuntimeError: the window's content is not built yet.
        """
        context, service = self._services()
        try:
            context.reset_demo()
        except OSError as exc:
            from desktop.core.errors import StorageError
            from desktop.ui.common.errors import show_error

            show_error(self, StorageError(f"cannot reset demo data: {exc}"))
            return
        self.statusBar().showMessage("Demo data reset.", 5000)
        if service.is_demo:
            self._track(service.start_check())

    def _track(self, task: asyncio.Task[None]) -> None:
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # ------------------------------------------------------------------ layout persistence

    def save_layout(self) -> None:
        """Write geometry, state, splitter positions and the current tab to ``ui_settings``."""
        window_layout.save_layout(self, self.tabs, self._settings)

    def restore_layout(self) -> None:
        """Apply what ``save_layout`` stored; anything missing or damaged keeps its default."""
        window_layout.restore_layout(self, self.tabs, self._settings)

    def _restore_splitters(self) -> None:
        window_layout.restore_splitters(self, self._settings)

    # ------------------------------------------------------------------ shutdown

    def pending_tasks(self) -> list[asyncio.Task[None]]:
        """Tasks still running that the window started (for an orderly shutdown)."""
        return [task for task in self._pending if not task.done()]

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            super().closeEvent(event)
            return
        if self.content_ready and not self.datasets_tab.confirm_close():
            event.ignore()  # the user keeps the unsaved dataset edits open
            return
        self._closed = True
        self.save_layout()
        if self.content_ready:
            self.datasets_tab.shutdown()
            self.jobs_tab.shutdown()
        reply = self.playground_tab.shutdown() if self.content_ready else None
        if reply is not None:
            self._pending.add(reply)
        for task in list(self._pending):
            task.cancel()
        self.connection_status.detach()
        super().closeEvent(event)
