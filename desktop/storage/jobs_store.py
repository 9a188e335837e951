"""The Jobs tab's local record: cached jobs and events, origins, uploads, links, pending creates.

Everything here is a local copy or a local fact. Nothing in this module talks to a connection,
so deleting local history can never delete anything remote.

Jobs, events and requests are kept as JSON (``desktop.core.jobs.serialize``). A damaged
record is skipped with a warning in the log rather than stopping the app.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.jobs.records import DatasetJobUse, JobLink, JobOrigin, PendingCreate
from desktop.core.jobs.serialize import (
    RecordFormatError,
    event_from_dict,
    event_to_dict,
    job_from_dict,
    job_to_dict,
    request_from_dict,
    request_to_dict,
)
from desktop.core.types import FineTuningJob, JobEvent
from desktop.storage.database import Database

__all__ = ["JobsStore"]

_log = logging.getLogger(__name__)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _origin(row: sqlite3.Row) -> JobOrigin:
    return JobOrigin(
        profile_id=row["profile_id"],
        job_id=row["job_id"],
        dataset_path=row["dataset_path"],
        dataset_name=row["dataset_name"],
        validation_path=row["validation_path"],
        quoted_usd=_decimal(row["quoted_usd"]),
        client_token=row["client_token"],
        created_locally_at=float(row["created_locally_at"]),
    )


def _link(row: sqlite3.Row) -> JobLink:
    return JobLink(
        from_profile_id=row["from_profile_id"],
        from_job_id=row["from_job_id"],
        to_profile_id=row["to_profile_id"],
        to_job_id=row["to_job_id"],
        created_at=float(row["created_at"]),
    )


class JobsStore:
    """Local history of fine-tuning jobs, per connection (``profile_id``).

    Same threading rule as :class:`~desktop.storage.database.Database`: any thread, one call
    at a time. Every method may raise :class:`~desktop.core.errors.DatabaseError`.
    """

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Use the jobs tables of ``db`` (created by its migrations).

        Args:
            db: the app's database.
            clock: the current Unix time (tests pass their own).
        """
        self._db = db
        self._clock = clock

    # Jobs ------------------------------------------------------------------------------------

    def cached_jobs(self, profile_id: str) -> list[FineTuningJob]:
        """The jobs last seen on a connection, newest first (fills the list at once, offline).

        Args:
            profile_id: the connection.

        Returns:
            The jobs, including those flagged as deleted remotely (see :meth:`is_gone`).
        """
        rows = self._db.query(
            "SELECT job_id, data FROM jobs WHERE profile_id = ? "
            "ORDER BY created_at DESC, job_id DESC",
            (profile_id,),
        )
        jobs: list[FineTuningJob] = []
        for row in rows:
            try:
                jobs.append(job_from_dict(json.loads(row["data"])))
            except (ValueError, RecordFormatError) as exc:
                _log.warning("skipping damaged cached job %s: %s", row["job_id"], exc)
        return jobs

    def cached_job(self, profile_id: str, job_id: str) -> FineTuningJob | None:
        """One cached job, or None when it was never seen (or its record is damaged).

        Args:
            profile_id: the connection.
            job_id: the job.

        Returns:
            The job as last seen.
        """
        rows = self._db.query(
            "SELECT data FROM jobs WHERE profile_id = ? AND job_id = ?", (profile_id, job_id)
        )
        if not rows:
            return None
        try:
            return job_from_dict(json.loads(rows[0]["data"]))
        except (ValueError, RecordFormatError) as exc:
            _log.warning("damaged cached job %s: %s", job_id, exc)
            return None

    def save_jobs(self, profile_id: str, jobs: Sequence[FineTuningJob]) -> None:
        """Add or update jobs as the connection just listed them.

        A job seen again is no longer flagged as deleted remotely.

        Args:
            profile_id: the connection.
            jobs: the jobs (any order).
        """
        with self._db.transaction():
            for job in jobs:
                self._db.execute(
                    "INSERT INTO jobs (profile_id, job_id, created_at, status, model, "
                    "fine_tuned_model, training_file, validation_file, data, gone) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
                    "ON CONFLICT (profile_id, job_id) DO UPDATE SET "
                    "created_at = excluded.created_at, status = excluded.status, "
                    "model = excluded.model, fine_tuned_model = excluded.fine_tuned_model, "
                    "training_file = excluded.training_file, "
                    "validation_file = excluded.validation_file, data = excluded.data, gone = 0",
                    (
                        profile_id,
                        job.id,
                        job.created_at,
                        job.status,
                        job.model,
                        job.fine_tuned_model,
                        job.training_file,
                        job.validation_file,
                        _dumps(job_to_dict(job)),
                    ),
                )

    def mark_gone(self, profile_id: str, job_id: str) -> None:
        """Flag a job the connection no longer knows (deleted remotely); it stays in the record.

        Args:
            profile_id: the connection.
            job_id: the job.
        """
        self._db.execute(
            "UPDATE jobs SET gone = 1 WHERE profile_id = ? AND job_id = ?", (profile_id, job_id)
        )

    def is_gone(self, profile_id: str, job_id: str) -> bool:
        """Whether the job was flagged by :meth:`mark_gone` (and not seen since).

        Args:
            profile_id: the connection.
            job_id: the job.

        Returns:
            True when flagged.
        """
        rows = self._db.query(
            "SELECT gone FROM jobs WHERE profile_id = ? AND job_id = ?", (profile_id, job_id)
        )
        return bool(rows and rows[0]["gone"])

    # Events ----------------------------------------------------------------------------------

    def cached_events(self, profile_id: str, job_id: str) -> list[JobEvent]:
        """The events seen for a job, newest first.

        Args:
            profile_id: the connection.
            job_id: the job.

        Returns:
            The events (no duplicates).
        """
        rows = self._db.query(
            "SELECT event_id, data FROM job_events WHERE profile_id = ? AND job_id = ? "
            "ORDER BY created_at DESC, seq DESC",
            (profile_id, job_id),
        )
        events: list[JobEvent] = []
        for row in rows:
            try:
                events.append(event_from_dict(json.loads(row["data"])))
            except (ValueError, RecordFormatError) as exc:
                _log.warning("skipping damaged cached event %s: %s", row["event_id"], exc)
        return events

    def cached_event_ids(self, profile_id: str, job_id: str) -> set[str]:
        """The ids of the events kept for a job (cheap: the events are not decoded).

        Args:
            profile_id: the connection.
            job_id: the job.

        Returns:
            The event ids.
        """
        rows = self._db.query(
            "SELECT event_id FROM job_events WHERE profile_id = ? AND job_id = ?",
            (profile_id, job_id),
        )
        return {str(row["event_id"]) for row in rows}

    def save_events(self, profile_id: str, job_id: str, events: Sequence[JobEvent]) -> None:
        """Add events of a job; events already kept (same id) are left as they are.

        Args:
            profile_id: the connection.
            job_id: the job.
            events: as the connection lists them (newest first); events with the same time
                keep that order.
        """
        oldest_first = sorted(reversed(events), key=lambda event: event.created_at)
        with self._db.transaction():
            for event in oldest_first:
                self._db.execute(
                    "INSERT OR IGNORE INTO job_events "
                    "(profile_id, job_id, event_id, created_at, data) VALUES (?, ?, ?, ?, ?)",
                    (profile_id, job_id, event.id, event.created_at, _dumps(event_to_dict(event))),
                )

    # Origins and datasets --------------------------------------------------------------------

    def record_origin(self, origin: JobOrigin) -> None:
        """Remember where a job came from (replaces an earlier record of the same job).

        Args:
            origin: the job's local dataset, quote and client token.
        """
        self._db.execute(
            "INSERT OR REPLACE INTO job_origins (profile_id, job_id, dataset_path, dataset_name, "
            "validation_path, quoted_usd, client_token, created_locally_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                origin.profile_id,
                origin.job_id,
                origin.dataset_path,
                origin.dataset_name,
                origin.validation_path,
                None if origin.quoted_usd is None else str(origin.quoted_usd),
                origin.client_token,
                origin.created_locally_at,
            ),
        )

    def origin(self, profile_id: str, job_id: str) -> JobOrigin | None:
        """Where a job came from, or None for jobs not started from this computer.

        Args:
            profile_id: the connection.
            job_id: the job.

        Returns:
            The origin record.
        """
        rows = self._db.query(
            "SELECT * FROM job_origins WHERE profile_id = ? AND job_id = ?", (profile_id, job_id)
        )
        return _origin(rows[0]) if rows else None

    def jobs_for_dataset(self, dataset_path: str) -> list[DatasetJobUse]:
        """The jobs (on any connection) that trained or validated on a local dataset.

        A job counts when it was started from the file, or uses a remote file uploaded from it.

        Args:
            dataset_path: the dataset's path, spelled as when it was recorded.

        Returns:
            The jobs, newest first; a job not listed by its connection yet has an empty
            ``status`` and ``model``.
        """
        started = self._db.query(
            "SELECT o.profile_id, o.job_id, j.status, j.model, j.fine_tuned_model, "
            "COALESCE(j.created_at, CAST(o.created_locally_at AS INTEGER)) AS created_at "
            "FROM job_origins o LEFT JOIN jobs j "
            "ON j.profile_id = o.profile_id AND j.job_id = o.job_id "
            "WHERE o.dataset_path = ? OR o.validation_path = ?",
            (dataset_path, dataset_path),
        )
        uploaded = self._db.query(
            "SELECT DISTINCT j.profile_id, j.job_id, j.status, j.model, j.fine_tuned_model, "
            "j.created_at FROM uploads u JOIN jobs j ON j.profile_id = u.profile_id "
            "AND (j.training_file = u.remote_file_id OR j.validation_file = u.remote_file_id) "
            "WHERE u.local_path = ?",
            (dataset_path,),
        )
        uses: dict[tuple[str, str], DatasetJobUse] = {}
        for row in (*started, *uploaded):
            key = (row["profile_id"], row["job_id"])
            known = uses.get(key)
            if known is not None and known.status:
                continue
            uses[key] = DatasetJobUse(
                profile_id=row["profile_id"],
                job_id=row["job_id"],
                status=row["status"] or "",
                model=row["model"] or "",
                created_at=int(row["created_at"]),
                fine_tuned_model=row["fine_tuned_model"],
            )
        return sorted(uses.values(), key=lambda use: (use.created_at, use.job_id), reverse=True)

    # Uploads ---------------------------------------------------------------------------------

    def remember_upload(
        self, profile_id: str, *, sha256: str, size: int, remote_file_id: str, local_path: str
    ) -> None:
        """Remember that a local file's content is on a connection as ``remote_file_id``.

        Args:
            profile_id: the connection.
            sha256: hex digest of the uploaded bytes.
            size: their length.
            remote_file_id: the file id the connection gave.
            local_path: the local file it came from.
        """
        self._db.execute(
            "INSERT OR REPLACE INTO uploads "
            "(profile_id, remote_file_id, sha256, size, local_path, uploaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (profile_id, remote_file_id, sha256.lower(), size, local_path, self._clock()),
        )

    def uploaded_file(self, profile_id: str, *, sha256: str, size: int) -> str | None:
        """The remote id of an identical file already uploaded to this connection.

        Args:
            profile_id: the connection.
            sha256: hex digest of the bytes to upload.
            size: their length.

        Returns:
            The most recently uploaded matching file id, or None (upload it).
        """
        rows = self._db.query(
            "SELECT remote_file_id FROM uploads WHERE profile_id = ? AND sha256 = ? AND size = ? "
            "ORDER BY uploaded_at DESC, rowid DESC LIMIT 1",
            (profile_id, sha256.lower(), size),
        )
        return str(rows[0]["remote_file_id"]) if rows else None

    def forget_upload(self, profile_id: str, remote_file_id: str) -> None:
        """Forget an upload (e.g. the remote file was deleted, so it cannot be reused).

        Args:
            profile_id: the connection.
            remote_file_id: the file id.
        """
        self._db.execute(
            "DELETE FROM uploads WHERE profile_id = ? AND remote_file_id = ?",
            (profile_id, remote_file_id),
        )

    # Links -----------------------------------------------------------------------------------

    def link_jobs(self, link: JobLink) -> None:
        """Record that one job was started as a copy of another ("Train again on…").

        Args:
            link: the two jobs (recording the same pair again changes nothing).
        """
        self._db.execute(
            "INSERT OR IGNORE INTO job_links "
            "(from_profile_id, from_job_id, to_profile_id, to_job_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                link.from_profile_id,
                link.from_job_id,
                link.to_profile_id,
                link.to_job_id,
                link.created_at,
            ),
        )

    def links_for(self, profile_id: str, job_id: str) -> list[JobLink]:
        """The links in which a job is the original or the copy, oldest first.

        Args:
            profile_id: the job's connection.
            job_id: the job.

        Returns:
            The links.
        """
        rows = self._db.query(
            "SELECT * FROM job_links WHERE (from_profile_id = ? AND from_job_id = ?) "
            "OR (to_profile_id = ? AND to_job_id = ?) ORDER BY created_at, rowid",
            (profile_id, job_id, profile_id, job_id),
        )
        return [_link(row) for row in rows]

    # Pending creates -------------------------------------------------------------------------

    def begin_create(self, pending: PendingCreate) -> None:
        """Remember a creation before it is sent, so a lost answer can be recovered later.

        Args:
            pending: the request and its client token (the same token replaces the record).
        """
        self._db.execute(
            "INSERT OR REPLACE INTO pending_creates (client_token, profile_id, request, "
            "started_at, dataset_path, dataset_name, validation_path, quoted_usd) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pending.client_token,
                pending.profile_id,
                _dumps(request_to_dict(pending.request)),
                pending.started_at,
                pending.dataset_path,
                pending.dataset_name,
                pending.validation_path,
                None if pending.quoted_usd is None else str(pending.quoted_usd),
            ),
        )

    def end_create(self, client_token: str) -> None:
        """Forget a creation whose outcome is known (the job was found or surely not created).

        Args:
            client_token: the creation's token.
        """
        self._db.execute("DELETE FROM pending_creates WHERE client_token = ?", (client_token,))

    def complete_create(self, pending: PendingCreate, job: FineTuningJob) -> None:
        """Record in one step that a pending creation started ``job``.

        Saves the job, records its origin (from ``pending``) and forgets the pending creation,
        all in one transaction, so a crash in between cannot lose the origin.

        Args:
            pending: the creation, as passed to :meth:`begin_create`.
            job: the job the connection returned (or the one found by the client token).
        """
        with self._db.transaction():
            self.save_jobs(pending.profile_id, [job])
            self.record_origin(pending.origin_for(job.id))
            self.end_create(pending.client_token)

    def pending_creates(self, profile_id: str) -> list[PendingCreate]:
        """Creations on a connection whose outcome is not known yet, oldest first.

        Args:
            profile_id: the connection.

        Returns:
            The pending creations (damaged records are skipped).
        """
        rows = self._db.query(
            "SELECT * FROM pending_creates WHERE profile_id = ? ORDER BY started_at, rowid",
            (profile_id,),
        )
        pending: list[PendingCreate] = []
        for row in rows:
            try:
                request = request_from_dict(json.loads(row["request"]))
            except (ValueError, RecordFormatError) as exc:
                _log.warning("skipping damaged pending create %s: %s", row["client_token"], exc)
                continue
            pending.append(
                PendingCreate(
                    profile_id=row["profile_id"],
                    client_token=row["client_token"],
                    request=request,
                    started_at=float(row["started_at"]),
                    dataset_path=row["dataset_path"],
                    dataset_name=row["dataset_name"],
                    validation_path=row["validation_path"],
                    quoted_usd=_decimal(row["quoted_usd"]),
                )
            )
        return pending

    # Notifications ---------------------------------------------------------------------------

    def mark_notified(self, profile_id: str, job_id: str, status: str) -> None:
        """Remember that the user was told about a job reaching ``status``.

        Args:
            profile_id: the connection.
            job_id: the job.
            status: the status the notification was about.
        """
        self._db.execute(
            "INSERT OR REPLACE INTO job_notifications (profile_id, job_id, status) "
            "VALUES (?, ?, ?)",
            (profile_id, job_id, status),
        )

    def notified_status(self, profile_id: str, job_id: str) -> str | None:
        """The status the user was last notified about for a job, or None.

        Args:
            profile_id: the connection.
            job_id: the job.

        Returns:
            The status, or None when no notification was shown.
        """
        rows = self._db.query(
            "SELECT status FROM job_notifications WHERE profile_id = ? AND job_id = ?",
            (profile_id, job_id),
        )
        return str(rows[0]["status"]) if rows else None

    # Deleting --------------------------------------------------------------------------------

    def delete_local_history(self, profile_id: str, job_id: str) -> None:
        """Forget everything this computer kept about one job. Never touches the connection.

        Removes the cached job, its events, origin, links and notification record; uploads,
        pending creations and other jobs stay. If the connection still lists the job, the next
        refresh caches it again.

        Args:
            profile_id: the connection.
            job_id: the job.
        """
        key = (profile_id, job_id)
        with self._db.transaction():
            self._db.execute("DELETE FROM jobs WHERE profile_id = ? AND job_id = ?", key)
            self._db.execute("DELETE FROM job_events WHERE profile_id = ? AND job_id = ?", key)
            self._db.execute("DELETE FROM job_origins WHERE profile_id = ? AND job_id = ?", key)
            self._db.execute(
                "DELETE FROM job_notifications WHERE profile_id = ? AND job_id = ?", key
            )
            self._db.execute(
                "DELETE FROM job_links WHERE (from_profile_id = ? AND from_job_id = ?) "
                "OR (to_profile_id = ? AND to_job_id = ?)",
                (*key, *key),
            )
