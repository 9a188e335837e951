"""Rules for a list of chat messages, and their token count (the cookbook's estimate).

Roles and their allowed keys follow OpenAI's fine-tuning chat format: ``system``/``user``
(``content``, ``name``), ``assistant`` (``content``, ``name``, ``weight`` 0/1, ``refusal``,
``tool_calls``, ``function_call``), ``tool`` (``content``, ``tool_call_id``) and the deprecated
``function`` (``content``, ``name``). ``content`` is text, or a list of text parts (users may
also send ``image_url`` parts).

Token estimate per message: 3, plus the tokens of every string-valued field (text parts of a
content list count as strings), plus 1 for a ``name``. The caller adds 3 for the reply priming.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.dataset.issues import DatasetIssue, IssueCode, make_issue
from desktop.core.dataset.token_counter import TokenCounter
from desktop.core.dataset.tool_rules import check_function_call, check_tool_calls

__all__ = ["ROLES", "MessagesCheck", "check_messages"]

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1

_COMMON = frozenset({"role", "content"})
_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "system": _COMMON | {"name"},
    "user": _COMMON | {"name"},
    "assistant": _COMMON | {"name", "weight", "refusal", "tool_calls", "function_call"},
    "tool": _COMMON | {"tool_call_id"},
    "function": _COMMON | {"name"},
}
ROLES = tuple(_ALLOWED_KEYS)
# Roles whose {"role", "content"} messages need nothing else.
_PLAIN_ROLES = frozenset({"system", "user", "assistant"})
# Roles whose messages need a field besides role and content.
_NEEDS_MORE = frozenset({"tool", "function"})
_ROLE_LIST = ", ".join(f'"{role}"' for role in ROLES)

_CONTENT_FIX = 'Give the message its text, e.g. "content": "...".'
_PART_FIX = 'Write "content" as text, or as a list of parts like {"type": "text", "text": "..."}.'


@dataclass(slots=True)
class MessagesCheck:
    """What checking a list of messages found.

    ``tokens`` includes 3 per message and 1 per name, but not the reply priming.
    """

    tokens: int = 0
    assistant_tokens: int = 0
    has_system: bool = False
    has_user: bool = False
    has_assistant: bool = False


def _label(where: str) -> str:
    """How a message is named to the user: ``messages[1]`` -> ``message 2``."""
    prefix, _, rest = where.rpartition("[")
    number = int(rest.rstrip("]")) + 1 if rest.rstrip("]").isdigit() else 1
    names = {
        "messages": "message",
        "input.messages": "input message",
        "preferred_output": "preferred output message",
        "non_preferred_output": "non-preferred output message",
    }
    return f"{names.get(prefix, prefix)} {number}"


def _content_tokens(
    content: object,
    role: str,
    where: str,
    line: int,
    issues: list[DatasetIssue],
    counter: TokenCounter,
) -> int | None:
    """Tokens of a present, non-null content value; None (and an issue) if malformed."""
    if isinstance(content, str):
        return counter.count(content)
    if not isinstance(content, list) or not content:
        issues.append(
            make_issue(
                IssueCode.CONTENT_WRONG_TYPE,
                line,
                f"{where}.content",
                f"the content of {_label(where)} must be text",
                _PART_FIX,
            )
        )
        return None
    total = 0
    for index, part in enumerate(content):
        part_type = part.get("type") if isinstance(part, dict) else None
        if part_type == "text" and isinstance(part.get("text"), str):
            total += counter.count(part["text"])
        elif (
            part_type == "image_url"
            and role == "user"
            and isinstance(part.get("image_url"), dict)
            and isinstance(part["image_url"].get("url"), str)
        ):
            continue
        else:
            issues.append(
                make_issue(
                    IssueCode.CONTENT_WRONG_TYPE,
                    line,
                    f"{where}.content[{index}]",
                    f"part {index + 1} of the content of {_label(where)} is not a text part",
                    _PART_FIX,
                )
            )
            return None
    return total


def _check_role_fields(
    message: dict[str, object], role: str, where: str, line: int, issues: list[DatasetIssue]
) -> None:
    """Rules for the keys other than role/content: unknown keys, name, weight, calls."""
    allowed = _ALLOWED_KEYS[role]
    for key in message:
        if key in allowed:
            continue
        if key == "weight":
            issues.append(
                make_issue(
                    IssueCode.WEIGHT_INVALID,
                    line,
                    f"{where}.weight",
                    f'{_label(where)} is a "{role}" message, but only assistant messages '
                    "can have a weight",
                    'Remove "weight" from this message.',
                )
            )
        else:
            issues.append(
                make_issue(
                    IssueCode.KEY_UNKNOWN,
                    line,
                    f"{where}.{key}",
                    f'{_label(where)} has a field the service does not accept: "{key}"',
                    f'Remove "{key}" or rename it. A "{role}" message may have: '
                    + ", ".join(sorted(allowed))
                    + ".",
                )
            )
    name = message.get("name")
    if ("name" in message and not (isinstance(name, str) and name)) or (
        role == "function" and not isinstance(name, str)
    ):
        issues.append(
            make_issue(
                IssueCode.NAME_INVALID,
                line,
                f"{where}.name",
                f"the name of {_label(where)} must be non-empty text",
                'Write the name as text, e.g. "name": "alice", or remove it.',
            )
        )
    if role == "assistant":
        _check_assistant_fields(message, where, line, issues)
    elif role == "tool":
        call_id = message.get("tool_call_id")
        if not (isinstance(call_id, str) and call_id):
            issues.append(
                make_issue(
                    IssueCode.TOOL_CALL_ID_MISSING,
                    line,
                    f"{where}.tool_call_id",
                    f"{_label(where)} is a tool result without the id of the call it answers",
                    'Add "tool_call_id" with the id of the assistant\'s tool call.',
                )
            )


def _check_assistant_fields(
    message: dict[str, object], where: str, line: int, issues: list[DatasetIssue]
) -> None:
    if "weight" in message:
        weight = message["weight"]
        if isinstance(weight, bool) or weight not in (0, 1):
            issues.append(
                make_issue(
                    IssueCode.WEIGHT_INVALID,
                    line,
                    f"{where}.weight",
                    f"the weight of {_label(where)} must be 0 or 1, not {weight!r}",
                    'Use "weight": 1 to train on this reply, or "weight": 0 to skip it.',
                )
            )
    if "refusal" in message and not isinstance(message["refusal"], str | None):
        issues.append(
            make_issue(
                IssueCode.REFUSAL_INVALID,
                line,
                f"{where}.refusal",
                f"the refusal of {_label(where)} must be text",
                'Write the refusal as text, e.g. "refusal": "I can\'t help with that.".',
            )
        )
    if message.get("tool_calls") is not None:
        issues.extend(check_tool_calls(message["tool_calls"], line, f"{where}.tool_calls"))
    if message.get("function_call") is not None:
        issues.extend(check_function_call(message["function_call"], line, f"{where}.function_call"))


def _check_message(
    message: object,
    where: str,
    line: int,
    issues: list[DatasetIssue],
    counter: TokenCounter,
    result: MessagesCheck,
) -> None:
    if not isinstance(message, dict):
        issues.append(
            make_issue(
                IssueCode.MESSAGE_NOT_OBJECT,
                line,
                where,
                f"{_label(where)} is not an object",
                'Write each message as {"role": "...", "content": "..."}.',
            )
        )
        return
    role = message.get("role")
    if role is None:
        issues.append(
            make_issue(
                IssueCode.ROLE_MISSING,
                line,
                f"{where}.role",
                f"{_label(where)} has no role",
                f'Add "role" to the message: one of {_ROLE_LIST}.',
            )
        )
        return
    if not isinstance(role, str) or role not in _ALLOWED_KEYS:
        issues.append(
            make_issue(
                IssueCode.ROLE_UNKNOWN,
                line,
                f"{where}.role",
                f"{_label(where)} has an unknown role: {role!r}",
                f"Use one of the roles {_ROLE_LIST}.",
            )
        )
        return
    if len(message) > 2 or "content" not in message or role in _NEEDS_MORE:
        _check_role_fields(message, role, where, line, issues)
    content = message.get("content")
    tokens = TOKENS_PER_MESSAGE
    if content is None:
        calls = message.get("tool_calls") is not None or message.get("function_call") is not None
        refused = isinstance(message.get("refusal"), str)
        if role != "assistant" or not (calls or refused):
            issues.append(
                make_issue(
                    IssueCode.CONTENT_MISSING,
                    line,
                    f"{where}.content",
                    f'{_label(where)} ("{role}") has no content',
                    _CONTENT_FIX,
                )
            )
    else:
        content_tokens = _content_tokens(content, role, where, line, issues, counter)
        if content_tokens is not None:
            tokens += content_tokens
            if role == "assistant":
                result.assistant_tokens += content_tokens
        if isinstance(content, str) and (not content or content.isspace()):
            _empty_content(message, role, where, line, issues, content)
    for key, value in message.items():
        if key != "content" and isinstance(value, str):
            tokens += counter.count(value)
            if key == "name":
                tokens += TOKENS_PER_NAME
    result.tokens += tokens
    if role == "system":
        result.has_system = True
    elif role == "user":
        result.has_user = True
    elif role == "assistant":
        result.has_assistant = True


def _empty_content(
    message: dict[str, object],
    role: str,
    where: str,
    line: int,
    issues: list[DatasetIssue],
    content: str,
) -> None:
    if role == "assistant":
        if message.get("tool_calls") is None and message.get("function_call") is None:
            issues.append(
                make_issue(
                    IssueCode.EMPTY_ASSISTANT_REPLY,
                    line,
                    f"{where}.content",
                    f"the assistant's reply in {_label(where)} is empty",
                    "Write the reply the model should learn, or delete the example.",
                )
            )
    elif not content:
        issues.append(
            make_issue(
                IssueCode.CONTENT_MISSING,
                line,
                f"{where}.content",
                f'{_label(where)} ("{role}") has empty content',
                _CONTENT_FIX,
            )
        )


def check_messages(
    messages: list[object],
    path: str,
    line: int,
    issues: list[DatasetIssue],
    counter: TokenCounter,
) -> MessagesCheck:
    """Check every message of a list and estimate its tokens.

    Args:
        messages: the list (already known to be a list).
        path: the list's path, e.g. ``"messages"`` or ``"input.messages"``.
        line: the line number.
        issues: problems are appended here.
        counter: counts tokens.

    Returns:
        Token counts (valid only when no error was appended) and which roles were seen.
    """
    result = MessagesCheck()
    count = counter.count
    lookup = counter.lookup
    for index, message in enumerate(messages):
        # Fast path for the usual {"role": ..., "content": "text"} message; anything else
        # (and empty text) goes through the full rules.
        if type(message) is dict and len(message) == 2:
            role = message.get("role")
            content = message.get("content")
            if role in _PLAIN_ROLES and type(content) is str and content and not content.isspace():
                content_tokens = lookup(content)
                if content_tokens is None:
                    content_tokens = count(content)
                role_tokens = lookup(role)
                if role_tokens is None:
                    role_tokens = count(role)
                result.tokens += TOKENS_PER_MESSAGE + content_tokens + role_tokens
                if role == "assistant":
                    result.assistant_tokens += content_tokens
                    result.has_assistant = True
                elif role == "user":
                    result.has_user = True
                else:
                    result.has_system = True
                continue
        _check_message(message, f"{path}[{index}]", line, issues, counter, result)
    return result
