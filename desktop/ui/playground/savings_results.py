"""The results of the Prompt savings window: the table (one column per side), the texts of its
rows, the prices used and the one-line summary ("N % shorter prompt, $X less per 1,000 requests
(Y % cheaper)").

The texts are pure functions over core values, so the window only places them. Unknown prices are
said in words; on the Demo connection money is marked as simulated. Money keeps three significant
digits below a dollar, so the difference between two cheap requests stays visible.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from desktop.api.evaluation_runner import StreamedReply
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.usage_cost import (
    REQUESTS_PER_QUOTE,
    PromptSavings,
    ReplyCost,
    UsagePrices,
)

__all__ = [
    "PRICE_ROW",
    "TABLE_ROWS",
    "UNKNOWN_PRICE",
    "SavingsTableWidget",
    "format_money",
    "parse_price",
    "prices_text",
    "savings_headline",
    "settings_text",
    "side_values",
]

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
    shown = [
        f"{name} {value}"
        for name, value in (
            ("temperature", settings.temperature),
            ("top-p", settings.top_p),
            ("max tokens", settings.max_tokens),
            ("seed", settings.seed),
        )
        if value is not None
    ]
    if settings.stop:
        shown.append(f"{len(settings.stop)} stop sequence(s)")
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
