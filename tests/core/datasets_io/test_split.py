from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from desktop.core.datasets_io.split import (
    export_jsonl,
    split_dataset,
    split_key,
    validation_size,
)
from desktop.core.errors import OperationCancelledError


def numbered(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"".join(b'{"n": %d}\n' % i for i in range(n)))
    return path


def numbers(path: Path) -> list[int]:
    return [json.loads(line)["n"] for line in path.read_bytes().splitlines()]


def split(tmp_path: Path, src: Path, **kwargs: object) -> tuple[list[int], list[int]]:
    train, valid = tmp_path / "train.jsonl", tmp_path / "valid.jsonl"
    split_dataset(src, train, valid, **kwargs)  # type: ignore[arg-type]
    return numbers(train), numbers(valid)


@pytest.mark.parametrize(
    ("n", "ratio", "expected"),
    [(0, 0.2, 0), (1, 0.2, 0), (2, 0.01, 1), (10, 0.2, 2), (100, 0.125, 12), (3, 0.99, 2)],
)
def test_sizes_validation_set_when_ratio_is_applied(n: int, ratio: float, expected: int) -> None:
    assert validation_size(n, ratio) == expected


@pytest.mark.parametrize("ratio", [0.0, 1.0, -0.1, 1.5])
def test_rejects_ratio_when_outside_zero_and_one(ratio: float) -> None:
    with pytest.raises(ValueError):
        validation_size(10, ratio)


def test_gives_distinct_keys_when_lines_differ() -> None:
    keys = {split_key(7, i) for i in range(10_000)}
    assert len(keys) == 10_000


def test_writes_exact_counts_when_splitting(tmp_path: Path) -> None:
    train, valid = split(tmp_path, numbered(tmp_path, 100), ratio=0.2, seed=1)
    assert (len(train), len(valid)) == (80, 20)
    assert sorted(train + valid) == list(range(100))


def test_keeps_original_order_when_splitting(tmp_path: Path) -> None:
    train, valid = split(tmp_path, numbered(tmp_path, 50), ratio=0.3)
    assert train == sorted(train)
    assert valid == sorted(valid)


def test_repeats_split_when_seed_is_the_same(tmp_path: Path) -> None:
    src = numbered(tmp_path, 200)
    assert split(tmp_path, src, seed=42) == split(tmp_path, src, seed=42)


def test_changes_split_when_seed_differs(tmp_path: Path) -> None:
    src = numbered(tmp_path, 200)
    assert split(tmp_path, src, seed=1)[1] != split(tmp_path, src, seed=2)[1]


def test_keeps_reference_split_when_code_changes(tmp_path: Path) -> None:
    # Pins the algorithm: users rely on a seed reproducing the same split later.
    _, valid = split(tmp_path, numbered(tmp_path, 20), ratio=0.2, seed=0)
    assert valid == [2, 4, 6, 18]


def test_skips_empty_lines_when_splitting(tmp_path: Path) -> None:
    src = tmp_path / "data.jsonl"
    src.write_bytes(b'{"n": 0}\n\n{"n": 1}\n  \n')
    train_path, valid_path = tmp_path / "train.jsonl", tmp_path / "valid.jsonl"
    result = split_dataset(src, train_path, valid_path, ratio=0.5)
    assert (result.training_examples, result.validation_examples) == (1, 1)
    assert result.empty_lines_skipped == 2


def test_writes_neither_file_when_cancelled(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelledError):
        split_dataset(
            numbered(tmp_path, 5000), tmp_path / "t.jsonl", tmp_path / "v.jsonl", cancel=cancel
        )
    assert not (tmp_path / "t.jsonl").exists()
    assert not (tmp_path / "v.jsonl").exists()


def test_refuses_when_an_output_is_the_source(tmp_path: Path) -> None:
    src = numbered(tmp_path, 5)
    with pytest.raises(ValueError):
        split_dataset(src, src, tmp_path / "v.jsonl")


def test_reports_progress_to_the_end_when_splitting(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    split(tmp_path, numbered(tmp_path, 100), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_normalises_examples_when_exporting(tmp_path: Path) -> None:
    src = tmp_path / "data.jsonl"
    src.write_bytes('{ "a" : "é" }\r\n'.encode())
    result = export_jsonl(src, tmp_path / "out.jsonl")
    assert result.examples_written == 1
    assert (tmp_path / "out.jsonl").read_bytes() == '{"a":"é"}\n'.encode()


def test_leaves_out_invalid_and_listed_lines_when_exporting(tmp_path: Path) -> None:
    src = tmp_path / "data.jsonl"
    src.write_bytes(b'{"n": 1}\nbroken\n\n[1]\n{"n": 5}\n{"n": 6}\n\xff\n')
    result = export_jsonl(src, tmp_path / "out.jsonl", skip_lines={5})
    assert (result.examples_written, result.lines_skipped) == (2, 5)
    assert numbers(tmp_path / "out.jsonl") == [1, 6]
