"""The cost quote shows its arithmetic, and says so when the price is unknown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.core.catalog import ModelCatalog
from desktop.core.jobs.quote import (
    USER_PRICE_SOURCE,
    actual_training_cost,
    format_price,
    format_usd,
    quote_training,
)
from desktop.core.types import FineTuningJob

MINI = "gpt-4o-mini-2024-07-18"


def test_quote_multiplies_tokens_epochs_and_price_when_price_known(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model=MINI, billable_tokens=120_400, n_examples=50, n_epochs=3, catalog=catalog
    )
    assert quote.total_usd == Decimal("1.0836")
    assert quote.price_per_million == Decimal("3.00")
    assert quote.price_as_of is not None and quote.price_as_of.isoformat() == "2026-04-06"
    assert quote.trained_tokens == 361_200
    assert not quote.epochs_estimated


def test_describe_shows_the_arithmetic_when_price_known(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model=MINI, billable_tokens=120_400, n_examples=50, n_epochs=3, catalog=catalog
    )
    assert quote.describe() == (
        "120,400 billable tokens × 3 epochs × $3.00 per 1M tokens = $1.08 (prices as of 2026-04-06)"
    )


def test_quote_estimates_epochs_when_epochs_are_auto(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model=MINI, billable_tokens=1_000, n_examples=10, n_epochs="auto", catalog=catalog
    )
    assert quote.epochs_estimated
    assert quote.epochs == 10  # few examples: the service trains more epochs
    assert "10 epochs (estimated)" in quote.describe()


def test_quote_has_no_total_when_price_unknown(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model="gpt-4.1-2025-04-14",
        billable_tokens=5_000,
        n_examples=100,
        n_epochs=2,
        catalog=catalog,
    )
    assert quote.total_usd is None
    assert "not known" in quote.describe()
    assert "$" not in quote.describe()


def test_quote_has_no_total_when_model_not_in_catalog(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model="mystery-2030-01-01",
        billable_tokens=5_000,
        n_examples=100,
        n_epochs=2,
        catalog=catalog,
    )
    assert quote.total_usd is None


def test_quote_uses_users_price_when_one_is_entered(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model="gpt-4.1-2025-04-14",
        billable_tokens=1_000_000,
        n_examples=100,
        n_epochs=2,
        catalog=catalog,
        price_per_million=Decimal("25"),
    )
    assert quote.total_usd == Decimal("50")
    assert quote.price_source == USER_PRICE_SOURCE
    assert quote.describe().endswith("= $50.00 (price entered by you)")


def test_describe_says_one_epoch_when_epochs_is_one(catalog: ModelCatalog) -> None:
    quote = quote_training(
        model=MINI, billable_tokens=10, n_examples=100, n_epochs=1, catalog=catalog
    )
    assert "× 1 epoch ×" in quote.describe()


def test_quote_rejects_epochs_when_below_one(catalog: ModelCatalog) -> None:
    with pytest.raises(ValueError, match="n_epochs"):
        quote_training(model=MINI, billable_tokens=10, n_examples=1, n_epochs=0, catalog=catalog)


def test_format_usd_says_less_than_a_cent_when_amount_is_tiny() -> None:
    assert format_usd(Decimal("0.0012")) == "less than $0.01"
    assert format_usd(Decimal("0")) == "$0.00"
    assert format_usd(Decimal("1234.565")) == "$1,234.57"


def test_format_price_keeps_extra_decimals_when_price_has_them() -> None:
    assert format_price(Decimal("3")) == "$3.00"
    assert format_price(Decimal("0.075")) == "$0.075"


def _job(trained_tokens: int | None, model: str = MINI) -> FineTuningJob:
    return FineTuningJob(
        id="j",
        model=model,
        status="succeeded",
        created_at=0,
        training_file="f",
        trained_tokens=trained_tokens,
    )


def test_actual_cost_uses_trained_tokens_when_job_finished(catalog: ModelCatalog) -> None:
    assert actual_training_cost(_job(2_000_000), catalog) == Decimal("6")


def test_actual_cost_is_none_when_trained_tokens_unknown(catalog: ModelCatalog) -> None:
    assert actual_training_cost(_job(None), catalog) is None


def test_actual_cost_is_none_when_price_unknown(catalog: ModelCatalog) -> None:
    assert actual_training_cost(_job(1_000, "gpt-4.1-2025-04-14"), catalog) is None


def test_actual_cost_uses_users_price_when_given(catalog: ModelCatalog) -> None:
    cost = actual_training_cost(
        _job(1_000_000, "gpt-4.1-2025-04-14"), catalog, price_per_million=Decimal("25")
    )
    assert cost == Decimal("25")
