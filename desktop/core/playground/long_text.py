"""Very long texts in the conversation: the start shown, the rest on request.

Laying out a 540 KB paste (about 100,000 tokens, within gpt-4o-mini's context) as one wrapped
label froze the Playground for seconds. A turn longer than ``LONG_TEXT_CHARS`` is shown by its
start (``preview_end``) and a "Show all" control; the whole text then goes into a plain-text
box as blocks of at most ``BLOCK_CHARS`` characters (``display_blocks``), because a text box
lays out one paragraph at a time and a single 540 KB paragraph takes hundreds of milliseconds.
Block breaks added inside a paragraph are not part of the text: ``text_offset`` maps a position
in the box back to the text, so copying a selection gives the text exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "BLOCK_CHARS",
    "LONG_TEXT_CHARS",
    "PREVIEW_CHARS",
    "TextBlock",
    "display_blocks",
    "is_long",
    "preview_end",
    "text_offset",
]

LONG_TEXT_CHARS = 12_000
"""A turn with more characters than this shows only its start until "Show all".

Measured (tests/benchmarks/long_turn_responsiveness.py): a turn of 12,000 characters shown
whole stalls the window ~40 ms once, 16,000 ~48 ms, 20,000 ~62 ms; the target is ≤ 50 ms."""
PREVIEW_CHARS = 4_000
"""At most this many characters of a long turn's start are shown."""
BLOCK_CHARS = 2_000
"""The longest block the whole-text box lays out at once."""

_LINE_BREAK = re.compile("[\n\u2029]")


@dataclass(frozen=True, slots=True)
class TextBlock:
    """One block of the whole-text box.

    Attributes:
        start: where the block starts in the text (a character index).
        text: what the block shows: the text from ``start``, without the line break that ends
            it, with each carriage return shown as a space (a text box would start a new block
            at one, and positions would no longer match the text).
    """

    start: int
    text: str


def is_long(text: str) -> bool:
    """Whether ``text`` is shown by its start only (see ``LONG_TEXT_CHARS``)."""
    return len(text) > LONG_TEXT_CHARS


def preview_end(text: str, limit: int = PREVIEW_CHARS) -> int:
    """Where the shown start of a long text ends: at a paragraph, line or word break if one
    falls in the second half of the first ``limit`` characters, else at ``limit``.

    Args:
        text: the whole text.
        limit: the most characters to show.

    Returns:
        An index into ``text`` (``len(text)`` when it is no longer than ``limit``).
    """
    if len(text) <= limit:
        return len(text)
    low = limit // 2
    for separator in ("\n\n", "\n"):
        found = text.rfind(separator, low, limit)
        if found >= 0:
            return found
    return _word_break(text, low, limit)


def display_blocks(text: str, *, block_chars: int = BLOCK_CHARS) -> list[TextBlock]:
    """Cut ``text`` into the blocks of the whole-text box: one per line, and lines longer than
    ``block_chars`` cut after a space (else at ``block_chars``).

    Args:
        text: the whole text.
        block_chars: the longest block.

    Returns:
        At least one block; their ``text`` joined by line breaks shows ``text``.
    """
    blocks: list[TextBlock] = []
    start = 0
    ends = [found.start() for found in _LINE_BREAK.finditer(text)]
    for end in [*ends, len(text)]:
        while end - start > block_chars:
            cut = _word_break(text, start + block_chars // 2, start + block_chars)
            blocks.append(TextBlock(start, _shown(text[start:cut])))
            start = cut
        blocks.append(TextBlock(start, _shown(text[start:end])))
        start = end + 1
    return blocks


def text_offset(blocks: list[TextBlock], block_number: int, position: int) -> int:
    """The character index in the text of a position in the whole-text box.

    Args:
        blocks: the box's blocks (``display_blocks``).
        block_number: the block the position is in.
        position: the position in that block, in UTF-16 code units (as Qt counts).

    Returns:
        An index into the text the blocks were made from.
    """
    block = blocks[block_number]
    head = block.text.encode("utf-16-le")[: 2 * position].decode("utf-16-le", errors="ignore")
    return block.start + len(head)


def _word_break(text: str, low: int, high: int) -> int:
    """The index just after the last space or tab in ``text[low:high]``, else ``high``."""
    found = max(text.rfind(" ", low, high), text.rfind("\t", low, high))
    return found + 1 if found >= 0 else high


def _shown(part: str) -> str:
    return part.replace("\r", " ")
