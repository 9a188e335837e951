"""Drive the qasync loop from a test: run it until a task ends or a signal arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import qasync
from PySide6.QtCore import SignalInstance

T = TypeVar("T")

DEFAULT_TIMEOUT = 20.0


def run(loop: qasync.QEventLoop, awaitable: Awaitable[T], timeout: float = DEFAULT_TIMEOUT) -> T:
    """Run the qasync loop until ``awaitable`` is done (failing the test after ``timeout``)."""

    async def bounded() -> T:
        return await asyncio.wait_for(_as_coroutine(awaitable), timeout)

    return loop.run_until_complete(bounded())


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def next_emission(
    signal: SignalInstance,
    predicate: Callable[..., bool] = lambda *args: True,
) -> tuple[Any, ...]:
    """Wait (on the running loop) for the next emission of ``signal`` matching ``predicate``."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def receive(*args: Any) -> None:
        if not future.done() and predicate(*args):
            future.set_result(args)

    signal.connect(receive)
    try:
        return await future
    finally:
        signal.disconnect(receive)


async def until(condition: Callable[[], bool], *, interval: float = 0.01) -> None:
    """Wait (on the running loop) until ``condition()`` holds; bound it with ``run``'s timeout.

    Unlike ``qtbot.waitUntil`` this keeps asyncio's loop running, so callbacks that need it
    (task done-callbacks, anyio cancellation) work while waiting.
    """
    while not condition():
        await asyncio.sleep(interval)


async def close_and_wait(widget: Any, *tasks: Awaitable[Any]) -> None:
    """Close ``widget`` on the running loop, as a click on its close box does, then wait for
    ``tasks`` to end (whatever they end with)."""
    widget.close()
    await asyncio.gather(*tasks, return_exceptions=True)
