"""Check one parsed line of a training file, whatever its format, and estimate its tokens.

Token estimates (see ``message_rules`` for the per-message part):

- chat: the messages, plus 3 for the reply priming (the cookbook's formula, equal to
  :func:`desktop.core.tokens.count_chat_tokens` for plain text messages);
- preference (DPO): the input messages plus the preferred output, plus 3;
- legacy: the tokens of the prompt plus those of the completion.

Assistant tokens are those of the assistant messages' content (DPO: the preferred output;
legacy: the completion).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.dataset.formats import DatasetFormat, detect_line_format
from desktop.core.dataset.issues import DatasetIssue, IssueCode, make_issue
from desktop.core.dataset.message_rules import MessagesCheck, check_messages
from desktop.core.dataset.token_counter import TokenCounter
from desktop.core.dataset.tool_rules import check_functions, check_tools

__all__ = ["REPLY_PRIMING_TOKENS", "ExampleCheck", "check_record"]

REPLY_PRIMING_TOKENS = 3

_CHAT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
_DPO_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
_DPO_INPUT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls"})
_LEGACY_KEYS = frozenset({"prompt", "completion"})

_MESSAGES_FIX = (
    'Write the example as {"messages": [{"role": "user", "content": "..."}, '
    '{"role": "assistant", "content": "..."}]}.'
)
_DPO_OUTPUT_FIX = (
    'Write it as a list with one assistant message: [{"role": "assistant", "content": "..."}].'
)


@dataclass(slots=True)
class ExampleCheck:
    """The outcome of checking one line.

    The token figures are meaningful only when ``is_valid`` (no error among ``issues``).
    ``has_system``/``has_user`` are True for formats where the warning does not apply.
    """

    format: DatasetFormat
    issues: list[DatasetIssue] = field(default_factory=list)
    messages: int = 0
    tokens: int = 0
    assistant_tokens: int = 0
    has_system: bool = True
    has_user: bool = True

    @property
    def is_valid(self) -> bool:
        """Whether the line has no errors (warnings allowed)."""
        return not any(issue.is_error for issue in self.issues)


def check_record(record: object, line: int, counter: TokenCounter) -> ExampleCheck:
    """Check one parsed JSON line.

    Args:
        record: the value ``json.loads`` returned for the line.
        line: its 1-based line number.
        counter: counts tokens in the encoding of the chosen model.

    Returns:
        The issues, the format of the line and its token estimate.
    """
    if not isinstance(record, dict):
        kind = "a list" if isinstance(record, list) else "a single value"
        issue = make_issue(
            IssueCode.NOT_AN_OBJECT,
            line,
            "",
            f"the line is {kind}, not a JSON object",
            "Write each example as one JSON object on its own line: " + _MESSAGES_FIX[6:],
        )
        return ExampleCheck(DatasetFormat.UNKNOWN, [issue])
    fmt = detect_line_format(record)
    if fmt is DatasetFormat.DPO:
        return _check_dpo(record, line, counter)
    if fmt is DatasetFormat.PROMPT_COMPLETION:
        return _check_legacy(record, line, counter)
    return _check_chat(record, line, counter, fmt)


def _extra_fields(
    record: dict[str, object], allowed: frozenset[str], prefix: str, line: int
) -> list[DatasetIssue]:
    return [
        make_issue(
            IssueCode.EXTRA_FIELD,
            line,
            f"{prefix}{key}",
            f'the example has a field the service does not expect: "{prefix}{key}"',
            "Remove it unless you know the service accepts it; it is not used for training.",
        )
        for key in record
        if key not in allowed
    ]


def _messages_list(
    record: dict[str, object], path: str, line: int, issues: list[DatasetIssue]
) -> list[object] | None:
    """The ``messages`` list of a record, or None with an issue when absent or malformed."""
    messages = record.get("messages")
    code: IssueCode | None = None
    if messages is None:
        code, problem = IssueCode.MESSAGES_MISSING, 'the example has no "messages" list'
    elif not isinstance(messages, list):
        code, problem = IssueCode.MESSAGES_NOT_LIST, '"messages" must be a list of messages'
    elif not messages:
        code, problem = IssueCode.MESSAGES_EMPTY, 'the "messages" list is empty'
    if code is not None:
        issues.append(make_issue(code, line, path, problem, _MESSAGES_FIX))
        return None
    assert isinstance(messages, list)
    return messages


def _check_tools_fields(
    record: dict[str, object], prefix: str, line: int, issues: list[DatasetIssue]
) -> None:
    if "tools" in record:
        issues.extend(check_tools(record["tools"], line, f"{prefix}tools"))
    if "functions" in record:
        issues.extend(check_functions(record["functions"], line, f"{prefix}functions"))
    if "parallel_tool_calls" in record and not isinstance(record["parallel_tool_calls"], bool):
        issues.append(
            make_issue(
                IssueCode.PARALLEL_TOOL_CALLS_INVALID,
                line,
                f"{prefix}parallel_tool_calls",
                '"parallel_tool_calls" must be true or false',
                'Write "parallel_tool_calls": true or false (without quotes), or remove it.',
            )
        )


def _check_chat(
    record: dict[str, object], line: int, counter: TokenCounter, fmt: DatasetFormat
) -> ExampleCheck:
    result = ExampleCheck(fmt)
    issues = result.issues
    if len(record) > 1:
        issues.extend(_extra_fields(record, _CHAT_KEYS, "", line))
        _check_tools_fields(record, "", line, issues)
    messages = _messages_list(record, "messages", line, issues)
    if messages is None:
        return result
    found = check_messages(messages, "messages", line, issues, counter)
    if not found.has_assistant and not any(
        issue.code == IssueCode.ROLE_UNKNOWN or issue.code == IssueCode.ROLE_MISSING
        for issue in issues
    ):
        issues.append(
            make_issue(
                IssueCode.NO_ASSISTANT_MESSAGE,
                line,
                "messages",
                "the example has no assistant message, so there is nothing to learn",
                'Add the reply the model should give: {"role": "assistant", "content": "..."}.',
            )
        )
    _fill(result, found, len(messages))
    return result


def _fill(result: ExampleCheck, found: MessagesCheck, messages: int) -> None:
    result.messages = messages
    result.tokens = found.tokens + REPLY_PRIMING_TOKENS
    result.assistant_tokens = found.assistant_tokens
    result.has_system = found.has_system
    result.has_user = found.has_user


def _check_dpo(record: dict[str, object], line: int, counter: TokenCounter) -> ExampleCheck:
    result = ExampleCheck(DatasetFormat.DPO)
    issues = result.issues
    issues.extend(_extra_fields(record, _DPO_KEYS, "", line))
    found = MessagesCheck()
    count = 0
    raw_input = record.get("input")
    if raw_input is None:
        issues.append(
            make_issue(
                IssueCode.DPO_INPUT_MISSING,
                line,
                "input",
                'the preference example has no "input"',
                'Add "input": {"messages": [...]} with the conversation before the reply.',
            )
        )
    elif not isinstance(raw_input, dict):
        issues.append(
            make_issue(
                IssueCode.DPO_INPUT_INVALID,
                line,
                "input",
                '"input" must be an object with a "messages" list',
                'Write "input": {"messages": [{"role": "user", "content": "..."}]}.',
            )
        )
    else:
        issues.extend(_extra_fields(raw_input, _DPO_INPUT_KEYS, "input.", line))
        _check_tools_fields(raw_input, "input.", line, issues)
        messages = _messages_list(raw_input, "input.messages", line, issues)
        if messages is not None:
            found = check_messages(messages, "input.messages", line, issues, counter)
            count = len(messages)
    preferred = _check_dpo_output(record, "preferred_output", line, issues, counter)
    _check_dpo_output(record, "non_preferred_output", line, issues, counter)
    _fill(result, found, count + 1)
    if preferred is not None:
        result.tokens += preferred.tokens
        result.assistant_tokens += preferred.assistant_tokens
    return result


def _check_dpo_output(
    record: dict[str, object],
    key: str,
    line: int,
    issues: list[DatasetIssue],
    counter: TokenCounter,
) -> MessagesCheck | None:
    value = record.get(key)
    kind = "preferred" if key == "preferred_output" else "non-preferred"
    if value is None:
        issues.append(
            make_issue(
                IssueCode.DPO_OUTPUT_MISSING,
                line,
                key,
                f'the preference example has no "{key}" (the {kind} reply)',
                f'Add "{key}": ' + _DPO_OUTPUT_FIX[len("Write it as ") :],
            )
        )
        return None
    first = value[0] if isinstance(value, list) and len(value) == 1 else None
    if not isinstance(first, dict) or first.get("role") != "assistant":
        issues.append(
            make_issue(
                IssueCode.DPO_OUTPUT_INVALID,
                line,
                key,
                f'"{key}" must be a list of exactly one assistant message',
                _DPO_OUTPUT_FIX,
            )
        )
        return None
    return check_messages([first], key, line, issues, counter)


def _check_legacy(record: dict[str, object], line: int, counter: TokenCounter) -> ExampleCheck:
    result = ExampleCheck(DatasetFormat.PROMPT_COMPLETION)
    issues = result.issues
    issues.extend(_extra_fields(record, _LEGACY_KEYS, "", line))
    for key, code in (
        ("prompt", IssueCode.LEGACY_PROMPT_MISSING),
        ("completion", IssueCode.LEGACY_COMPLETION_MISSING),
    ):
        value = record.get(key)
        if value is None:
            issues.append(
                make_issue(
                    code,
                    line,
                    key,
                    f'the prompt/completion example has no "{key}"',
                    'Write the example as {"prompt": "...", "completion": "..."}.',
                )
            )
        elif not isinstance(value, str):
            issues.append(
                make_issue(
                    IssueCode.LEGACY_WRONG_TYPE,
                    line,
                    key,
                    f'"{key}" must be text',
                    f'Write "{key}" as text in quotes.',
                )
            )
    if result.is_valid:
        prompt = counter.count(str(record["prompt"]))
        completion = counter.count(str(record["completion"]))
        result.tokens = prompt + completion
        result.assistant_tokens = completion
    return result
