"""A conversation becomes one checked training line appended to a dataset file."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from desktop.core.dataset.formats import DatasetFormat
from desktop.core.errors import FileSaveError
from desktop.core.playground.add_to_dataset import (
    ExampleRejectedError,
    append_example,
    append_new_lines,
    check_example,
    conversation_example,
    dataset_format,
    example_messages,
    issue_text,
    last_reply_index,
    review_example,
)
from desktop.core.playground.sessions import ChatSession, ChatTurn, TurnStatus
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


def test_empty_corrected_reply_is_an_error_when_it_is_the_reply_to_keep() -> None:
    review = review_example(
        conversation_example(CONVERSATION, corrected_reply="  "), encoding_name="o200k_base"
    )
    assert not review.can_add
    assert issue_text(review.errors[0]) == (
        "The reply to keep is empty. Write the reply the model should learn."
    )


def test_warnings_do_not_keep_an_example_out_when_an_earlier_reply_is_empty() -> None:
    messages = (ChatMessage("user", "Hi"), ChatMessage("assistant", ""), *CONVERSATION[1:])
    review = review_example(conversation_example(messages), encoding_name="o200k_base")
    assert review.can_add
    assert [issue.code for issue in review.warnings] == ["empty_assistant_reply"]


def test_chat_example_is_refused_when_the_file_holds_preference_data(tmp_path: Path) -> None:
    path = tmp_path / "votes.jsonl"
    dpo = {
        "input": {"messages": [{"role": "user", "content": "Hi"}]},
        "preferred_output": [{"role": "assistant", "content": "Hello!"}],
        "non_preferred_output": [{"role": "assistant", "content": "What?"}],
    }
    path.write_text(json.dumps(dpo) + "\n")
    assert dataset_format(path) is DatasetFormat.DPO
    with pytest.raises(ExampleRejectedError) as caught:
        append_example(path, conversation_example(CONVERSATION), encoding_name="o200k_base")
    assert "preference (DPO)" in caught.value.user_message
    assert path.read_text() == json.dumps(dpo) + "\n"


def test_append_returns_the_example_number_when_the_file_has_blank_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.jsonl"
    first = json.dumps(conversation_example(CONVERSATION))
    path.write_text(f"{first}\n\n{first}\n{first}")
    number = append_example(path, conversation_example(CONVERSATION), encoding_name="o200k_base")
    assert number == 4
    assert path.read_text().count("\n") == 5


def test_append_leaves_the_file_intact_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "datasets"
    folder.mkdir()
    path = folder / "data.jsonl"
    original = json.dumps(conversation_example(CONVERSATION)) + "\n"
    path.write_text(original)

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(FileSaveError) as caught:
        append_example(path, conversation_example(CONVERSATION), encoding_name="o200k_base")
    monkeypatch.undo()
    assert "disk is full" in caught.value.user_message
    assert path.read_text() == original
    assert [p.name for p in folder.iterdir()] == ["data.jsonl"]  # no temporary file left


def test_example_messages_keep_the_chosen_reply_and_skip_earlier_failed_ones() -> None:
    session = ChatSession(
        id="s",
        title="",
        model="gpt-4o-mini-2024-07-18",
        system_prompt="Be brief.",
        turns=(
            ChatTurn("user", "Hi"),
            ChatTurn("assistant", "", status=TurnStatus.FAILED),
            ChatTurn("user", "Hi again"),
            ChatTurn("assistant", "Hello!"),
            ChatTurn("user", "Bye"),
            ChatTurn("assistant", "Goodbye."),
        ),
        created_at=0.0,
        updated_at=0.0,
    )
    assert last_reply_index(session) == 5
    messages = example_messages(session, 3)
    assert [(m.role, m.content) for m in messages] == [
        ("system", "Be brief."),
        ("user", "Hi"),
        ("user", "Hi again"),
        ("assistant", "Hello!"),
    ]
    with pytest.raises(ValueError):
        example_messages(session, 2)


def test_only_new_lines_are_appended_when_some_are_in_the_file_already(tmp_path: Path) -> None:
    path = tmp_path / "votes.jsonl"
    path.write_text('{"a": 1}\n{"b": 2}\n')
    assert append_new_lines(path, ['{"b": 2}', '{"c": 3}', '{"c": 3}']) == (1, 2)
    assert path.read_text() == '{"a": 1}\n{"b": 2}\n{"c": 3}\n'
