"""Which training format a line, and a whole file, is written in.

Three formats exist: chat (``{"messages": [...]}``, supervised fine-tuning), preference
(DPO: ``{"input": {...}, "preferred_output": [...], "non_preferred_output": [...]}``) and the
legacy completions format (``{"prompt": "...", "completion": "..."}``, babbage-002 and
davinci-002). A file must use one of them throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from desktop.core.dataset.issues import DatasetIssue, IssueCode, make_issue

if TYPE_CHECKING:
    from desktop.core.catalog import CatalogModel

__all__ = [
    "DatasetFormat",
    "FormatTally",
    "detect_line_format",
    "model_format_issue",
]

_DPO_KEYS = ("input", "preferred_output", "non_preferred_output")
_LEGACY_KEYS = ("prompt", "completion")

_FORMAT_NAMES = {
    "chat": "the chat format (messages)",
    "dpo": "the preference (DPO) format",
    "prompt_completion": "the legacy prompt/completion format",
}


class DatasetFormat(StrEnum):
    """The format of a line or file; ``UNKNOWN`` when nothing recognisable was found."""

    CHAT = "chat"
    DPO = "dpo"
    PROMPT_COMPLETION = "prompt_completion"
    UNKNOWN = "unknown"

    @property
    def description(self) -> str:
        """How the format is named to the user."""
        return _FORMAT_NAMES.get(self.value, "an unknown format")


def detect_line_format(record: Mapping[str, object]) -> DatasetFormat:
    """The format a parsed line is written in, judged by its top-level keys.

    ``messages`` means chat; any of ``input``/``preferred_output``/``non_preferred_output``
    means DPO; ``prompt`` or ``completion`` means legacy. A line with none of them is
    ``UNKNOWN`` (checked as a chat line that lacks its messages).

    Args:
        record: the line's JSON object.

    Returns:
        The format.
    """
    if "messages" in record:
        return DatasetFormat.CHAT
    if any(key in record for key in _DPO_KEYS):
        return DatasetFormat.DPO
    if any(key in record for key in _LEGACY_KEYS):
        return DatasetFormat.PROMPT_COMPLETION
    return DatasetFormat.UNKNOWN


@dataclass(slots=True)
class FormatTally:
    """How many lines of each known format a file has, and the first line of each.

    Mutable accumulator, filled during the pass (:meth:`add`, :meth:`merge`) and judged after
    it (:meth:`file_format`, :meth:`mixed_issue`).
    """

    counts: dict[DatasetFormat, int] = field(default_factory=dict)
    first_lines: dict[DatasetFormat, int] = field(default_factory=dict)

    def add(self, fmt: DatasetFormat, line: int) -> None:
        """Count one line (``UNKNOWN`` lines are not counted)."""
        if fmt is DatasetFormat.UNKNOWN:
            return
        self.counts[fmt] = self.counts.get(fmt, 0) + 1
        first = self.first_lines.get(fmt)
        if first is None or line < first:
            self.first_lines[fmt] = line

    def merge(self, other: FormatTally) -> None:
        """Add the counts of another part of the file."""
        for fmt, count in other.counts.items():
            self.counts[fmt] = self.counts.get(fmt, 0) + count
            line = other.first_lines[fmt]
            first = self.first_lines.get(fmt)
            if first is None or line < first:
                self.first_lines[fmt] = line

    def file_format(self) -> DatasetFormat:
        """The format most lines use (ties go to the one seen first); ``UNKNOWN`` if none."""
        if not self.counts:
            return DatasetFormat.UNKNOWN
        return max(self.counts, key=lambda fmt: (self.counts[fmt], -self.first_lines[fmt]))

    def mixed_issue(self) -> DatasetIssue | None:
        """An error at the first line not in the file's main format, or None if uniform."""
        main = self.file_format()
        others = [fmt for fmt in self.counts if fmt is not main]
        if not others:
            return None
        odd = min(others, key=lambda fmt: self.first_lines[fmt])
        count = sum(self.counts[fmt] for fmt in others)
        return make_issue(
            IssueCode.MIXED_FORMATS,
            self.first_lines[odd],
            "",
            f"this line uses {odd.description}, but most of the file uses {main.description} "
            f"({count:,} line(s) differ)",
            "Use one format for the whole file: convert the odd lines or move them to a "
            "separate file.",
        )


def model_format_issue(fmt: DatasetFormat, model: CatalogModel) -> DatasetIssue | None:
    """An error when the chosen model cannot train on a file of this format.

    Args:
        fmt: the file's format.
        model: the catalog entry of the model to fine-tune.

    Returns:
        A file-level issue, or None when the model accepts the format (or it is unknown).
    """
    if fmt is DatasetFormat.UNKNOWN:
        return None
    if fmt is DatasetFormat.PROMPT_COMPLETION:
        accepted = model.data_format == "prompt_completion"
    elif fmt is DatasetFormat.DPO:
        accepted = model.data_format == "chat" and model.supports("dpo")
    else:
        accepted = model.data_format == "chat"
    if accepted:
        return None
    return make_issue(
        IssueCode.FORMAT_NOT_SUPPORTED,
        0,
        "",
        f"it uses {fmt.description}, which {model.id} cannot be trained on",
        "Choose a model that accepts this format, or convert the file.",
    )
