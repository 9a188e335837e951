"""Split a dataset into training and validation files; export the valid examples.

**How the split is chosen.** Exactly ``k = validation_size(n, ratio)`` of the ``n`` non-empty
lines go to validation: ``round(n × ratio)`` (Python's rounding, half to even), at least 1 and at
most ``n − 1`` when ``n ≥ 2``. Every line number ``i`` gets a key ``splitmix64(seed, i)``, a
bijective 64-bit mix, so no two lines of one split share a key; the ``k`` lines with the smallest
keys are the validation lines. The same file, ratio and seed give the same split on every machine
and Python version (no ``random`` module involved), and both outputs keep the original order.

It streams: one pass counts the lines, a second finds the ``k``-th smallest key (a heap of ``k``
integers), a third writes both files. Lines are copied as they are; empty lines are left out.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.core.datasets_io._streams import (
    Progress,
    batched,
    check_cancel,
    dump_json_line,
    is_blank,
    iter_lines,
    refuse_same_file,
)
from desktop.core.datasets_io.convert import parse_json_line
from desktop.core.files import PendingFile, write_via_temp

__all__ = [
    "ExportResult",
    "SplitResult",
    "export_jsonl",
    "split_dataset",
    "split_key",
    "validation_size",
]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class SplitResult:
    training_examples: int
    validation_examples: int
    empty_lines_skipped: int


@dataclass(frozen=True, slots=True)
class ExportResult:
    examples_written: int
    lines_skipped: int


def validation_size(n: int, ratio: float) -> int:
    """How many of ``n`` examples go to validation (see the module docstring).

    Raises:
        ValueError: ``ratio`` is not strictly between 0 and 1.
    """
    if not 0 < ratio < 1:
        raise ValueError(f"the validation share must be between 0 and 1, not {ratio}")
    if n < 2:
        return 0
    return min(max(round(n * ratio), 1), n - 1)


def split_key(seed: int, line: int) -> int:
    """The splitmix64 key of one line; a bijection of ``line`` for a fixed ``seed``."""
    z = (seed + (line + 1) * _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def split_dataset(
    src: Path,
    training_dst: Path,
    validation_dst: Path,
    *,
    ratio: float = 0.1,
    seed: int = 0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SplitResult:
    """Write the non-empty lines of ``src`` to a training and a validation file.

    Args:
        src: the dataset (only read).
        training_dst: the training file to write.
        validation_dst: the validation file to write.
        ratio: the share of examples for validation, between 0 and 1.
        seed: any integer; the same seed gives the same split.
        progress: ``(done, total)`` in bytes over both passes of ``src``.
        cancel: set to stop; neither output is then written.

    Returns:
        How many examples went where.

    Raises:
        ValueError: a bad ratio, or an output that is ``src`` or the other output.
        DatasetUnreadableError: ``src`` cannot be read.
        FileSaveError: an output cannot be written. Both are written to temporary files first
            and renamed at the end, training first; only a failure between the two renames
            leaves a new training file beside an old validation file.
        OperationCancelledError: ``cancel`` was set.
    """
    refuse_same_file(src, training_dst)
    refuse_same_file(src, validation_dst)
    refuse_same_file(training_dst, validation_dst)
    size = src.stat().st_size if src.exists() else 0
    passes = _passes(progress, size, 3)

    n = sum(
        1 for _, line in iter_lines(src, progress=passes(0), cancel=cancel) if not is_blank(line)
    )
    k = validation_size(n, ratio)
    threshold = heapq.nsmallest(k, (split_key(seed, i) for i in range(n)))[-1] if k else -1
    check_cancel(cancel)
    if progress is not None:
        progress(2 * size, 3 * size)

    counts = [0, 0, 0]  # training, validation, empty
    with PendingFile(training_dst) as training, PendingFile(validation_dst) as validation:
        buffers: tuple[list[bytes], list[bytes]] = ([], [])
        index = 0
        for _, line in iter_lines(src, progress=passes(2), cancel=cancel):
            if is_blank(line):
                counts[2] += 1
                continue
            to_validation = split_key(seed, index) <= threshold
            index += 1
            counts[to_validation] += 1
            buffers[to_validation].append(line + b"\n")
            if len(buffers[to_validation]) >= 4096:
                (validation if to_validation else training).write(b"".join(buffers[to_validation]))
                buffers[to_validation].clear()
        training.write(b"".join(buffers[0]))
        validation.write(b"".join(buffers[1]))
        check_cancel(cancel)
        training.commit()
        validation.commit()
    return SplitResult(counts[0], counts[1], counts[2])


def _passes(progress: Progress | None, size: int, count: int) -> Callable[[int], Progress | None]:
    """Progress callbacks for each of ``count`` passes over a ``size``-byte file, as one bar."""

    def for_pass(number: int) -> Progress | None:
        if progress is None:
            return None
        report = progress
        return lambda done, _total: report(number * size + done, count * size)

    return for_pass


def export_jsonl(
    src: Path,
    dst: Path,
    *,
    skip_lines: Collection[int] = frozenset(),
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Copy the examples of ``src`` to ``dst`` as normalised JSONL.

    Normalised: one compact JSON object per line, UTF-8 (non-ASCII kept as is), ``\\n`` endings.
    Left out: empty lines, lines that are not a JSON object (or not UTF-8), and the line numbers
    in ``skip_lines`` (pass those the checker found errors on).

    Args:
        src: the dataset (only read).
        dst: the file to write (all-or-nothing; must not be ``src``).
        skip_lines: 1-based line numbers to leave out.
        progress: ``(bytes_done, bytes_total)`` of ``src``.
        cancel: set to stop; ``dst`` is then left as it was.

    Returns:
        Examples written and lines left out.

    Raises:
        ValueError: ``dst`` is ``src``.
        DatasetUnreadableError: ``src`` cannot be read.
        FileSaveError: ``dst`` cannot be written.
        OperationCancelledError: ``cancel`` was set.
    """
    refuse_same_file(src, dst)
    counts = [0, 0]

    def chunks() -> Iterator[bytes]:
        for number, line in iter_lines(src, progress=progress, cancel=cancel):
            value = None if number in skip_lines else parse_json_line(line)
            if not isinstance(value, dict):
                counts[1] += 1
                continue
            counts[0] += 1
            yield dump_json_line(value)

    write_via_temp(dst, batched(chunks(), _BUFFER), cancel=cancel)
    return ExportResult(counts[0], counts[1])
