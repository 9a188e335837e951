"""From chat to data: a conversation (its last reply corrected if needed) becomes one training
example, checked with the app's dataset checker before it is appended to a file.

The dataset checker only warns about an empty assistant reply (a file may hold one by
mistake); here the reply is the very thing the example teaches, so an empty last reply is an
error. An example must also be in the format of the file it joins (a chat example cannot go
into a preference (DPO) file).

Appending never half-writes a file: the file is copied with the new line to a temporary file
beside it, which then replaces it (``desktop.core.files``); a full disk, a read-only folder or
a file another program holds leaves the original as it was.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop.core.dataset.formats import DatasetFormat, detect_line_format
from desktop.core.dataset.issues import DatasetIssue, IssueCode, Severity, make_issue
from desktop.core.dataset.rules import check_record
from desktop.core.dataset.token_counter import TokenCounter
from desktop.core.errors import DatasetError
from desktop.core.files import PendingFile, save_error
from desktop.core.playground.sessions import ChatSession, TurnStatus
from desktop.core.types import ChatMessage

__all__ = [
    "ExampleRejectedError",
    "ExampleReview",
    "append_example",
    "append_lines",
    "append_new_lines",
    "check_example",
    "conversation_example",
    "dataset_format",
    "example_messages",
    "issue_text",
    "last_reply_index",
    "review_example",
]

_LINE_PREFIX = re.compile(r"^Line \d+:\s*")
_COPY_CHUNK = 1 << 20
_FIRST_LINES = 50
"""Lines looked at to tell a file's format (blank and broken ones are skipped)."""


def issue_text(issue: DatasetIssue) -> str:
    """An issue of a single example in plain words: the problem, then what to do."""
    problem = _LINE_PREFIX.sub("", issue.message).rstrip(".")
    problem = problem[:1].upper() + problem[1:]
    return f"{problem}. {issue.fix}".strip()


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


@dataclass(frozen=True, slots=True)
class ExampleReview:
    """What the checker says about one example: errors keep it out, warnings do not."""

    errors: tuple[DatasetIssue, ...] = ()
    warnings: tuple[DatasetIssue, ...] = ()

    @property
    def can_add(self) -> bool:
        return not self.errors


def last_reply_index(session: ChatSession) -> int | None:
    """The index of the session's last assistant turn, or None when it has none."""
    for index in range(len(session.turns) - 1, -1, -1):
        if session.turns[index].is_reply:
            return index
    return None


def example_messages(session: ChatSession, reply_index: int) -> tuple[ChatMessage, ...]:
    """The conversation up to and including the reply at ``reply_index``.

    The system prompt comes first (if any); failed replies before it are left out (they were
    not part of what the model saw). The chosen reply is kept even if it failed or was
    stopped: the user is about to correct it.

    Raises:
        ValueError: ``reply_index`` is not the index of an assistant turn.
    """
    if not 0 <= reply_index < len(session.turns) or not session.turns[reply_index].is_reply:
        raise ValueError(f"turn {reply_index} is not a reply")
    messages: list[ChatMessage] = []
    if session.system_prompt.strip():
        messages.append(ChatMessage("system", session.system_prompt))
    for turn in session.turns[:reply_index]:
        if turn.status is not TurnStatus.FAILED:
            messages.append(ChatMessage("assistant" if turn.is_reply else "user", turn.content))
    messages.append(ChatMessage("assistant", session.turns[reply_index].content))
    return tuple(messages)


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


def dataset_format(path: Path) -> DatasetFormat:
    """The format of a dataset file, judged by its first readable lines.

    Returns:
        ``UNKNOWN`` for a missing, empty or unreadable file (anything may be added to it).
    """
    try:
        with path.open("rb") as handle:
            for _, raw in zip(range(_FIRST_LINES), handle, strict=False):
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    fmt = detect_line_format(record)
                    if fmt is not DatasetFormat.UNKNOWN:
                        return fmt
    except OSError:
        pass
    return DatasetFormat.UNKNOWN


