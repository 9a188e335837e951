"""Opening a 1,000,000-example file: first rows, full index, index memory, random access, save.

Generates a chat JSONL file (varied lengths, English and German, a few broken lines) in a
temporary folder, then measures with :class:`LineIndex` and :class:`DatasetDocument`:

- first 100 rows readable: ``LineIndex.open`` + ``grow(max_lines=100)`` + reading them (≤ 1 s);
- full index: ``LineIndex.build`` (time, bytes of the offset array ≤ 50 MB, peak Python
  allocations while building);
- random access: single rows and 50-row screens at random positions;
- saving through ``write_atomically`` with a few edits (streamed, not loaded).

The file is in the page cache (just written), as it is when a user opens a file again; a first
open from a cold disk adds the disk's read time to the full index only, not to the first rows.

    .venv/bin/python tests/benchmarks/dataset_index.py [--examples 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.core.datasets_io.document import DatasetDocument  # noqa: E402
from desktop.core.datasets_io.line_index import LineIndex  # noqa: E402
from desktop.storage.dataset_files import write_atomically  # noqa: E402

FIRST_ROWS_TARGET_S = 1.0
INDEX_MEMORY_TARGET_BYTES = 50 * 1024 * 1024

_WORDS_EN = [
    "the",
    "model",
    "answers",
    "questions",
    "about",
    "invoices",
    "shipping",
    "returns",
    "and",
    "accounts",
]
_WORDS_DE = [
    "das",
    "Modell",
    "beantwortet",
    "Fragen",
    "zu",
    "Rechnungen",
    "Versand",
    "Rückgabe",
    "und",
    "Konten",
]


def generate(path: Path, examples: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for i in range(examples):
            if i % 40_000 == 39_999:
                out.write('{"messages": [broken\n')
                continue
            words = _WORDS_DE if i % 3 == 0 else _WORDS_EN
            question = " ".join(rng.choices(words, k=rng.randint(4, 20)))
            answer = " ".join(rng.choices(words, k=rng.randint(5, 60)))
            record = {
                "messages": [
                    {"role": "system", "content": "You are a helpful support agent."},
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": answer},
                ]
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def timed(label: str, seconds: float, target: str = "") -> None:
    print(f"{label:<38} {seconds * 1000:10.1f} ms  {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated file in")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="dataset-index-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.jsonl"
    started = time.perf_counter()
    generate(path, args.examples)
    size = path.stat().st_size
    print(
        f"generated {args.examples:,} examples, {size / 1e6:.0f} MB "
        f"in {time.perf_counter() - started:.1f} s: {path}"
    )

    # First rows, as the Browse table needs them.
    started = time.perf_counter()
    index = LineIndex.open(path)
    index.grow(max_lines=100)
    first = index.lines(0, 100)
    first_rows = time.perf_counter() - started
    ok = first_rows <= FIRST_ROWS_TARGET_S and len(first) == 100
    timed("first 100 rows readable", first_rows, f"target ≤ 1000 ms  {'OK' if ok else 'MISSED'}")
    started = time.perf_counter()
    index.grow()
    timed("rest of the index (grow)", time.perf_counter() - started)
    index.close()

    started = time.perf_counter()
    index = LineIndex.build(path)
    build = time.perf_counter() - started
    timed("full index (build)", build, f"{len(index):,} lines, {size / build / 1e6:.0f} MB/s")
    memory = index.memory_bytes
    ok = memory <= INDEX_MEMORY_TARGET_BYTES
    print(
        f"{'index memory (offset array)':<38} {memory / 2**20:10.1f} MiB "
        f"target ≤ {INDEX_MEMORY_TARGET_BYTES / 2**20:.0f} MiB  {'OK' if ok else 'MISSED'}"
    )
    tracemalloc.start()
    LineIndex.build(path).close()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{'peak Python allocations while indexing':<38} {peak / 2**20:10.1f} MiB")

    rng = random.Random(2)
    samples = []
    for _ in range(10_000):
        row = rng.randrange(len(index))
        started = time.perf_counter()
        index.read_line(row)
        samples.append(time.perf_counter() - started)
    samples.sort()
    print(
        f"{'random row read (10,000)':<38} {statistics.mean(samples) * 1e6:10.1f} µs mean, "
        f"p99 {samples[int(len(samples) * 0.99)] * 1e6:.1f} µs"
    )
    screens = []
    for _ in range(1000):
        row = rng.randrange(len(index) - 50)
        started = time.perf_counter()
        index.lines(row, row + 50)
        screens.append(time.perf_counter() - started)
    screens.sort()
    print(
        f"{'random 50-row screen (1,000)':<38} {statistics.mean(screens) * 1e6:10.1f} µs mean, "
        f"p99 {screens[int(len(screens) * 0.99)] * 1e6:.1f} µs"
    )

    document = DatasetDocument(index)
    document.apply(document.add_example_op('{"messages": []}', at=10))
    document.apply(document.delete_examples_op(500_000 % len(index)))
    document.apply(document.replace_example_op(len(index) - 2, '{"messages": [1]}'))
    started = time.perf_counter()
    write_atomically(path, document.iter_chunks(), keep_backup=True)
    timed(
        "save with 3 edits (atomic, backup)",
        time.perf_counter() - started,
        f"{size / 1e6:.0f} MB streamed",
    )
    document.close()

    if args.keep is None:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
