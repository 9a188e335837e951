"""The break-even prompt length: how long the base model's prompt must be before the fine-tuned
model (dearer per token, shorter prompt) costs less per request, answers unchanged."""

from __future__ import annotations

from decimal import Decimal

from desktop.core.catalog import ModelCatalog
from desktop.core.playground.break_even import prompt_break_even, savings_break_even
from desktop.core.playground.usage_cost import PromptVariant, UsagePrices, compare_prompt_savings
from desktop.core.types import ChatMessage, Usage
from tests.core.playground.conftest import AS_OF, BASE, TUNED

# gpt-4o-mini per 1M tokens: base $0.15 in / $0.60 out, fine-tuned $0.30 in / $1.20 out.
BASE_PRICES = UsagePrices(Decimal("0.15"), Decimal("0.60"), AS_OF)
TUNED_PRICES = UsagePrices(Decimal("0.30"), Decimal("1.20"), AS_OF)


def test_break_even_is_the_base_prompt_length_where_both_cost_the_same_when_answers_match() -> None:
    result = prompt_break_even(Usage(131, 100), BASE_PRICES, Usage(40, 100), TUNED_PRICES)
    # (40 x 0.30 + 100 x 1.20 - 100 x 0.60) / 0.15 = 72 / 0.15
    assert result.case == "at_length"
    assert result.prompt_tokens == Decimal(480)
    assert result.base_prompt_tokens == 131
    assert result.input_price_ratio == Decimal(2)
    assert result.tuned_is_cheaper is False  # 131 tokens is under 480


def test_fine_tuned_side_is_cheaper_already_when_the_base_prompt_is_longer() -> None:
    result = prompt_break_even(Usage(2500, 100), BASE_PRICES, Usage(40, 100), TUNED_PRICES)
    assert result.case == "at_length"
    assert result.prompt_tokens == Decimal(480)
    assert result.tuned_is_cheaper is True


def test_break_even_is_exact_and_may_be_fractional_when_prices_are_the_users() -> None:
    azure = UsagePrices(Decimal("2.50"), Decimal("0.60"), origin="user")
    result = prompt_break_even(Usage(131, 100), azure, Usage(40, 100), TUNED_PRICES)
    assert result.prompt_tokens == Decimal("28.8")  # 72 / 2.50
    assert result.input_price_ratio == Decimal("0.12")  # 0.30 / 2.50
    assert result.tuned_is_cheaper is True


def test_fine_tuned_side_is_cheaper_at_any_length_when_the_base_answer_alone_costs_more() -> None:
    result = prompt_break_even(Usage(131, 300), BASE_PRICES, Usage(40, 100), TUNED_PRICES)
    # 40 x 0.30 + 100 x 1.20 = 132 < 300 x 0.60 = 180
    assert result.case == "always_cheaper"
    assert result.prompt_tokens is None
    assert result.tuned_is_cheaper is True


def test_fine_tuned_side_is_never_cheaper_when_base_prompt_tokens_cost_nothing() -> None:
    free_prompt = UsagePrices(Decimal(0), Decimal("0.60"), origin="user")
    result = prompt_break_even(Usage(5000, 100), free_prompt, Usage(40, 100), TUNED_PRICES)
    assert result.case == "never_cheaper"
    assert result.prompt_tokens is None
    assert result.input_price_ratio is None
    assert result.tuned_is_cheaper is False


def test_free_base_prompt_still_loses_when_its_answer_alone_costs_more() -> None:
    free_prompt = UsagePrices(Decimal(0), Decimal("0.60"), origin="user")
    result = prompt_break_even(Usage(5000, 300), free_prompt, Usage(40, 100), TUNED_PRICES)
    assert result.case == "always_cheaper"


def test_break_even_is_unknown_when_a_needed_price_is_unknown() -> None:
    no_input = UsagePrices(None, Decimal("1.20"), origin="user")
    no_output = UsagePrices(Decimal("0.15"), None, origin="user")
    cases = [
        (BASE_PRICES, None),
        (None, TUNED_PRICES),
        (BASE_PRICES, no_input),
        (no_output, TUNED_PRICES),
    ]
    for base_prices, tuned_prices in cases:
        result = prompt_break_even(Usage(131, 100), base_prices, Usage(40, 100), tuned_prices)
        assert result.case == "unknown"
        assert result.prompt_tokens is None
        assert result.tuned_is_cheaper is None
    assert prompt_break_even(Usage(131, 100), BASE_PRICES, Usage(40, 100), no_input) == (
        prompt_break_even(Usage(131, 100), BASE_PRICES, Usage(40, 100), None)
    )


def test_an_unknown_price_is_not_needed_when_its_token_count_is_zero() -> None:
    no_output = UsagePrices(Decimal("0.15"), None, origin="user")
    result = prompt_break_even(Usage(131, 0), no_output, Usage(40, 100), TUNED_PRICES)
    assert result.prompt_tokens == Decimal(880)  # (12 + 120) / 0.15


def test_savings_at_the_break_even_length_save_exactly_nothing_when_compared(
    catalog: ModelCatalog,
) -> None:
    prompt = (ChatMessage("user", "Where is my order?"),)
    savings = compare_prompt_savings(
        PromptVariant(BASE, prompt, usage=Usage(480, 100)),
        PromptVariant(TUNED, prompt, usage=Usage(40, 100)),
        catalog,
        extra_prices={BASE: BASE_PRICES},
    )
    assert savings.base.prices == BASE_PRICES
    assert savings.tuned.prices == TUNED_PRICES
    assert savings.cost_saved_per_1000 == Decimal(0)
    result = savings_break_even(savings)
    assert result.prompt_tokens == Decimal(480)
    assert result.tuned_is_cheaper is False


def test_savings_break_even_is_unknown_when_the_base_model_has_no_price(
    catalog: ModelCatalog,
) -> None:
    prompt = (ChatMessage("user", "Where is my order?"),)
    savings = compare_prompt_savings(
        PromptVariant(BASE, prompt, usage=Usage(480, 100)),
        PromptVariant(TUNED, prompt, usage=Usage(40, 100)),
        catalog,
    )
    assert savings.base.prices is None
    assert savings_break_even(savings).case == "unknown"
