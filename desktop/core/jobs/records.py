"""Plain records the local job history keeps (see ``desktop.storage.jobs_store``).

They live in ``core`` so the UI can name them without importing storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop.core.types import JobCreateRequest

__all__ = ["DatasetJobUse", "JobLink", "JobOrigin", "PendingCreate"]


@dataclass(frozen=True, slots=True)
class JobOrigin:
    """Where a job came from, as only this computer knows it.

    ``dataset_path``/``validation_path`` are the local files the job was started from (None when
    it was started from files already on the connection, or elsewhere). ``quoted_usd`` is the cost
    the user confirmed; ``created_locally_at`` is a Unix time in seconds.
    """

    profile_id: str
    job_id: str
    dataset_path: str | None = None
    dataset_name: str | None = None
    validation_path: str | None = None
    quoted_usd: Decimal | None = None
    client_token: str | None = None
    created_locally_at: float = 0.0


@dataclass(frozen=True, slots=True)
class JobLink:
    """ "Train again on…": the job ``to_*`` was started as a copy of the job ``from_*``."""

    from_profile_id: str
    from_job_id: str
    to_profile_id: str
    to_job_id: str
    created_at: float


@dataclass(frozen=True, slots=True)
class DatasetJobUse:
    """A job that was trained on a local dataset (for the Datasets tab's "used by" list).

    ``created_at`` is the job's creation time on the connection (Unix seconds).
    """

    profile_id: str
    job_id: str
    status: str
    model: str
    created_at: int
    fine_tuned_model: str | None = None


@dataclass(frozen=True, slots=True)
class PendingCreate:
    """A job creation that was sent but whose answer has not been recorded yet.

    Kept across restarts: if the app closed (or the answer was lost) before the job id was
    known, the next start looks for a job tagged with ``client_token`` before anything is
    created again. The optional fields become the job's :class:`JobOrigin` once it is found.
    """

    profile_id: str
    client_token: str
    request: JobCreateRequest
    started_at: float
    dataset_path: str | None = None
    dataset_name: str | None = None
    validation_path: str | None = None
    quoted_usd: Decimal | None = None

    def origin_for(self, job_id: str) -> JobOrigin:
        """The origin record of the job this creation turned out to start.

        Args:
            job_id: the id of the job found (or returned) for this creation.

        Returns:
            The origin, carrying this creation's dataset, quote and client token.
        """
        return JobOrigin(
            profile_id=self.profile_id,
            job_id=job_id,
            dataset_path=self.dataset_path,
            dataset_name=self.dataset_name,
            validation_path=self.validation_path,
            quoted_usd=self.quoted_usd,
            client_token=self.client_token,
            created_locally_at=self.started_at,
        )
