"""Statistics of a checked dataset, the default-epochs heuristic and the training estimate.

The epochs heuristic and the billable-token rule are those of OpenAI's cookbook notebook
(``Chat_finetuning_data_prep.ipynb``): 3 epochs, more for small files (so that about 100
examples are seen), fewer for big ones (so that about 25,000 are), between 1 and 25; each
example is billed up to the model's context limit. Everything here is an estimate: the
provider's own count and bill decide.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop.core.catalog import CatalogModel
from desktop.core.pricing import estimate_training_cost

__all__ = [
    "HISTOGRAM_BINS",
    "MAX_DEFAULT_EPOCHS",
    "MAX_TARGET_EXAMPLES",
    "MIN_DEFAULT_EPOCHS",
    "MIN_TARGET_EXAMPLES",
    "TARGET_EPOCHS",
    "DatasetStats",
    "Distribution",
    "HistogramBin",
    "TrainingEstimate",
    "build_stats",
    "default_epochs",
    "distribution",
    "estimate_training",
    "histogram",
]

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25

HISTOGRAM_BINS = 20


@dataclass(frozen=True, slots=True)
class Distribution:
    """Summary of one figure over the examples (all zero when there are none).

    ``median`` is the upper median (element ``n // 2`` of the sorted values); ``p95`` is the
    nearest-rank 95th percentile (element ``ceil(0.95 n) - 1``).
    """

    minimum: int = 0
    median: int = 0
    p95: int = 0
    maximum: int = 0
    mean: float = 0.0


@dataclass(frozen=True, slots=True)
class HistogramBin:
    """Examples whose value lies in ``[low, high]`` (bins do not overlap)."""

    low: int
    high: int
    count: int


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """Figures over the valid examples (lines without errors).

    Attributes:
        examples: number of valid examples.
        messages: messages per example (DPO: input messages + 1; legacy: 0).
        tokens: estimated tokens per example.
        assistant_tokens: tokens of the assistant's replies per example.
        total_tokens: sum of the examples' tokens.
        total_assistant_tokens: sum of the replies' tokens.
        billable_tokens: sum of min(tokens, context limit) (no cap without a limit).
        over_limit: examples longer than the context limit.
        context_limit: the limit used, None when unknown.
        histogram: tokens per example in :data:`HISTOGRAM_BINS` equal-width bins.
    """

    examples: int
    messages: Distribution
    tokens: Distribution
    assistant_tokens: Distribution
    total_tokens: int
    total_assistant_tokens: int
    billable_tokens: int
    over_limit: int
    context_limit: int | None
    histogram: tuple[HistogramBin, ...]


@dataclass(frozen=True, slots=True)
class TrainingEstimate:
    """What a training job on the dataset would roughly consume and cost.

    ``cost`` is in the catalog's currency (USD), unrounded; None when the price is unknown.
    ``price_as_of`` is the day the price was collected.
    """

    model_id: str
    epochs: int
    billable_tokens: int
    trained_tokens: int
    cost: Decimal | None
    price_as_of: dt.date


def default_epochs(n_examples: int) -> int:
    """The number of epochs the service picks by default for a dataset of this size.

    Args:
        n_examples: number of training examples (at least 1).

    Returns:
        3, raised for small datasets and lowered for big ones, within 1..25.

    Raises:
        ValueError: ``n_examples`` is below 1.
    """
    if n_examples < 1:
        raise ValueError(f"n_examples must be at least 1, got {n_examples}")
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


def _element(frequencies: Sequence[tuple[int, int]], index: int) -> int:
    """Element ``index`` of the sorted values, given (value, count) pairs sorted by value."""
    seen = 0
    for value, count in frequencies:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def distribution(values: Iterable[int]) -> Distribution:
    """Summarise values (in any order) exactly.

    Works on value frequencies, so memory grows with the number of distinct values, not
    with the number of examples.

    Args:
        values: the values.

    Returns:
        Their distribution (all zero for no values).
    """
    return _distribution(sorted(Counter(values).items()))


def _distribution(frequencies: Sequence[tuple[int, int]]) -> Distribution:
    n = sum(count for _, count in frequencies)
    if n == 0:
        return Distribution()
    return Distribution(
        minimum=frequencies[0][0],
        median=_element(frequencies, n // 2),
        p95=_element(frequencies, max(0, math.ceil(0.95 * n) - 1)),
        maximum=frequencies[-1][0],
        mean=sum(value * count for value, count in frequencies) / n,
    )


def histogram(values: Iterable[int], bins: int = HISTOGRAM_BINS) -> tuple[HistogramBin, ...]:
    """Count values in ``bins`` equal-width integer bins from the minimum to the maximum.

    Args:
        values: the values, in any order.
        bins: the number of bins wanted (fewer when the range is narrower).

    Returns:
        The bins, lowest first; empty for no values.
    """
    return _histogram(sorted(Counter(values).items()), bins)


def _histogram(
    frequencies: Sequence[tuple[int, int]], bins: int = HISTOGRAM_BINS
) -> tuple[HistogramBin, ...]:
    if not frequencies:
        return ()
    low, high = frequencies[0][0], frequencies[-1][0]
    width = max(1, math.ceil((high - low + 1) / bins))
    counts: dict[int, int] = {}
    for value, frequency in frequencies:
        index = (value - low) // width
        counts[index] = counts.get(index, 0) + frequency
    count = (high - low) // width + 1
    return tuple(
        HistogramBin(low + i * width, min(high, low + (i + 1) * width - 1), counts.get(i, 0))
        for i in range(count)
    )


def build_stats(
    tokens: array[int],
    assistant_tokens: array[int],
    messages: array[int],
    context_limit: int | None,
) -> DatasetStats:
    """Compute the statistics from per-example figures (one entry per valid example).

    Args:
        tokens: tokens per example.
        assistant_tokens: reply tokens per example.
        messages: messages per example.
        context_limit: the model's training context, None when unknown.

    Returns:
        The statistics (exact; memory grows with the number of distinct values only).
    """
    frequencies = sorted(Counter(tokens).items())
    total = sum(value * count for value, count in frequencies)
    over = sum(count for value, count in frequencies if context_limit and value > context_limit)
    billable = total
    if context_limit is not None:
        billable -= sum(
            (value - context_limit) * count for value, count in frequencies if value > context_limit
        )
    return DatasetStats(
        examples=len(tokens),
        messages=distribution(messages),
        tokens=_distribution(frequencies),
        assistant_tokens=distribution(assistant_tokens),
        total_tokens=total,
        total_assistant_tokens=sum(assistant_tokens),
        billable_tokens=billable,
        over_limit=over,
        context_limit=context_limit,
        histogram=_histogram(frequencies),
    )


def estimate_training(stats: DatasetStats, model: CatalogModel) -> TrainingEstimate:
    """Estimate epochs, trained tokens and cost of fine-tuning ``model`` on the dataset.

    ``stats`` should come from a check with this model's context limit (billable tokens
    depend on it).

    Args:
        stats: the dataset's statistics.
        model: the catalog entry of the base model.

    Returns:
        The estimate; zero epochs and cost for a dataset without valid examples.
    """
    epochs = default_epochs(stats.examples) if stats.examples else 0
    return TrainingEstimate(
        model_id=model.id,
        epochs=epochs,
        billable_tokens=stats.billable_tokens,
        trained_tokens=stats.billable_tokens * epochs,
        cost=estimate_training_cost(stats.billable_tokens, epochs, model),
        price_as_of=model.as_of,
    )
