"""A conversation becomes one checked training line appended to a dataset file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.playground.add_to_dataset import (
    ExampleRejectedError,
    append_example,
    check_example,
    conversation_example,
)
from desktop.core.types import ChatMessage

CONVERSATION = (
    ChatMessage("system", "Answer briefly."),
    ChatMessage("user", "What is 2 + 2?"),
    ChatMessage("assistant", "It is five."),
)


def test_correction_replaces_the_last_reply_when_given() -> None:
    record = conversation_example(CONVERSATION, corrected_reply="It is four.")
    assert record["messages"][-1] == {"role": "assistant", "content": "It is four."}  # type: ignore[index]


def test_conversation_is_refused_when_it_does_not_end_with_a_reply() -> None:
    with pytest.raises(ValueError):
        conversation_example(CONVERSATION[:2])


def test_checker_finds_no_errors_when_the_example_is_valid() -> None:
    assert check_example(conversation_example(CONVERSATION), encoding_name="o200k_base") == []


def test_append_adds_a_line_after_a_missing_final_newline_when_the_file_has_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"messages": []}')  # no final newline
    append_example(path, conversation_example(CONVERSATION), encoding_name="o200k_base")
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[1])["messages"][1]["content"] == "What is 2 + 2?"


def test_append_creates_the_file_when_it_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    append_example(path, conversation_example(CONVERSATION), encoding_name="o200k_base")
    assert path.read_text().count("\n") == 1


def test_append_leaves_the_file_unchanged_when_the_checker_finds_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text("existing\n")
    bad = conversation_example(CONVERSATION, corrected_reply="")
    bad["messages"][1]["role"] = "wizard"  # type: ignore[index]
    with pytest.raises(ExampleRejectedError) as caught:
        append_example(path, bad, encoding_name="o200k_base")
    assert path.read_text() == "existing\n"
    assert caught.value.issues
    assert "Line 1" not in caught.value.user_message
