"""What the main window needs from the composition root (``desktop.app.AppContext``).

Protocols rather than the classes themselves: the UI layer cannot import ``desktop.app`` (it
sits above the UI), the window must not depend on storage or the SDK (the composition root
builds the Settings dialog with them), and tests can hand in anything with these attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings, SignalInstance
from PySide6.QtWidgets import QWidget

from desktop.core.catalog import ModelCatalog
from desktop.core.connections import ConnectionProfile
from desktop.storage.settings import SettingsStore
from desktop.ui.common.connection_service import ConnectionService

if TYPE_CHECKING:
    from desktop.api.provider import Provider
    from desktop.storage.jobs_store import JobsStore
    from desktop.storage.playground_store import PlaygroundStore


class SettingsDialogPort(Protocol):
    """``desktop.ui.settings.SettingsDialog`` as the window uses it."""

    @property
    def active_changed(self) -> SignalInstance:
        """Emits the profile id the user made active."""
        ...

    @property
    def profiles_changed(self) -> SignalInstance: ...

    @property
    def finished(self) -> SignalInstance: ...

    def open(self) -> None: ...

    def deleteLater(self) -> None: ...


class WindowContext(Protocol):
    """The services the main window is built from. All are created before the window."""

    @property
    def catalog(self) -> ModelCatalog | None: ...

    @property
    def connection_service(self) -> ConnectionService: ...

    @property
    def ui_settings(self) -> QSettings:
        """Window geometry and similar per-user UI state (an INI file in the app's folder)."""
        ...

    @property
    def settings_store(self) -> SettingsStore:
        """App settings in the database (e.g. the Datasets tab's recent files)."""
        ...

    @property
    def jobs_store(self) -> JobsStore:
        """The local record of jobs, events, uploads and job links (the app's database)."""
        ...

    @property
    def playground_store(self) -> PlaygroundStore:
        """The Playground's saved chat sessions, presets, votes and evaluation runs."""
        ...

    async def provider_for(self, profile_id: str) -> Provider:
        """A provider for any saved connection (not only the active one), e.g. for
        "Train again on…". The context owns and closes it."""
        ...

    def connection_profiles(self) -> list[ConnectionProfile]:
        """Every saved connection, the Demos included."""
        ...

    def ensure_tokenizers(self) -> None:
        """Install the shipped tokenizer vocabularies (blocking; call in a worker thread)."""
        ...

    def create_settings_dialog(self, parent: QWidget, *, active_id: str) -> SettingsDialogPort:
        """The connections dialog (Preferences), on the app's profile store and keychain."""
        ...

    def reset_demo(self) -> None:
        """Forget everything the Demo connection stored (files, jobs, models)."""
        ...
