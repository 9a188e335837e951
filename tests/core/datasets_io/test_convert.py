from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from desktop.core.datasets_io.convert import (
    LegacyConventions,
    convert_legacy_file,
    detect_legacy_conventions,
    legacy_to_chat,
)
from desktop.core.errors import OperationCancelledError


def jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_makes_user_and_assistant_messages_when_record_is_legacy() -> None:
    chat = legacy_to_chat({"prompt": "Hi", "completion": " Hello"})
    assert chat == {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
        ]
    }


def test_puts_system_prompt_first_when_one_is_given() -> None:
    chat = legacy_to_chat({"prompt": "Hi", "completion": "Yo"}, system_prompt=" Be brief. ")
    assert chat is not None
    assert chat["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Yo"},
    ]


def test_removes_separator_and_stop_when_conventions_are_given() -> None:
    conventions = LegacyConventions(prompt_separator="\n\n###\n\n", completion_stop=" END")
    chat = legacy_to_chat(
        {"prompt": "Question?\n\n###\n\n", "completion": " Answer. END"}, conventions=conventions
    )
    assert chat is not None
    assert [m["content"] for m in chat["messages"]] == ["Question?", "Answer."]  # type: ignore[attr-defined]


def test_leaves_out_user_message_when_prompt_is_empty() -> None:
    chat = legacy_to_chat({"prompt": "", "completion": "Text"})
    assert chat == {"messages": [{"role": "assistant", "content": "Text"}]}


def test_returns_none_when_completion_is_empty_after_cleaning() -> None:
    conventions = LegacyConventions(completion_stop="\n")
    assert legacy_to_chat({"prompt": "a", "completion": " \n"}, conventions=conventions) is None


def test_returns_none_when_record_is_already_chat() -> None:
    assert legacy_to_chat({"messages": [], "prompt": "a", "completion": "b"}) is None


def test_detects_separator_when_every_prompt_ends_with_it() -> None:
    found = detect_legacy_conventions(
        [
            {"prompt": "a ->", "completion": " x\n"},
            {"prompt": "b ->", "completion": " y\n"},
        ]
    )
    assert found == LegacyConventions(prompt_separator=" ->", completion_stop="\n")


def test_detects_no_stop_when_only_some_completions_end_with_it() -> None:
    found = detect_legacy_conventions(
        [
            {"prompt": "a", "completion": " THE END"},
            {"prompt": "b", "completion": " more"},
        ]
    )
    assert found.completion_stop == ""


def test_prefers_longest_separator_when_several_match() -> None:
    found = detect_legacy_conventions([{"prompt": "q\n\n###\n\n", "completion": "a"}])
    assert found.prompt_separator == "\n\n###\n\n"


def test_converts_every_legacy_line_when_file_is_legacy(tmp_path: Path) -> None:
    src = jsonl(
        tmp_path / "legacy.jsonl",
        {"prompt": "2+2 ->", "completion": " 4\n"},
        {"prompt": "3+3 ->", "completion": " 6\n"},
    )
    result = convert_legacy_file(src, tmp_path / "chat.jsonl")
    assert result.examples_written == 2
    assert read_jsonl(tmp_path / "chat.jsonl") == [
        {"messages": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}]},
        {"messages": [{"role": "user", "content": "3+3"}, {"role": "assistant", "content": "6"}]},
    ]


def test_copies_other_lines_unchanged_when_file_mixes_formats(tmp_path: Path) -> None:
    src = tmp_path / "mixed.jsonl"
    src.write_bytes(b'{"prompt": "a", "completion": "b"}\n{"messages": []}\nnot json\n')
    result = convert_legacy_file(src, tmp_path / "out.jsonl")
    assert result.lines_copied == 2
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
    assert lines[1:] == [b'{"messages": []}', b"not json"]


def test_lists_empty_lines_as_skipped_when_converting(tmp_path: Path) -> None:
    src = tmp_path / "legacy.jsonl"
    src.write_bytes(b'{"prompt": "a", "completion": "b"}\n\n  \n')
    result = convert_legacy_file(src, tmp_path / "out.jsonl")
    assert [(s.row, s.reason) for s in result.rows_skipped] == [
        (2, "empty line"),
        (3, "empty line"),
    ]


def test_leaves_source_untouched_when_converting(tmp_path: Path) -> None:
    src = jsonl(tmp_path / "legacy.jsonl", {"prompt": "a", "completion": "b"})
    before = src.read_bytes()
    convert_legacy_file(src, tmp_path / "out.jsonl")
    assert src.read_bytes() == before


def test_refuses_when_destination_is_the_source(tmp_path: Path) -> None:
    src = jsonl(tmp_path / "legacy.jsonl", {"prompt": "a", "completion": "b"})
    with pytest.raises(ValueError):
        convert_legacy_file(src, src)


def test_writes_nothing_when_cancelled(tmp_path: Path) -> None:
    src = jsonl(tmp_path / "legacy.jsonl", *({"prompt": "a", "completion": "b"} for _ in range(10)))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelledError):
        convert_legacy_file(src, tmp_path / "out.jsonl", cancel=cancel)
    assert not (tmp_path / "out.jsonl").exists()
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
