"""What the Jobs tab says in its message strip and labels, in one place.

The "cannot reach" notices are recognised again when the list is refreshed (to clear them), so
their wording and that test live together here. Pure functions; no Qt.
"""

from __future__ import annotations

from desktop.core.errors import FinetuneError, RateLimitedError

__all__ = [
    "EMPTY_LIST_TEXT",
    "SIMULATED_TOOLTIP",
    "UNREACHABLE_MESSAGE",
    "is_connection_notice",
    "not_in_list_message",
    "other_connection_message",
    "problem_message",
    "started_elsewhere_message",
]

EMPTY_LIST_TEXT = (
    "No jobs on this connection yet. Press “New job…” to fine-tune a model on one of your datasets."
)

SIMULATED_TOOLTIP = (
    "The Demo connection runs on this computer: jobs are simulated, nothing is sent "
    "anywhere and nothing costs money."
)

UNREACHABLE_MESSAGE = "The connection does not answer: showing the jobs saved on this computer."

_CONNECTION_NOTICES = ("Cannot reach", "The connection does not answer")


def problem_message(job_id: str, exc: FinetuneError) -> str:
    """The line for a failed background request (``job_id`` empty: the list itself)."""
    if isinstance(exc, RateLimitedError):
        return "The connection asks to slow down; the app waits and tries again by itself."
    if job_id:
        return f"Cannot get news of {job_id}: {exc.user_message} The app keeps trying."
    return (
        f"Cannot reach the connection: showing the jobs saved on this computer. {exc.user_message}"
    )


def is_connection_notice(text: str) -> bool:
    """Whether ``text`` says the connection could not be reached (cleared once it answers)."""
    return text.startswith(_CONNECTION_NOTICES)


def other_connection_message(name: str) -> str:
    """The line when a job to show ran on connection ``name``, not the active one."""
    return f"That job ran on “{name}”. Make it the active connection in Preferences to see it."


def not_in_list_message(job_id: str) -> str:
    """The line when a job to show is not in the list."""
    return f"{job_id} is not in the list (yet): press Refresh."


def started_elsewhere_message(job_id: str) -> str:
    """The line when a job was started on a connection other than the active one."""
    return (
        f"Started {job_id} on the other connection. Switch to it in Preferences to follow the job."
    )
