"""What an evaluation may cost, worked out before anything is sent.

Every example goes to every model, so the estimate is, per model: the prompt tokens of every
example (counted with the model's tokenizer and the cookbook's chat overhead, as the Playground
counts a prompt) plus the tokens of answers assumed as long as the examples' reference replies
(each capped by the ``max_tokens`` setting when it is set), at the model's usage prices
(:func:`desktop.core.playground.usage_cost.usage_prices`). A model whose price is unknown has
its tokens but no cost; the total then covers the priced models only, and says so.

Counting is the slow part (tokenizing every example), and it depends only on the tokenizer, not
the model: :func:`count_example_tokens` counts once per tokenizer, and
:func:`estimate_from_counts` prices those counts for any number of models at no cost. The UI
counts in a worker thread and keeps the counts while the user changes models or settings.
:func:`estimate_jobs` estimates given requests (finishing a saved run, or running it again on
another model), where each model may be asked a different share of the examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop.core import tokens
from desktop.core.catalog import ModelCatalog
from desktop.core.playground.evaluation import EvalExample, EvalJob
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.usage_cost import UsagePrices, reply_cost, usage_prices
from desktop.core.types import Usage

__all__ = [
    "EvaluationEstimate",
    "ExampleTokens",
    "ModelEstimate",
    "count_example_tokens",
    "encoding_for",
    "estimate_evaluation",
    "estimate_from_counts",
    "estimate_jobs",
]


@dataclass(frozen=True, slots=True)
class ExampleTokens:
    """One example's tokens with one tokenizer.

    Attributes:
        prompt: the prompt's tokens as sent (messages plus the chat overhead).
        reference: the reference reply's tokens (the answer length assumed).
    """

    prompt: int
    reference: int


@dataclass(frozen=True, slots=True)
class ModelEstimate:
    """What one model's share of an evaluation may cost.

    Attributes:
        model: the model id.
        requests: how many requests it gets (one per example).
        prompt_tokens: the tokens sent in all, estimated.
        output_tokens: the tokens expected back in all.
        cost: USD, exact (round only to display); None when a needed price is unknown.
        prices: the prices used (None when the model has no known price).
    """

    model: str
    requests: int
    prompt_tokens: int
    output_tokens: int
    cost: Decimal | None
    prices: UsagePrices | None


@dataclass(frozen=True, slots=True)
class EvaluationEstimate:
    """The estimate of a whole evaluation: ``examples`` prompts sent to each of ``models``.

    Attributes:
        examples: how many examples are sent (each to every model, unless the models'
            ``requests`` differ: then to some of them, see :func:`estimate_jobs`).
        models: one estimate per model, in the order chosen.
        max_tokens: the answers' cap used (None when answers were not capped).
    """

    examples: int
    models: tuple[ModelEstimate, ...]
    max_tokens: int | None = None

    @property
    def requests(self) -> int:
        """How many requests the evaluation sends."""
        return sum(model.requests for model in self.models)

    @property
    def known_cost(self) -> Decimal:
        """The cost of the models whose price is known (the least it may cost)."""
        return sum((m.cost for m in self.models if m.cost is not None), Decimal(0))

    @property
    def total_cost(self) -> Decimal | None:
        """The whole cost; None when any model's price is unknown."""
        return None if self.unpriced_models else self.known_cost

    @property
    def unpriced_models(self) -> tuple[str, ...]:
        """The models whose price is unknown, in the order chosen."""
        return tuple(m.model for m in self.models if m.cost is None)


def encoding_for(model_id: str, catalog: ModelCatalog | None) -> str:
    """The tokenizer of a model: the catalog's (a fine-tuned model follows its base), else
    the one its name implies.

    Args:
        model_id: any model id.
        catalog: the app's catalog, or None when it is not loaded.

    Returns:
        An encoding name, e.g. ``"o200k_base"``.
    """
    entry = catalog.get(model_id) if catalog is not None else None
    return entry.encoding if entry is not None else tokens.encoding_name_for_model(model_id)


def count_example_tokens(
    examples: Sequence[EvalExample], encoding_name: str
) -> tuple[ExampleTokens, ...]:
    """Count each example's prompt and reference tokens with one tokenizer (slow for many
    examples: call it off the GUI thread).

    Args:
        examples: the examples as they will be sent (system prompt included).
        encoding_name: the tokenizer, e.g. ``"o200k_base"``.

    Returns:
        One count per example, in order.

    Raises:
        VocabularyError: the tokenizer cannot be loaded.
    """
    counted: list[ExampleTokens] = []
    for example in examples:
        records = [{"role": m.role, "content": m.content} for m in example.prompt]
        counted.append(
            ExampleTokens(
                prompt=tokens.count_chat_tokens(records, encoding_name),
                reference=tokens.count_tokens(example.reference, encoding_name),
            )
        )
    return tuple(counted)


def _answer_tokens(reference: int, max_tokens: int | None) -> int:
    return reference if max_tokens is None else min(reference, max_tokens)


