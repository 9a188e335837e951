"""Opening the create dialog: "New job…" on the active connection, "Train again on…" another.

The dialog (``desktop.ui.jobs.create``) is imported when first opened, not at start-up.
"Train again on…" asks which connection, lists that connection's models, pre-fills the dialog
from the job (``core.jobs.draft.draft_from_job``) and, once the new job exists, records the
link between the two jobs in the local record.

Call on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QInputDialog, QWidget

from desktop.core.connections import ConnectionProfile
from desktop.core.errors import FinetuneError
from desktop.core.jobs.records import JobLink, JobOrigin
from desktop.core.types import FineTuningJob, ModelInfo
from desktop.ui.common.async_slots import async_slot
from desktop.ui.common.errors import show_error

if TYPE_CHECKING:
    import asyncio

    from desktop.api.provider import Provider
    from desktop.core.catalog import ModelCatalog
    from desktop.core.jobs.draft import JobDraft
    from desktop.storage.jobs_store import JobsStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.jobs.create.dialog import CreateJobDialog

ProviderFor = Callable[[str], Awaitable["Provider"]]
"""Returns the provider of any saved connection, by profile id."""


@dataclass(frozen=True, slots=True)
class LaunchServices:
    """What opening the create dialog needs besides the target connection."""

    store: JobsStore
    catalog: Callable[[], ModelCatalog | None]
    settings: QSettings
    provider_for: ProviderFor | None
    profiles: Callable[[], Sequence[ConnectionProfile]]
    prepare_tokenizers: Callable[[], None] | None = None
    today: Callable[[], dt.date] = dt.date.today


def _ask_connection(
    parent: QWidget, choices: Sequence[ConnectionProfile]
) -> ConnectionProfile | None:
    names = [profile.display_name for profile in choices]
    name, ok = QInputDialog.getItem(
        parent,
        "Train again on…",
        "Train the same model again on which connection?\n"
        "The dataset, method and settings are copied; you confirm the cost there.",
        names,
        0,
        False,
    )
    if not ok:
        return None
    return next((p for p in choices if p.display_name == name), None)


ask_connection: Callable[[QWidget, Sequence[ConnectionProfile]], ConnectionProfile | None] = (
    _ask_connection
)
"""Which connection to train again on (tests replace it)."""


def build_dialog(
    parent: QWidget,
    services: LaunchServices,
    *,
    profile: ConnectionProfile,
    provider: Callable[[], Awaitable[Provider]],
    models: Sequence[ModelInfo],
    draft: JobDraft | None,
) -> CreateJobDialog:
    """The create dialog on ``profile`` (not opened yet)."""
    from desktop.ui.jobs.create.dialog import CreateJobDialog
    from desktop.ui.jobs.create.env import CreateJobEnv

    env = CreateJobEnv(
        profile=profile,
        provider=provider,
        models=tuple(models),
        catalog=services.catalog(),
        jobs_store=services.store,
        settings=services.settings,
        today=services.today(),
        prepare_tokenizers=services.prepare_tokenizers,
    )
    return CreateJobDialog(parent, env=env, draft=draft)


def link_jobs(
    store: JobsStore, source: tuple[str, str] | None, profile_id: str, job: FineTuningJob
) -> JobLink | None:
    """Record that ``job`` (on ``profile_id``) was trained again from ``source``."""
    if source is None:
        return None
    link = JobLink(
        from_profile_id=source[0],
        from_job_id=source[1],
        to_profile_id=profile_id,
        to_job_id=job.id,
        created_at=time.time(),
    )
    store.link_jobs(link)
    return link


class JobLauncher(QObject):
    """Opens the create dialog for "New job…" and "Train again on…" and records job links.

    ``create_dialog`` is the dialog opened last; ``task`` the running "Train again on…"
    preparation (asking the other connection for its models). Call only from the GUI thread.
    """

    job_created = Signal(str, object)
    """(profile id, ``FineTuningJob``): a dialog created a job (its link is recorded)."""
    message = Signal(str)
    """A line for the tab's message strip (empty: clear it)."""

    def __init__(
        self, window: QWidget, services: LaunchServices, connection: ConnectionService
    ) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._connection = connection
        self.create_dialog: CreateJobDialog | None = None
        self.task: asyncio.Task[None] | None = None

    def new_job(self, *, draft: JobDraft | None = None) -> CreateJobDialog:
        """Open the create dialog on the active connection, empty or filled from ``draft``
        (e.g. the dataset the Datasets tab asked to train on)."""
        connection = self._connection
        dialog = build_dialog(
            self._window,
            self._services,
            profile=connection.profile,
            provider=connection.provider,
            models=connection.models,
            draft=draft,
        )
        self._open(dialog, source=None)
        return dialog

    def train_again(
        self, job: FineTuningJob, *, profile_id: str, origin: JobOrigin | None
    ) -> asyncio.Task[None] | None:
        """Ask which other connection, then open the dialog there pre-filled from ``job``.

        Returns:
            The task preparing the dialog, or None when nothing was started.
        """
        choices = [p for p in self._services.profiles() if p.id != profile_id]
        if not choices or self._services.provider_for is None:
            self.message.emit("Add another connection in Preferences to train again there.")
            return None
        target = ask_connection(self._window, choices)
        if target is None:
            return None
        self.task = self._train_again(job, target, profile_id, origin)
        return self.task

    @async_slot()
    async def _train_again(
        self,
        job: FineTuningJob,
        target: ConnectionProfile,
        profile_id: str,
        origin: JobOrigin | None,
    ) -> None:
        from desktop.core.jobs.draft import draft_from_job

        provider_for = self._services.provider_for
        if provider_for is None:
            return
        draft = draft_from_job(job, origin, profile_id=profile_id, target_profile_id=target.id)
        self.message.emit(f"Asking {target.display_name} for its models…")
        try:
            models = await (await provider_for(target.id)).list_models()
        except FinetuneError as exc:
            self.message.emit("")
            show_error(self._window, exc)
            return
        self.message.emit("")
        dialog = build_dialog(
            self._window,
            self._services,
            profile=target,
            provider=lambda: provider_for(target.id),
            models=models,
            draft=draft,
        )
        self._open(dialog, source=(profile_id, job.id))

    def _open(self, dialog: CreateJobDialog, *, source: tuple[str, str] | None) -> None:
        self.create_dialog = dialog
        dialog.job_created.connect(
            lambda profile_id, job: self._on_job_created(profile_id, job, source)
        )
        dialog.open()

    def _on_job_created(
        self, profile_id: str, job: FineTuningJob, source: tuple[str, str] | None
    ) -> None:
        link_jobs(self._services.store, source, profile_id, job)
        self.job_created.emit(profile_id, job)
