"""The Jobs tab's local facts beside the cache: origins, uploads, links, pending creates, notices.

:class:`JobRecordsMixin` holds the queries over these tables; ``JobsStore`` (in
:mod:`desktop.storage.jobs_store`) mixes them in, so callers keep using one store. Nothing here
talks to a connection.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.jobs.records import DatasetJobUse, JobLink, JobOrigin, PendingCreate
from desktop.core.jobs.serialize import RecordFormatError, request_from_dict, request_to_dict
from desktop.storage.database import Database

__all__ = ["JobRecordsMixin", "dump_json"]

# Warnings keep the logger name they had before these queries moved out of jobs_store.
_log = logging.getLogger("desktop.storage.jobs_store")


def dump_json(value: Any) -> str:
    """``value`` as compact JSON, the way the jobs tables keep their records."""
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


class JobRecordsMixin:
    """Origins, uploads, links, pending creations and notifications of :class:`JobsStore`.

    Needs ``_db`` and ``_clock`` from the class it is mixed into; same threading rule.
    """

    _db: Database
    _clock: Callable[[], float]

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
                dump_json(request_to_dict(pending.request)),
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
