"""A message that cannot succeed is caught before it is sent, with a plain reason."""

from __future__ import annotations

import dataclasses

from desktop.core.catalog import ModelCatalog
from desktop.core.playground.prompt_checks import (
    DEFAULT_CONTEXT_TOKENS,
    check_prompt,
    context_limit,
)
from desktop.core.types import ChatMessage
from tests.core.playground.conftest import BASE, TUNED


def _with_context(catalog: ModelCatalog, context: int) -> ModelCatalog:
    model = dataclasses.replace(catalog.models[0], context_tokens=context)
    return dataclasses.replace(catalog, models=(model,))


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


def test_uses_the_catalog_context_when_the_model_has_one(catalog: ModelCatalog) -> None:
    known = _with_context(catalog, 16_385)
    assert context_limit(BASE, known) == 16_385
    assert context_limit("gpt-4o-mini", known) == 16_385  # alias
    assert context_limit(TUNED, known) == 16_385  # a fine-tuned model keeps its base's window


def test_falls_back_to_the_default_context_when_the_catalog_does_not_know(
    catalog: ModelCatalog,
) -> None:
    assert context_limit(BASE, catalog) == DEFAULT_CONTEXT_TOKENS == 128_000
    assert context_limit("some-other-model", catalog) == DEFAULT_CONTEXT_TOKENS
    assert context_limit(BASE, None) == DEFAULT_CONTEXT_TOKENS


def test_refuses_a_message_over_a_small_catalog_context_when_the_default_would_allow_it(
    catalog: ModelCatalog,
) -> None:
    known = _with_context(catalog, 16_385)
    message = [ChatMessage("user", "word " * 20_000)]  # about 20,000 tokens
    small = check_prompt(
        message, encoding_name="o200k_base", context_tokens=context_limit(BASE, known)
    )
    default = check_prompt(
        message, encoding_name="o200k_base", context_tokens=context_limit(BASE, catalog)
    )
    assert not small.can_send and "16,385" in (small.problem or "")
    assert default.can_send
