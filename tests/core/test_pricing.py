"""Cost estimates use the catalog's prices and say "unknown" rather than guess."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop.core.catalog import CatalogModel, ModelPricing
from desktop.core.pricing import estimate_training_cost, estimate_usage_cost


def _model(pricing: ModelPricing) -> CatalogModel:
    return CatalogModel(
        id="m-1",
        family="m",
        encoding="o200k_base",
        data_format="chat",
        training_context_tokens=None,
        pricing=pricing,
        methods=("supervised",),
        shutdown_date=None,
        source="https://example.com",
        as_of=dt.date(2026, 11, 27),
    )


PRICED = _model(
    ModelPricing(training=Decimal("3.00"), input=Decimal("0.30"), output=Decimal("1.20"))
)
UNPRICED = _model(ModelPricing())


def test_training_cost_multiplies_epochs_when_price_known() -> None:
    assert estimate_training_cost(1_000_000, 3, PRICED) == Decimal("9")
    assert estimate_training_cost(12_345, 2, PRICED) == Decimal("0.07407")


def test_training_cost_is_none_when_price_unknown() -> None:
    assert estimate_training_cost(1_000, 3, UNPRICED) is None


def test_usage_cost_adds_input_and_output_when_prices_known() -> None:
    assert estimate_usage_cost(1_000_000, 500_000, PRICED) == Decimal("0.9")


def test_usage_cost_is_none_when_a_needed_price_unknown() -> None:
    half = _model(ModelPricing(input=Decimal("1")))
    assert estimate_usage_cost(10, 10, half) is None
    assert estimate_usage_cost(1_000_000, 0, half) == Decimal("1")


def test_rejects_counts_when_negative() -> None:
    with pytest.raises(ValueError, match="epochs"):
        estimate_training_cost(10, -1, PRICED)
    with pytest.raises(ValueError, match="prompt_tokens"):
        estimate_usage_cost(-1, 0, PRICED)