def review_example(
    record: dict[str, object],
    *,
    encoding_name: str,
    file_format: DatasetFormat = DatasetFormat.UNKNOWN,
) -> ExampleReview:
    """Check one example as the dataset checker would, before adding it to a file.

    Args:
        record: a training example (chat or DPO).
        encoding_name: the tokenizer of the dataset's model.
        file_format: the format of the file it joins (``dataset_format``); UNKNOWN: any.

    Returns:
        The errors (the example cannot be added) and the warnings.

    Raises:
        FinetuneError: the tokenizer cannot be loaded.
    """
    check = check_record(record, 1, TokenCounter(encoding_name))
    issues = [_as_error_if_last_reply_empty(record, issue) for issue in check.issues]
    fmt = check.format
    if file_format is not DatasetFormat.UNKNOWN and fmt not in (file_format, DatasetFormat.UNKNOWN):
        issues.insert(0, _format_issue(fmt, file_format))
    return ExampleReview(
        errors=tuple(issue for issue in issues if issue.is_error),
        warnings=tuple(issue for issue in issues if not issue.is_error),
    )


def check_example(
    record: dict[str, object],
    *,
    encoding_name: str,
    file_format: DatasetFormat = DatasetFormat.UNKNOWN,
) -> list[DatasetIssue]:
    """The errors that keep an example out of a dataset (see ``review_example``)."""
    review = review_example(record, encoding_name=encoding_name, file_format=file_format)
    return list(review.errors)


def append_example(path: Path, record: dict[str, object], *, encoding_name: str) -> int:
    """Check an example and append it as one line to a JSONL file, all or nothing.

    Args:
        path: the dataset file (created if missing).
        record: the example.
        encoding_name: the tokenizer of the dataset's model.

    Returns:
        The example's number in the file (1-based, blank lines not counted).

    Raises:
        ExampleRejectedError: the checker found errors; the file is unchanged.
        FileSaveError: the file cannot be written; it is unchanged.
    """
    errors = check_example(record, encoding_name=encoding_name, file_format=dataset_format(path))
    if errors:
        raise ExampleRejectedError(errors)
    return append_lines(path, [json.dumps(record, ensure_ascii=False)])


def append_lines(path: Path, lines: Sequence[str]) -> int:
    """Append JSONL lines to ``path`` (created if missing): a copy with the lines replaces it.

    A file not ending with a newline gets one first, so the new lines start their own.

    Returns:
        The number of the last line appended among the file's examples (1-based, blank lines
        not counted).

    Raises:
        FileSaveError: reading or writing failed (``DiskFullError``, ``WritePermissionError``,
            ``FileInUseError``); the file is unchanged.
    """
    examples = 0
    last_byte = b"\n"
    with PendingFile(path) as pending:
        try:
            with path.open("rb") as source:
                carry = b""
                while chunk := source.read(_COPY_CHUNK):
                    pending.write(chunk)
                    *complete, carry = (carry + chunk).split(b"\n")
                    examples += sum(1 for line in complete if line.strip())
                    last_byte = chunk[-1:]
                if carry.strip():
                    examples += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise save_error(path, exc) from exc
        text = "".join(line + "\n" for line in lines)
        if last_byte != b"\n":
            text = "\n" + text
        pending.write(text.encode("utf-8"))
        pending.commit()
    return examples + sum(1 for line in lines if line.strip())


def append_new_lines(path: Path, lines: Sequence[str]) -> tuple[int, int]:
    """Append the lines ``path`` does not hold yet (compared as written, blank lines ignored).

    Exporting votes again to the same file thus adds only the new ones.

    Returns:
        How many lines were added, and how many were there already.

    Raises:
        FileSaveError: reading or writing failed; the file is unchanged.
    """
    try:
        with path.open("rb") as handle:
            present = {raw.strip() for raw in handle}
    except FileNotFoundError:
        present = set()
    except OSError as exc:
        raise save_error(path, exc) from exc
    fresh: list[str] = []
    for line in lines:
        key = line.strip().encode("utf-8")
        if key and key not in present:
            fresh.append(line)
            present.add(key)
    if fresh:
        append_lines(path, fresh)
    return len(fresh), sum(1 for line in lines if line.strip()) - len(fresh)


def _as_error_if_last_reply_empty(record: dict[str, object], issue: DatasetIssue) -> DatasetIssue:
    if issue.code != IssueCode.EMPTY_ASSISTANT_REPLY:
        return issue
    messages = record.get("messages")
    if not isinstance(messages, list) or issue.path != f"messages[{len(messages) - 1}].content":
        return issue
    return dataclasses.replace(
        issue,
        severity=Severity.ERROR,
        message="The reply to keep is empty",
        fix="Write the reply the model should learn.",
    )


def _format_issue(example: DatasetFormat, target: DatasetFormat) -> DatasetIssue:
    return make_issue(
        IssueCode.MIXED_FORMATS,
        1,
        "",
        f"the chosen file uses {target.description}, but this example uses {example.description}",
        "Choose a file in the same format, or a new dataset file.",
    )
