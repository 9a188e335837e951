"""Reading the local record of jobs without stalling the window.

Reading 2,000 saved jobs takes ~60 ms, so :class:`SavedJobsReader` reads them in a plain
thread (not an asyncio task, which would need the loop to be running) and hands them back
through a signal, queued to the GUI thread. :func:`recorded` runs a quick call on the record
and keeps the window working if the database fails.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import FinetuneError

if TYPE_CHECKING:
    from desktop.storage.jobs_store import JobsStore

log = logging.getLogger(__name__)

T = TypeVar("T")


def recorded(action: Callable[[], T], default: T) -> T:
    """Run a call on the local record; if the database fails (disk full...), say so in the log
    and go on with ``default``: the window keeps working from what it holds."""
    try:
        return action()
    except FinetuneError as exc:
        log.warning("local job record unavailable: %s", type(exc).__name__)
        return default


class SavedJobsReader(QObject):
    """Reads a connection's saved jobs in a thread; ``read`` delivers them on the GUI thread."""

    read = Signal(str, int, list)
    """(profile id, the request's number, ``list[FineTuningJob]`` newest first)."""

    def start(self, store: JobsStore, profile_id: str, request: int) -> None:
        """Read in a new thread; the answer comes through ``read`` (empty if unreadable)."""

        def work() -> None:
            try:
                jobs = store.cached_jobs(profile_id)
            except FinetuneError as exc:
                log.warning("saved jobs of %s unreadable: %s", profile_id, type(exc).__name__)
                jobs = []
            with contextlib.suppress(RuntimeError):  # the reader was deleted (window closed)
                self.read.emit(profile_id, request, jobs)

        threading.Thread(target=work, name="saved-jobs", daemon=True).start()
