"""What the create dialog needs from the window: the target connection and the app's services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from desktop.core.connections import ConnectionKind, ConnectionProfile
from desktop.core.types import ModelInfo

if TYPE_CHECKING:
    from desktop.api.provider import Provider
    from desktop.core.catalog import ModelCatalog
    from desktop.storage.jobs_store import JobsStore

PRICE_KEY = "datasets/training_price/{model_id}"
"""The training price the user set in the Datasets tab's Estimate panel (USD per 1M tokens)."""

REFUSED_KEY = "jobs/fine_tuning_refused/{profile_id}"
"""When the connection last refused to start a job (the account may not fine-tune), ISO date."""


@dataclass(frozen=True, slots=True)
class CreateJobEnv:
    """The connection a job is created on and the services the dialog uses.

    Attributes:
        profile: the target connection (for "Train again on…", not necessarily the active one).
        provider: returns that connection's provider (awaited on the GUI thread's loop).
        models: what the connection listed (shutdown dates come from here first).
        catalog: the app's model catalog, None when it is unavailable.
        jobs_store: local record of uploads, pending creates and job origins.
        settings: the app's QSettings (training price overrides, a remembered refusal).
        today: the date that decides which models are retired.
        split_dir: where "split off N %" writes its two files; defaults to ``<app data>/splits``.
        prepare_tokenizers: installs the offline tokenizers (blocking; run in a worker thread
            before the first check). None when already done.
    """

    profile: ConnectionProfile
    provider: Callable[[], Awaitable[Provider]]
    models: tuple[ModelInfo, ...]
    catalog: ModelCatalog | None
    jobs_store: JobsStore
    settings: QSettings
    today: dt.date
    split_dir: Path | None = None
    prepare_tokenizers: Callable[[], None] | None = None

    @property
    def is_demo(self) -> bool:
        return self.profile.kind is ConnectionKind.DEMO

    def resolved_split_dir(self) -> Path:
        """The folder for split files (not created here)."""
        if self.split_dir is not None:
            return self.split_dir
        from desktop.storage.paths import app_paths

        return app_paths().data_dir / "splits"
