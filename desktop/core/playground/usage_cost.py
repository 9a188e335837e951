"""What a reply cost, and how much a fine-tuned model saves by needing a shorter prompt.

Prices come from the app's catalog (``resources/models.json``). A fine-tuned model
(``ft:<base>:…``, a checkpoint, or Azure's ``<base>.ft-…``) is priced at its base's *fine-tuned*
inference prices (the entry's ``pricing``); a base model or alias at the base model's own prices
(``base_pricing``). Unknown prices stay None, so the UI says "price unknown" rather than guess;
prices the caller knows (``extra_prices``: e.g. the user's own Azure prices) win over the
catalog. Every cost carries the as-of date of the prices used.

Token counts come from the API's ``usage`` when the reply reported it, else they are counted
locally with the model's tokenizer (the cookbook's estimate for the prompt).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from desktop.core import tokens
from desktop.core.catalog import ModelCatalog, base_model_id
from desktop.core.pricing import TOKENS_PER_PRICE_UNIT
from desktop.core.types import ChatMessage, Usage

__all__ = [
    "REQUESTS_PER_QUOTE",
    "PriceOrigin",
    "PromptSavings",
    "PromptVariant",
    "ReplyCost",
    "SavingsSide",
    "UsagePrices",
    "compare_prompt_savings",
    "is_fine_tuned_model",
    "local_usage",
    "reply_cost",
    "usage_prices",
]

REQUESTS_PER_QUOTE = 1000  # "cost per 1,000 requests"

PriceOrigin = Literal["catalog", "user"]


@dataclass(frozen=True, slots=True)
class UsagePrices:
    """USD per 1M tokens sent (``input``) and generated (``output``); None when unknown.

    Attributes:
        as_of: the day catalog prices were collected (None for prices the user typed).
        origin: ``"catalog"`` (the app's list) or ``"user"`` (typed in by the user).
    """

    input: Decimal | None
    output: Decimal | None
    as_of: dt.date | None = None
    origin: PriceOrigin = "catalog"


@dataclass(frozen=True, slots=True)
class ReplyCost:
    """The tokens of one reply and their estimated cost.

    Attributes:
        usage: tokens in and out.
        counted_locally: True when the API did not report usage and the app counted.
        cost: USD, exact (round only to display); None when a needed price is unknown.
        prices_as_of: the day the prices were collected (None when no price was used).
    """

    usage: Usage
    counted_locally: bool
    cost: Decimal | None
    prices_as_of: dt.date | None


def is_fine_tuned_model(model_id: str) -> bool:
    """Whether ``model_id`` names a fine-tuned model or checkpoint (OpenAI or Azure style)."""
    return base_model_id(model_id) != model_id.strip()


def usage_prices(
    model_id: str,
    catalog: ModelCatalog,
    *,
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> UsagePrices | None:
    """The usage prices of a model.

    Args:
        model_id: any model id: a fine-tuned model or checkpoint is priced at its base's
            fine-tuned prices, a base model or alias at the base model's own prices.
        catalog: the app's catalog.
        extra_prices: prices the caller knows, by exact model id; they win over the catalog.

    Returns:
        The prices, or None when the model is not in the catalog or neither price is known.
    """
    if extra_prices and model_id in extra_prices:
        return extra_prices[model_id]
    entry = catalog.get(model_id)
    if entry is None:
        return None
    if is_fine_tuned_model(model_id):
        prices = UsagePrices(entry.pricing.input, entry.pricing.output, entry.as_of)
    else:
        base = entry.base_pricing
        prices = UsagePrices(base.input, base.output, entry.as_of)
    if prices.input is None and prices.output is None:
        return None
    return prices


def _cost(usage: Usage, prices: UsagePrices | None) -> Decimal | None:
    if prices is None:
        return None
    total = Decimal(0)
    for count, price in (
        (usage.prompt_tokens, prices.input),
        (usage.completion_tokens, prices.output),
    ):
        if count == 0:
            continue
        if price is None:
            return None
        total += Decimal(count) * price / TOKENS_PER_PRICE_UNIT
    return total


def _encoding(model_id: str, catalog: ModelCatalog) -> str:
    entry = catalog.get(model_id)
    return entry.encoding if entry is not None else tokens.encoding_name_for_model(model_id)


def local_usage(
    model_id: str, prompt: Sequence[ChatMessage], reply: str, catalog: ModelCatalog
) -> Usage:
    """Count a request's tokens locally with the model's tokenizer.

    Args:
        model_id: the model (its tokenizer is chosen through the catalog or its name).
        prompt: the messages sent.
        reply: the reply text.
        catalog: the app's catalog.

    Returns:
        The estimated usage.
    """
    encoding = _encoding(model_id, catalog)
    records = [{"role": m.role, "content": m.content} for m in prompt]
    return Usage(
        prompt_tokens=tokens.count_chat_tokens(records, encoding),
        completion_tokens=tokens.count_tokens(reply, encoding),
    )


def reply_cost(
    model_id: str,
    *,
    usage: Usage | None,
    prompt: Sequence[ChatMessage],
    reply: str,
    catalog: ModelCatalog,
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> ReplyCost:
    """Tokens and cost of one reply.

    Args:
        model_id: the model that answered.
        usage: the API's usage, or None when the stream did not report it (stopped, cut).
        prompt: the messages sent (counted when ``usage`` is None).
        reply: the reply text (counted when ``usage`` is None).
        catalog: the app's catalog.
        extra_prices: prices the caller knows for models the catalog does not price.

    Returns:
        The reply's tokens, cost and the prices' as-of date.
    """
    counted_locally = usage is None
    if usage is None:
        usage = local_usage(model_id, prompt, reply, catalog)
    prices = usage_prices(model_id, catalog, extra_prices=extra_prices)
    cost = _cost(usage, prices)
    return ReplyCost(usage, counted_locally, cost, prices.as_of if prices else None)


@dataclass(frozen=True, slots=True)
class PromptVariant:
    """One side of a prompt-savings comparison.

    Attributes:
        model: the model id.
        prompt: the messages of one request (e.g. long instructions + the question).
        completion_tokens: tokens of a typical reply (measured, or the same for both sides).
        usage: the API's usage of a measured request; wins over counting ``prompt``.
        latency: seconds of a measured request, if any.
    """

    model: str
    prompt: tuple[ChatMessage, ...]
    completion_tokens: int = 0
    usage: Usage | None = None
    latency: float | None = None


@dataclass(frozen=True, slots=True)
class SavingsSide:
    """Figures for one side: tokens per request, cost per 1,000 requests, latency, and the
    prices used (None when none is known)."""

    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_per_1000: Decimal | None
    prices_as_of: dt.date | None
    latency: float | None
    prices: UsagePrices | None = None


@dataclass(frozen=True, slots=True)
class PromptSavings:
    """Base model + long instructions against fine-tuned model + short prompt.

    Attributes:
        base: the base model's figures.
        tuned: the fine-tuned model's figures.
        prompt_shorter_percent: how much shorter the tuned prompt is, in % of the base prompt
            (negative when longer), to one decimal.
        cost_saved_per_1000: base cost minus tuned cost per 1,000 requests (None if unknown).
        cost_cheaper_percent: the saving in % of the base cost (negative when the fine-tuned
            side costs more), to one decimal; None when unknown or the base costs nothing.
    """

    base: SavingsSide
    tuned: SavingsSide
    prompt_shorter_percent: Decimal
    cost_saved_per_1000: Decimal | None
    cost_cheaper_percent: Decimal | None = None


def _side(
    variant: PromptVariant,
    catalog: ModelCatalog,
    extra_prices: Mapping[str, UsagePrices] | None,
) -> SavingsSide:
    if variant.usage is not None:
        usage = variant.usage
    else:
        counted = local_usage(variant.model, variant.prompt, "", catalog)
        usage = Usage(counted.prompt_tokens, variant.completion_tokens)
    prices = usage_prices(variant.model, catalog, extra_prices=extra_prices)
    cost = _cost(usage, prices)
    return SavingsSide(
        model=variant.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_per_1000=None if cost is None else cost * REQUESTS_PER_QUOTE,
        prices_as_of=prices.as_of if prices else None,
        latency=variant.latency,
        prices=prices,
    )


def compare_prompt_savings(
    base: PromptVariant,
    tuned: PromptVariant,
    catalog: ModelCatalog,
    *,
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> PromptSavings:
    """Compare the two ways of getting the same behaviour.

    Args:
        base: the base model with long instructions.
        tuned: the fine-tuned model with a short prompt.
        catalog: the app's catalog.
        extra_prices: prices for models the catalog does not price (e.g. the base model).

    Returns:
        Tokens, cost per 1,000 requests and latency for both, and the prompt reduction.
    """
    base_side = _side(base, catalog, extra_prices)
    tuned_side = _side(tuned, catalog, extra_prices)
    shorter = _percent_less(Decimal(base_side.prompt_tokens), Decimal(tuned_side.prompt_tokens))
    saved = cheaper = None
    if base_side.cost_per_1000 is not None and tuned_side.cost_per_1000 is not None:
        saved = base_side.cost_per_1000 - tuned_side.cost_per_1000
        if base_side.cost_per_1000 > 0:
            cheaper = _percent_less(base_side.cost_per_1000, tuned_side.cost_per_1000)
    return PromptSavings(base_side, tuned_side, shorter, saved, cheaper)


def _percent_less(before: Decimal, after: Decimal) -> Decimal:
    """How much smaller ``after`` is than ``before``, in % of ``before``, to one decimal."""
    if before == 0:
        return Decimal(0)
    ratio = (before - after) * 100 / before
    return ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
