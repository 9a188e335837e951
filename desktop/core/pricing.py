"""Cost estimates from the catalog's prices. Estimates only: the provider's bill decides.

Amounts are exact ``Decimal`` values in the catalog's currency (USD), not rounded: round them
only for display. A function returns None when the needed price is unknown, so the UI can say
"price unknown" instead of showing a wrong number.
"""

from __future__ import annotations

from decimal import Decimal

from desktop.core.catalog import CatalogModel

__all__ = ["TOKENS_PER_PRICE_UNIT", "estimate_training_cost", "estimate_usage_cost"]

TOKENS_PER_PRICE_UNIT = 1_000_000  # catalog prices are per 1M tokens


def _check_count(value: int, what: str) -> None:
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")


def estimate_training_cost(
    billable_tokens: int, epochs: int, model: CatalogModel
) -> Decimal | None:
    """Estimated cost of a training job: tokens per epoch x epochs x training price.

    Args:
        billable_tokens: tokens billed per epoch (each example capped at the context limit).
        epochs: number of passes over the data.
        model: the catalog entry of the base model.

    Returns:
        The estimated cost, or None when the model's training price is unknown.

    Raises:
        ValueError: a negative token count or epoch count.
    """
    _check_count(billable_tokens, "billable_tokens")
    _check_count(epochs, "epochs")
    price = model.pricing.training
    if price is None:
        return None
    return Decimal(billable_tokens) * epochs * price / TOKENS_PER_PRICE_UNIT


def estimate_usage_cost(
    prompt_tokens: int, completion_tokens: int, model: CatalogModel
) -> Decimal | None:
    """Estimated cost of using a fine-tuned model: input and output tokens at their prices.

    Args:
        prompt_tokens: tokens sent (input).
        completion_tokens: tokens generated (output).
        model: the catalog entry of the fine-tuned model's base.

    Returns:
        The estimated cost, or None when a price needed for non-zero tokens is unknown.

    Raises:
        ValueError: a negative token count.
    """
    _check_count(prompt_tokens, "prompt_tokens")
    _check_count(completion_tokens, "completion_tokens")
    total = Decimal(0)
    for tokens, price in (
        (prompt_tokens, model.pricing.input),
        (completion_tokens, model.pricing.output),
    ):
        if tokens == 0:
            continue
        if price is None:
            return None
        total += Decimal(tokens) * price / TOKENS_PER_PRICE_UNIT
    return total
