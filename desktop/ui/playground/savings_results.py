"""The results of the Prompt savings window: the table (one column per side), the texts of its
rows, the prices used, the one-line summary ("N % shorter prompt, $X less per 1,000 requests
(Y % cheaper)") and the break-even line under it (how long the base model's prompt must be before
the fine-tuned model, dearer per token, costs less per request).

The texts are pure functions over core values, so the window only places them. Unknown prices are
said in words; on the Demo connection money is marked as simulated. Money keeps three significant
digits below a dollar, so the difference between two cheap requests stays visible.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem

from desktop.api.evaluation_runner import StreamedReply
from desktop.core.playground.break_even import PromptBreakEven
from desktop.core.playground.presets import GenerationSettings, settings_phrases
from desktop.core.playground.usage_cost import (
    REQUESTS_PER_QUOTE,
    PromptSavings,
    ReplyCost,
    UsagePrices,
)

__all__ = [
    "NO_FINE_TUNED_MODEL",
    "PRICE_ROW",
    "TABLE_ROWS",
    "UNKNOWN_PRICE",
    "SavingsTableWidget",
    "break_even_text",
    "format_money",
    "parse_price",
    "prices_text",
    "savings_headline",
    "settings_text",
    "side_values",
    "summary_label",
]

NO_FINE_TUNED_MODEL = (
    "This connection has no fine-tuned model yet: train one from your examples in the Jobs tab "
    "(New job…), then compare it here with its base model. Until then you can compare two base "
    "models."
)

TABLE_ROWS = (
    "Prompt tokens",
    "Output tokens",
    "Cost per request",
    "Cost per 1,000 requests",
    "Time to first token",
    "Total time",
    "Prices used (per 1M tokens)",
)
PRICE_ROW = len(TABLE_ROWS) - 1
UNKNOWN_PRICE = "price unknown"
SIMULATED_NOTE = (
    "Simulated: the Demo connection charges nothing; costs are what these requests would cost "
    "at the prices used."
)


def format_money(amount: Decimal) -> str:
    """Dollars with cents from $1 up, else three significant digits ($0.0387, $0.000039)."""
    if amount == 0:
        return "$0.00"
    places = 2 if abs(amount) >= 1 else max(2, 2 - amount.adjusted())
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, cents = f"{rounded:,.{places}f}".partition(".")
    return f"${whole}.{cents.rstrip('0').ljust(2, '0')}"


class SavingsTableWidget(QTableWidget):
    """The figures of both sides, one column each, every row visible. GUI thread only."""

    def __init__(self) -> None:
        super().__init__(len(TABLE_ROWS), 2)
        self.setObjectName("savingsTable")
        self.setHorizontalHeaderLabels(["Base + long instructions", "Fine-tuned + short"])
        self.setVerticalHeaderLabels(list(TABLE_ROWS))
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.verticalHeader().defaultSectionSize() * len(TABLE_ROWS)
        self.setFixedHeight(rows + self.horizontalHeader().sizeHint().height() + 4)

    def show_side(self, index: int, values: list[str]) -> None:
        """Fill one side's column (0 base, 1 fine-tuned) with ``TABLE_ROWS`` texts."""
        for row, value in enumerate(values):
            self.setItem(row, index, QTableWidgetItem(value))

    def side_texts(self, index: int) -> list[str]:
        """One side's texts, top to bottom ("" where empty)."""
        items = (self.item(row, index) for row in range(len(TABLE_ROWS)))
        return [item.text() if item is not None else "" for item in items]


def summary_label(object_name: str) -> QLabel:
    """A wrapped line of the summary under the table, selectable so it can be copied."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def parse_price(text: str, what: str) -> tuple[Decimal | None, str | None]:
    """A price the user typed, in dollars per 1M tokens.

    Args:
        text: the field's text ("" leaves the catalog's price; "$0.15" and "0.15" are the same).
        what: the field's name for the problem sentence ("Base input price").

    Returns:
        The price (None when the field is empty) and a plain problem sentence, or None.
    """
    cleaned = text.strip().removeprefix("$").strip()
    if not cleaned:
        return None, None
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        price = Decimal(-1)
    if not price.is_finite() or price < 0:
        return None, f"{what} must be dollars per 1M tokens, like 0.15."
    return price, None


def prices_text(prices: UsagePrices | None) -> str:
    """Which prices a side uses and whose they are, e.g.
    ``"$0.15 in · $0.60 out (catalog, as of 2026-11-27)"``."""
    if prices is None or (prices.input is None and prices.output is None):
        return "no price known: enter yours"
    parts = [
        f"{format_money(price)} {name}" if price is not None else f"{name} unknown"
        for name, price in (("in", prices.input), ("out", prices.output))
    ]
    if prices.origin == "user":
        whose = "your price"
    elif prices.as_of is not None:
        whose = f"catalog, as of {prices.as_of.isoformat()}"
    else:
        whose = "catalog"
    return f"{' · '.join(parts)} ({whose})"


def settings_text(settings: GenerationSettings, problems: list[str]) -> str:
    """Which of the Playground's generation settings both requests use, in one line."""
    if problems:
        return "Correct the Playground's settings: " + " ".join(problems)
    shown = settings_phrases(settings)
    used = " · ".join(shown) if shown else "the service's defaults"
    return (
        f"Both requests use the Playground's settings: {used}. Each side's instructions "
        "replace the Playground's system prompt."
    )


