"""What the responsiveness benchmarks share: the real main window on the Demo connection with the
emulator in this process, a 10 ms tick recorder that finds event-loop stalls, and the report.

A stall is the time between two ticks of a 10 ms ``QTimer`` beyond 10 ms. Target: ≤ 50 ms.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from desktop.app import AppContext
    from desktop.sandbox import Emulator
    from desktop.ui.common.main_window import MainWindow

TARGET_STALL_MS = 50.0
TICK_MS = 10

T = TypeVar("T")


class TickRecorder:
    """Records the moments a 10 ms timer fires."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.ticks: list[float] = []
        self._timer = QTimer()
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks.clear()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        gaps = [(b - a) * 1000 - TICK_MS for a, b in zip(self.ticks, self.ticks[1:], strict=False)]
        return [max(0.0, g) for g in gaps] or [0.0]


class DemoApp:
    """A ``QApplication`` with its qasync loop and an emulator in this process (as the Demo runs
    it); ``open_window`` then builds the real main window on it, on the Playground tab."""

    def __init__(self, home: Path, *, stream_delay: float | None = None) -> None:
        import qasync
        from PySide6.QtWidgets import QApplication

        from desktop.core import tokens
        from desktop.resources import tokenizer_dir
        from desktop.sandbox import Emulator

        tokens.configure_offline_vocabularies(tokenizer_dir(), home / "tiktoken")
        self.app = QApplication([sys.argv[0]])
        self.loop = qasync.QEventLoop(self.app)
        asyncio.set_event_loop(self.loop)
        self.emulator: Emulator = Emulator(fast=True, stream_delay=stream_delay).start()
        self._context: AppContext | None = None
        self._window: MainWindow | None = None

    def run(self, awaitable: Awaitable[T]) -> T:
        result: T = self.loop.run_until_complete(awaitable)
        return result

    def open_window(self, width: int, height: int) -> MainWindow:
        """The main window, shown at ``width`` × ``height``, connected, on the Playground tab."""
        from desktop.app import build_main_window, create_app_context

        emulator = self.emulator
        self._context = create_app_context(demo_base_url_factory=lambda: emulator.base_url)
        window = self._window = build_main_window(self._context)
        window.resize(width, height)
        window.show()
        self.run(self._context.connection_service.start_check())
        window.tabs.setCurrentWidget(window.playground_tab)
        return window

    def close(self) -> None:
        """Close the window, cancel its tasks, then stop the context, the emulator and the loop."""
        if self._window is not None and self._context is not None:
            self._window.close()
            for pending in self._window.pending_tasks():
                pending.cancel()
            self.run(self._context.aclose())
        self.emulator.stop()
        self.loop.close()


def stream_stalls(
    demo: DemoApp,
    recorder: TickRecorder,
    send: Callable[[], asyncio.Future[Any] | None],
    runs: int,
    *,
    after_run: Callable[[], None] = lambda: None,
) -> tuple[list[float], list[float], list[float]]:
    """``runs`` times: ``send()`` and wait for its task with the recorder on, then ``after_run()``,
    then the same time idle as the baseline. Returns (stalls while streaming, idle stalls,
    seconds each run took)."""
    streaming: list[float] = []
    idle: list[float] = []
    durations: list[float] = []
    for _ in range(runs):
        recorder.start()
        started = time.perf_counter()
        task = send()
        assert task is not None
        demo.run(task)
        duration = time.perf_counter() - started
        durations.append(duration)
        run_stalls = recorder.stop()
        streaming.extend(run_stalls)
        if os.environ.get("BENCH_DEBUG"):
            big = [(i, round(g)) for i, g in enumerate(run_stalls) if g > 20]
            print("ticks", len(run_stalls), "big gaps (tick index, ms):", big)
        after_run()

        recorder.start()
        demo.run(asyncio.sleep(duration))
        idle.extend(recorder.stop())
    return streaming, idle, durations


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def print_stream_stalls(streaming: list[float], idle: list[float]) -> None:
    print(f"idle baseline  : longest stall {max(idle):6.1f} ms, p99 {p99(idle):5.1f} ms")
    print(f"while streaming: longest stall {max(streaming):6.1f} ms, p99 {p99(streaming):5.1f} ms")


def verdict(worst: float, *, note: str = "") -> int:
    """Print PASS or FAIL for the longest stall ``worst`` (ms); return the exit status."""
    passed = worst <= TARGET_STALL_MS
    print(
        f"{'PASS' if passed else 'FAIL'}: longest stall {worst:.1f} ms against the target of "
        f"≤ {TARGET_STALL_MS:.0f} ms{note}"
    )
    return 0 if passed else 1
