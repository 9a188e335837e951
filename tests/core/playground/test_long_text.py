"""Very long turns: where the shown start ends, the blocks of the whole-text box, and positions
in the box mapped back to the text."""

from __future__ import annotations

from desktop.core.playground.long_text import (
    LONG_TEXT_CHARS,
    display_blocks,
    is_long,
    preview_end,
    text_offset,
)


def test_is_long_only_when_over_the_limit() -> None:
    assert not is_long("x" * LONG_TEXT_CHARS)
    assert is_long("x" * (LONG_TEXT_CHARS + 1))


def test_preview_ends_at_a_paragraph_then_a_line_then_a_word_break() -> None:
    paragraphs = "a" * 600 + "\n\n" + "b" * 300 + "\n" + "c" * 500
    assert preview_end(paragraphs, 1000) == 600
    lines = "a" * 600 + "\n" + "b" * 600
    assert preview_end(lines, 1000) == 600
    words = "word " * 400
    end = preview_end(words, 1000)
    assert end == 1000 and words[:end].endswith(" ")
    assert preview_end("x" * 3000, 1000) == 1000
    assert preview_end("short", 1000) == 5


def test_display_blocks_show_the_whole_text_in_short_blocks_when_one_paragraph_is_huge() -> None:
    text = "lorem ipsum dolor sit amet " * 20_000
    blocks = display_blocks(text, block_chars=2_000)
    assert all(len(block.text) <= 2_000 for block in blocks)
    assert "".join(block.text for block in blocks) == text  # breaks only after spaces
    assert [b.start for b in blocks] == [
        sum(len(x.text) for x in blocks[:i]) for i in range(len(blocks))
    ]


def test_display_blocks_follow_line_breaks_and_hide_carriage_returns() -> None:
    blocks = display_blocks("one\r\ntwo\n\nthree")
    assert [(b.start, b.text) for b in blocks] == [(0, "one "), (5, "two"), (9, ""), (10, "three")]


def test_text_offset_maps_a_box_position_to_the_text_when_it_has_emoji() -> None:
    text = "hello\n😀 world"
    blocks = display_blocks(text)
    # Qt counts the emoji as two UTF-16 units: position 3 in the second block is after "😀 ".
    assert text[text_offset(blocks, 1, 3) :] == "world"
    assert text_offset(blocks, 0, 5) == 5
