"""The events seen of each job, newest first, kept in memory and in the local record.

Plain Python (no Qt): :class:`JobsService` owns one per connection and turns what it adds
into signals. Call only from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from desktop.core.types import JobEvent

EventReader = Callable[[str], list[JobEvent]]
"""Returns the saved events of a job, newest first."""
EventWriter = Callable[[str, Sequence[JobEvent]], None]
"""Saves new events of a job (newest first)."""


class JobEventCache:
    """Per job: the events in the order the connection lists them (newest first) and their ids.

    A job's saved events are read on first use. Events of the same second keep the order the
    connection gave them (the sort by time is stable).
    """

    def __init__(self, read: EventReader, write: EventWriter) -> None:
        self._read = read
        self._write = write
        self._events: dict[str, list[JobEvent]] = {}
        self._ids: dict[str, set[str]] = {}

    def clear(self) -> None:
        self._events.clear()
        self._ids.clear()

    def forget(self, job_id: str) -> None:
        """Drop one job's events from memory (its saved events are the caller's business)."""
        self._events.pop(job_id, None)
        self._ids.pop(job_id, None)

    def _load(self, job_id: str) -> list[JobEvent]:
        if job_id not in self._events:
            saved = self._read(job_id)
            self._events[job_id] = list(saved)
            self._ids[job_id] = {event.id for event in saved}
        return self._events[job_id]

    def events(self, job_id: str) -> list[JobEvent]:
        """The job's events, newest first (a copy)."""
        return list(self._load(job_id))

    def known_ids(self, job_id: str) -> set[str]:
        """Ids of the job's events seen so far (a copy)."""
        self._load(job_id)
        return set(self._ids[job_id])

    def add(
        self, job_id: str, events: Iterable[JobEvent], *, older: bool = False
    ) -> list[JobEvent]:
        """Keep the events not seen yet: newer ones go on top, ``older`` ones (a page from
        before those known) at the end; they are saved too.

        Returns:
            The new events, newest first.
        """
        known = self._load(job_id)
        ids = self._ids[job_id]
        fresh = [event for event in events if event.id not in ids]
        if not fresh:
            return []
        self._write(job_id, fresh)
        ids.update(event.id for event in fresh)
        merged = [*known, *fresh] if older else [*fresh, *known]
        merged.sort(key=lambda event: event.created_at, reverse=True)
        self._events[job_id] = merged
        fresh.sort(key=lambda event: event.created_at, reverse=True)
        return fresh
