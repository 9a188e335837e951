"""Blind order is reproducible; votes become DPO lines the app's own checker accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.dataset.engine import check_file
from desktop.core.dataset.rules import check_record
from desktop.core.dataset.token_counter import TokenCounter
from desktop.core.playground.preferences import (
    Candidate,
    VoteError,
    blind_order,
    dpo_jsonl,
    record_vote,
    vote_to_dpo_lines,
)
from desktop.core.types import ChatMessage

PROMPT = (ChatMessage("system", "Be kind."), ChatMessage("user", "Say hello."))
CANDIDATES = (Candidate("base", "Hello."), Candidate("tuned", "Hi there!"), Candidate("x", "Yo"))


def test_order_is_the_same_when_the_seed_is_the_same() -> None:
    assert blind_order(4, 1234) == blind_order(4, 1234)
    assert sorted(blind_order(4, 1234)) == [0, 1, 2, 3]


def test_order_differs_for_some_seed_when_seeds_change() -> None:
    assert len({blind_order(4, seed) for seed in range(20)}) > 1


def test_vote_is_refused_when_only_one_answer_is_compared() -> None:
    with pytest.raises(VoteError):
        record_vote("v", PROMPT, CANDIDATES[:1], 0, now=1)


def test_vote_is_refused_when_the_choice_is_out_of_range() -> None:
    with pytest.raises(VoteError):
        record_vote("v", PROMPT, CANDIDATES, 3, now=1)


def test_vote_gives_one_line_per_other_answer_when_three_were_compared() -> None:
    vote = record_vote("v", PROMPT, CANDIDATES, 1, now=1)
    lines = vote_to_dpo_lines(vote)
    assert [line["non_preferred_output"] for line in lines] == [
        [{"role": "assistant", "content": "Hello."}],
        [{"role": "assistant", "content": "Yo"}],
    ]
    assert lines[0]["preferred_output"] == [{"role": "assistant", "content": "Hi there!"}]


def test_identical_answers_are_left_out_when_they_match_the_preferred_one() -> None:
    vote = record_vote("v", PROMPT, (Candidate("a", "Same"), Candidate("b", "Same ")), 0, now=1)
    assert vote_to_dpo_lines(vote) == []


def test_dpo_lines_pass_the_dataset_checker_without_errors_when_exported() -> None:
    vote = record_vote("v", PROMPT, CANDIDATES, 2, now=1)
    counter = TokenCounter("o200k_base")
    for number, line in enumerate(dpo_jsonl([vote]).splitlines(), start=1):
        check = check_record(json.loads(line), number, counter)
        assert check.format == "dpo"
        assert check.is_valid, check.issues


def test_exported_file_passes_the_file_checker_without_errors_when_ten_votes_are_saved(
    tmp_path: Path,
) -> None:
    votes = [
        record_vote(
            f"v{i}",
            (ChatMessage("system", "Be kind."), ChatMessage("user", f"Say hello to guest {i}.")),
            (Candidate("base", f"Hello, guest {i}."), Candidate("tuned", f"Hi there, guest {i}!")),
            1,
            now=i,
        )
        for i in range(10)
    ]
    path = tmp_path / "preferences.jsonl"
    path.write_text(dpo_jsonl(votes), encoding="utf-8")
    report = check_file(path, encoding_name="o200k_base", context_limit=65536, workers=1)
    assert report.format == "dpo"
    assert report.error_count == 0, report.errors
