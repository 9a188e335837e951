"""Check one chunk of lines: the unit of work handed to a worker process.

Everything a worker returns is compact (issues plus one array entry per valid example), so
a chunk of megabytes comes back as a few kilobytes. The process-pool entry points keep one
:class:`TokenCounter` per process; this module imports only ``desktop.core`` so a fresh
("spawn") worker starts quickly and never loads Qt.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from array import array
from dataclasses import dataclass, field

from desktop.core import tokens
from desktop.core.dataset.chunks import Chunk
from desktop.core.dataset.formats import DatasetFormat, FormatTally
from desktop.core.dataset.issues import IssueCode, IssueCollector, make_issue
from desktop.core.dataset.rules import ExampleCheck, check_record
from desktop.core.dataset.token_counter import TokenCounter

__all__ = [
    "ISSUES_KEPT_PER_CODE",
    "CheckSettings",
    "ChunkResult",
    "check_chunk",
    "init_worker",
    "pool_check_chunk",
    "pool_check_chunk_at",
]

# At most this many issues of one code are kept (all are counted): see IssueCollector.
ISSUES_KEPT_PER_CODE = 1000

_JSON_HINTS = (
    ("Expecting ',' delimiter", "a comma is probably missing"),
    ("Expecting ':' delimiter", "a colon is probably missing after a field name"),
    ("Unterminated string", "a closing quote is missing"),
    ("Invalid control character", "the text holds a raw line break or tab: write it as \\n or \\t"),
    ("Expecting property name", "field names need double quotes, or there is an extra comma"),
    ("Extra data", "there is more than one JSON value on the line (two examples on one line?)"),
    ("Invalid \\escape", "a backslash must be written as \\\\"),
    ("Expecting value", "a value is missing or the line is cut off"),
)


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """What every chunk is checked against."""

    encoding_name: str
    context_limit: int | None


@dataclass(slots=True)
class ChunkResult:
    """What one chunk held. Arrays have one entry per valid example, in line order."""

    end: int
    issues: IssueCollector = field(default_factory=lambda: IssueCollector(ISSUES_KEPT_PER_CODE))
    formats: FormatTally = field(default_factory=FormatTally)
    lines: array[int] = field(default_factory=lambda: array("I"))
    tokens: array[int] = field(default_factory=lambda: array("I"))
    assistant_tokens: array[int] = field(default_factory=lambda: array("I"))
    messages: array[int] = field(default_factory=lambda: array("I"))
    hashes: array[int] = field(default_factory=lambda: array("Q"))
    no_system_lines: array[int] = field(default_factory=lambda: array("I"))
    no_user_lines: array[int] = field(default_factory=lambda: array("I"))
    lines_seen: int = 0


def _json_hint(message: str) -> str:
    for prefix, hint in _JSON_HINTS:
        if message.startswith(prefix):
            return hint
    return "a quote or comma is probably missing"


def _read_line(body: bytes, line: int, start: int, result: ChunkResult) -> object | None:
    """Decode and parse one line; None (with an issue added) when that fails."""
    issues = result.issues
    if not body or body.isspace():
        issues.add(
            make_issue(
                IssueCode.EMPTY_LINE,
                line,
                "",
                "the line is empty",
                "Delete the empty line: every line must hold one example.",
            )
        )
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(body[: exc.start].decode("utf-8", errors="replace")) + 1
        issues.add(
            make_issue(
                IssueCode.NOT_UTF8,
                line,
                "",
                f"the text is not UTF-8 (byte {start + exc.start:,} of the file, column {column})",
                'Save the file as UTF-8 in your editor or spreadsheet ("CSV UTF-8"/'
                '"JSON UTF-8"), or replace the odd character.',
                column=column,
                byte_offset=start + exc.start,
            )
        )
        return None
    try:
        record: object = json.loads(text)
    except json.JSONDecodeError as exc:
        issues.add(
            make_issue(
                IssueCode.INVALID_JSON,
                line,
                "",
                f"the text is not valid JSON (column {exc.colno}): {_json_hint(exc.msg)}",
                "Fix the line in a text editor near that column, or delete the line.",
                column=exc.colno,
                byte_offset=start + len(text[: exc.pos].encode("utf-8")),
            )
        )
    except RecursionError:
        issues.add(
            make_issue(
                IssueCode.INVALID_JSON,
                line,
                "",
                "the text is nested too deeply to be read as JSON",
                "Simplify the line, or delete it.",
            )
        )
    else:
        return record
    return None


def _record_valid(
    check: ExampleCheck, line: int, body: bytes, settings: CheckSettings, result: ChunkResult
) -> None:
    limit = settings.context_limit
    if limit is not None and check.tokens > limit:
        result.issues.add(
            make_issue(
                IssueCode.TOO_LONG,
                line,
                "",
                f"the example has about {check.tokens:,} tokens, more than the model's "
                f"training limit of {limit:,}: it will be cut off during training",
                "Shorten the example or split the conversation into several examples.",
            )
        )
    result.lines.append(line)
    result.tokens.append(check.tokens)
    result.assistant_tokens.append(check.assistant_tokens)
    result.messages.append(check.messages)
    result.hashes.append(int.from_bytes(hashlib.blake2b(body, digest_size=8).digest(), "little"))
    if not check.has_system:
        result.no_system_lines.append(line)
    if not check.has_user:
        result.no_user_lines.append(line)


def check_chunk(chunk: Chunk, settings: CheckSettings, counter: TokenCounter) -> ChunkResult:
    """Check every line of a chunk.

    Args:
        chunk: whole lines and where they start in the file.
        settings: the encoding and the model's context limit.
        counter: counts tokens in ``settings.encoding_name``.

    Returns:
        The issues (capped per code, counted in full) and the valid examples' figures.
    """
    result = ChunkResult(end=chunk.end)
    lines = chunk.data.split(b"\n")
    if chunk.data.endswith(b"\n"):
        lines.pop()  # the text after the last newline: not a line
    result.lines_seen = len(lines)
    start = chunk.offset
    for number, raw in enumerate(lines, chunk.first_line):
        line_start = start
        start += len(raw) + 1
        body = raw[:-1] if raw.endswith(b"\r") else raw
        record = _read_line(body, number, line_start, result)
        if record is None:
            continue
        check = check_record(record, number, counter)
        for issue in check.issues:
            result.issues.add(issue)
        if check.format is not DatasetFormat.UNKNOWN:
            result.formats.add(check.format, number)
        if not check.issues or check.is_valid:
            _record_valid(check, number, body, settings, result)
    return result


_process_counter: TokenCounter | None = None


def init_worker(tiktoken_cache_dir: str | None) -> None:
    """Start-up of a worker process: use the parent's offline tokenizer cache.

    Args:
        tiktoken_cache_dir: the parent's ``TIKTOKEN_CACHE_DIR`` (set by
            :func:`desktop.core.tokens.configure_offline_vocabularies`), or None.
    """
    if tiktoken_cache_dir:
        os.environ["TIKTOKEN_CACHE_DIR"] = tiktoken_cache_dir


def pool_check_chunk_at(
    path: str, offset: int, length: int, first_line: int, settings: CheckSettings
) -> ChunkResult:
    """Read a chunk's bytes from the file itself, then :func:`pool_check_chunk` them.

    The parent sends only where the chunk is: sending megabytes through a pipe (pickled by
    the parent, unpickled here) cost the parent's CPU, which the workers need on a small machine.

    Raises:
        OSError: the file cannot be read, or it is shorter than when the chunk was found.
    """
    with open(path, "rb") as handle:
        handle.seek(offset)
        data = handle.read(length)
    if len(data) != length:
        raise OSError(f"{path} changed while it was being checked")
    return pool_check_chunk(Chunk(data, offset, first_line), settings)


def pool_check_chunk(chunk: Chunk, settings: CheckSettings) -> ChunkResult:
    """:func:`check_chunk` with this process's own token counter (process-pool entry point)."""
    global _process_counter
    counter = _process_counter
    if counter is None or counter.encoding_name != settings.encoding_name:
        counter = _process_counter = TokenCounter(settings.encoding_name)
        _drop_python_vocabulary(settings.encoding_name)
    return check_chunk(chunk, settings, counter)


def _drop_python_vocabulary(encoding_name: str) -> None:
    """Free tiktoken's Python copy of the vocabulary in a worker process.

    ``tiktoken.Encoding`` keeps the vocabulary as a Python dict (about 30 MB for o200k_base)
    beside its Rust tokenizer, which has its own copy; the dict only serves to pickle the
    Encoding, which a worker never does. Dropping it keeps every worker ~30 MB smaller, so
    a pool stays within the memory budget. Only ever called in worker processes.
    """
    encoding = tokens.get_encoding(encoding_name)
    if isinstance(getattr(encoding, "_mergeable_ranks", None), dict):
        encoding._mergeable_ranks = {}
        gc.collect()
