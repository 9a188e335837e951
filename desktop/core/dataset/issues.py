"""What a dataset check reports: one :class:`DatasetIssue` per problem, with a stable code.

Codes are snake_case strings that never change meaning (tools and tests match on them); each
code has one fixed severity. Messages are written for people who do not program: they start
with the place ("Line 12: ...", or "The file ..." for problems of the whole file) and every
issue carries a suggested fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "FILE_LEVEL_LINE",
    "DatasetIssue",
    "IssueCode",
    "IssueCollector",
    "Severity",
    "make_issue",
]

# ``line`` of an issue about the whole file (too few examples, empty file...).
FILE_LEVEL_LINE = 0


class Severity(StrEnum):
    """An error makes the service reject the file; a warning is worth a look but trains."""

    ERROR = "error"
    WARNING = "warning"


class IssueCode(StrEnum):
    """Every problem the checker can report. Values are stable; add, never rename."""

    # Reading the line
    NOT_UTF8 = "not_utf8"
    EMPTY_LINE = "empty_line"
    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    # Chat examples
    MESSAGES_MISSING = "messages_missing"
    MESSAGES_NOT_LIST = "messages_not_list"
    MESSAGES_EMPTY = "messages_empty"
    MESSAGE_NOT_OBJECT = "message_not_object"
    ROLE_MISSING = "role_missing"
    ROLE_UNKNOWN = "role_unknown"
    KEY_UNKNOWN = "key_unknown"
    CONTENT_MISSING = "content_missing"
    CONTENT_WRONG_TYPE = "content_wrong_type"
    NAME_INVALID = "name_invalid"
    REFUSAL_INVALID = "refusal_invalid"
    NO_ASSISTANT_MESSAGE = "no_assistant_message"
    WEIGHT_INVALID = "weight_invalid"
    TOOL_CALLS_INVALID = "tool_calls_invalid"
    TOOL_CALL_ID_MISSING = "tool_call_id_missing"
    FUNCTION_CALL_INVALID = "function_call_invalid"
    TOOLS_INVALID = "tools_invalid"
    FUNCTIONS_INVALID = "functions_invalid"
    PARALLEL_TOOL_CALLS_INVALID = "parallel_tool_calls_invalid"
    # Preference (DPO) examples
    DPO_INPUT_MISSING = "dpo_input_missing"
    DPO_INPUT_INVALID = "dpo_input_invalid"
    DPO_OUTPUT_MISSING = "dpo_output_missing"
    DPO_OUTPUT_INVALID = "dpo_output_invalid"
    # Legacy prompt/completion examples
    LEGACY_PROMPT_MISSING = "legacy_prompt_missing"
    LEGACY_COMPLETION_MISSING = "legacy_completion_missing"
    LEGACY_WRONG_TYPE = "legacy_wrong_type"
    # The whole file
    FILE_EMPTY = "file_empty"
    MIXED_FORMATS = "mixed_formats"
    TOO_FEW_EXAMPLES = "too_few_examples"
    FORMAT_NOT_SUPPORTED = "format_not_supported"
    # Warnings
    EXTRA_FIELD = "extra_field"
    TOO_LONG = "too_long"
    NO_SYSTEM_MESSAGE = "no_system_message"
    NO_USER_MESSAGE = "no_user_message"
    EMPTY_ASSISTANT_REPLY = "empty_assistant_reply"
    DUPLICATE_EXAMPLE = "duplicate_example"
    UNBALANCED_LENGTHS = "unbalanced_lengths"

    @property
    def severity(self) -> Severity:
        """The fixed severity of this code."""
        return Severity.WARNING if self in _WARNINGS else Severity.ERROR


_WARNINGS = frozenset(
    {
        IssueCode.EXTRA_FIELD,
        IssueCode.TOO_LONG,
        IssueCode.NO_SYSTEM_MESSAGE,
        IssueCode.NO_USER_MESSAGE,
        IssueCode.EMPTY_ASSISTANT_REPLY,
        IssueCode.DUPLICATE_EXAMPLE,
        IssueCode.UNBALANCED_LENGTHS,
    }
)


@dataclass(frozen=True, slots=True)
class DatasetIssue:
    """One problem found in a dataset.

    Attributes:
        line: 1-based line number; ``0`` (:data:`FILE_LEVEL_LINE`) for the whole file.
        code: an :class:`IssueCode` value (a plain ``str`` subclass, stable).
        path: where in the line, e.g. ``"messages[2].content"``; ``""`` for the whole line.
        severity: error (the service rejects the file) or warning.
        message: a sentence for the user, starting with the place ("Line 12: ...").
        fix: what to do about it, in plain words.
        column: 1-based character column in the line, when known (invalid JSON, not UTF-8).
        byte_offset: offset in the file of the exact problem, when known (invalid JSON,
            not UTF-8); the line's own start comes from the caller's line index.
    """

    line: int
    code: str
    path: str
    severity: Severity
    message: str
    fix: str
    column: int | None = None
    byte_offset: int | None = None

    @property
    def is_error(self) -> bool:
        """Whether the service would reject the file because of this issue."""
        return self.severity is Severity.ERROR


def make_issue(
    code: IssueCode,
    line: int,
    path: str,
    problem: str,
    fix: str,
    *,
    column: int | None = None,
    byte_offset: int | None = None,
) -> DatasetIssue:
    """Build an issue whose message starts with its place.

    Args:
        code: the issue code (decides the severity).
        line: 1-based line number, or :data:`FILE_LEVEL_LINE`.
        path: the field path, ``""`` for the whole line or file.
        problem: what is wrong, lower-case, without the place ("the text is not valid JSON").
        fix: the suggested fix, a full sentence.
        column: 1-based column, when known.
        byte_offset: file offset of the problem, when known.

    Returns:
        The issue.
    """
    place = "The file" if line == FILE_LEVEL_LINE else f"Line {line}"
    message = f"{place}: {problem}."
    return DatasetIssue(
        line=line,
        code=code,
        path=path,
        severity=code.severity,
        message=message,
        fix=fix,
        column=column,
        byte_offset=byte_offset,
    )


class IssueCollector:
    """Keeps issues in the order added, at most ``limit_per_code`` of each code, and counts all.

    A file where every line is broken would otherwise hold millions of issues in memory; the
    counts stay exact. Not thread-safe.
    """

    __slots__ = ("counts", "issues", "limit_per_code")

    def __init__(self, limit_per_code: int) -> None:
        self.limit_per_code = limit_per_code
        self.issues: list[DatasetIssue] = []
        self.counts: dict[str, int] = {}

    def add(self, issue: DatasetIssue) -> None:
        """Count an issue, and keep it unless its code already reached the limit."""
        seen = self.counts.get(issue.code, 0)
        self.counts[issue.code] = seen + 1
        if seen < self.limit_per_code:
            self.issues.append(issue)

    def wants(self, code: str) -> bool:
        """Whether an issue of this code would still be kept (else just :meth:`count` it)."""
        return self.counts.get(code, 0) < self.limit_per_code

    def count(self, code: str) -> None:
        """Count an issue without building it (its code is past the limit)."""
        self.counts[code] = self.counts.get(code, 0) + 1

    def merge(self, issues: list[DatasetIssue], counts: dict[str, int]) -> None:
        """Add issues collected elsewhere (by another collector) with their full counts."""
        kept: dict[str, int] = {}
        for issue in issues:
            kept[issue.code] = kept.get(issue.code, 0) + 1
            if self.counts.get(issue.code, 0) + kept[issue.code] <= self.limit_per_code:
                self.issues.append(issue)
        for code, count in counts.items():
            self.counts[code] = self.counts.get(code, 0) + count
