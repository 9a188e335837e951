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

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QWidget

from desktop.core.connections import ConnectionProfile
from desktop.core.jobs.records import JobLink
from desktop.core.types import FineTuningJob, ModelInfo

if TYPE_CHECKING:
    from desktop.api.provider import Provider
    from desktop.core.catalog import ModelCatalog
    from desktop.core.jobs.draft import JobDraft
    from desktop.storage.jobs_store import JobsStore
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
