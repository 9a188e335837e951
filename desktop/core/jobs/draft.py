"""What the create dialog is pre-filled with: empty, or a copy of an earlier job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.jobs.records import JobOrigin
from desktop.core.types import FineTuningJob, Hyperparameters

__all__ = ["JobDraft", "draft_from_job"]


@dataclass(frozen=True, slots=True)
class JobDraft:
    """The create dialog's starting values.

    A dataset is given either as a local file (``*_path``, checked and uploaded on the way) or
    as a file already on the target connection (``*_file_id``). ``source_profile_id`` and
    ``source_job_id`` are set by "Train again on…" so the new job can be linked to the old one.
    """

    training_path: str | None = None
    training_file_id: str | None = None
    validation_path: str | None = None
    validation_file_id: str | None = None
    split_percent: int | None = None
    model: str | None = None
    method: str = "supervised"
    hyperparameters: Hyperparameters = field(default_factory=Hyperparameters)
    suffix: str | None = None
    seed: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    source_profile_id: str | None = None
    source_job_id: str | None = None


def draft_from_job(
    job: FineTuningJob,
    origin: JobOrigin | None,
    *,
    profile_id: str,
    target_profile_id: str | None = None,
) -> JobDraft:
    """A draft that trains the same way as ``job`` ("Train again on…").

    The hyperparameters are the ones the job actually used, so "auto" choices the service made
    are repeated. Local dataset files are reused when this computer knows them; remote file ids
    only when the new job goes to the same connection (ids mean nothing elsewhere).

    Args:
        job: the job to copy.
        origin: what this computer recorded about the job (its local files), if anything.
        profile_id: the connection ``job`` belongs to.
        target_profile_id: the connection the new job will go to (None: the same one).

    Returns:
        The draft, with ``source_profile_id``/``source_job_id`` naming ``job``.
    """
    same_connection = target_profile_id is None or target_profile_id == profile_id
    training_path = origin.dataset_path if origin is not None else None
    validation_path = origin.validation_path if origin is not None else None
    training_file_id = None
    validation_file_id = None
    if same_connection:
        if training_path is None:
            training_file_id = job.training_file or None
        if validation_path is None:
            validation_file_id = job.validation_file
    return JobDraft(
        training_path=training_path,
        training_file_id=training_file_id,
        validation_path=validation_path,
        validation_file_id=validation_file_id,
        model=job.model or None,
        method=job.method,
        hyperparameters=job.hyperparameters,
        suffix=job.suffix,
        seed=job.seed,
        metadata={k: v for k, v in job.metadata.items() if k != CLIENT_TOKEN_KEY},
        source_profile_id=profile_id,
        source_job_id=job.id,
    )
