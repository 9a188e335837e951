"""An evaluation's cost is estimated before it runs: prompt tokens counted with each model's
tokenizer (checked against tiktoken itself), answers assumed as long as the references and
capped by max_tokens, priced at each model's usage prices; unknown prices are named."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
import tiktoken

from desktop.core.catalog import BasePricing, ModelCatalog, read_catalog
from desktop.core.playground.evaluation import EvalExample
from desktop.core.playground.evaluation_cost import (
    ExampleTokens,
    count_example_tokens,
    encoding_for,
    estimate_evaluation,
    estimate_from_counts,
)
from desktop.core.playground.presets import GenerationSettings
from desktop.core.types import ChatMessage
from desktop.resources import resource_path
from tests.core.playground.conftest import BASE, TUNED

EXAMPLES = (
    EvalExample(
        0,
        (
            ChatMessage("system", "You answer for Lumen & Wick, a candle shop."),
            ChatMessage("user", "When do you open on Sundays?"),
        ),
        "We open at ten on Sundays and close at four.",
    ),
    EvalExample(
        1,
        (ChatMessage("user", "Can I return a candle I lit once?"),),
        "Yes, within 30 days, if it burned less than an hour. Bring the receipt, please.",
    ),
    EvalExample(
        2,
        (
            ChatMessage("user", "Do you ship to Norway?"),
            ChatMessage("assistant", "We do."),
            ChatMessage("user", "How long does it take?"),
        ),
        "Five to eight working days.",
    ),
)

PER_MILLION = Decimal(1_000_000)


def _tiktoken_counts(encoding_name: str) -> tuple[int, int]:
    """Prompt and reference tokens of EXAMPLES, counted here with tiktoken and the cookbook's
    rule (3 per message, 3 to prime the reply)."""
    encoding = tiktoken.get_encoding(encoding_name)
    prompt = sum(
        3
        + sum(3 + len(encoding.encode(m.role)) + len(encoding.encode(m.content)) for m in e.prompt)
        for e in EXAMPLES
    )
    reference = sum(len(encoding.encode(e.reference)) for e in EXAMPLES)
    return prompt, reference


@pytest.fixture
def app_catalog() -> ModelCatalog:
    return read_catalog(resource_path("models.json"))


@pytest.mark.parametrize(
    ("model", "encoding"),
    [("gpt-4o-mini-2024-07-18", "o200k_base"), ("gpt-3.5-turbo-0125", "cl100k_base")],
)
def test_tokens_match_tiktoken_with_the_chat_overhead_when_counted_with_the_models_tokenizer(
    app_catalog: ModelCatalog, model: str, encoding: str
) -> None:
    assert encoding_for(model, app_catalog) == encoding
    prompt, reference = _tiktoken_counts(encoding)

    estimate = estimate_evaluation(EXAMPLES, [model], app_catalog, GenerationSettings())

    (only,) = estimate.models
    assert (only.prompt_tokens, only.output_tokens) == (prompt, reference)
    assert only.requests == 3 and estimate.examples == 3 and estimate.requests == 3


def test_cost_is_prompt_and_expected_answers_at_the_models_usage_prices_when_priced(
    app_catalog: ModelCatalog,
) -> None:
    prompt, reference = _tiktoken_counts("o200k_base")

    estimate = estimate_evaluation(
        EXAMPLES, ["gpt-4o-mini-2024-07-18"], app_catalog, GenerationSettings()
    )

    expected = (Decimal(prompt) * Decimal("0.15") + Decimal(reference) * Decimal("0.60")) / (
        PER_MILLION
    )
    assert estimate.models[0].cost == expected
    assert estimate.total_cost == expected == estimate.known_cost
    assert estimate.unpriced_models == ()
    prices = estimate.models[0].prices
    assert prices is not None and prices.input == Decimal("0.15")


def test_each_assumed_answer_is_capped_by_max_tokens_when_it_is_set(
    app_catalog: ModelCatalog,
) -> None:
    encoding = tiktoken.get_encoding("o200k_base")
    lengths = [len(encoding.encode(e.reference)) for e in EXAMPLES]
    cap = sorted(lengths)[1]  # shorter than the longest reference, longer than the shortest

    estimate = estimate_evaluation(
        EXAMPLES, ["gpt-4o-mini-2024-07-18"], app_catalog, GenerationSettings(max_tokens=cap)
    )

    assert estimate.models[0].output_tokens == sum(min(n, cap) for n in lengths)
    assert estimate.models[0].output_tokens < sum(lengths)
    assert estimate.max_tokens == cap


def test_cost_is_unknown_and_the_model_named_when_its_price_is_unknown(
    catalog: ModelCatalog,
) -> None:
    # The test catalog prices the fine-tuned model (0.30 / 1.20) but not its base model.
    estimate = estimate_evaluation(EXAMPLES, [BASE, TUNED], catalog, GenerationSettings())

    base, tuned = estimate.models
    assert base.cost is None and base.prices is None
    assert base.prompt_tokens > 0  # tokens are still counted
    assert tuned.cost is not None and tuned.cost > 0
    assert estimate.unpriced_models == (BASE,)
    assert estimate.total_cost is None
    assert estimate.known_cost == tuned.cost


def test_several_models_are_priced_apiece_and_summed_when_they_share_or_differ_in_tokenizer(
    app_catalog: ModelCatalog,
) -> None:
    models = ["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-3.5-turbo-0125"]

    estimate = estimate_evaluation(EXAMPLES, models, app_catalog, GenerationSettings())

    mini, four_o, turbo = estimate.models
    assert [m.model for m in estimate.models] == models
    assert mini.prompt_tokens == four_o.prompt_tokens  # same tokenizer, same count
    assert turbo.prompt_tokens == _tiktoken_counts("cl100k_base")[0]
    assert four_o.cost is not None and mini.cost is not None and turbo.cost is not None
    assert four_o.cost > mini.cost  # gpt-4o costs more per token
    assert estimate.total_cost == mini.cost + four_o.cost + turbo.cost
    assert estimate.requests == 9 and estimate.examples == 3


def test_a_fine_tuned_model_uses_its_bases_tokenizer_and_fine_tuned_prices_when_in_catalog(
    catalog: ModelCatalog,
) -> None:
    counts = {"o200k_base": (ExampleTokens(1_000_000, 500_000),)}

    estimate = estimate_from_counts(counts, [TUNED], catalog, GenerationSettings())

    assert estimate.models[0].cost == Decimal("0.90")  # 0.30 + 0.5 x 1.20
    assert estimate.examples == 1


def test_no_price_is_known_and_tokens_follow_the_name_when_the_catalog_is_not_loaded() -> None:
    estimate = estimate_evaluation(EXAMPLES, ["gpt-4o-mini"], None, GenerationSettings())

    assert estimate.unpriced_models == ("gpt-4o-mini",)
    assert estimate.models[0].prompt_tokens == _tiktoken_counts("o200k_base")[0]


def test_counts_follow_the_examples_order_when_counted_for_one_tokenizer() -> None:
    counted = count_example_tokens(EXAMPLES, "o200k_base")

    encoding = tiktoken.get_encoding("o200k_base")
    assert [c.reference for c in counted] == [len(encoding.encode(e.reference)) for e in EXAMPLES]
    assert counted[2].prompt > counted[1].prompt  # three messages against one


def test_base_model_price_applies_when_the_catalog_has_base_prices(catalog: ModelCatalog) -> None:
    base_prices = BasePricing(Decimal("0.15"), None, Decimal("0.60"))
    model = dataclasses.replace(catalog.models[0], base_pricing=base_prices)
    priced = dataclasses.replace(catalog, models=(model,))
    counts = {"o200k_base": (ExampleTokens(2_000_000, 1_000_000),)}

    estimate = estimate_from_counts(counts, [BASE], priced, GenerationSettings(max_tokens=10))

    assert estimate.models[0].output_tokens == 10
    assert estimate.models[0].cost == Decimal("0.30") + Decimal(10) * Decimal("0.60") / PER_MILLION
