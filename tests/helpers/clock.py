"""A test clock for code that stamps records with the time."""

from __future__ import annotations


class FakeClock:
    """Moves one second forward at every reading, from 1,001.0."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now
