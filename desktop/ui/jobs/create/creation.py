"""The steps after the user confirmed the quote: probe, upload (or reuse), create exactly once.

Plain coroutines over the provider and the local store; the dialog runs them on the GUI thread's
loop and shows their progress. Nothing here touches a widget.

Why the probe looks the way it does: the only request that proves an account may still start
jobs is a create, and a create needs the uploaded file, so a create is never sent before the
upload. Instead the dialog uses what is cheap and honest: (1) the connection's known state, a
refusal remembered from an earlier create on this connection, shown before anything is sent;
(2) one read-only request on the fine-tuning API, ``list_jobs(limit=1)``, which an
organization without access to fine-tuning is refused (``FineTuningUnavailableError``); it is
sent when the Review page opens (so a refusal shows with the quote, before anything is
confirmed) and again when Create is pressed, before the upload. If a
provider refuses only at create time, the refusal comes after the upload; the uploaded file is
then remembered and reused, so nothing is wasted, and the refusal is remembered for next time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSettings

from desktop.api.jobs import create_job_once
from desktop.api.provider import Provider, UploadProgress
from desktop.core.errors import (
    ApiError,
    ConnectionFailedError,
    NotFoundError,
    ResumableUpload,
    ServerError,
    UploadInterruptedError,
)
from desktop.core.jobs.client_token import with_client_token
from desktop.core.jobs.records import PendingCreate
from desktop.core.types import FineTuningJob, JobCreateRequest
from desktop.ui.jobs.create.checking import CheckedFile
from desktop.ui.jobs.create.env import REFUSED_KEY, CreateJobEnv

PURPOSE = "fine-tune"

UploadListener = Callable[[str, UploadProgress], None]
"""Gets the file's name and each progress report of its upload."""


@dataclass(frozen=True, slots=True)
class PreparedDataset:
    """One dataset of the job: a checked local file (uploaded on the way) or a remote file."""

    local: CheckedFile | None = None
    remote_id: str | None = None
    source_path: str | None = None
    """The user's own file this came from (differs from ``local.path`` for a split part)."""

    @property
    def name(self) -> str:
        if self.local is not None:
            return self.local.path.name
        return self.remote_id or ""


def remembered_refusal(settings: QSettings, profile_id: str) -> str | None:
    """The date (ISO) this connection last refused to start a job, if it did."""
    value = settings.value(REFUSED_KEY.format(profile_id=profile_id))
    return str(value) if value else None


def remember_refusal(settings: QSettings, profile_id: str, today: dt.date) -> None:
    settings.setValue(REFUSED_KEY.format(profile_id=profile_id), today.isoformat())


def forget_refusal(settings: QSettings, profile_id: str) -> None:
    settings.remove(REFUSED_KEY.format(profile_id=profile_id))


async def probe_fine_tuning(provider: Provider) -> None:
    """One cheap read-only request on the fine-tuning API (see the module docstring).

    Raises:
        FineTuningUnavailableError: the account may not use fine-tuning.
        ApiError: the connection failed otherwise.
    """
    await provider.list_jobs(limit=1)


async def upload_or_reuse(
    env: CreateJobEnv,
    provider: Provider,
    checked: CheckedFile,
    *,
    on_progress: UploadListener,
    resume: ResumableUpload | None = None,
) -> tuple[str, bool]:
    """The remote id of ``checked`` on the connection: an identical earlier upload, or a new one.

    An earlier upload is reused only if the connection still has it (``retrieve_file``);
    otherwise it is forgotten and the file is uploaded again (``resume`` continues one that
    broke off, sending only the missing parts).

    Returns:
        The file id and whether it was reused.

    Raises:
        FinetuneError: the upload failed (``UploadInterruptedError`` when it broke off).
    """
    store = env.jobs_store
    profile_id = env.profile.id
    known = store.uploaded_file(profile_id, sha256=checked.sha256, size=checked.size)
    if known is not None:
        try:
            remote = await provider.retrieve_file(known)
        except NotFoundError:
            store.forget_upload(profile_id, known)
        else:
            if remote.purpose == PURPOSE and remote.bytes in (0, checked.size):
                return known, True
            store.forget_upload(profile_id, known)
    name = checked.path.name

    def progress(report: UploadProgress) -> None:
        on_progress(name, report)

    stored = await provider.upload_file(
        checked.path, purpose=PURPOSE, progress=progress, resume=resume
    )
    store.remember_upload(
        profile_id,
        sha256=checked.sha256,
        size=checked.size,
        remote_file_id=stored.id,
        local_path=str(checked.path),
    )
    return stored.id, False


def is_lost_answer(exc: BaseException) -> bool:
    """Whether the create may have happened although no answer arrived."""
    if isinstance(exc, UploadInterruptedError):
        return False  # an upload, not a create
    return isinstance(exc, ConnectionFailedError | ServerError | TimeoutError)


async def create_once(
    env: CreateJobEnv,
    provider: Provider,
    request: JobCreateRequest,
    *,
    token: str,
    training: PreparedDataset,
    validation: PreparedDataset | None,
    quoted_usd: Decimal | None,
) -> FineTuningJob:
    """Create the job with ``token``, recording the pending create first and the origin after.

    A retry with the same token finds the job an earlier, unanswered attempt started instead of
    creating a second one (``desktop.api.jobs.create_job_once``).

    Raises:
        ApiError: the connection refused or failed; after a lost answer the pending create
            stays recorded so the next start can find the job.
    """
    store = env.jobs_store
    tagged = with_client_token(request, token)
    pending = PendingCreate(
        profile_id=env.profile.id,
        client_token=token,
        request=tagged,
        started_at=time.time(),
        dataset_path=training.source_path,
        dataset_name=_dataset_name(training),
        validation_path=_validation_path(validation),
        quoted_usd=quoted_usd,
    )
    store.begin_create(pending)
    try:
        job = await create_job_once(provider, tagged, client_token=token)
    except ApiError as exc:
        if not is_lost_answer(exc):
            store.end_create(token)  # definitely refused: nothing to look for later
        raise
    store.complete_create(pending, job)  # job, origin and the end of the pending create at once
    return job


def _dataset_name(training: PreparedDataset) -> str | None:
    if training.source_path is not None:
        return Path(training.source_path).name
    return training.name or None


def _validation_path(validation: PreparedDataset | None) -> str | None:
    if validation is None or validation.local is None:
        return None
    return str(validation.local.path)
