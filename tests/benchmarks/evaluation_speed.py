"""Speed of an evaluation run: our runner against a bare ``AsyncOpenAI`` script.

A 200-example evaluation (one model, streamed replies with usage) at concurrency 8 against the
built-in emulator, started in this process with its fast clock. The same requests are made by
``desktop.api.evaluation_runner.EvaluationRunner`` (through our provider: error mapping,
chunk conversion, timing of every reply) and by a bare script (``AsyncOpenAI`` + a semaphore of
8, reading each stream to its end). Both are warmed up first; then they alternate for
``--runs`` rounds and the median wall time of each is printed with their ratio.
Target: ours ≤ 1.3 × bare.

The emulator serves from threads of this same process, so both sides share the GIL with it: the
absolute times understate a real service's, the ratio is what matters.

    .venv/bin/python tests/benchmarks/evaluation_speed.py [--examples 200] [--concurrency 8]\
        [--runs 3]
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.3
MODEL = "gpt-4o-mini-2024-07-18"
MAX_TOKENS = 60


def _questions(count: int) -> list[str]:
    return [f"Customer {i} asks: where is my order number {1000 + i}?" for i in range(count)]


async def _ours(base_url: str, questions: list[str], concurrency: int) -> float:
    from desktop.api.clients import create_provider
    from desktop.api.evaluation_runner import EvaluationRunner
    from desktop.core.connections import demo_profile
    from desktop.core.playground.evaluation import EvalJob
    from desktop.core.types import ChatMessage, ChatRequest

    provider = create_provider(demo_profile(), api_key=None, base_url=base_url)
    jobs = [
        EvalJob(
            i,
            MODEL,
            ChatRequest(MODEL, (ChatMessage("user", q),), temperature=0, max_tokens=MAX_TOKENS),
        )
        for i, q in enumerate(questions)
    ]
    try:
        started = time.perf_counter()
        outcome = await EvaluationRunner(provider, concurrency=concurrency).run(jobs)
        took = time.perf_counter() - started
    finally:
        await provider.aclose()
    failed = [reply for _, reply in outcome.replies if reply.failed]
    if len(outcome.replies) != len(questions) or failed:
        raise SystemExit(f"our run: {len(outcome.replies)} replies, {len(failed)} failed")
    return took


async def _bare(base_url: str, questions: list[str], concurrency: int) -> float:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="sk-bench")
    limit = asyncio.Semaphore(concurrency)

    async def one(question: str) -> str:
        async with limit:
            stream = await client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": question}],
                stream=True,
                stream_options={"include_usage": True},
                temperature=0,
                max_tokens=MAX_TOKENS,
            )
            parts: list[str] = []
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    parts.append(chunk.choices[0].delta.content)
            return "".join(parts)

    try:
        started = time.perf_counter()
        replies = await asyncio.gather(*(one(q) for q in questions))
        took = time.perf_counter() - started
    finally:
        await client.close()
    if not all(replies):
        raise SystemExit("bare run: an empty reply")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from desktop.core import tokens
    from desktop.resources import tokenizer_dir
    from desktop.sandbox import Emulator

    with tempfile.TemporaryDirectory(prefix="finetune-studio-bench-") as tmp:
        os.environ["FINETUNE_STUDIO_HOME"] = tmp
        tokens.configure_offline_vocabularies(tokenizer_dir(), Path(tmp) / "tiktoken")
        with Emulator(fast=True) as emulator:
            questions = _questions(args.examples)
            warm = questions[: args.concurrency * 2]
            asyncio.run(_bare(emulator.base_url, warm, args.concurrency))
            asyncio.run(_ours(emulator.base_url, warm, args.concurrency))
            bare_times: list[float] = []
            our_times: list[float] = []
            for _ in range(args.runs):
                bare_times.append(
                    asyncio.run(_bare(emulator.base_url, questions, args.concurrency))
                )
                our_times.append(asyncio.run(_ours(emulator.base_url, questions, args.concurrency)))
    bare = statistics.median(bare_times)
    ours = statistics.median(our_times)
    ratio = ours / bare
    print(f"{args.examples} examples, concurrency {args.concurrency}, {args.runs} runs (median)")
    print(f"bare AsyncOpenAI:  {bare:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in bare_times)})")
    print(f"EvaluationRunner:  {ours:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in our_times)})")
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    print(f"ratio ours/bare:   {ratio:6.2f}  (target ≤ {TARGET_RATIO}) {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
