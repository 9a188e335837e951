"""Everything the emulated service remembers: files, uploads, jobs; optionally kept on disk.

With a ``state_dir`` the store persists after every change: file contents go to ``blobs/`` and
``parts/`` (each written to a temporary file, then ``os.replace``-d into place) before
``index.json`` is replaced the same way, so a crash mid-write leaves the previous state intact.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.files import write_via_temp
from desktop.sandbox.jobs import Job

__all__ = ["FileRecord", "Store", "UploadRecord"]

_log = logging.getLogger(__name__)
_INDEX = "index.json"
_FORMAT_VERSION = 1
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class FileRecord:
    """A stored file. ``deleted`` files are hidden from the API but kept while a job uses them."""

    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    deleted: bool = False

    def to_json(self) -> dict[str, object]:
        """The ``file`` JSON object."""
        return {
            "id": self.id,
            "object": "file",
            "bytes": self.bytes,
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
        }


@dataclass
class UploadRecord:
    """An Upload in progress (or finished); ``parts`` are ``[part_id, created_at]`` pairs."""

    id: str
    filename: str
    purpose: str
    bytes: int
    mime_type: str
    created_at: int
    expires_at: int
    status: str = "pending"
    parts: list[list[Any]] = field(default_factory=list)
    file_id: str | None = None


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_via_temp(target, [data])


class Store:
    """In-memory state, persisted to ``state_dir`` when given.

    Threading: callers hold ``lock`` (re-entrant) around every read-modify-write sequence;
    the request dispatcher does this for each API call.
    """

    def __init__(self, *, seed: int, state_dir: Path | None = None) -> None:
        self.lock = threading.RLock()
        self._seed = seed
        self._dir = state_dir
        self.serial = 0
        self.clock_offset = 0.0
        self.files: dict[str, FileRecord] = {}
        self.blobs: dict[str, bytes] = {}
        self.uploads: dict[str, UploadRecord] = {}
        self.part_blobs: dict[str, bytes] = {}
        self.jobs: dict[str, Job] = {}
        if state_dir is not None:
            self._load(state_dir)

    # ----------------------------------------------------------------- ids

    def new_id(self, prefix: str, length: int = 24) -> str:
        """A fresh id like ``file-AbC...``: deterministic for the seed, unique in this store."""
        with self.lock:
            while True:
                self.serial += 1
                rng = random.Random(f"{self._seed}:{self.serial}")
                candidate = prefix + "".join(rng.choice(_ID_ALPHABET) for _ in range(length))
                if candidate not in self.files and candidate not in self.jobs:
                    return candidate

    # ----------------------------------------------------------------- changes

    def clear(self) -> None:
        """Forget everything (and persist the empty state)."""
        with self.lock:
            self.serial = 0
            self.clock_offset = 0.0
            self.files.clear()
            self.blobs.clear()
            self.uploads.clear()
            self.part_blobs.clear()
            self.jobs.clear()
            if self._dir is not None:
                for sub in ("blobs", "parts"):
                    for path in (self._dir / sub).glob("*"):
                        path.unlink(missing_ok=True)
            self.save()

    def add_file(self, record: FileRecord, data: bytes) -> FileRecord:
        """Store a new file and its contents."""
        with self.lock:
            self.files[record.id] = record
            self.blobs[record.id] = data
            if self._dir is not None:
                _write_atomically(self._dir / "blobs" / record.id, data)
            self.save()
            return record

    def delete_file(self, file_id: str) -> None:
        """Hide a file; drop its contents unless a job still needs them."""
        with self.lock:
            record = self.files[file_id]
            used = any(file_id in (j.training_file, j.validation_file) for j in self.jobs.values())
            if used:
                record.deleted = True
            else:
                del self.files[file_id]
                self.blobs.pop(file_id, None)
            self.save()
            if not used and self._dir is not None:
                (self._dir / "blobs" / file_id).unlink(missing_ok=True)

    def add_part(self, upload: UploadRecord, part_id: str, created_at: int, data: bytes) -> None:
        """Attach a part's bytes to an upload."""
        with self.lock:
            upload.parts.append([part_id, created_at])
            self.part_blobs[part_id] = data
            if self._dir is not None:
                _write_atomically(self._dir / "parts" / part_id, data)
            self.save()

    def drop_parts(self, upload: UploadRecord) -> None:
        """Free the bytes of an upload's parts (after completion or cancellation)."""
        with self.lock:
            for part_id, _ in upload.parts:
                self.part_blobs.pop(part_id, None)
                if self._dir is not None:
                    (self._dir / "parts" / part_id).unlink(missing_ok=True)

    # ----------------------------------------------------------------- persistence

    def save(self) -> None:
        """Write the index (no-op without a state folder)."""
        if self._dir is None:
            return
        with self.lock:
            index = {
                "version": _FORMAT_VERSION,
                "serial": self.serial,
                "clock_offset": self.clock_offset,
                "files": [asdict(f) for f in self.files.values()],
                "uploads": [asdict(u) for u in self.uploads.values()],
                "jobs": [j.to_dict() for j in self.jobs.values()],
            }
            _write_atomically(self._dir / _INDEX, json.dumps(index, indent=1).encode())

    def _load(self, folder: Path) -> None:
        path = folder / _INDEX
        if not path.exists():
            return
        try:
            index = json.loads(path.read_text(encoding="utf-8"))
            if index.get("version") != _FORMAT_VERSION:
                raise ValueError(f"unknown format version {index.get('version')!r}")
            files = [FileRecord(**raw) for raw in index["files"]]
            uploads = [UploadRecord(**raw) for raw in index["uploads"]]
            jobs = [Job.from_dict(raw) for raw in index["jobs"]]
            blobs = {f.id: (folder / "blobs" / f.id).read_bytes() for f in files}
            parts: dict[str, bytes] = {}
            for upload in uploads:
                if upload.status == "pending":
                    for part_id, _ in upload.parts:
                        parts[part_id] = (folder / "parts" / part_id).read_bytes()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            kept = path.with_name(f"{_INDEX}.unreadable-{int(time.time())}")
            _log.warning(
                "emulator state %s is unreadable (%s); starting empty, kept as %s",
                path,
                exc,
                kept.name,
            )
            os.replace(path, kept)
            return
        self.serial = int(index.get("serial", 0))
        self.clock_offset = float(index.get("clock_offset", 0.0))
        self.files = {f.id: f for f in files}
        self.blobs = blobs
        self.uploads = {u.id: u for u in uploads}
        self.part_blobs = parts
        self.jobs = {j.id: j for j in jobs}
