"""A typed ``qasync.asyncSlot`` and helpers for the tasks it creates.

qasync ships no type information, so ``asyncSlot`` would make every decorated method untyped.
``async_slot`` is the same decorator with a signature mypy understands: calling the decorated
method schedules the coroutine on the running qasync loop and returns its ``asyncio.Task``.
An exception escaping the coroutine goes to ``sys.excepthook`` (see ``errors.install_excepthook``).

Threading: call only from the GUI thread, with the qasync loop set as the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import qasync

P = ParamSpec("P")
S = TypeVar("S")

AsyncMethod = Callable[Concatenate[S, P], Coroutine[Any, Any, None]]
TaskMethod = Callable[Concatenate[S, P], "asyncio.Task[None]"]


def async_slot(*types: type) -> Callable[[AsyncMethod[S, P]], TaskMethod[S, P]]:
    """Decorate a coroutine method so Qt can connect it to a signal.

    Args:
        *types: the Qt slot signature, as for ``Slot`` (usually none).

    Returns:
        A decorator; the decorated method returns the scheduled task.
    """
    return cast(Callable[[AsyncMethod[S, P]], TaskMethod[S, P]], qasync.asyncSlot(*types))


def cancel_task(task: asyncio.Task[Any] | None) -> bool:
    """Cancel ``task`` if it is still running.

    Returns:
        True when a running task was asked to stop.
    """
    if task is None or task.done():
        return False
    task.cancel()
    return True
