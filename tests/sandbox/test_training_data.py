"""The emulator's small training-file validator and reply lookup (pure functions)."""

from __future__ import annotations

import json

from desktop.sandbox.jobs import auto_epochs
from desktop.sandbox.training_data import best_reply, check_training_file
from tests.sandbox.data import chat_line, jsonl, training_bytes


def test_accepts_file_when_every_line_is_a_chat_example() -> None:
    check = check_training_file(training_bytes())

    assert check.error is None
    assert len(check.examples) == 12


def test_names_the_line_when_a_line_is_not_json() -> None:
    data = training_bytes(11) + b"{oops\n"

    assert (
        check_training_file(data).error
        == "Invalid file format. Line 12: The line is not valid JSON."
    )


def test_counts_lines_including_blank_ones_when_naming_a_line() -> None:
    data = b"\n" + json.dumps({"messages": []}).encode() + b"\n"

    error = check_training_file(data).error

    assert error is not None and error.startswith('Invalid file format. Line 2, key "messages"')


def test_rejects_preference_line_when_preferred_output_is_missing() -> None:
    line = {"input": {"messages": [{"role": "user", "content": "Hi"}]}}

    error = check_training_file(jsonl([line]), method="dpo").error

    assert error is not None and "preferred_output" in error


def test_accepts_few_examples_when_minimum_is_lowered() -> None:
    assert check_training_file(jsonl([chat_line("q", "a")]), min_examples=1).error is None


def test_picks_reply_with_most_shared_words_when_looking_up() -> None:
    examples = check_training_file(training_bytes()).examples

    assert best_reply(examples, "STUDENT discount please") == (
        "Students get 15 percent off with a valid card."
    )


def test_follows_cookbook_heuristic_when_choosing_auto_epochs() -> None:
    assert (auto_epochs(10), auto_epochs(50), auto_epochs(1000), auto_epochs(20000)) == (
        10,
        3,
        3,
        1,
    )
