"""One-click safe fixes, always written as a new file (the original is only read).

Each line goes through the chosen fixes in this order:

1. ``DROP_EMPTY_LINES``: empty or whitespace-only lines are left out.
2. ``CONVERT_LEGACY``: ``{"prompt", "completion"}`` lines become chat examples (rules in
   :mod:`desktop.core.datasets_io.convert`; separators detected from the first 1,000 lines).
3. ``TRIM_WHITESPACE``: surrounding whitespace is stripped from every message's text content
   (``messages``, and DPO's ``input.messages`` / ``preferred_output`` / ``non_preferred_output``;
   text parts of multi-part contents too). A content that is only whitespace is left alone: it
   would become empty, and the checker already reports it.
4. ``REMOVE_DUPLICATES``: a JSON object equal to an earlier one (same keys and values, in any key
   order) is left out; the first is kept. Only a 16-byte hash per example is remembered (about
   100 bytes a line with the set's overhead), the only memory that grows with the file.

Lines that are not JSON objects are copied unchanged (the checker reports them). Changed lines are
written as compact one-line JSON; unchanged lines keep their bytes. Every line ends in ``\\n``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from desktop.core.datasets_io._streams import (
    Progress,
    batched,
    dump_json_line,
    is_blank,
    iter_lines,
    refuse_same_file,
)
from desktop.core.datasets_io.convert import (
    LegacyConventions,
    legacy_to_chat,
    parse_json_line,
    sample_conventions,
)
from desktop.core.files import write_via_temp

__all__ = ["FixKind", "FixResult", "apply_fixes", "trim_message_whitespace"]


class FixKind(StrEnum):
    DROP_EMPTY_LINES = "drop_empty_lines"
    CONVERT_LEGACY = "convert_legacy"
    TRIM_WHITESPACE = "trim_whitespace"
    REMOVE_DUPLICATES = "remove_duplicates"


@dataclass(frozen=True, slots=True)
class FixResult:
    """Lines read and written, and how many lines each fix changed or removed."""

    lines_in: int
    lines_out: int
    changed: Mapping[FixKind, int] = field(default_factory=lambda: MappingProxyType({}))

    def count(self, kind: FixKind) -> int:
        return self.changed.get(kind, 0)


def apply_fixes(
    src: Path,
    dst: Path,
    fixes: set[FixKind],
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> FixResult:
    """Write a fixed copy of ``src`` to ``dst``.

    Args:
        src: the dataset (only read).
        dst: the new version (written all-or-nothing; must not be ``src``).
        fixes: which fixes to apply (see the module docstring).
        progress: ``(bytes_done, bytes_total)`` of ``src``.
        cancel: set to stop; ``dst`` is then left as it was.

    Returns:
        Line counts and changes per fix.

    Raises:
        DatasetUnreadableError: ``src`` cannot be read.
        FileSaveError: ``dst`` cannot be written.
        OperationCancelledError: ``cancel`` was set.
        ValueError: ``dst`` is ``src``.
    """
    refuse_same_file(src, dst)
    conventions = (
        sample_conventions(src) if FixKind.CONVERT_LEGACY in fixes else LegacyConventions()
    )
    changed = dict.fromkeys(sorted(fixes), 0)
    seen: set[bytes] = set()
    counts = [0, 0]  # lines in, lines out

    def chunks() -> Iterator[bytes]:
        for _, line in iter_lines(src, progress=progress, cancel=cancel):
            counts[0] += 1
            out = _fix_line(line, fixes, conventions, changed, seen)
            if out is not None:
                counts[1] += 1
                yield out

    write_via_temp(dst, batched(chunks()), cancel=cancel)
    return FixResult(counts[0], counts[1], MappingProxyType(changed))


def _fix_line(
    line: bytes,
    fixes: set[FixKind],
    conventions: LegacyConventions,
    changed: dict[FixKind, int],
    seen: set[bytes],
) -> bytes | None:
    """The output for one line, or None to leave it out; counts into ``changed``."""
    if is_blank(line):
        if FixKind.DROP_EMPTY_LINES in fixes:
            changed[FixKind.DROP_EMPTY_LINES] += 1
            return None
        return line + b"\n"
    value = parse_json_line(line)
    if not isinstance(value, dict):
        return line + b"\n"
    modified = False
    if FixKind.CONVERT_LEGACY in fixes:
        chat = legacy_to_chat(value, conventions=conventions)
        if chat is not None:
            value = chat
            modified = True
            changed[FixKind.CONVERT_LEGACY] += 1
    if FixKind.TRIM_WHITESPACE in fixes and trim_message_whitespace(value):
        modified = True
        changed[FixKind.TRIM_WHITESPACE] += 1
    if FixKind.REMOVE_DUPLICATES in fixes:
        canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).digest()
        if digest in seen:
            changed[FixKind.REMOVE_DUPLICATES] += 1
            return None
        seen.add(digest)
    return dump_json_line(value) if modified else line + b"\n"


def trim_message_whitespace(record: dict[str, object]) -> bool:
    """Strip surrounding whitespace from the text of every message of a chat or DPO record.

    Changes ``record`` in place.

    Returns:
        True if any text changed.
    """
    changed = False
    for messages in _message_lists(record):
        for message in messages:
            if isinstance(message, dict):
                changed = _trim_message(message) or changed
    return changed


def _message_lists(record: dict[str, object]) -> Iterator[list[object]]:
    candidates: list[object] = [
        record.get("messages"),
        record.get("preferred_output"),
        record.get("non_preferred_output"),
    ]
    source = record.get("input")
    if isinstance(source, dict):
        candidates.append(source.get("messages"))
    for candidate in candidates:
        if isinstance(candidate, list):
            yield candidate


def _trim_message(message: dict[str, object]) -> bool:
    content = message.get("content")
    if isinstance(content, str):
        trimmed = _trim(content)
        if trimmed != content:
            message["content"] = trimmed
            return True
        return False
    changed = False
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                text = str(part["text"])
                trimmed = _trim(text)
                if trimmed != text:
                    part["text"] = trimmed
                    changed = True
    return changed


def _trim(text: str) -> str:
    stripped = text.strip()
    return stripped if stripped else text
