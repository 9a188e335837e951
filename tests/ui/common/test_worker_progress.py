"""Progress reported from a worker thread arrives on the GUI thread, or not at all."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from desktop.ui.common.worker_progress import gui_callback
from tests.ui.loop_helpers import run, until


def test_a_workers_report_is_delivered_on_the_gui_thread_when_the_receiver_lives(
    qasync_loop: Any,
) -> None:
    receiver = QObject()
    received: list[tuple[int, int, threading.Thread]] = []

    async def work() -> None:
        report = gui_callback(
            receiver, lambda d, t: received.append((d, t, threading.current_thread()))
        )
        await asyncio.to_thread(report, 3, 10)
        await until(lambda: bool(received))

    run(qasync_loop, work())

    assert received == [(3, 10, threading.main_thread())]


def test_a_workers_report_is_dropped_when_the_receiver_is_deleted_first(
    qasync_loop: Any,
) -> None:
    receiver = QObject()
    received: list[tuple[int, int]] = []

    async def work() -> None:
        report = gui_callback(receiver, lambda d, t: received.append((d, t)))
        shiboken6.delete(receiver)  # the tab is closed while the worker finishes its chunk
        await asyncio.to_thread(report, 5, 10)
        await asyncio.sleep(0.05)  # the queued call has run by now

    run(qasync_loop, work())

    assert received == []
