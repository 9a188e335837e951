"""A message that cannot succeed is caught before it is sent, with a plain reason."""

from __future__ import annotations

from desktop.core.playground.prompt_checks import check_prompt
from desktop.core.types import ChatMessage


def test_refuses_when_the_new_message_is_blank() -> None:
    check = check_prompt(
        [ChatMessage("user", "  \n")], encoding_name="o200k_base", context_tokens=None
    )
    assert not check.can_send
    assert check.problem == "Write a message first."


def test_refuses_a_huge_paste_when_it_exceeds_the_model_context() -> None:
    paste = "lorem ipsum dolor sit amet " * 25_000  # about 100,000 tokens
    check = check_prompt(
        [ChatMessage("user", paste)],
        encoding_name="o200k_base",
        context_tokens=65_536,
        reply_tokens=1000,
    )
    assert check.tokens > 65_536
    assert not check.can_send
    assert "64,536" in (check.problem or "")


def test_allows_a_long_message_when_the_context_is_unknown() -> None:
    check = check_prompt(
        [ChatMessage("user", "word " * 5000)], encoding_name="o200k_base", context_tokens=None
    )
    assert check.can_send
    assert check.tokens > 5000