def _money(cost: Decimal | None, *, simulated: bool) -> str:
    if cost is None:
        return UNKNOWN_PRICE
    return format_money(cost) + (" (simulated)" if simulated else "")


def side_values(
    cost: ReplyCost, reply: StreamedReply, prices: UsagePrices | None, *, simulated: bool
) -> list[str]:
    """The table's texts for one side that answered, top to bottom (``TABLE_ROWS``)."""
    per_1000 = None if cost.cost is None else cost.cost * REQUESTS_PER_QUOTE
    first = reply.time_to_first_token
    return [
        f"{cost.usage.prompt_tokens:,}",
        f"{cost.usage.completion_tokens:,}",
        _money(cost.cost, simulated=simulated),
        _money(per_1000, simulated=simulated),
        "—" if first is None else f"{first:.2f} s",
        f"{reply.total_time:.2f} s",
        prices_text(prices),
    ]


def savings_headline(savings: PromptSavings, *, simulated: bool) -> str:
    """One line: how much shorter the fine-tuned prompt is and what it saves per 1,000 requests.

    Args:
        savings: the comparison of both sides.
        simulated: the Demo connection answered (nothing was charged).

    Returns:
        e.g. "85.2 % shorter prompt, $0.021 less per 1,000 requests (41.3 % cheaper)."
    """
    shorter = savings.prompt_shorter_percent
    head = f"{shorter} % shorter prompt" if shorter >= 0 else f"{-shorter} % longer prompt"
    saved, cheaper = savings.cost_saved_per_1000, savings.cost_cheaper_percent
    if saved is None:
        unknown = [
            side.model for side in (savings.base, savings.tuned) if side.cost_per_1000 is None
        ]
        text = (
            f"{head}; the cost difference is unknown because no price is known for "
            + " and ".join(unknown)
            + ": enter one under Prices per 1M tokens."
        )
    elif saved >= 0:
        share = "" if cheaper is None else f" ({cheaper} % cheaper)"
        text = f"{head}, {format_money(saved)} less per 1,000 requests{share}."
    else:
        share = "" if cheaper is None else f" ({-cheaper} % more expensive)"
        text = f"{head}, {format_money(-saved)} more per 1,000 requests{share}."
    return f"{text} {SIMULATED_NOTE}" if simulated else text


def _times(ratio: Decimal) -> str:
    """A price ratio for people: "2×", "1.5×", "0.12×"."""
    places = Decimal("0.01") if ratio < 1 else Decimal("0.1")
    text = f"{ratio.quantize(places, rounding=ROUND_HALF_UP):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "×"


def break_even_text(break_even: PromptBreakEven, *, simulated: bool) -> str:
    """One line under the headline: from what base prompt length the fine-tuned side is cheaper.

    Args:
        break_even: the break-even figures of both sides (answers unchanged).
        simulated: the Demo connection answered (the figures rest on simulated answers).

    Returns:
        e.g. "The fine-tuned model costs 2× per prompt token. It becomes cheaper once the base
        model's prompt is over 480 tokens (yours: 131), with the same answers."; "" when a price
        is unknown (the headline says which).
    """
    if break_even.case == "unknown":
        return ""
    ratio = break_even.input_price_ratio
    head = "" if ratio is None else f"The fine-tuned model costs {_times(ratio)} per prompt token. "
    note = " (simulated)" if simulated else ""
    yours = f"yours: {break_even.base_prompt_tokens:,}{', simulated' if simulated else ''}"
    length = break_even.prompt_tokens
    if break_even.case == "always_cheaper":
        tail = (
            "It is cheaper at any prompt length: the base model's answer alone costs more than "
            f"the whole fine-tuned request{note}"
        )
    elif break_even.case == "never_cheaper" or length is None:
        tail = (
            f"It is never cheaper here: the base model's prompt costs nothing at these prices{note}"
        )
    elif break_even.tuned_is_cheaper:
        under = length.to_integral_value(rounding=ROUND_CEILING)
        tail = (
            f"It is cheaper already: the base model's prompt would need to be under {under:,} "
            f"tokens ({yours}) to cost less, with the same answers"
        )
    else:
        over = length.to_integral_value(rounding=ROUND_FLOOR)
        tail = (
            f"It becomes cheaper once the base model's prompt is over {over:,} tokens ({yours}), "
            "with the same answers"
        )
    return f"{head}{tail}."
