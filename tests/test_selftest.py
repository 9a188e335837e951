"""The self-test's demo walk: sample fallback and how a failed step is reported."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from desktop.selftest import DEMO_STEPS, CheckResult, DemoWalk, walk


def test_sample_file_is_the_shipped_sample_when_installed(tmp_path: Path) -> None:
    path = walk._sample_file(tmp_path)

    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 70 and "messages" in json.loads(lines[0])


def test_sample_file_falls_back_to_a_generated_file_when_the_sample_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walk, "SAMPLE", ("samples", "no-such-file.jsonl"))

    path = walk._sample_file(tmp_path)

    assert path.read_text(encoding="utf-8") == walk.training_file_text()


def test_steps_after_a_failed_one_are_reported_skipped_when_the_walk_breaks(
    tmp_path: Path,
) -> None:
    results: list[CheckResult] = []

    # A private loop, leaving the process's current event loop (the GUI tests' qasync loop) alone;
    # asyncio.run would set it to None on the way out.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(DemoWalk(window=None, emulator=None, home=tmp_path).run(results))
    finally:
        loop.close()

    assert [r.name for r in results] == DEMO_STEPS
    assert not results[0].ok and "AttributeError" in results[0].detail
    assert all(not r.ok and r.detail.startswith("skipped") for r in results[1:])
