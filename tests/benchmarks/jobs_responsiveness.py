"""Responsiveness of the Jobs tab with a long history and a long training run.

1. The list: the real main window's Jobs tab fills its list from 2,000 jobs in the local record
   (read in a thread) and settles for 1 s; the baseline is the same with no saved jobs, in the
   same run. (Building the whole window's content once, after the first paint, is printed for
   information: it is the same with or without jobs.)
2. The chart: a job's Charts page opens for the first time (pyqtgraph is imported then), gets
   10,000 metric points at once, then 2,000 more arriving in small batches as while a job
   runs, and settles for 1 s.

A 10 ms ``QTimer`` ticks throughout; a stall is the time between two ticks beyond 10 ms; each
phase but the first opening is repeated ``--runs`` times and the median printed (this machine
is shared). The idle event loop is the other baseline. Target: longest stall ≤ 50 ms.

    .venv/bin/python tests/benchmarks/jobs_responsiveness.py [--jobs 2000] [--points 10000]\
        [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_STALL_MS = 50.0
SETTLE_SECONDS = 1.0
LIVE_BATCHES = 200
LIVE_BATCH_POINTS = 10
NOW = 1_790_000_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="finetune-studio-bench-") as tmp:
        return _run(Path(tmp), args.jobs, args.points, args.runs)


def _jobs(count: int) -> list[Any]:
    from desktop.core.types import FineTuningJob, Hyperparameters, JobError

    statuses = ("succeeded", "succeeded", "failed", "cancelled")
    jobs = []
    for i in range(count):
        status = statuses[i % len(statuses)]
        jobs.append(
            FineTuningJob(
                id=f"ftjob-bench{i:06d}",
                model="gpt-4o-mini-2024-07-18",
                status=status,
                created_at=NOW - i * 3600,
                finished_at=NOW - i * 3600 + 900,
                training_file=f"file-{i}",
                fine_tuned_model=(
                    f"ft:gpt-4o-mini-2024-07-18:demo-org:run{i}:x{i}"
                    if status == "succeeded"
                    else None
                ),
                trained_tokens=120_000 + i,
                hyperparameters=Hyperparameters(
                    n_epochs=3, batch_size=4, learning_rate_multiplier=1.8
                ),
                error=JobError("invalid_file", f"Line {i}: bad") if status == "failed" else None,
                suffix=f"run{i}",
            )
        )
    return jobs


def _points(count: int, start: int = 1) -> list[Any]:
    from desktop.core.jobs.metrics import MetricPoint

    return [
        MetricPoint(
            step=step,
            train_loss=0.2 + 1.5 * math.exp(-step / 2000) + 0.05 * math.sin(step),
            train_accuracy=0.9 - 0.4 * math.exp(-step / 2000),
            valid_loss=0.25 + 1.5 * math.exp(-step / 2000),
            valid_accuracy=0.88 - 0.4 * math.exp(-step / 2000),
        )
        for step in range(start, start + count)
    ]


def _run(tmp: Path, job_count: int, point_count: int, runs: int) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.app import create_app_context
    from desktop.core.connections import DEMO_AZURE_PROFILE_ID, DEMO_PROFILE_ID
    from desktop.ui.common.main_window import MainWindow
    from tests.benchmarks.stall_probe import TickRecorder
    from tests.ui.loop_helpers import next_emission

    app = QApplication([sys.argv[0]])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    recorder = TickRecorder()
    stalls: dict[str, list[float]] = {}
    durations: dict[str, list[float]] = {}

    def measure(name: str, body: Callable[[], Coroutine[Any, Any, float]]) -> None:
        """Run ``body`` (which returns how long its work took) with the tick recorder on."""

        async def timed() -> float:
            await asyncio.sleep(0.2)
            took = await body()
            await asyncio.sleep(SETTLE_SECONDS)
            return took

        recorder.start()
        took = loop.run_until_complete(timed())
        stalls.setdefault(name, []).append(max(recorder.stop()))
        durations.setdefault(name, []).append(took)

    async def idle() -> float:
        return 0.0

    measure("idle", idle)

    os.environ["FINETUNE_STUDIO_HOME"] = str(tmp)
    context = create_app_context(demo_base_url_factory=lambda: "http://127.0.0.1:9/v1")
    context.jobs_store.save_jobs(DEMO_PROFILE_ID, _jobs(job_count))
    window = MainWindow(context.ui_settings, connection=context.connection_service.load_active())
    window.tabs.setCurrentIndex(1)
    window.resize(1300, 800)
    window.show()

    async def build() -> float:
        started = time.perf_counter()
        window.build_content(context)  # as run_gui does once, after the first paint
        window.tabs.setCurrentWidget(window.jobs_tab)
        return time.perf_counter() - started

    measure("window content built", build)
    tab = window.jobs_tab
    service = context.connection_service

    def list_of(profile_id: str) -> Callable[[], Coroutine[Any, Any, float]]:
        async def body() -> float:
            started = time.perf_counter()
            tab.service.reload()
            await next_emission(tab.service.cache_loaded)
            return time.perf_counter() - started

        service.activate(profile_id)  # its check fails in the background: nothing answers
        loop.run_until_complete(asyncio.sleep(SETTLE_SECONDS))
        return body

    for _ in range(runs):
        measure("list, no saved jobs", list_of(DEMO_AZURE_PROFILE_ID))
        measure(f"list, {job_count:,} saved jobs", list_of(DEMO_PROFILE_ID))
    shown = tab.list_model.rowCount()

    tab.table.selectRow(0)
    charts = tab.detail.charts

    async def first_open() -> float:
        started = time.perf_counter()
        tab.detail.pages.setCurrentWidget(charts)  # pyqtgraph is imported now
        assert tab.detail.charts_task is not None
        await tab.detail.charts_task
        return time.perf_counter() - started

    async def all_points() -> float:
        started = time.perf_counter()
        await charts.show_points(_points(point_count))
        return time.perf_counter() - started

    async def live() -> float:
        started = time.perf_counter()
        next_step = point_count + 1
        for _ in range(LIVE_BATCHES):
            charts.add_points(_points(LIVE_BATCH_POINTS, next_step))
            next_step += LIVE_BATCH_POINTS
            await asyncio.sleep(0.005)
        return time.perf_counter() - started

    measure("chart, first opened", first_open)
    for _ in range(runs):
        measure(f"chart, {point_count:,} points at once", all_points)
        measure(f"chart, {LIVE_BATCHES * LIVE_BATCH_POINTS:,} more points live", live)
    drawn = len(charts.curve_data("train_loss")[0])

    window.close()
    for pending in window.pending_tasks():
        pending.cancel()
    loop.run_until_complete(context.aclose())
    loop.close()

    print(f"{shown:,} jobs in the list; {drawn:,} points in the chart; median of {runs} runs")
    for name, values in stalls.items():
        took = statistics.median(durations[name]) * 1000
        detail = f"  (work took {took:.0f} ms)" if took else ""
        print(f"{name:<34}: longest stall {statistics.median(values):6.1f} ms{detail}")
    judged = [name for name in stalls if name.startswith(("list,", "chart,"))]
    worst = max(statistics.median(stalls[name]) for name in judged)
    verdict = "within" if worst <= TARGET_STALL_MS else "OVER"
    print(
        f"{verdict} target: longest stall ≤ {TARGET_STALL_MS:.0f} ms while the list and the chart "
        "load (the window's one-time build is the same without jobs)"
    )
    return 0 if worst <= TARGET_STALL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
