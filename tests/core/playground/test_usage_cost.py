"""Reply costs use fine-tuned inference prices for fine-tuned models and the base model's own
prices for base models; prompt savings compare both ways of prompting."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from desktop.core import tokens
from desktop.core.catalog import BasePricing, ModelCatalog, ModelPricing, read_catalog
from desktop.core.playground.evaluation import EvalExample, score_reply
from desktop.core.playground.sessions import reply_turn
from desktop.core.playground.usage_cost import (
    PromptVariant,
    UsagePrices,
    compare_prompt_savings,
    is_fine_tuned_model,
    reply_cost,
    usage_prices,
)
from desktop.core.types import ChatMessage, Usage
from desktop.resources import resource_path
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


@pytest.fixture
def priced(catalog: ModelCatalog) -> ModelCatalog:
    """The test catalog with base-model prices (input 0.15, output 0.60)."""
    base = BasePricing(Decimal("0.15"), Decimal("0.075"), Decimal("0.60"))
    model = dataclasses.replace(catalog.models[0], base_pricing=base)
    return dataclasses.replace(catalog, models=(model,))


def test_base_model_is_priced_at_its_own_prices_when_the_catalog_has_them(
    priced: ModelCatalog,
) -> None:
    cost = reply_cost(
        BASE, usage=Usage(1_000_000, 500_000), prompt=PROMPT, reply="x", catalog=priced
    )
    assert cost.cost == Decimal("0.45")  # 0.15 + 0.5 x 0.60
    assert cost.prices_as_of == AS_OF
    assert usage_prices("gpt-4o-mini", priced) == UsagePrices(
        Decimal("0.15"), Decimal("0.60"), AS_OF
    )


@pytest.mark.parametrize("model", [TUNED, f"{TUNED}:ckpt-step-10", f"{BASE}.ft-0123abcd"])
def test_fine_tuned_ids_keep_fine_tuned_prices_when_base_prices_are_known(
    priced: ModelCatalog, model: str
) -> None:
    assert usage_prices(model, priced) == UsagePrices(Decimal("0.30"), Decimal("1.20"), AS_OF)


def test_prices_are_none_when_the_model_is_unknown_or_unpriced(catalog: ModelCatalog) -> None:
    assert usage_prices("gpt-unknown-model", catalog) is None
    assert usage_prices("ft:gpt-unknown-model:org::x1", catalog) is None
    assert usage_prices(BASE, catalog) is None  # no base prices in this catalog
    unpriced = dataclasses.replace(catalog.models[0], pricing=ModelPricing(training=None))
    assert usage_prices(TUNED, dataclasses.replace(catalog, models=(unpriced,))) is None


def test_user_prices_win_over_the_catalog_when_given(priced: ModelCatalog) -> None:
    mine = UsagePrices(Decimal("0.20"), Decimal("0.80"), None, origin="user")
    assert usage_prices(BASE, priced, extra_prices={BASE: mine}) == mine
    assert usage_prices(BASE, priced).origin == "catalog"  # type: ignore[union-attr]


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
    assert savings.cost_cheaper_percent == Decimal("28.6")  # 0.06 / 0.21
    assert (savings.base.latency, savings.tuned.latency) == (1.2, 0.8)


def test_savings_use_catalog_base_prices_when_no_extra_prices(priced: ModelCatalog) -> None:
    savings = compare_prompt_savings(
        PromptVariant(BASE, PROMPT, usage=Usage(1000, 100)),
        PromptVariant(TUNED, PROMPT, usage=Usage(100, 100)),
        priced,
    )
    assert savings.base.cost_per_1000 == Decimal("0.21")
    assert savings.base.prices_as_of == AS_OF
    assert savings.cost_saved_per_1000 == Decimal("0.06")


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
    assert savings.cost_cheaper_percent is None


def test_chat_turns_and_evaluation_results_cost_a_base_model_when_the_catalog_prices_it() -> None:
    """The chat footer, Compare (both through reply_turn) and Evaluation (score_reply) all
    price a base model of the shipped catalog, with the prices' date."""
    shipped = read_catalog(resource_path("models.json"))
    usage = Usage(1_000_000, 1_000_000)
    turn = reply_turn(
        "gpt-4o-mini",
        prompt=PROMPT,
        text="x",
        usage=usage,
        time_to_first_token=0.1,
        total_time=0.5,
        catalog=shipped,
    )
    assert turn.cost == Decimal("0.75")  # 0.15 + 0.60
    assert turn.prices_as_of == dt.date(2026, 11, 27)
    example = EvalExample(0, PROMPT, "It ships today.")
    result = score_reply(
        example,
        "gpt-4.1-nano-2025-04-14",
        answer="It ships today.",
        usage=usage,
        time_to_first_token=0.1,
        latency=0.5,
        catalog=shipped,
    )
    assert result.cost == Decimal("0.50")  # 0.10 + 0.40
    assert result.prices_as_of == dt.date(2026, 11, 27)
    unpriced = reply_turn(
        "babbage-002",
        prompt=PROMPT,
        text="x",
        usage=usage,
        time_to_first_token=None,
        total_time=None,
        catalog=shipped,
    )
    assert unpriced.cost is None and unpriced.prices_as_of is None
