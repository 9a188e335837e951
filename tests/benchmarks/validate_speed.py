"""Speed benchmark of the dataset checker against the straightforward single-threaded loop.

Generates a realistic 100,000-example chat file (~140 MB, English and German, a few dozen
broken lines) in a temporary folder, then times, in the same run:

- the cookbook-style loop (read a line, ``json.loads``, check the shape, ``encode`` each
  string with tiktoken), and the same loop with ``encode_ordinary``;
- ``check_file`` (worker processes, one per core).

Prints the times and speed-ups, and checks that the token totals and the broken lines are
identical. Target: at least 2x faster than the straightforward loop on a 2-core machine.
On Linux it also prints how much CPU other programs used during each timed part: figures
taken while something else ran on the machine understate the speed-up.

    .venv/bin/python tests/benchmarks/validate_speed.py [--examples 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_SPEEDUP = 2.0
ENCODING = "o200k_base"
CONTEXT_LIMIT = 65536


def _machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy so far (None where /proc is missing)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:9]]
    except OSError:
        return None
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU seconds of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _OthersMeter:
    """CPU seconds other programs used between ``start()`` and ``stop()``."""

    def start(self) -> None:
        self._machine, self._own = _machine_busy_seconds(), _own_seconds()

    def stop(self) -> str:
        while multiprocessing.active_children():  # reap the workers: their CPU is ours
            time.sleep(0.01)
        machine = _machine_busy_seconds()
        if machine is None or self._machine is None:
            return ""
        others = max(0.0, machine - self._machine - (_own_seconds() - self._own))
        return f"   (other programs: {others:.1f} CPU-s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    from desktop.core import tokens
    from desktop.core.dataset import check_file
    from desktop.resources import tokenizer_dir
    from tests.benchmarks.chat_data import generate_chat_file, naive_check

    with tempfile.TemporaryDirectory(prefix="validate-speed-") as folder:
        tokens.configure_offline_vocabularies(tokenizer_dir(), Path(folder) / "tiktoken")
        path = Path(folder) / "train.jsonl"
        started = time.perf_counter()
        broken = generate_chat_file(path, args.examples)
        size_mb = path.stat().st_size / 1e6
        print(
            f"file: {args.examples:,} examples, {size_mb:.0f} MB, {len(broken)} broken lines "
            f"(generated in {time.perf_counter() - started:.1f} s); {os.cpu_count()} CPUs"
        )
        tokens.get_encoding(ENCODING)  # both loops start with the tokenizer loaded

        others = _OthersMeter()
        others.start()
        started = time.perf_counter()
        naive_tokens, naive_broken = naive_check(path, ENCODING)
        naive_seconds = time.perf_counter() - started
        print(f"straightforward loop (encode):          {naive_seconds:6.2f} s{others.stop()}")

        others.start()
        started = time.perf_counter()
        ordinary_tokens, ordinary_broken = naive_check(path, ENCODING, ordinary=True)
        ordinary_seconds = time.perf_counter() - started
        print(f"straightforward loop (encode_ordinary): {ordinary_seconds:6.2f} s{others.stop()}")

        others.start()
        started = time.perf_counter()
        report = check_file(
            path, encoding_name=ENCODING, context_limit=CONTEXT_LIMIT, workers=args.workers
        )
        engine_seconds = time.perf_counter() - started
        print(f"check_file (worker processes):          {engine_seconds:6.2f} s{others.stop()}")

        engine_broken = sorted({issue.line for issue in report.errors if issue.line > 0})
        speedup = naive_seconds / engine_seconds
        speedup_ordinary = ordinary_seconds / engine_seconds
        same_tokens = naive_tokens == ordinary_tokens == report.stats.total_tokens
        same_lines = naive_broken == ordinary_broken == engine_broken == broken
        print(
            f"speed-up: {speedup:.2f}x against the loop with encode, "
            f"{speedup_ordinary:.2f}x against encode_ordinary (target >= {TARGET_SPEEDUP}x)"
        )
        print(f"token totals identical: {same_tokens} ({report.stats.total_tokens:,})")
        print(f"broken lines identical: {same_lines} ({len(engine_broken)} lines)")
        ok = same_tokens and same_lines and speedup >= TARGET_SPEEDUP
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
