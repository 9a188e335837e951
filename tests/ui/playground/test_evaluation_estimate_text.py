"""The words of the Evaluation window's cost line and of Run's question, for known, partly
known and unknown prices, capped answers and the Demo."""

from __future__ import annotations

from decimal import Decimal

from desktop.core.playground.evaluation_cost import EvaluationEstimate, ModelEstimate
from desktop.ui.playground.evaluation_estimate import (
    confirmation_text,
    estimate_text,
    money,
    needs_confirmation,
)

MINI = "gpt-4o-mini-2024-07-18"
TUNED = "ft:gpt-4o-mini-2024-07-18:acme::x1"
UNPRICED = "ft:gpt-4o-2024-08-06:acme::u1"


def _model(model: str, cost: str | None) -> ModelEstimate:
    return ModelEstimate(
        model, 1200, 300_000, 90_000, None if cost is None else Decimal(cost), None
    )


def test_line_gives_the_total_and_each_models_share_when_every_price_is_known() -> None:
    estimate = EvaluationEstimate(1200, (_model(MINI, "0.0342"), _model(TUNED, "0.387")))

    assert estimate_text(estimate, demo=False) == (
        f"Estimated cost: about $0.42 ({MINI} $0.03 · {TUNED} $0.39) — 1,200 prompts to "
        "2 models, answers assumed as long as the expected ones."
    )
    assert confirmation_text(estimate) == (
        "This evaluation may cost about $0.42 (1,200 prompts to 2 models). Run it?"
    )


def test_line_says_simulated_and_the_cap_when_on_the_demo_with_max_tokens() -> None:
    estimate = EvaluationEstimate(1, (_model(MINI, "0.001"),), max_tokens=256)

    text = estimate_text(estimate, demo=True)

    assert text.startswith(f"Estimated cost: less than $0.01 ({MINI} less than $0.01) — 1 prompt")
    assert (
        "to 1 model, answers assumed as long as the expected ones (at most 256 tokens each)."
        in (text)
    )
    assert text.endswith(" Demo connection: simulated, nothing is charged.")


def test_line_and_question_name_the_model_whose_price_is_unknown() -> None:
    estimate = EvaluationEstimate(1200, (_model(TUNED, "3.19"), _model(UNPRICED, None)))

    text = estimate_text(estimate, demo=False)

    assert text.startswith(f"Estimated cost: at least $3.19 ({TUNED} $3.19 · {UNPRICED} price")
    assert f"{UNPRICED} price unknown: about 300,000 tokens sent and 90,000 back)" in text
    assert confirmation_text(estimate) == (
        "This evaluation may cost at least $3.19 (1,200 prompts to 2 models): the app does not "
        f"know the price of {UNPRICED}. Run it?"
    )
    only = EvaluationEstimate(10, (_model(UNPRICED, None),))
    assert estimate_text(only, demo=False).startswith(f"Estimated cost: unknown ({UNPRICED} price")
    assert confirmation_text(only).startswith("This evaluation may cost an unknown amount (")


def test_run_asks_only_over_a_dollar_or_when_a_price_is_unknown() -> None:
    assert not needs_confirmation(EvaluationEstimate(10, (_model(MINI, "1.00"),)))
    assert needs_confirmation(EvaluationEstimate(10, (_model(MINI, "1.01"),)))
    assert needs_confirmation(EvaluationEstimate(10, (_model(MINI, "0"), _model(UNPRICED, None))))


def test_money_is_rounded_to_the_cent_with_thousands_separated() -> None:
    assert money(Decimal("1234.567")) == "$1,234.57"
    assert money(Decimal(0)) == "$0.00"
    assert money(Decimal("0.004")) == "less than $0.01"
