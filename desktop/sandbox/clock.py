"""The simulated clock: wall time plus an offset tests (and the demo) can push forward."""

from __future__ import annotations

import threading
import time

__all__ = ["SimClock"]


class SimClock:
    """Simulated Unix time. ``advance`` moves it forward; thread-safe."""

    def __init__(self, offset: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._offset = offset

    @property
    def offset(self) -> float:
        """Seconds added to wall time so far."""
        with self._lock:
            return self._offset

    def now(self) -> float:
        """Current simulated Unix time, in seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward.

        Args:
            seconds: how far; must not be negative.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError("the simulated clock cannot go backwards")
        with self._lock:
            self._offset += seconds

    def reset(self, offset: float = 0.0) -> None:
        """Set the offset back (to wall time by default)."""
        with self._lock:
            self._offset = offset
