"""Memory benchmark of the dataset checker: peak resident memory while checking a 1 GB file.

Builds a ~1 GB chat file in a temporary folder (the realistic 100,000-example file of
``validate_speed.py``, repeated), checks it with ``check_file`` in a fresh subprocess (worker
processes, one per core) and reports:

- the peak of the whole process tree's resident memory (checker + its workers, summed),
  sampled every 20 ms from ``/proc`` — the figure the target applies to;
- each process's own peak (``VmHWM`` of the checker, ``ru_maxrss`` of its largest worker)
  and their sum with one largest-worker peak per worker, an upper bound since the peaks need
  not coincide.

Target: at most 250 MB. The file is deleted afterwards.

    .venv/bin/python tests/benchmarks/validate_memory.py [--size-mb 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_MB = 250.0
SAMPLE_SECONDS = 0.02

_CHILD = """
import json, os, resource, sys, time
from pathlib import Path
from desktop.core import tokens
from desktop.core.dataset import check_file
from desktop.resources import tokenizer_dir

def vm(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

if __name__ == "__main__":
    tokens.configure_offline_vocabularies(tokenizer_dir(), Path(sys.argv[2]))
    started = time.perf_counter()
    report = check_file(Path(sys.argv[1]), encoding_name="o200k_base", context_limit=65536)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "examples": report.stats.examples,
        "errors": report.error_count,
        "warnings": report.warning_count,
        "self_hwm_mb": vm("VmHWM"),
        "largest_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "workers": os.cpu_count(),
    }))
"""


def _tree_rss_mb(root: int) -> tuple[float, float]:
    """Resident memory of ``root`` and of all its descendants, in MB (0 if gone)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    total, stack = 0.0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return rss.get(root, 0.0), total


def _build_file(folder: Path, size_mb: int) -> Path:
    from tests.benchmarks.chat_data import generate_chat_file

    base = folder / "base.jsonl"
    generate_chat_file(base, 100_000)
    target = folder / "big.jsonl"
    with target.open("wb") as out:
        while out.tell() < size_mb * 1024 * 1024:
            with base.open("rb") as source:
                shutil.copyfileobj(source, out, 16 * 1024 * 1024)
    base.unlink()
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="validate-memory-") as name:
        folder = Path(name)
        path = _build_file(folder, args.size_mb)
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"file: {size_mb:,.0f} MB")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path), str(folder / "tiktoken")],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        peak = 0.0
        peak_parts = (0.0, 0.0)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_parts
            while not done.is_set():
                parts = _tree_rss_mb(child.pid)
                if sum(parts) > peak:
                    peak, peak_parts = sum(parts), parts
                time.sleep(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        output, _ = child.communicate()
        done.set()
        sampler.join()
        if child.returncode != 0:
            print(f"FAIL: the checker exited with {child.returncode}")
            return 1
        result = json.loads(output)
        bound = result["self_hwm_mb"] + result["workers"] * result["largest_worker_mb"]
        print(
            f"checked {result['examples']:,} examples in {result['seconds']:.1f} s "
            f"({size_mb / result['seconds']:.0f} MB/s); "
            f"{result['errors']:,} errors, {result['warnings']:,} warnings"
        )
        rows = (
            ("peak resident memory of checker + workers (sampled)", peak),
            ("  of which the checker", peak_parts[0]),
            ("  of which the workers", peak_parts[1]),
            ("checker's own peak (VmHWM)", result["self_hwm_mb"]),
            ("largest worker's peak (ru_maxrss)", result["largest_worker_mb"]),
            (f"upper bound, checker + {result['workers']} x largest worker", bound),
        )
        for label, value in rows:
            print(f"{label + ':':<56}{value:6.0f} MB")
        ok = peak <= TARGET_MB
        print(f"target <= {TARGET_MB:.0f} MB: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
