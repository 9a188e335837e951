from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from desktop.core.datasets_io.fixes import FixKind, apply_fixes
from desktop.core.errors import OperationCancelledError

CHAT = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}'


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_bytes(data)
    return path


def out_lines(tmp_path: Path) -> list[bytes]:
    return (tmp_path / "fixed.jsonl").read_bytes().split(b"\n")[:-1]


def test_drops_empty_lines_when_fix_is_chosen(tmp_path: Path) -> None:
    src = write(tmp_path, CHAT + b"\n\n   \n" + CHAT + b"\n")
    result = apply_fixes(src, tmp_path / "fixed.jsonl", {FixKind.DROP_EMPTY_LINES})
    assert (result.lines_in, result.lines_out) == (4, 2)
    assert result.count(FixKind.DROP_EMPTY_LINES) == 2
    assert out_lines(tmp_path) == [CHAT, CHAT]


def test_keeps_empty_lines_when_fix_is_not_chosen(tmp_path: Path) -> None:
    src = write(tmp_path, CHAT + b"\n\n")
    apply_fixes(src, tmp_path / "fixed.jsonl", set())
    assert out_lines(tmp_path) == [CHAT, b""]


def test_trims_message_contents_when_fix_is_chosen(tmp_path: Path) -> None:
    record = {
        "messages": [{"role": "user", "content": "  Hi \n"}, {"role": "assistant", "content": "Yo"}]
    }
    src = write(tmp_path, json.dumps(record).encode() + b"\n" + CHAT + b"\n")
    result = apply_fixes(src, tmp_path / "fixed.jsonl", {FixKind.TRIM_WHITESPACE})
    assert result.count(FixKind.TRIM_WHITESPACE) == 1
    assert json.loads(out_lines(tmp_path)[0])["messages"][0]["content"] == "Hi"
    assert out_lines(tmp_path)[1] == CHAT


def test_trims_dpo_outputs_when_record_is_preference(tmp_path: Path) -> None:
    record = {
        "input": {"messages": [{"role": "user", "content": " q "}]},
        "preferred_output": [{"role": "assistant", "content": " good "}],
        "non_preferred_output": [{"role": "assistant", "content": " bad "}],
    }
    src = write(tmp_path, json.dumps(record).encode() + b"\n")
    apply_fixes(src, tmp_path / "fixed.jsonl", {FixKind.TRIM_WHITESPACE})
    fixed = json.loads(out_lines(tmp_path)[0])
    assert fixed["input"]["messages"][0]["content"] == "q"
    assert fixed["preferred_output"][0]["content"] == "good"
    assert fixed["non_preferred_output"][0]["content"] == "bad"


def test_leaves_whitespace_only_content_when_trimming(tmp_path: Path) -> None:
    record = {"messages": [{"role": "assistant", "content": "   "}]}
    src = write(tmp_path, json.dumps(record).encode() + b"\n")
    result = apply_fixes(src, tmp_path / "fixed.jsonl", {FixKind.TRIM_WHITESPACE})
    assert result.count(FixKind.TRIM_WHITESPACE) == 0


def test_removes_later_duplicates_when_fix_is_chosen(tmp_path: Path) -> None:
    reordered = (
        b'{"messages": [{"content": "Hi", "role": "user"}, {"role": "assistant", "content": "Yo"}]}'
    )
    other = b'{"messages": [{"role": "user", "content": "Other"}]}'
    src = write(tmp_path, CHAT + b"\n" + other + b"\n" + reordered + b"\n" + CHAT + b"\n")
    result = apply_fixes(src, tmp_path / "fixed.jsonl", {FixKind.REMOVE_DUPLICATES})
    assert result.count(FixKind.REMOVE_DUPLICATES) == 2
    assert out_lines(tmp_path) == [CHAT, other]


def test_finds_duplicates_after_trimming_when_both_fixes_are_chosen(tmp_path: Path) -> None:
    spaced = CHAT.replace(b'"Hi"', b'" Hi "')
    src = write(tmp_path, CHAT + b"\n" + spaced + b"\n")
    fixes = {FixKind.TRIM_WHITESPACE, FixKind.REMOVE_DUPLICATES}
    result = apply_fixes(src, tmp_path / "fixed.jsonl", fixes)
    assert result.lines_out == 1


def test_converts_legacy_lines_when_fix_is_chosen(tmp_path: Path) -> None:
    src = write(tmp_path, b'{"prompt": "2+2 ->", "completion": " 4\\n"}\n' + CHAT + b"\n")
    result = apply_fixes(src, tmp_path / "fixed.jsonl", {FixKind.CONVERT_LEGACY})
    assert result.count(FixKind.CONVERT_LEGACY) == 1
    assert json.loads(out_lines(tmp_path)[0]) == {
        "messages": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}]
    }


def test_copies_broken_lines_unchanged_when_fixing(tmp_path: Path) -> None:
    src = write(tmp_path, b"{not json\n[1, 2]\n")
    apply_fixes(src, tmp_path / "fixed.jsonl", set(FixKind))
    assert out_lines(tmp_path) == [b"{not json", b"[1, 2]"]


def test_never_changes_the_source_when_fixing(tmp_path: Path) -> None:
    data = CHAT + b"\n\n" + CHAT + b"\n"
    src = write(tmp_path, data)
    apply_fixes(src, tmp_path / "fixed.jsonl", set(FixKind))
    assert src.read_bytes() == data


def test_refuses_when_destination_is_the_source(tmp_path: Path) -> None:
    src = write(tmp_path, CHAT + b"\n")
    with pytest.raises(ValueError):
        apply_fixes(src, src, {FixKind.DROP_EMPTY_LINES})


def test_writes_nothing_when_cancelled(tmp_path: Path) -> None:
    src = write(tmp_path, (CHAT + b"\n") * 5000)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelledError):
        apply_fixes(src, tmp_path / "fixed.jsonl", set(FixKind), cancel=cancel)
    assert not (tmp_path / "fixed.jsonl").exists()
