"""When a fine-tuned model's shorter prompt starts to pay: the break-even prompt length.

A fine-tuned model costs more per token than its base model (gpt-4o-mini: $0.15/$0.60 per 1M
tokens in/out for the base model, $0.30/$1.20 fine-tuned), so dropping the instructions saves money
only once they are long enough. Given the measured figures of both sides of a Prompt savings run,
:func:`prompt_break_even` works out the *break-even prompt length*: the base side's prompt length,
in tokens (instructions + message + the chat format's few tokens, as the API counts prompt tokens),
at which both sides cost the same per request, each side's answer keeping its measured length. A
longer base prompt makes the fine-tuned side the cheaper one; a shorter one, the base side.

Everything is exact (``Decimal``); round only to display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from desktop.core.playground.usage_cost import PromptSavings, UsagePrices
from desktop.core.types import Usage

__all__ = ["BreakEvenCase", "PromptBreakEven", "prompt_break_even", "savings_break_even"]

BreakEvenCase = Literal["at_length", "always_cheaper", "never_cheaper", "unknown"]


@dataclass(frozen=True, slots=True)
class PromptBreakEven:
    """Where the fine-tuned side becomes the cheaper one, answers unchanged.

    Attributes:
        case: ``"at_length"``: the fine-tuned side is cheaper once the base prompt is longer than
            ``prompt_tokens``; ``"always_cheaper"``: the fine-tuned side is cheaper however short
            the base prompt (the base side's answer alone costs more); ``"never_cheaper"``: it is
            never cheaper (the base model's prompt tokens cost nothing and its answer costs no
            more than the whole fine-tuned request); ``"unknown"``: a price needed is unknown.
        prompt_tokens: the break-even prompt length of the base side, exact (fractional tokens
            possible); None unless ``case`` is ``"at_length"``.
        base_prompt_tokens: the base side's measured prompt tokens.
        input_price_ratio: the fine-tuned input price over the base input price, exact
            ("costs 2x per prompt token"); None when either is unknown or the base's is zero.
    """

    case: BreakEvenCase
    prompt_tokens: Decimal | None
    base_prompt_tokens: int
    input_price_ratio: Decimal | None

    @property
    def tuned_is_cheaper(self) -> bool | None:
        """Whether the fine-tuned side costs less at the measured figures (None if unknown)."""
        if self.case == "unknown":
            return None
        if self.prompt_tokens is None:
            return self.case == "always_cheaper"
        return self.base_prompt_tokens > self.prompt_tokens


def _price(count: int, price: Decimal | None) -> Decimal | None:
    """Cost of ``count`` tokens in dollars per 1M-token units; a price is needed only if count."""
    if count == 0:
        return Decimal(0)
    return None if price is None else count * price


def prompt_break_even(
    base: Usage,
    base_prices: UsagePrices | None,
    tuned: Usage,
    tuned_prices: UsagePrices | None,
) -> PromptBreakEven:
    """The base side's prompt length at which both sides cost the same per request.

    With the base side's input price ``bi`` and the answer costs unchanged, the base request costs
    ``L * bi + base answer`` for a prompt of ``L`` tokens; the break-even length is the ``L`` at
    which that equals the fine-tuned request's measured cost:
    ``L* = (tuned prompt + tuned answer - base answer) / bi``.

    Args:
        base: the base side's measured tokens (its prompt tokens are only compared to ``L*``).
        base_prices: the prices the base side uses (None when unknown).
        tuned: the fine-tuned side's measured tokens.
        tuned_prices: the prices the fine-tuned side uses (None when unknown).

    Returns:
        The break-even length, or why there is none (see :class:`PromptBreakEven`).
    """
    base_in = base_prices.input if base_prices else None
    base_out = base_prices.output if base_prices else None
    tuned_in = tuned_prices.input if tuned_prices else None
    tuned_out = tuned_prices.output if tuned_prices else None
    ratio = None
    if base_in is not None and tuned_in is not None and base_in > 0:
        ratio = tuned_in / base_in
    base_answer = _price(base.completion_tokens, base_out)
    tuned_prompt = _price(tuned.prompt_tokens, tuned_in)
    tuned_answer = _price(tuned.completion_tokens, tuned_out)
    if base_in is None or base_answer is None or tuned_prompt is None or tuned_answer is None:
        return PromptBreakEven("unknown", None, base.prompt_tokens, ratio)
    room = tuned_prompt + tuned_answer - base_answer  # what the base prompt may cost to match
    if base_in == 0:
        case: BreakEvenCase = "always_cheaper" if room < 0 else "never_cheaper"
        return PromptBreakEven(case, None, base.prompt_tokens, ratio)
    length = room / base_in
    if length <= 0:
        return PromptBreakEven("always_cheaper", None, base.prompt_tokens, ratio)
    return PromptBreakEven("at_length", length, base.prompt_tokens, ratio)


def savings_break_even(savings: PromptSavings) -> PromptBreakEven:
    """:func:`prompt_break_even` of a Prompt savings comparison, at the prices each side used."""
    base, tuned = savings.base, savings.tuned
    return prompt_break_even(
        Usage(base.prompt_tokens, base.completion_tokens),
        base.prices,
        Usage(tuned.prompt_tokens, tuned.completion_tokens),
        tuned.prices,
    )
