"""Progress from worker threads, delivered on the GUI thread without touching Qt from the worker.

Long dataset work runs in worker threads (``asyncio.to_thread``) and reports progress through
a callback. Emitting a Qt signal from that thread is only safe while the sender lives: when a
window or tab is closed while the work finishes its last chunk, the object can be destroyed
under the emitting thread, which corrupts memory (rare crashes, seen in long test runs).

:func:`gui_callback` wraps a GUI-thread callback so a worker can call it: the call is queued
on the event loop (``call_soon_threadsafe``) and made there, dropped when the loop is closed
or the receiving Qt object is gone. The worker never touches a Qt object.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject

__all__ = ["gui_callback"]

log = logging.getLogger(__name__)


def gui_callback(
    receiver: QObject, callback: Callable[[int, int], object]
) -> Callable[[int, int], None]:
    """A ``(done, total)`` callback for worker threads that runs ``callback`` on the GUI thread.

    Create it on the GUI thread (it keeps that thread's running event loop).

    Args:
        receiver: the Qt object ``callback`` belongs to; calls are dropped once it is deleted.
        callback: what to call on the GUI thread.
    """
    loop = asyncio.get_running_loop()

    def deliver(done: int, total: int) -> None:
        if shiboken6.isValid(receiver):
            callback(done, total)

    def report(done: int, total: int) -> None:
        try:
            loop.call_soon_threadsafe(deliver, done, total)
        except RuntimeError:  # the loop is closed: the app is quitting, nobody is listening
            log.debug("progress %s/%s dropped: the event loop is closed", done, total)

    return report
