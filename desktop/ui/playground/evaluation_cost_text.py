"""The words of the Evaluation window's cost: its cost line and the question asked before
anything is sent on a real connection (``evaluation_estimate`` decides when to ask).

Pure functions of an :class:`~desktop.core.playground.evaluation_cost.EvaluationEstimate`;
any thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from desktop.core.playground.evaluation_cost import EvaluationEstimate

__all__ = ["confirmation_text", "estimate_text", "money", "sent_text"]


def money(cost: Decimal) -> str:
    """An estimated cost in US dollars, to the cent ("less than $0.01" below a cent)."""
    if 0 < cost < Decimal("0.01"):
        return "less than $0.01"
    return f"${cost:,.2f}"


def _count(number: int, word: str) -> str:
    return f"1 {word}" if number == 1 else f"{number:,} {word}s"


def _names(models: Sequence[str]) -> str:
    return models[0] if len(models) == 1 else ", ".join(models[:-1]) + " and " + models[-1]


def _amount(estimate: EvaluationEstimate) -> str:
    """ "about $0.42", "less than $0.01", "at least $0.03" (a price unknown) or "unknown"."""
    known = money(estimate.known_cost)
    if not estimate.unpriced_models:
        return known if known.startswith("less") else f"about {known}"
    if estimate.known_cost >= Decimal("0.01"):
        return f"at least {known}"
    return "unknown"


def sent_text(examples: int, requests: Sequence[int]) -> str:
    """What is sent: "1,200 prompts to 2 models" (each to every model), else "7 prompts in
    all to 2 models" (the models are asked different shares, finishing a saved run).

    Args:
        examples: how many different examples are sent.
        requests: how many requests each model gets.
    """
    models = _count(len(requests), "model")
    if any(count < examples for count in requests):  # some model is not asked every example
        return f"{_count(sum(requests), 'prompt')} in all to {models}"
    return f"{_count(examples, 'prompt')} to {models}"


def _sent(estimate: EvaluationEstimate) -> str:
    return sent_text(estimate.examples, [model.requests for model in estimate.models])


def estimate_text(estimate: EvaluationEstimate, *, demo: bool) -> str:
    """The cost line, e.g. "Estimated cost: about $0.42 (A $0.03 · B $0.39) — 1,200 prompts to
    2 models, answers assumed as long as the expected ones."

    Args:
        estimate: the estimate of the run as chosen.
        demo: the Demo connection answers (simulated: nothing is charged).

    Returns:
        One sentence or two.
    """
    parts = " · ".join(
        f"{m.model} {money(m.cost)}"
        if m.cost is not None
        else f"{m.model} price unknown: about {m.prompt_tokens:,} tokens sent "
        f"and {m.output_tokens:,} back"
        for m in estimate.models
    )
    cap = (
        f" (at most {estimate.max_tokens:,} tokens each)" if estimate.max_tokens is not None else ""
    )
    text = (
        f"Estimated cost: {_amount(estimate)} ({parts}) — {_sent(estimate)}, "
        f"answers assumed as long as the expected ones{cap}."
    )
    return text + " Demo connection: simulated, nothing is charged." if demo else text


def confirmation_text(estimate: EvaluationEstimate) -> str:
    """The question Run asks on a real connection, e.g. "This evaluation may cost about $3.20
    (1,200 prompts to 2 models). Run it?"."""
    unknown = estimate.unpriced_models
    amount = _amount(estimate)
    amount = "an unknown amount" if amount == "unknown" else amount
    question = f"This evaluation may cost {amount} ({_sent(estimate)})"
    if unknown:
        question += f": the app does not know the price of {_names(unknown)}"
    return question + ". Run it?"
