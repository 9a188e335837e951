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
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.sandbox import Emulator
    from desktop.ui.playground.widget import PlaygroundWidget
    from tests.benchmarks.stall_probe import DemoApp

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

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


def long_model_playground(
    home: Path, n_tokens: int, rate: float, width: int, height: int
) -> tuple[DemoApp, PlaygroundWidget, str]:
    """The Demo streaming at ``rate`` tokens/s (0: unpaced), a model trained to answer ``PROMPT``
    with ``n_tokens`` tokens, and the main window (``width`` × ``height``) on the Playground with
    that model chosen. Returns (the app, the Playground, the model)."""
    from tests.benchmarks.stall_probe import DemoApp

    demo = DemoApp(home, stream_delay=1.0 / rate if rate > 0 else 0)
    model = demo.run(train_long_model(demo.emulator, home, n_tokens))
    playground = demo.open_window(width, height).playground_tab
    assert playground.select_model(model), f"{model} not offered in the Playground"
    return demo, playground, model


def _run(home: Path, n_tokens: int, rate: float, runs: int) -> int:
    from desktop.core import tokens
    from tests.benchmarks.stall_probe import (
        TickRecorder,
        print_stream_stalls,
        stream_stalls,
        verdict,
    )

    demo, playground, _model = long_model_playground(home, n_tokens, rate, 1100, 720)
    playground.message_edit.setPlainText(PROMPT)
    received = 0

    def count_received() -> None:
        nonlocal received
        received = tokens.count_tokens(playground.reply_view.toPlainText(), "o200k_base")

    streaming, idle, durations = stream_stalls(
        demo, TickRecorder(), playground.send, runs, after_run=count_received
    )
    demo.close()

    median_duration = statistics.median(durations)
    print(
        f"reply: {received} tokens streamed in {median_duration:.2f} s "
        f"({received / median_duration:,.0f} tokens/s"
        + (f", paced at {rate:,.0f}" if rate > 0 else ", unpaced")
        + f"), {runs} runs, emulator in-process"
    )
    print_stream_stalls(streaming, idle)
    return verdict(max(streaming))


if __name__ == "__main__":
    sys.exit(main())
