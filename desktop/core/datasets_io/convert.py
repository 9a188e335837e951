"""Legacy ``{"prompt", "completion"}`` lines → chat ``{"messages": [...]}`` lines.

The legacy completions format (babbage-002/davinci-002) relied on conventions that chat models do
not need: every prompt ended with the same separator (``"\\n\\n###\\n\\n"``, ``" ->"``...) so the
model knew where the prompt stopped, and every completion started with a space and ended with
the same stop sequence (``"\\n"``, ``" END"``, ``"###"``). Converting:

1. The separator and stop sequence are **detected**, not assumed: a candidate from
   :data:`PROMPT_SEPARATORS` / :data:`COMPLETION_STOPS` is removed only if *every* legacy line in
   the sample (the first 1,000) ends with it; the longest such candidate wins. So a completion that
   happens to end in "END" keeps it unless all of them do.
2. Then surrounding whitespace is stripped from both (this removes the leading space of
   completions too).
3. The prompt becomes the ``user`` message (left out when it is empty), the completion the
   ``assistant`` message; an optional system prompt goes first.

Lines that are not legacy records (already chat, broken JSON...) and legacy lines whose completion
is empty after cleaning are copied unchanged, so nothing is lost; the checker reports them.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop.core.datasets_io._streams import (
    Progress,
    batched,
    dump_json_line,
    is_blank,
    iter_lines,
    refuse_same_file,
)
from desktop.core.files import write_via_temp

__all__ = [
    "COMPLETION_STOPS",
    "MAX_LISTED_SKIPS",
    "PROMPT_SEPARATORS",
    "ConversionResult",
    "LegacyConventions",
    "SkipLog",
    "SkippedRow",
    "convert_legacy_file",
    "detect_legacy_conventions",
    "is_legacy_record",
    "legacy_to_chat",
    "parse_json_line",
    "sample_conventions",
]

PROMPT_SEPARATORS = ("\n\n###\n\n", "\n###\n", "\n\n", "###", " ->", "->", "\n")
COMPLETION_STOPS = ("\n\n###\n\n", "###", " END", "\n")
SAMPLE_LINES = 1000
MAX_LISTED_SKIPS = 1000


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row or line that was not written, with why (``row`` counts from 1, as users see it)."""

    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class ConversionResult:
    """What a conversion wrote.

    ``examples_written`` counts converted examples, ``lines_copied`` lines copied unchanged
    (not in the source format), ``rows_skipped`` rows left out, each with a reason. Only the first
    :data:`MAX_LISTED_SKIPS` are listed; ``skipped_not_listed`` counts the rest.
    """

    examples_written: int
    rows_skipped: tuple[SkippedRow, ...] = ()
    lines_copied: int = 0
    skipped_not_listed: int = 0

    @property
    def skipped_count(self) -> int:
        return len(self.rows_skipped) + self.skipped_not_listed


class SkipLog:
    """Collects skipped rows, listing the first :data:`MAX_LISTED_SKIPS` and counting the rest."""

    def __init__(self) -> None:
        self.listed: list[SkippedRow] = []
        self.not_listed = 0

    def add(self, row: int, reason: str) -> None:
        if len(self.listed) < MAX_LISTED_SKIPS:
            self.listed.append(SkippedRow(row, reason))
        else:
            self.not_listed += 1


@dataclass(frozen=True, slots=True)
class LegacyConventions:
    """The separator ending every prompt and the stop sequence ending every completion."""

    prompt_separator: str = ""
    completion_stop: str = ""


def parse_json_line(line: bytes) -> object | None:
    """The JSON value of one line, or None when it is not valid UTF-8 JSON."""
    try:
        value: object = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        return None
    return value


def is_legacy_record(value: object) -> bool:
    """True for a JSON object with string ``prompt`` and ``completion`` and no ``messages``."""
    return (
        isinstance(value, dict)
        and "messages" not in value
        and isinstance(value.get("prompt"), str)
        and isinstance(value.get("completion"), str)
    )


