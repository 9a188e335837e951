"""The result of checking a file, and the checks that need the whole file at once.

Chunk results are merged in file order into a :class:`ReportBuilder`, which keeps only
compact figures per valid example (tokens, replies' tokens, messages, a 64-bit hash of the
line: 24 bytes each) and the issues (capped per code, counted in full). After the pass it
adds the file-level findings — empty file, mixed formats, too few examples, duplicates,
missing system/user messages, unbalanced lengths — and computes the statistics.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

from desktop.core.dataset.formats import DatasetFormat, FormatTally
from desktop.core.dataset.issues import (
    FILE_LEVEL_LINE,
    DatasetIssue,
    IssueCode,
    IssueCollector,
    Severity,
    make_issue,
)
from desktop.core.dataset.stats import DatasetStats, build_stats
from desktop.core.dataset.worker import ISSUES_KEPT_PER_CODE, ChunkResult

__all__ = ["MIN_EXAMPLES", "UNBALANCED_RATIO", "DatasetReport", "ReportBuilder"]

MIN_EXAMPLES = 10  # OpenAI: "The minimum number of examples you can provide ... is 10"
# Longest example this many times the median (and over 1,000 tokens): lengths are unbalanced.
UNBALANCED_RATIO = 10
_UNBALANCED_MIN_TOKENS = 1000


@dataclass(frozen=True, slots=True)
class DatasetReport:
    """Everything a check found. Immutable; safe to hand to another thread.

    Attributes:
        path: the file checked.
        format: the file's format (the one most lines use).
        encoding_name: the tokenizer used for the counts.
        issues: errors and warnings sorted by line (file-level ones, line 0, first); at most
            :data:`~desktop.core.dataset.worker.ISSUES_KEPT_PER_CODE` of each code.
        issue_counts: how many issues of each code there are in all (nothing dropped).
        stats: figures over the valid examples.
        lines: lines in the file.
        size_bytes: size of the file.
    """

    path: Path
    format: DatasetFormat
    encoding_name: str
    issues: tuple[DatasetIssue, ...]
    issue_counts: Mapping[str, int]
    stats: DatasetStats
    lines: int
    size_bytes: int

    @property
    def errors(self) -> tuple[DatasetIssue, ...]:
        """The kept errors, by line."""
        return tuple(issue for issue in self.issues if issue.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[DatasetIssue, ...]:
        """The kept warnings, by line."""
        return tuple(issue for issue in self.issues if issue.severity is Severity.WARNING)

    @property
    def error_count(self) -> int:
        """Number of errors, including those not kept."""
        return sum(
            n for code, n in self.issue_counts.items() if IssueCode(code).severity == "error"
        )

    @property
    def warning_count(self) -> int:
        """Number of warnings, including those not kept."""
        return sum(self.issue_counts.values()) - self.error_count

    @property
    def has_errors(self) -> bool:
        """Whether the service would reject the file."""
        return self.error_count > 0

    def with_issue(self, issue: DatasetIssue) -> DatasetReport:
        """A copy with one more issue (e.g. from :func:`model_format_issue`), kept in order.

        Args:
            issue: the issue to add.

        Returns:
            The new report; this one is unchanged.
        """
        counts = dict(self.issue_counts)
        counts[issue.code] = counts.get(issue.code, 0) + 1
        issues = sorted((*self.issues, issue), key=lambda found: found.line)
        return replace(self, issues=tuple(issues), issue_counts=counts)


class ReportBuilder:
    """Merges chunk results in file order, then finishes the report. Not thread-safe."""

    def __init__(self, *, context_limit: int | None) -> None:
        self._context_limit = context_limit
        self._issues = IssueCollector(ISSUES_KEPT_PER_CODE)
        self._formats = FormatTally()
        self._lines = array("I")
        self._tokens = array("I")
        self._assistant_tokens = array("I")
        self._messages = array("I")
        self._hashes = array("Q")
        self._no_system: list[int] = []  # [count, first line]
        self._no_user: list[int] = []
        self._line_count = 0

    def add(self, result: ChunkResult) -> None:
        """Merge the next chunk's result (chunks must come in file order)."""
        self._issues.merge(result.issues.issues, result.issues.counts)
        self._formats.merge(result.formats)
        self._lines.extend(result.lines)
        self._tokens.extend(result.tokens)
        self._assistant_tokens.extend(result.assistant_tokens)
        self._messages.extend(result.messages)
        self._hashes.extend(result.hashes)
        _count_first(self._no_system, result.no_system_lines)
        _count_first(self._no_user, result.no_user_lines)
        self._line_count += result.lines_seen

    def finish(self, path: Path, *, encoding_name: str, size_bytes: int) -> DatasetReport:
        """Add the file-level findings and build the report.

        Args:
            path: the file checked.
            encoding_name: the tokenizer used.
            size_bytes: the file's size.

        Returns:
            The report.
        """
        collector = self._issues
        examples = len(self._tokens)
        if self._line_count == 0:
            collector.add(
                make_issue(
                    IssueCode.FILE_EMPTY,
                    FILE_LEVEL_LINE,
                    "",
                    "it is empty",
                    "Add at least 10 examples, one JSON object per line.",
                )
            )
        elif examples < MIN_EXAMPLES:
            collector.add(
                make_issue(
                    IssueCode.TOO_FEW_EXAMPLES,
                    FILE_LEVEL_LINE,
                    "",
                    f"it has {examples} valid example(s); fine-tuning needs at least "
                    f"{MIN_EXAMPLES} (50 to 100 is a good start)",
                    "Add more examples, or fix the lines with errors.",
                )
            )
        mixed = self._formats.mixed_issue()
        if mixed is not None:
            collector.add(mixed)
        for issue in self._file_warnings():
            collector.add(issue)
        stats = build_stats(
            self._tokens, self._assistant_tokens, self._messages, self._context_limit
        )
        unbalanced = _unbalanced_issue(stats, self._lines, self._tokens)
        if unbalanced is not None:
            collector.add(unbalanced)
        issues = sorted(collector.issues, key=lambda issue: issue.line)
        return DatasetReport(
            path=path,
            format=self._formats.file_format(),
            encoding_name=encoding_name,
            issues=tuple(issues),
            issue_counts=dict(collector.counts),
            stats=stats,
            lines=self._line_count,
            size_bytes=size_bytes,
        )

    def _add_duplicates(self) -> None:
        collector = self._issues
        code = IssueCode.DUPLICATE_EXAMPLE
        for line, first in _duplicates(self._hashes, self._lines):
            if not collector.wants(code):
                collector.count(code)  # a copy of a huge file: don't build millions of issues
                continue
            collector.add(
                make_issue(
                    code,
                    line,
                    "",
                    f"the example is an exact copy of line {first}",
                    "Delete the copy: repeated examples get more weight in training.",
                )
            )

    def _file_warnings(self) -> list[DatasetIssue]:
        self._add_duplicates()
        issues: list[DatasetIssue] = []
        for tally, code, role in (
            (self._no_system, IssueCode.NO_SYSTEM_MESSAGE, "system"),
            (self._no_user, IssueCode.NO_USER_MESSAGE, "user"),
        ):
            if tally:
                count, first = tally
                others = f" and {count - 1:,} other example(s) have" if count > 1 else " has"
                issues.append(
                    make_issue(
                        code,
                        first,
                        "messages",
                        f"this example{others} no {role} message",
                        f'Consider adding a "{role}" message to every example, as the model '
                        "will see when it is used.",
                    )
                )
        return issues