def estimate_from_counts(
    counts: Mapping[str, Sequence[ExampleTokens]],
    models: Sequence[str],
    catalog: ModelCatalog | None,
    settings: GenerationSettings,
    *,
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> EvaluationEstimate:
    """Price counted examples for each model (fast: no tokenizing).

    Args:
        counts: each tokenizer's counts of the same examples, by encoding name; it must hold
            the encoding of every model (:func:`encoding_for`).
        models: the models, in the order chosen.
        catalog: the app's catalog (None: no price is known).
        settings: the generation settings (``max_tokens`` caps each assumed answer).
        extra_prices: prices the caller knows for models the catalog does not price.

    Returns:
        The estimate.

    Raises:
        KeyError: a model's encoding is missing from ``counts``.
    """
    priced = catalog if catalog is not None else ModelCatalog((), dt.date.min, "USD", "")
    estimates: list[ModelEstimate] = []
    for model in models:
        counted = counts[encoding_for(model, catalog)]
        usage = Usage(
            prompt_tokens=sum(c.prompt for c in counted),
            completion_tokens=sum(
                _answer_tokens(c.reference, settings.max_tokens) for c in counted
            ),
        )
        # reply_cost with the usage given prices it exactly as a received answer is priced.
        cost = reply_cost(
            model, usage=usage, prompt=(), reply="", catalog=priced, extra_prices=extra_prices
        )
        estimates.append(
            ModelEstimate(
                model=model,
                requests=len(counted),
                prompt_tokens=usage.prompt_tokens,
                output_tokens=usage.completion_tokens,
                cost=cost.cost,
                prices=usage_prices(model, priced, extra_prices=extra_prices),
            )
        )
    examples = len(next(iter(counts.values()), ()))
    return EvaluationEstimate(examples, tuple(estimates), settings.max_tokens)


def estimate_evaluation(
    examples: Sequence[EvalExample],
    models: Sequence[str],
    catalog: ModelCatalog | None,
    settings: GenerationSettings,
    *,
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> EvaluationEstimate:
    """Estimate what sending every example to every model may cost (counts every example
    once per tokenizer: call it off the GUI thread for a large test set).

    Args:
        examples: the examples as they will be sent (system prompt included).
        models: the models, in the order chosen.
        catalog: the app's catalog (None: no price is known).
        settings: the generation settings of the run.
        extra_prices: prices the caller knows for models the catalog does not price.

    Returns:
        Tokens and cost per model, and the total.

    Raises:
        VocabularyError: a tokenizer cannot be loaded.
    """
    counts = {
        encoding: count_example_tokens(examples, encoding)
        for encoding in {encoding_for(model, catalog) for model in models}
    }
    estimate = estimate_from_counts(counts, models, catalog, settings, extra_prices=extra_prices)
    return EvaluationEstimate(len(examples), estimate.models, estimate.max_tokens)


def estimate_jobs(
    jobs: Sequence[EvalJob],
    examples: Sequence[EvalExample],
    catalog: ModelCatalog | None,
    settings: GenerationSettings,
    *,
    models: Sequence[str] = (),
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> EvaluationEstimate:
    """Estimate what exactly these requests may cost (a saved run finished, or run again on
    another model); each model's share is the examples it is asked. Counts every prompt once
    per tokenizer: call it off the GUI thread.

    Args:
        jobs: the requests (their messages are counted as sent).
        examples: the run's examples (their references give the answers' length).
        catalog: the app's catalog (None: no price is known).
        settings: the run's generation settings (``max_tokens`` caps each assumed answer).
        models: the run's models, for their order (the others follow as the jobs name them).
        extra_prices: prices the caller knows for models the catalog does not price.

    Returns:
        Tokens and cost per model asked (in the order of ``models``); ``examples`` is how
        many different examples are sent.

    Raises:
        KeyError: a job's example is not among ``examples``.
        VocabularyError: a tokenizer cannot be loaded.
    """
    references = {example.index: example.reference for example in examples}
    asked: dict[str, list[EvalJob]] = {model: [] for model in models}
    for job in jobs:
        asked.setdefault(job.model, []).append(job)
    counted: dict[tuple[str, int], ExampleTokens] = {}
    estimates: list[ModelEstimate] = []
    for model, model_jobs in asked.items():
        if not model_jobs:
            continue  # a model with every answer already
        encoding = encoding_for(model, catalog)
        fresh = [job for job in model_jobs if (encoding, job.example_index) not in counted]
        sent = [
            EvalExample(job.example_index, job.request.messages, references[job.example_index])
            for job in fresh
        ]
        for job, tokens_of in zip(fresh, count_example_tokens(sent, encoding), strict=True):
            counted[encoding, job.example_index] = tokens_of
        share = [counted[encoding, job.example_index] for job in model_jobs]
        estimates.extend(
            estimate_from_counts(
                {encoding: share}, [model], catalog, settings, extra_prices=extra_prices
            ).models
        )
    sent_examples = len({job.example_index for job in jobs})
    return EvaluationEstimate(sent_examples, tuple(estimates), settings.max_tokens)