def detect_legacy_conventions(records: Iterable[Mapping[str, object]]) -> LegacyConventions:
    """Find the separator and stop sequence shared by every record (see the module docstring).

    Args:
        records: legacy records (a sample is enough).

    Returns:
        The conventions; empty strings where none is shared.
    """
    prompts: list[str] = []
    completions: list[str] = []
    for record in records:
        prompts.append(str(record.get("prompt", "")))
        completions.append(str(record.get("completion", "")))
    return LegacyConventions(
        prompt_separator=_shared_suffix(prompts, PROMPT_SEPARATORS),
        completion_stop=_shared_suffix(completions, COMPLETION_STOPS),
    )


def _shared_suffix(texts: list[str], candidates: tuple[str, ...]) -> str:
    if not texts:
        return ""
    for candidate in sorted(candidates, key=len, reverse=True):
        if all(text.endswith(candidate) for text in texts):
            return candidate
    return ""


def legacy_to_chat(
    record: Mapping[str, object],
    *,
    conventions: LegacyConventions = LegacyConventions(),
    system_prompt: str | None = None,
) -> dict[str, object] | None:
    """One legacy record as a chat example.

    Args:
        record: ``{"prompt": ..., "completion": ...}``.
        conventions: what to remove from the ends (see :func:`detect_legacy_conventions`).
        system_prompt: a system message to put first (left out when None or blank).

    Returns:
        ``{"messages": [...]}``, or None when the record is not legacy or its completion is empty
        once cleaned.
    """
    if not is_legacy_record(record):
        return None
    prompt = _remove_suffix(str(record["prompt"]), conventions.prompt_separator).strip()
    completion = _remove_suffix(str(record["completion"]), conventions.completion_stop).strip()
    if not completion:
        return None
    messages: list[dict[str, str]] = []
    if system_prompt and system_prompt.strip():
        messages.append({"role": "system", "content": system_prompt.strip()})
    if prompt:
        messages.append({"role": "user", "content": prompt})
    messages.append({"role": "assistant", "content": completion})
    return {"messages": messages}


def _remove_suffix(text: str, suffix: str) -> str:
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def sample_conventions(path: Path, *, lines: int = SAMPLE_LINES) -> LegacyConventions:
    """Detect the conventions from the first ``lines`` legacy records of a file."""
    sample: list[Mapping[str, object]] = []
    for _, line in itertools.islice(iter_lines(path), lines * 2):
        value = parse_json_line(line)
        if isinstance(value, dict) and is_legacy_record(value):
            sample.append(value)
            if len(sample) >= lines:
                break
    return detect_legacy_conventions(sample)


def convert_legacy_file(
    src: Path,
    dst: Path,
    *,
    system_prompt: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ConversionResult:
    """Write a chat version of a legacy prompt/completion JSONL file.

    Converted lines are compact one-line JSON; other lines are copied unchanged; empty lines are
    left out (listed in ``rows_skipped``). ``src`` is only read.

    Args:
        src: the legacy file.
        dst: the new file (replaced all-or-nothing; must not be ``src``).
        system_prompt: optional system message for every example.
        progress: ``(bytes_done, bytes_total)`` of ``src``.
        cancel: set to stop; ``dst`` is then left as it was.

    Returns:
        Counts of converted, copied and skipped lines.

    Raises:
        DatasetUnreadableError: ``src`` cannot be read.
        FileSaveError: ``dst`` cannot be written.
        OperationCancelledError: ``cancel`` was set.
        ValueError: ``dst`` is ``src``.
    """
    refuse_same_file(src, dst)
    conventions = sample_conventions(src)
    counts = {"written": 0, "copied": 0}
    skipped = SkipLog()

    def chunks() -> Iterator[bytes]:
        for number, line in iter_lines(src, progress=progress, cancel=cancel):
            if is_blank(line):
                skipped.add(number, "empty line")
                continue
            value = parse_json_line(line)
            chat = None
            if isinstance(value, dict):
                chat = legacy_to_chat(value, conventions=conventions, system_prompt=system_prompt)
            if chat is None:
                counts["copied"] += 1
                yield line + b"\n"
            else:
                counts["written"] += 1
                yield dump_json_line(chat)

    write_via_temp(dst, batched(chunks()), cancel=cancel)
    return ConversionResult(
        counts["written"], tuple(skipped.listed), counts["copied"], skipped.not_listed
    )
