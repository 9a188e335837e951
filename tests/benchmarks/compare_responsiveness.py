"""Responsiveness benchmark of the Compare view: four long answers streaming side by side.

The real main window runs on the Demo connection, whose emulator runs in this process as the
Demo does. A fine-tuned model trained on a 2,000-token reply answers in each of the four
columns at once, each stream paced at ``--rate`` tokens per second (500 by default: 2,000
tokens a second into the window in all). A 10 ms ``QTimer`` ticks throughout; a stall is the
time between two ticks beyond 10 ms. The baseline is the same window, idle, for the same
length of time, in the same run. Target: longest stall ≤ 50 ms.

    .venv/bin/python tests/benchmarks/compare_responsiveness.py [--tokens 2000] [--rate 500]\
        [--columns 4] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_STALL_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000, help="tokens in each answer")
    parser.add_argument("--rate", type=float, default=500.0, help="tokens/s of each stream")
    parser.add_argument("--columns", type=int, default=4, choices=(2, 3, 4))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="finetune-studio-bench-") as tmp:
        os.environ["FINETUNE_STUDIO_HOME"] = tmp
        return _run(Path(tmp), args.tokens, args.rate, args.columns, args.runs)


def _run(home: Path, n_tokens: int, rate: float, n_columns: int, runs: int) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_main_window, create_app_context
    from desktop.core import tokens
    from desktop.resources import tokenizer_dir
    from desktop.sandbox import Emulator
    from tests.benchmarks.responsiveness import PROMPT, TickRecorder, train_long_model

    tokens.configure_offline_vocabularies(tokenizer_dir(), home / "tiktoken")
    app = QApplication([sys.argv[0]])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    emulator = Emulator(fast=True, stream_delay=1.0 / rate if rate > 0 else 0).start()

    model = loop.run_until_complete(train_long_model(emulator, home, n_tokens))
    context = create_app_context(demo_base_url_factory=lambda: emulator.base_url)
    window = build_main_window(context)
    window.resize(1400, 800)
    window.show()
    loop.run_until_complete(context.connection_service.start_check())
    playground = window.playground_tab
    window.tabs.setCurrentWidget(playground)
    assert playground.select_model(model), f"{model} not offered in the Playground"
    view = playground.open_compare()
    view.resize(1400, 800)
    assert view.choose_models([model] * n_columns), f"{model} not offered in Compare"
    view.message_edit.setPlainText(PROMPT)
    recorder = TickRecorder()

    stream_stalls: list[float] = []
    idle_stalls: list[float] = []
    durations: list[float] = []
    received: list[int] = []
    for _ in range(runs):
        recorder.start()
        started = time.perf_counter()
        task = view.send()
        assert task is not None, view.info_label.text()
        loop.run_until_complete(task)
        duration = time.perf_counter() - started
        durations.append(duration)
        run_stalls = recorder.stop()
        stream_stalls.extend(run_stalls)
        if os.environ.get("BENCH_DEBUG"):
            big = [(i, round(g)) for i, g in enumerate(run_stalls) if g > 20]
            print("ticks", len(run_stalls), "big gaps (tick index, ms):", big)
        received = [
            tokens.count_tokens(column.answer, "o200k_base") for column in view.columns[:n_columns]
        ]

        recorder.start()
        loop.run_until_complete(asyncio.sleep(duration))
        idle_stalls.extend(recorder.stop())

    window.close()
    for pending in window.pending_tasks():
        pending.cancel()
    loop.run_until_complete(context.aclose())
    emulator.stop()
    loop.close()

    worst = max(stream_stalls)
    median_duration = statistics.median(durations)
    total = sum(received)
    print(
        f"compare: {n_columns} columns × {min(received)}–{max(received)} tokens, streams "
        + (f"paced at {rate:,.0f} tokens/s each" if rate > 0 else "unpaced")
        + f"; a round took {median_duration:.2f} s (median of "
        f"{runs}): {total / n_columns / median_duration:,.0f} tokens/s per column, "
        f"{total / median_duration:,.0f} tokens/s into the window, emulator in-process"
    )
    print(
        f"idle baseline  : longest stall {max(idle_stalls):6.1f} ms, "
        f"p99 {_p99(idle_stalls):5.1f} ms"
    )
    print(f"while streaming: longest stall {worst:6.1f} ms, p99 {_p99(stream_stalls):5.1f} ms")
    verdict = "PASS" if worst <= TARGET_STALL_MS else "FAIL"
    print(
        f"{verdict}: longest stall {worst:.1f} ms against the target of ≤ {TARGET_STALL_MS:.0f} ms"
    )
    return 0 if worst <= TARGET_STALL_MS else 1


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


if __name__ == "__main__":
    sys.exit(main())
