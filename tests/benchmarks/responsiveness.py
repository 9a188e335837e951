"""Responsiveness benchmark: the longest event-loop stall while a long reply streams in.

The real main window runs on the Demo connection, whose emulator streams a 2,000-token reply
(from a fine-tuned model trained on such a reply), in this process as the Demo does: as fast as
it can, or paced at ``--rate`` tokens per second (e.g. 500). A 10 ms ``QTimer`` ticks
throughout; a stall is the time between two ticks beyond 10 ms. The baseline is the same window,
idle, for the same length of time. Target: ≤ 50 ms. The Compare view's benchmark (four columns
at once) is ``compare_responsiveness.py``.

    .venv/bin/python tests/benchmarks/responsiveness.py [--tokens 2000] [--rate 500] [--runs 3]
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.sandbox import Emulator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_STALL_MS = 50.0
TICK_MS = 10
BASE_MODEL = "gpt-4o-mini-2024-07-18"
PROMPT = "Tell me the long story"


def long_reply(tokens: int) -> str:
    from desktop.core.tokens import count_tokens, encoding_name_for_model

    encoding = encoding_name_for_model(BASE_MODEL)
    words = [f"word{i % 97}" for i in range(tokens)]
    text = " ".join(words)
    while count_tokens(text, encoding) > tokens:
        words.pop()
        text = " ".join(words)
    return text


def training_file(path: Path, reply: str) -> None:
    import json

    lines = []
    for i in range(10):
        question = PROMPT if i == 0 else f"Unrelated question number {i}"
        answer = reply if i == 0 else f"Short answer {i}."
        messages = [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
        lines.append(json.dumps({"messages": messages}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=0.0, help="tokens/s (0: unpaced)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="finetune-studio-bench-") as tmp:
        os.environ["FINETUNE_STUDIO_HOME"] = tmp
        return _run(Path(tmp), args.tokens, args.rate, args.runs)


async def train_long_model(emulator: Emulator, home: Path, n_tokens: int) -> str:
    """A fine-tuned model of ``emulator`` that answers ``PROMPT`` with ``n_tokens`` tokens."""
    from desktop.api.clients import create_provider
    from desktop.core.connections import demo_profile
    from desktop.core.types import JobCreateRequest

    provider = create_provider(demo_profile(), api_key=None, base_url=emulator.base_url)
    try:
        path = home / "long.jsonl"
        training_file(path, long_reply(n_tokens))
        uploaded = await provider.upload_file(path)
        job = await provider.create_job(
            JobCreateRequest(model=BASE_MODEL, training_file=uploaded.id, suffix="bench")
        )
        emulator.advance(3600)
        job = await provider.retrieve_job(job.id)
        assert job.fine_tuned_model, f"job ended {job.status}"
        return job.fine_tuned_model
    finally:
        await provider.aclose()


def _run(home: Path, n_tokens: int, rate: float, runs: int) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_main_window, create_app_context
    from desktop.core import tokens
    from desktop.resources import tokenizer_dir
    from desktop.sandbox import Emulator

    tokens.configure_offline_vocabularies(tokenizer_dir(), home / "tiktoken")
    app = QApplication([sys.argv[0]])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    emulator = Emulator(fast=True, stream_delay=1.0 / rate if rate > 0 else 0).start()

    model = loop.run_until_complete(train_long_model(emulator, home, n_tokens))
    context = create_app_context(demo_base_url_factory=lambda: emulator.base_url)
    window = build_main_window(context)
    window.resize(1100, 720)
    window.show()
    loop.run_until_complete(context.connection_service.start_check())
    playground = window.playground_tab
    window.tabs.setCurrentWidget(playground)
    assert playground.select_model(model), f"{model} not offered in the Playground"
    playground.message_edit.setPlainText(PROMPT)
    recorder = TickRecorder()

    stream_stalls: list[float] = []
    idle_stalls: list[float] = []
    durations: list[float] = []
    received = 0
    for _ in range(runs):
        recorder.start()
        started = time.perf_counter()
        task = playground.send()
        assert task is not None
        loop.run_until_complete(task)
        duration = time.perf_counter() - started
        durations.append(duration)
        run_stalls = recorder.stop()
        stream_stalls.extend(run_stalls)
        if os.environ.get("BENCH_DEBUG"):
            big = [(i, round(g)) for i, g in enumerate(run_stalls) if g > 20]
            print("ticks", len(run_stalls), "big gaps (tick index, ms):", big)
        received = tokens.count_tokens(playground.reply_view.toPlainText(), "o200k_base")

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
    print(
        f"reply: {received} tokens streamed in {median_duration:.2f} s "
        f"({received / median_duration:,.0f} tokens/s"
        + (f", paced at {rate:,.0f}" if rate > 0 else ", unpaced")
        + f"), {runs} runs, emulator in-process"
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
