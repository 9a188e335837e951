"""Reply costs use fine-tuned inference prices; prompt savings compare both ways of prompting."""

from __future__ import annotations

from decimal import Decimal

from desktop.core import tokens
from desktop.core.catalog import ModelCatalog
from desktop.core.playground.usage_cost import (
    PromptVariant,
    UsagePrices,
    compare_prompt_savings,
    is_fine_tuned_model,
    reply_cost,
    usage_prices,
)
from desktop.core.types import ChatMessage, Usage
from tests.core.playground.conftest import AS_OF, BASE, TUNED

PROMPT = (ChatMessage("user", "Where is my order?"),)


def test_fine_tuned_model_is_priced_at_its_base_fine_tuned_prices_when_in_catalog(
    catalog: ModelCatalog,
) -> None:
    cost = reply_cost(
        TUNED, usage=Usage(1_000_000, 500_000), prompt=PROMPT, reply="x", catalog=catalog
    )
    assert cost.cost == Decimal("0.90")  # 0.30 + 0.5 x 1.20
    assert cost.prices_as_of == AS_OF
    assert not cost.counted_locally


def test_base_model_cost_is_unknown_when_the_catalog_has_no_base_prices(
    catalog: ModelCatalog,
) -> None:
    cost = reply_cost(BASE, usage=Usage(10, 10), prompt=PROMPT, reply="x", catalog=catalog)
    assert cost.cost is None
    assert cost.prices_as_of is None


def test_extra_prices_win_when_the_caller_knows_a_base_price(catalog: ModelCatalog) -> None:
    extra = {BASE: UsagePrices(Decimal("0.15"), Decimal("0.60"), AS_OF)}
    assert usage_prices(BASE, catalog, extra_prices=extra) == extra[BASE]


def test_tokens_are_counted_locally_when_the_api_sent_no_usage(catalog: ModelCatalog) -> None:
    cost = reply_cost(TUNED, usage=None, prompt=PROMPT, reply="It ships today.", catalog=catalog)
    assert cost.counted_locally
    assert cost.usage == Usage(
        tokens.count_chat_tokens([{"role": "user", "content": "Where is my order?"}], "o200k_base"),
        tokens.count_tokens("It ships today.", "o200k_base"),
    )


def test_azure_and_checkpoint_ids_count_as_fine_tuned_when_named_so() -> None:
    assert is_fine_tuned_model(f"{BASE}.ft-0123abcd")
    assert is_fine_tuned_model(f"{TUNED}:ckpt-step-10")
    assert not is_fine_tuned_model(BASE)


def test_savings_show_shorter_prompt_and_cost_per_thousand_when_both_are_priced(
    catalog: ModelCatalog,
) -> None:
    extra = {BASE: UsagePrices(Decimal("0.15"), Decimal("0.60"), AS_OF)}
    savings = compare_prompt_savings(
        PromptVariant(BASE, PROMPT, usage=Usage(1000, 100), latency=1.2),
        PromptVariant(TUNED, PROMPT, usage=Usage(100, 100), latency=0.8),
        catalog,
        extra_prices=extra,
    )
    assert savings.prompt_shorter_percent == Decimal("90.0")
    # base: (1000 x 0.15 + 100 x 0.60) / 1M x 1000 = 0.21; tuned: (100 x 0.30 + 100 x 1.20) ...
    assert savings.base.cost_per_1000 == Decimal("0.21")
    assert savings.tuned.cost_per_1000 == Decimal("0.15")
    assert savings.cost_saved_per_1000 == Decimal("0.06")
    assert (savings.base.latency, savings.tuned.latency) == (1.2, 0.8)


def test_savings_count_prompt_tokens_locally_when_not_measured(catalog: ModelCatalog) -> None:
    long_prompt = (
        ChatMessage("system", "You are a support agent. " * 40),
        ChatMessage("user", "Where is my order?"),
    )
    savings = compare_prompt_savings(
        PromptVariant(BASE, long_prompt, completion_tokens=50),
        PromptVariant(TUNED, PROMPT, completion_tokens=50),
        catalog,
    )
    assert savings.base.prompt_tokens > savings.tuned.prompt_tokens
    assert savings.prompt_shorter_percent > Decimal(80)
    assert savings.base.cost_per_1000 is None
    assert savings.cost_saved_per_1000 is None
