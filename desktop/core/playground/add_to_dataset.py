"""From chat to data: a conversation (its last reply corrected if needed) becomes one training
example, checked with the app's dataset checker before it is appended to a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from desktop.core.dataset.issues import DatasetIssue
from desktop.core.dataset.rules import check_record
from desktop.core.dataset.token_counter import TokenCounter
from desktop.core.errors import DatasetError, FileSaveError
from desktop.core.types import ChatMessage

__all__ = ["ExampleRejectedError", "append_example", "check_example", "conversation_example"]

_LINE_PREFIX = re.compile(r"^Line \d+:\s*")


class ExampleRejectedError(DatasetError):
    """The example would add an error to the dataset; ``issues`` says which."""

    default_user_message = "This conversation cannot be added: the dataset checker found errors."

    def __init__(self, issues: Sequence[DatasetIssue]) -> None:
        first = _LINE_PREFIX.sub("", issues[0].message) if issues else "unknown problem"
        fix = f" {issues[0].fix}" if issues and issues[0].fix else ""
        super().__init__(
            "; ".join(issue.message for issue in issues),
            user_message=f"This conversation cannot be added: {first.rstrip('.')}.{fix}",
        )
        self.issues = tuple(issues)


def conversation_example(
    messages: Sequence[ChatMessage], *, corrected_reply: str | None = None
) -> dict[str, object]:
    """One chat training example from a conversation.

    Args:
        messages: the conversation, system prompt first if any, ending with the reply to keep.
        corrected_reply: the user's correction of the last assistant reply (None keeps it).

    Returns:
        ``{"messages": [...]}``.

    Raises:
        ValueError: the conversation does not end with an assistant reply.
    """
    if not messages or messages[-1].role != "assistant":
        raise ValueError("a training example must end with an assistant reply")
    records = [{"role": m.role, "content": m.content} for m in messages]
    if corrected_reply is not None:
        records[-1]["content"] = corrected_reply
    return {"messages": records}


def check_example(record: dict[str, object], *, encoding_name: str) -> list[DatasetIssue]:
    """The errors the dataset checker finds in one example (warnings are not errors).

    Args:
        record: a training example (chat or DPO).
        encoding_name: the tokenizer of the dataset's model.

    Returns:
        The errors; empty when the example can be added.
    """
    check = check_record(record, 1, TokenCounter(encoding_name))
    return [issue for issue in check.issues if issue.is_error]


def append_example(path: Path, record: dict[str, object], *, encoding_name: str) -> None:
    """Check an example and append it as one line to a JSONL file.

    A file not ending with a newline gets one first, so the example starts its own line.

    Args:
        path: the dataset file (created if missing).
        record: the example.
        encoding_name: the tokenizer of the dataset's model.

    Raises:
        ExampleRejectedError: the checker found errors; the file is unchanged.
        FileSaveError: the file cannot be written.
    """
    errors = check_example(record, encoding_name=encoding_name)
    if errors:
        raise ExampleRejectedError(errors)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        with path.open("a+b") as handle:
            handle.seek(0, 2)
            if handle.tell() > 0:
                handle.seek(-1, 2)
                if handle.read(1) != b"\n":
                    line = "\n" + line
            handle.write(line.encode("utf-8"))
    except OSError as exc:
        raise FileSaveError(f"cannot append to {path}: {exc}") from exc
