"""What the status bar shows about the active connection, without the service behind it.

A leaf module, cheap to import: the window's frame (painted before ``asyncio`` is even
imported) shows the active connection's name from here, and ``ConnectionService`` reports its
state with these types once it exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from desktop.core.connections import ConnectionProfile, demo_profile
from desktop.core.errors import StorageError

log = logging.getLogger(__name__)


class ProfileLookup(Protocol):
    """``ProfileStore``: ``get`` raises a ``StorageError`` for an unknown id."""

    def get(self, profile_id: str) -> ConnectionProfile: ...

    def active_id(self) -> str: ...


def active_profile(profiles: ProfileLookup) -> ConnectionProfile:
    """The profile the store marks as active, or the Demo when it cannot be read.

    Args:
        profiles: the profile store.

    Returns:
        The active profile (no request is made).
    """
    try:
        return profiles.get(profiles.active_id())
    except StorageError as exc:
        log.warning("active connection unavailable, using the Demo: %s", exc)
        return demo_profile()


class ReachState(StrEnum):
    CHECKING = "checking"
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Reachability:
    """Whether the active connection answered. ``reason`` is a few words for the status bar;
    ``message`` is the full sentence (the error's ``user_message``)."""

    state: ReachState
    reason: str = ""
    message: str = ""

    @property
    def text(self) -> str:
        if self.state is ReachState.CHECKING:
            return "checking…"
        if self.state is ReachState.REACHABLE:
            return "reachable"
        return f"unreachable: {self.reason}" if self.reason else "unreachable"


@dataclass(frozen=True, slots=True)
class RetryStatus:
    """The SDK is waiting before trying a request again. ``deadline`` is ``time.monotonic()``."""

    delay_seconds: float
    attempt: int
    max_retries: int
    deadline: float
