"""The Jobs tab's local record: cached jobs and events, origins, uploads, links, pending creates.

This module keeps the cache of jobs and events; the queries over the other records live in
:mod:`desktop.storage.job_records` and are mixed into :class:`JobsStore`. Everything here is a
local copy or a local fact. Nothing in this module talks to a connection, so deleting local
history can never delete anything remote.

Jobs, events and requests are kept as JSON (``desktop.core.jobs.serialize``). A damaged
record is skipped with a warning in the log rather than stopping the app.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence

from desktop.core.jobs.records import PendingCreate
from desktop.core.jobs.serialize import (
    RecordFormatError,
    event_from_dict,
    event_to_dict,
    job_from_dict,
    job_to_dict,
)
from desktop.core.types import FineTuningJob, JobEvent
from desktop.storage.database import Database
from desktop.storage.job_records import JobRecordsMixin, dump_json

__all__ = ["JobsStore"]

_log = logging.getLogger(__name__)


class JobsStore(JobRecordsMixin):
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
                        dump_json(job_to_dict(job)),
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
                    (
                        profile_id,
                        job_id,
                        event.id,
                        event.created_at,
                        dump_json(event_to_dict(event)),
                    ),
                )

    # Pending creates -------------------------------------------------------------------------

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
