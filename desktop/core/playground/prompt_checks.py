"""Checks on a message before it is sent: an empty message, or one longer than the model takes.

The service has the last word (it answers 400 to a prompt over its context window); these
checks only spare the user a request that cannot succeed, and tell them why in plain words.

The context window comes from the catalog (``context_tokens`` of the model, or of the base of a
fine-tuned model, which keeps its base's window). When the catalog does not know it,
``context_limit`` falls back to ``DEFAULT_CONTEXT_TOKENS`` (128,000: the window of the gpt-4o
family; the gpt-4.1 family takes more), so a conversation is refused only when it is longer than
that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core import tokens
from desktop.core.catalog import ModelCatalog
from desktop.core.types import ChatMessage

__all__ = ["DEFAULT_CONTEXT_TOKENS", "PromptCheck", "check_prompt", "context_limit"]

DEFAULT_CONTEXT_TOKENS = 128_000
"""The context assumed when the catalog does not know a model's (gpt-4o family's window)."""


def context_limit(model_id: str, catalog: ModelCatalog | None) -> int:
    """The most tokens (prompt and reply) a model takes, as far as the app knows.

    Args:
        model_id: any model id; a fine-tuned model or alias resolves to its base entry.
        catalog: the app's catalog, or None when it is not loaded.

    Returns:
        The catalog's ``context_tokens`` for the model, else ``DEFAULT_CONTEXT_TOKENS``.
    """
    entry = catalog.get(model_id) if catalog is not None else None
    if entry is None or entry.context_tokens is None:
        return DEFAULT_CONTEXT_TOKENS
    return entry.context_tokens


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
