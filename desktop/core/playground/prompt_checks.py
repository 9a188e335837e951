"""Checks on a message before it is sent: an empty message, or one longer than the model takes.

The service has the last word (it answers 400 to a prompt over its context window); these
checks only spare the user a request that cannot succeed, and tell them why in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core import tokens
from desktop.core.types import ChatMessage

__all__ = ["PromptCheck", "check_prompt"]


@dataclass(frozen=True, slots=True)
class PromptCheck:
    """What the app found about a prompt.

    Attributes:
        tokens: the conversation's estimated tokens (the cookbook's estimate).
        problem: one plain sentence saying why it should not be sent; None when it can be.
    """

    tokens: int
    problem: str | None

    @property
    def can_send(self) -> bool:
        """Whether the prompt may be sent."""
        return self.problem is None


def check_prompt(
    messages: Sequence[ChatMessage],
    *,
    encoding_name: str,
    context_tokens: int | None,
    reply_tokens: int = 0,
) -> PromptCheck:
    """Check a conversation about to be sent (its last message is the user's new one).

    Args:
        messages: the whole conversation, system prompt first.
        encoding_name: the model's tokenizer.
        context_tokens: the most tokens the model takes (prompt and reply), None if unknown.
        reply_tokens: tokens reserved for the reply (the max output tokens setting).

    Returns:
        The token estimate and, if it should not be sent, why.
    """
    if not messages or not messages[-1].content.strip():
        return PromptCheck(0, "Write a message first.")
    records = [{"role": m.role, "content": m.content} for m in messages]
    count = tokens.count_chat_tokens(records, encoding_name)
    if context_tokens is not None and count + reply_tokens > context_tokens:
        room = max(context_tokens - reply_tokens, 0)
        return PromptCheck(
            count,
            f"This conversation is about {count:,} tokens, more than the model takes "
            f"({room:,} with room for the reply). Shorten the message or start a new chat.",
        )
    return PromptCheck(count, None)
