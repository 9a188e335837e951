"""check_record: every line-level code, triggered by a small crafted line, with its path."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.core import tokens
from desktop.core.dataset import DatasetFormat, IssueCode, Severity, TokenCounter, check_record
from tests.core.dataset.conftest import ENCODING

U = {"role": "user", "content": "Hi"}
A = {"role": "assistant", "content": "Hello!"}
S = {"role": "system", "content": "Be kind."}
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter(ENCODING)


CASES: list[tuple[str, Any, IssueCode, str]] = [
    ("list", [1, 2], IssueCode.NOT_AN_OBJECT, ""),
    ("string", "text", IssueCode.NOT_AN_OBJECT, ""),
    ("no messages", {"msgs": []}, IssueCode.MESSAGES_MISSING, "messages"),
    ("messages dict", {"messages": {"role": "user"}}, IssueCode.MESSAGES_NOT_LIST, "messages"),
    ("messages empty", {"messages": []}, IssueCode.MESSAGES_EMPTY, "messages"),
    ("message str", {"messages": ["hi", A]}, IssueCode.MESSAGE_NOT_OBJECT, "messages[0]"),
    ("no role", {"messages": [{"content": "x"}, A]}, IssueCode.ROLE_MISSING, "messages[0].role"),
    (
        "bad role",
        {"messages": [U, {"role": "bot", "content": "x"}]},
        IssueCode.ROLE_UNKNOWN,
        "messages[1].role",
    ),
    (
        "unknown key",
        {"messages": [{"role": "user", "content": "x", "lang": "en"}, A]},
        IssueCode.KEY_UNKNOWN,
        "messages[0].lang",
    ),
    (
        "no content",
        {"messages": [{"role": "user"}, A]},
        IssueCode.CONTENT_MISSING,
        "messages[0].content",
    ),
    (
        "empty user content",
        {"messages": [{"role": "user", "content": ""}, A]},
        IssueCode.CONTENT_MISSING,
        "messages[0].content",
    ),
    (
        "content number",
        {"messages": [{"role": "user", "content": 5}, A]},
        IssueCode.CONTENT_WRONG_TYPE,
        "messages[0].content",
    ),
    (
        "bad content part",
        {"messages": [{"role": "user", "content": [{"type": "audio"}]}, A]},
        IssueCode.CONTENT_WRONG_TYPE,
        "messages[0].content[0]",
    ),
    ("no assistant", {"messages": [S, U]}, IssueCode.NO_ASSISTANT_MESSAGE, "messages"),
    (
        "weight 2",
        {"messages": [U, {**A, "weight": 2}]},
        IssueCode.WEIGHT_INVALID,
        "messages[1].weight",
    ),
    (
        "weight true",
        {"messages": [U, {**A, "weight": True}]},
        IssueCode.WEIGHT_INVALID,
        "messages[1].weight",
    ),
    (
        "weight on user",
        {"messages": [{**U, "weight": 1}, A]},
        IssueCode.WEIGHT_INVALID,
        "messages[0].weight",
    ),
    (
        "name number",
        {"messages": [{**U, "name": 3}, A]},
        IssueCode.NAME_INVALID,
        "messages[0].name",
    ),
    (
        "refusal number",
        {"messages": [U, {"role": "assistant", "content": None, "refusal": 1}]},
        IssueCode.REFUSAL_INVALID,
        "messages[1].refusal",
    ),
    (
        "tool_calls not list",
        {"messages": [U, {"role": "assistant", "tool_calls": {}}]},
        IssueCode.TOOL_CALLS_INVALID,
        "messages[1].tool_calls",
    ),
    (
        "tool call bad arguments",
        {
            "messages": [
                U,
                {
                    "role": "assistant",
                    "tool_calls": [{**CALL, "function": {"name": "f", "arguments": "{x"}}],
                },
            ]
        },
        IssueCode.TOOL_CALLS_INVALID,
        "messages[1].tool_calls[0].function.arguments",
    ),
    (
        "tool call without id",
        {"messages": [U, {"role": "assistant", "tool_calls": [{**CALL, "id": ""}]}]},
        IssueCode.TOOL_CALLS_INVALID,
        "messages[1].tool_calls[0].id",
    ),
    (
        "function_call without name",
        {"messages": [U, {"role": "assistant", "function_call": {"arguments": "{}"}}]},
        IssueCode.FUNCTION_CALL_INVALID,
        "messages[1].function_call.name",
    ),
    (
        "tool result without id",
        {
            "messages": [
                U,
                {"role": "assistant", "tool_calls": [CALL]},
                {"role": "tool", "content": "42"},
                A,
            ]
        },
        IssueCode.TOOL_CALL_ID_MISSING,
        "messages[2].tool_call_id",
    ),
    (
        "tools not list",
        {"messages": [U, A], "tools": TOOL},
        IssueCode.TOOLS_INVALID,
        "tools",
    ),
    (
        "tool without name",
        {"messages": [U, A], "tools": [{"type": "function", "function": {"description": "d"}}]},
        IssueCode.TOOLS_INVALID,
        "tools[0].function.name",
    ),
    (
        "functions empty",
        {"messages": [U, A], "functions": []},
        IssueCode.FUNCTIONS_INVALID,
        "functions",
    ),
    (
        "parallel_tool_calls string",
        {"messages": [U, A], "tools": [TOOL], "parallel_tool_calls": "no"},
        IssueCode.PARALLEL_TOOL_CALLS_INVALID,
        "parallel_tool_calls",
    ),
    ("extra top-level field", {"messages": [U, A], "id": 3}, IssueCode.EXTRA_FIELD, "id"),
    (
        "empty reply",
        {"messages": [U, {"role": "assistant", "content": "  "}]},
        IssueCode.EMPTY_ASSISTANT_REPLY,
        "messages[1].content",
    ),
    (
        "dpo without input",
        {"preferred_output": [A], "non_preferred_output": [A]},
        IssueCode.DPO_INPUT_MISSING,
        "input",
    ),
    (
        "dpo input list",
        {"input": [U], "preferred_output": [A], "non_preferred_output": [A]},
        IssueCode.DPO_INPUT_INVALID,
        "input",
    ),
    (
        "dpo input message",
        {
            "input": {"messages": [{"role": "user"}]},
            "preferred_output": [A],
            "non_preferred_output": [A],
        },
        IssueCode.CONTENT_MISSING,
        "input.messages[0].content",
    ),
    (
        "dpo without non-preferred",
        {"input": {"messages": [U]}, "preferred_output": [A]},
        IssueCode.DPO_OUTPUT_MISSING,
        "non_preferred_output",
    ),
    (
        "dpo two outputs",
        {"input": {"messages": [U]}, "preferred_output": [A, A], "non_preferred_output": [A]},
        IssueCode.DPO_OUTPUT_INVALID,
        "preferred_output",
    ),
    (
        "dpo user output",
        {"input": {"messages": [U]}, "preferred_output": [A], "non_preferred_output": [U]},
        IssueCode.DPO_OUTPUT_INVALID,
        "non_preferred_output",
    ),
    ("legacy no prompt", {"completion": "x"}, IssueCode.LEGACY_PROMPT_MISSING, "prompt"),
    ("legacy no completion", {"prompt": "x"}, IssueCode.LEGACY_COMPLETION_MISSING, "completion"),
    ("legacy number", {"prompt": 1, "completion": "x"}, IssueCode.LEGACY_WRONG_TYPE, "prompt"),
]


@pytest.mark.parametrize(
    ("record", "code", "path"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_issue_is_reported_with_line_and_path_when_line_is_crafted(
    record: Any, code: IssueCode, path: str, counter: TokenCounter
) -> None:
    check = check_record(record, 7, counter)
    found = [(issue.code, issue.path, issue.line) for issue in check.issues]
    assert (code, path, 7) in found
    issue = next(issue for issue in check.issues if issue.code == code)
    assert issue.severity is code.severity
    assert issue.message.startswith("Line 7: ")
    assert issue.fix


def test_valid_chat_example_has_no_issue_when_well_formed(counter: TokenCounter) -> None:
    check = check_record({"messages": [S, U, A]}, 1, counter)
    assert check.issues == []
    assert check.is_valid
    assert (check.format, check.messages) == (DatasetFormat.CHAT, 3)


def test_tool_calling_example_is_valid_when_well_formed(counter: TokenCounter) -> None:
    record = {
        "messages": [
            U,
            {"role": "assistant", "content": None, "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "call_1", "content": "42"},
            {**A, "weight": 1, "name": "bot"},
        ],
        "tools": [TOOL],
        "parallel_tool_calls": False,
    }
    assert check_record(record, 1, counter).issues == []


def test_chat_tokens_equal_cookbook_count_when_counted(counter: TokenCounter) -> None:
    messages = [S, {**U, "name": "alice"}, {**A, "weight": 1}, U, A]
    check = check_record({"messages": messages}, 1, counter)
    assert check.tokens == tokens.count_chat_tokens(messages, ENCODING)


def test_assistant_tokens_count_replies_only_when_counted(counter: TokenCounter) -> None:
    check = check_record(
        {"messages": [U, A, U, {"role": "assistant", "content": "Bye now"}]}, 1, counter
    )
    encoding = tokens.get_encoding(ENCODING)
    assert check.assistant_tokens == len(encoding.encode("Hello!")) + len(
        encoding.encode("Bye now")
    )


def test_dpo_tokens_count_input_and_preferred_output_when_counted(counter: TokenCounter) -> None:
    preferred = {"role": "assistant", "content": "Good answer"}
    record = {
        "input": {"messages": [S, U]},
        "preferred_output": [preferred],
        "non_preferred_output": [{"role": "assistant", "content": "A much longer worse answer"}],
    }
    check = check_record(record, 1, counter)
    assert check.issues == []
    assert check.format is DatasetFormat.DPO
    assert check.tokens == tokens.count_chat_tokens([S, U, preferred], ENCODING)


def test_legacy_tokens_are_prompt_plus_completion_when_counted(counter: TokenCounter) -> None:
    check = check_record({"prompt": "Say hi ->", "completion": " hi there"}, 1, counter)
    encoding = tokens.get_encoding(ENCODING)
    assert check.format is DatasetFormat.PROMPT_COMPLETION
    assert check.tokens == len(encoding.encode("Say hi ->")) + len(encoding.encode(" hi there"))


def test_warning_keeps_example_valid_when_reply_is_empty(counter: TokenCounter) -> None:
    check = check_record({"messages": [U, {"role": "assistant", "content": ""}]}, 1, counter)
    assert [issue.severity for issue in check.issues] == [Severity.WARNING]
    assert check.is_valid
