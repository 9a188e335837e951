"""Reading the local record of jobs without stalling the window.

Reading 2,000 saved jobs takes ~60 ms, so :class:`SavedJobsReader` reads them in a plain
thread (not an asyncio task, which would need the loop to be running) and the GUI thread
collects the answer. :func:`recorded` runs a quick call on the record
and keeps the window working if the database fails.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.errors import FinetuneError
from desktop.core.types import FineTuningJob

if TYPE_CHECKING:
    from desktop.storage.jobs_store import JobsStore

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL_MS = 5
"""How often the GUI thread looks for the reading thread's answer while one is due."""


def recorded(action: Callable[[], T], default: T) -> T:
    """Run a call on the local record; if the database fails (disk full...), say so in the log
    and go on with ``default``: the window keeps working from what it holds."""
    try:
        return action()
    except FinetuneError as exc:
        log.warning("local job record unavailable: %s", type(exc).__name__)
        return default


class SavedJobsReader(QObject):
    """Reads a connection's saved jobs in a thread; ``read`` delivers them on the GUI thread.

    The thread never touches a Qt object: it leaves its answer in a queue that a timer of the
    GUI thread collects, so a reader deleted with its window is never called from elsewhere.
    """

    read = Signal(str, int, list)
    """(profile id, the request's number, ``list[FineTuningJob]`` newest first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._answers: queue.SimpleQueue[tuple[str, int, list[FineTuningJob]]] = queue.SimpleQueue()
        self._pending = 0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)

    def start(self, store: JobsStore, profile_id: str, request: int) -> None:
        """Read in a new thread; the answer comes through ``read`` (empty if unreadable)."""
        answers = self._answers

        def work() -> None:
            try:
                jobs = store.cached_jobs(profile_id)
            except FinetuneError as exc:
                log.warning("saved jobs of %s unreadable: %s", profile_id, type(exc).__name__)
                jobs = []
            answers.put((profile_id, request, jobs))

        self._pending += 1
        self._timer.start()
        threading.Thread(target=work, name="saved-jobs", daemon=True).start()

    def stop(self) -> None:
        """Forget the answers still due (the window is closing): the timer stops now."""
        self._pending = 0
        self._timer.stop()

    def _collect(self) -> None:
        while True:
            try:
                profile_id, request, jobs = self._answers.get_nowait()
            except queue.Empty:
                return
            self._pending -= 1
            if self._pending <= 0:
                self._timer.stop()
            self.read.emit(profile_id, request, jobs)
