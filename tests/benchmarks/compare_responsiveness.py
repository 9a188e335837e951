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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


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
    from desktop.core import tokens
    from tests.benchmarks.responsiveness import PROMPT, long_model_playground
    from tests.benchmarks.stall_probe import (
        TickRecorder,
        print_stream_stalls,
        stream_stalls,
        verdict,
    )

    demo, playground, model = long_model_playground(home, n_tokens, rate, 1400, 800)
    view = playground.open_compare()
    view.resize(1400, 800)
    assert view.choose_models([model] * n_columns), f"{model} not offered in Compare"
    view.message_edit.setPlainText(PROMPT)
    received: list[int] = []

    def send() -> asyncio.Task[None]:
        task = view.send()
        assert task is not None, view.info_label.text()
        return task

    def count_received() -> None:
        received[:] = [
            tokens.count_tokens(column.answer, "o200k_base") for column in view.columns[:n_columns]
        ]

    streaming, idle, durations = stream_stalls(
        demo, TickRecorder(), send, runs, after_run=count_received
    )
    demo.close()

    median_duration = statistics.median(durations)
    total = sum(received)
    print(
        f"compare: {n_columns} columns × {min(received)}–{max(received)} tokens, streams "
        + (f"paced at {rate:,.0f} tokens/s each" if rate > 0 else "unpaced")
        + f"; a round took {median_duration:.2f} s (median of "
        f"{runs}): {total / n_columns / median_duration:,.0f} tokens/s per column, "
        f"{total / median_duration:,.0f} tokens/s into the window, emulator in-process"
    )
    print_stream_stalls(streaming, idle)
    return verdict(max(streaming))


if __name__ == "__main__":
    sys.exit(main())