def _count_first(tally: list[int], lines: array[int]) -> None:
    if not lines:
        return
    if tally:
        tally[0] += len(lines)
    else:
        tally.extend((len(lines), lines[0]))


def _duplicates(hashes: array[int], lines: array[int]) -> Iterator[tuple[int, int]]:
    """(line, first line with the same text) for every repeated example, in line order.

    Sorting the hashes costs about 45 bytes per example for a moment.
    """
    ordered = sorted(hashes)
    repeated = {
        value
        for value, after in zip(ordered, islice(ordered, 1, None), strict=False)
        if value == after
    }
    del ordered
    first: dict[int, int] = {}
    for value, line in zip(hashes, lines, strict=True):
        if value in repeated:
            earlier = first.setdefault(value, line)
            if earlier != line:
                yield line, earlier


def _unbalanced_issue(
    stats: DatasetStats, lines: array[int], tokens: array[int]
) -> DatasetIssue | None:
    longest = stats.tokens.maximum
    median = stats.tokens.median
    if stats.examples < MIN_EXAMPLES or longest < _UNBALANCED_MIN_TOKENS:
        return None
    if longest <= UNBALANCED_RATIO * max(1, median):
        return None
    line = lines[tokens.index(longest)]
    return make_issue(
        IssueCode.UNBALANCED_LENGTHS,
        line,
        "",
        f"this example has {longest:,} tokens, more than {UNBALANCED_RATIO} times the "
        f"median of {median:,}: lengths are very unbalanced",
        "Check that long examples are intended; split very long ones or trim them.",
    )
