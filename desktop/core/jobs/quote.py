"""The cost quote shown before a job starts, and the actual cost of a finished job.

Estimates only (the provider's bill decides): billable tokens per epoch × epochs × the model's
training price per 1M tokens. Where the price is unknown the quote says so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from desktop.core.catalog import ModelCatalog
from desktop.core.dataset.stats import default_epochs
from desktop.core.pricing import TOKENS_PER_PRICE_UNIT
from desktop.core.types import FineTuningJob

__all__ = [
    "USER_PRICE_SOURCE",
    "CostQuote",
    "actual_training_cost",
    "format_price",
    "format_usd",
    "quote_training",
]

USER_PRICE_SOURCE = "entered by you"
_CENT = Decimal("0.01")


def format_usd(amount: Decimal) -> str:
    """An amount of dollars for display, rounded to cents.

    Args:
        amount: the exact amount.

    Returns:
        E.g. ``"$1,234.57"``; ``"less than $0.01"`` for tiny non-zero amounts.
    """
    if Decimal(0) < amount < Decimal("0.005"):
        return "less than $0.01"
    return f"${amount.quantize(_CENT, rounding=ROUND_HALF_UP):,}"


def format_price(price: Decimal) -> str:
    """A price per 1M tokens for display: cents, or more decimals when the price has them.

    Args:
        price: USD per 1M tokens.

    Returns:
        E.g. ``"$3.00"`` or ``"$0.075"``.
    """
    if price == price.quantize(_CENT):
        return f"${price.quantize(_CENT):,}"
    return f"${price.normalize():,f}"


@dataclass(frozen=True, slots=True)
class CostQuote:
    """What a training job is expected to cost, and how that figure was reached.

    ``billable_tokens`` are per epoch. ``epochs_estimated`` is True when the epochs were left on
    "auto" and the number is the service's likely choice. ``total_usd`` is None when the
    price is unknown. ``price_source`` is the catalog's source address, or
    :data:`USER_PRICE_SOURCE` when the user typed the price.
    """

    model: str
    method: str
    billable_tokens: int
    epochs: int
    epochs_estimated: bool
    price_per_million: Decimal | None
    price_as_of: dt.date | None
    price_source: str | None
    total_usd: Decimal | None

    @property
    def trained_tokens(self) -> int:
        """Tokens the job is expected to train on (all epochs)."""
        return self.billable_tokens * self.epochs

    def describe(self) -> str:
        """The quote in one sentence, showing the arithmetic.

        Returns:
            E.g. ``"120,400 billable tokens × 3 epochs × $3.00 per 1M tokens = $1.08
            (prices as of 2026-04-06)"``.
        """
        epochs = f"{self.epochs} epoch" if self.epochs == 1 else f"{self.epochs} epochs"
        if self.epochs_estimated:
            epochs += " (estimated)"
        head = f"{self.billable_tokens:,} billable tokens × {epochs}"
        if self.price_per_million is None or self.total_usd is None:
            return (
                f"{head}. The training price of {self.model} is not known, so the cost cannot "
                "be estimated. Check the provider's price list, or enter the price, before "
                "you start."
            )
        if self.price_source == USER_PRICE_SOURCE:
            when = "price entered by you"
        elif self.price_as_of is not None:
            when = f"prices as of {self.price_as_of.isoformat()}"
        else:
            when = "price date unknown"
        return (
            f"{head} × {format_price(self.price_per_million)} per 1M tokens = "
            f"{format_usd(self.total_usd)} ({when})"
        )


def quote_training(
    *,
    model: str,
    billable_tokens: int,
    n_examples: int,
    n_epochs: int | Literal["auto"],
    catalog: ModelCatalog,
    method: str = "supervised",
    price_per_million: Decimal | None = None,
) -> CostQuote:
    """The cost quote of a training job.

    Args:
        model: the base model id.
        billable_tokens: tokens billed per epoch (from the dataset check for this model).
        n_examples: training examples, used to estimate the epochs when they are "auto".
        n_epochs: the chosen epochs, or ``"auto"``.
        catalog: the model catalog (prices and their dates).
        method: ``"supervised"`` or ``"dpo"``.
        price_per_million: a price the user entered; it wins over the catalog's.

    Returns:
        The quote; its ``total_usd`` is None when no price is known.

    Raises:
        ValueError: negative tokens or examples, or fewer than 1 epoch.
    """
    if billable_tokens < 0 or n_examples < 0:
        raise ValueError("billable_tokens and n_examples must not be negative")
    if n_epochs == "auto":
        epochs, estimated = default_epochs(max(1, n_examples)), True
    else:
        if n_epochs < 1:
            raise ValueError(f"n_epochs must be at least 1, got {n_epochs}")
        epochs, estimated = n_epochs, False
    entry = catalog.get(model)
    if price_per_million is not None:
        price, as_of, source = price_per_million, None, USER_PRICE_SOURCE
    elif entry is not None and entry.pricing.training is not None:
        price, as_of, source = entry.pricing.training, entry.as_of, entry.source
    else:
        price, as_of, source = None, None, None
    total = None
    if price is not None:
        total = Decimal(billable_tokens) * epochs * price / TOKENS_PER_PRICE_UNIT
    return CostQuote(
        model=model,
        method=method,
        billable_tokens=billable_tokens,
        epochs=epochs,
        epochs_estimated=estimated,
        price_per_million=price,
        price_as_of=as_of,
        price_source=source,
        total_usd=total,
    )


def actual_training_cost(
    job: FineTuningJob, catalog: ModelCatalog, *, price_per_million: Decimal | None = None
) -> Decimal | None:
    """The estimated cost of a job from the tokens it actually trained on.

    Args:
        job: the job (``trained_tokens`` already counts every epoch).
        catalog: the model catalog.
        price_per_million: a price the user entered for the base model; wins over the catalog's.

    Returns:
        The cost, or None while the trained tokens or the price are unknown.
    """
    if job.trained_tokens is None:
        return None
    price = price_per_million
    if price is None:
        entry = catalog.get(job.model)
        price = entry.pricing.training if entry is not None else None
    if price is None:
        return None
    return Decimal(job.trained_tokens) * price / TOKENS_PER_PRICE_UNIT
