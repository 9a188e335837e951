"""Reading training files the way the service does: a small validator and example lookup.

Deliberately minimal (the full dataset checker lives in ``desktop.core``): it catches what makes
the real service fail a job — bad JSON, missing messages, no assistant reply, too few examples —
and names the line like OpenAI's ``invalid_training_file`` errors do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MIN_EXAMPLES",
    "Example",
    "FileCheck",
    "best_reply",
    "check_training_file",
    "message_text",
]

MIN_EXAMPLES = 10
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Example:
    """One training example: all its messages, the users' text and the reply it teaches."""

    messages: tuple[Mapping[str, object], ...]
    prompt: str
    reply: str


@dataclass(frozen=True, slots=True)
class FileCheck:
    """Outcome of checking a training file: the examples, or the first problem found."""

    examples: tuple[Example, ...]
    error: str | None


def message_text(content: object) -> str:
    """Text of a message ``content``: a string, or the text parts of a content-part list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        ]
        return "".join(texts)
    return ""


def _check_messages(messages: object, where: str) -> list[Mapping[str, object]]:
    if not isinstance(messages, list) or not messages:
        raise ValueError(f'{where}, key "messages": Missing or empty messages list.')
    checked: list[Mapping[str, object]] = []
    for index, message in enumerate(messages):
        spot = f'{where}, key "messages", index {index}'
        if not isinstance(message, dict):
            raise ValueError(f"{spot}: Each message must be a JSON object.")
        role = message.get("role")
        if role not in _ROLES:
            raise ValueError(f'{spot}: Unrecognized role "{role}".')
        content = message.get("content")
        has_call = bool(message.get("tool_calls") or message.get("function_call"))
        if not isinstance(content, str | list) and not (role == "assistant" and has_call):
            raise ValueError(f'{spot}: Missing "content".')
        checked.append(message)
    return checked


def _reply_of(messages: Sequence[Mapping[str, object]]) -> str | None:
    replies = [m for m in messages if m.get("role") == "assistant"]
    return message_text(replies[-1].get("content")) if replies else None


def _prompt_of(messages: Sequence[Mapping[str, object]]) -> str:
    return "\n".join(message_text(m.get("content")) for m in messages if m.get("role") == "user")


def _supervised_example(record: dict[str, object], where: str) -> Example:
    messages = _check_messages(record.get("messages"), where)
    reply = _reply_of(messages)
    if reply is None:
        raise ValueError(
            f'{where}, key "messages": At least one message must be from the assistant.'
        )
    last_reply = max(i for i, m in enumerate(messages) if m.get("role") == "assistant")
    return Example(tuple(messages), _prompt_of(messages[:last_reply]), reply)


def _preference_example(record: dict[str, object], where: str) -> Example:
    source = record.get("input")
    if not isinstance(source, dict):
        raise ValueError(f'{where}, key "input": Missing input object with messages.')
    messages = _check_messages(source.get("messages"), where)
    outputs: dict[str, str] = {}
    for key in ("preferred_output", "non_preferred_output"):
        value = record.get(key)
        reply = _reply_of(value) if isinstance(value, list) else None
        if reply is None:
            raise ValueError(f'{where}, key "{key}": Must be a list with an assistant message.')
        outputs[key] = reply
    preferred = outputs["preferred_output"]
    counted = (*messages, {"role": "assistant", "content": preferred})
    return Example(counted, _prompt_of(messages), preferred)


def check_training_file(
    data: bytes, *, method: str = "supervised", min_examples: int = MIN_EXAMPLES
) -> FileCheck:
    """Check a JSONL training (or validation) file and extract its examples.

    Args:
        data: the file's bytes.
        method: ``"supervised"`` (chat lines) or ``"dpo"`` (preference lines).
        min_examples: fewest examples accepted (10 for training files, as OpenAI requires).

    Returns:
        The examples; ``error`` holds an OpenAI-style message for the first problem, if any.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileCheck((), "Invalid file format. The file is not valid UTF-8 text.")
    examples: list[Example] = []
    parse = _preference_example if method == "dpo" else _supervised_example
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"Invalid file format. Line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return FileCheck((), f"{where}: The line is not valid JSON.")
        if not isinstance(record, dict):
            return FileCheck((), f"{where}: Each line must be a JSON object.")
        try:
            examples.append(parse(record, where))
        except ValueError as problem:
            return FileCheck((), str(problem))
    if len(examples) < min_examples:
        return FileCheck(
            tuple(examples),
            f"Training file has {len(examples)} example(s), but must have at least "
            f"{min_examples} examples",
        )
    return FileCheck(tuple(examples), None)


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def best_reply(examples: Sequence[Example], prompt: str) -> str | None:
    """The reply of the example whose prompt shares the most words with ``prompt``.

    Similarity is Jaccard overlap of lower-cased words; ties go to the earliest example.

    Args:
        examples: the training examples.
        prompt: the user's text.

    Returns:
        The chosen reply, or None when there are no examples.
    """
    wanted = _words(prompt)
    best: str | None = None
    best_score = -1.0
    for example in examples:
        words = _words(example.prompt)
        union = wanted | words
        score = len(wanted & words) / len(union) if union else 0.0
        if score > best_score:
            best, best_score = example.reply, score
    return best
