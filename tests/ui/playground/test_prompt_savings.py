"""The Playground's Prompt savings window on the emulator, through the real SDK: a person opens
Prompt savings…, types long instructions for the base model and a short prompt for the
fine-tuned one, a test message, clicks Run and reads the table: tokens, dollars (from the
catalog's prices, or the user's own), latency and the savings line."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import openai
import pytest

from desktop.core.catalog import read_catalog
from desktop.core.playground.usage_cost import is_fine_tuned_model
from desktop.resources import resource_path
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.prompt_savings import TABLE_ROWS, PromptSavingsWidget
from desktop.ui.playground.savings_results import format_money
from tests.sandbox.data import FINISH, start_job
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run
from tests.ui.playground.helpers import click, open_playground

pytestmark = [pytest.mark.gui, pytest.mark.integration]

BASE = "gpt-4o-mini-2024-07-18"
UNKNOWN = "ft:gpt-4o-mini-2024-07-18:demo::gone0001"
LONG_INSTRUCTIONS = (
    "You are the support assistant of Acme Bikes. Always answer politely and briefly, in plain "
    "English, in at most three sentences. Never promise refunds; point to the returns page. "
    "Opening hours are nine to five, Monday to Saturday. Sign every answer with 'Acme Support'. "
    "If you do not know, say so and offer to pass the question on to a person."
)
SHORT_PROMPT = "Acme support."


def train_a_model(emulator: Any) -> str:
    """A fine-tuned model of the emulator (a job run to the end); returns its id."""
    with openai.OpenAI(base_url=emulator.base_url, api_key="sk-test", max_retries=0) as sdk:
        job_id = start_job(sdk, suffix="support")
        emulator.advance(FINISH)
        name = sdk.fine_tuning.jobs.retrieve(job_id).fine_tuned_model
    assert name is not None
    return name


def open_savings(qtbot: Any, window: Any) -> PromptSavingsWidget:
    playground = window.playground_tab
    click(qtbot, playground.savings_button)
    view: PromptSavingsWidget | None = playground.savings_view
    assert view is not None and view.isVisible()
    return view


def chat_requests(emulator: Any) -> list[dict[str, Any]]:
    """The bodies of the chat requests the emulator received, in order."""
    return [
        json.loads(r.body)
        for r in emulator.requests
        if r.method == "POST" and r.path.endswith("/chat/completions")
    ]


def tokens(text: str) -> int:
    return int(text.replace(",", ""))


def per_1000(prompt: int, output: int, price_in: Decimal, price_out: Decimal) -> Decimal:
    """Cost of 1,000 requests of these tokens at these prices per 1M tokens."""
    return (prompt * price_in + output * price_out) / 1_000_000 * 1000


def fill_and_run(qtbot: Any, loop: Any, view: PromptSavingsWidget, text: str) -> None:
    qtbot.keyClicks(view.base_side.system_edit, LONG_INSTRUCTIONS)
    qtbot.keyClicks(view.tuned_side.system_edit, SHORT_PROMPT)
    qtbot.keyClicks(view.message_edit, text)
    click(qtbot, view.run_button)
    task = view.run_task
    assert task is not None, "Run did not start"
    assert view.stop_button.isEnabled() and not view.run_button.isEnabled()
    run(loop, task)


def test_both_sides_answer_with_dollar_figures_and_a_savings_line_on_the_demo(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    view = open_savings(qtbot, window)
    base, tuned = view.base_side.model, view.tuned_side.model
    assert base is not None and not is_fine_tuned_model(base)
    assert tuned == trained  # the connection's fine-tuned model is chosen on the right
    assert view.choose_models(BASE, trained)
    assert "catalog, as of 2026-11-27" in view.base_side.prices_label.text()

    fill_and_run(qtbot, qasync_loop, view, "What are your opening hours?")

    assert "opening hours" in view.base_side.column.answer
    assert "open from" in view.tuned_side.column.answer  # it learnt the answer
    for side in (view.base_side, view.tuned_side):
        footer = side.column.footer.text()
        assert "input tokens" in footer and "first token" in footer
        assert "would cost about $" in footer and "simulated" in footer
    base_figures, tuned_figures = view.side_figures(0), view.side_figures(1)
    assert len(base_figures) == len(TABLE_ROWS)
    base_in, base_out = tokens(base_figures[0]), tokens(base_figures[1])
    tuned_in, tuned_out = tokens(tuned_figures[0]), tokens(tuned_figures[1])
    assert tuned_in < base_in and tuned_out > 0
    # The catalog's prices: the base model's own, and the fine-tuned prices of its base.
    mini = read_catalog(resource_path("models.json")).get(BASE)
    assert mini is not None and mini.base_pricing.input is not None
    assert mini.base_pricing.output is not None
    assert mini.pricing.input is not None and mini.pricing.output is not None
    base_cost = per_1000(base_in, base_out, mini.base_pricing.input, mini.base_pricing.output)
    tuned_cost = per_1000(tuned_in, tuned_out, mini.pricing.input, mini.pricing.output)
    assert view.savings is not None
    assert view.savings.base.cost_per_1000 == base_cost
    assert view.savings.tuned.cost_per_1000 == tuned_cost
    assert base_figures[3] == f"{format_money(base_cost)} (simulated)"
    assert tuned_figures[3] == f"{format_money(tuned_cost)} (simulated)"
    assert base_figures[2] == f"{format_money(base_cost / 1000)} (simulated)"
    for figures in (base_figures, tuned_figures):
        assert figures[4].endswith(" s") and figures[5].endswith(" s")
        assert "catalog, as of 2026-11-27" in figures[6]
    percent = view.savings.prompt_shorter_percent
    saved, cheaper = view.savings.cost_saved_per_1000, view.savings.cost_cheaper_percent
    assert percent > 50 and saved == base_cost - tuned_cost and saved > 0
    headline = view.headline_label.text()
    assert (
        f"{percent} % shorter prompt, {format_money(saved)} less per 1,000 requests "
        f"({cheaper} % cheaper)." in headline
    )
    assert "Simulated: the Demo connection charges nothing" in headline
    assert view.run_button.isEnabled() and not view.stop_button.isEnabled()
    assert shown_errors == []


def test_user_prices_replace_the_catalog_prices_without_sending_again(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    view = open_savings(qtbot, window)
    assert view.choose_models(BASE, trained)
    fill_and_run(qtbot, qasync_loop, view, "What are your opening hours?")
    sent = len(chat_requests(emulator))
    base_in, base_out = (tokens(text) for text in view.side_figures(0)[:2])

    qtbot.keyClicks(view.base_side.input_price_edit, "2.50")  # e.g. the user's Azure price
    qtbot.keyClicks(view.base_side.output_price_edit, "$10")

    expected = per_1000(base_in, base_out, Decimal("2.50"), Decimal(10))
    assert view.savings is not None and view.savings.base.cost_per_1000 == expected
    figures = view.side_figures(0)
    assert figures[3] == f"{format_money(expected)} (simulated)"
    assert figures[6] == "$2.50 in · $10.00 out (your price)"
    assert view.base_side.prices_label.text() == "$2.50 in · $10.00 out (your price)"
    assert "catalog, as of 2026-11-27" in view.side_figures(1)[6]  # the other side keeps its
    assert (
        format_money(view.savings.cost_saved_per_1000 or Decimal(0)) in view.headline_label.text()
    )
    assert len(chat_requests(emulator)) == sent  # worked out again, not asked again
    assert shown_errors == []


def test_a_price_that_is_not_a_number_is_refused_with_a_reason(
    qtbot: Any, window: MainWindow
) -> None:
    view = open_savings(qtbot, window)
    qtbot.keyClicks(view.tuned_side.output_price_edit, "cheap")
    assert "output price must be dollars per 1M tokens" in view.tuned_side.prices_label.text()
    qtbot.keyClicks(view.message_edit, "Hello")
    click(qtbot, view.run_button)
    assert view.run_task is None
    assert "Correct the settings first" in view.headline_label.text()


def test_the_playground_settings_go_into_both_requests_when_given(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    playground = window.playground_tab
    panel = playground.settings_panel
    click(qtbot, panel.toggle_button)
    qtbot.keyClicks(panel.temperature_edit, "0")
    qtbot.keyClicks(panel.max_tokens_edit, "3")
    qtbot.keyClicks(panel.seed_edit, "7")
    view = PromptSavingsWidget(
        context_of(window).connection_service, playground.picker, settings_panel=panel
    )
    qtbot.addWidget(view)
    view.show()
    assert "max tokens 3" in view.settings_label.text()
    assert view.choose_models(BASE, trained)

    fill_and_run(qtbot, qasync_loop, view, "What are your opening hours?")

    bodies = chat_requests(emulator)[-2:]
    assert sorted(body["model"] for body in bodies) == sorted([BASE, trained])
    for body in bodies:
        assert body.get("max_tokens", body.get("max_completion_tokens")) == 3
        assert body["temperature"] == 0 and body["seed"] == 7
        assert body["messages"][-1] == {"role": "user", "content": "What are your opening hours?"}
    for index in (0, 1):
        assert 0 < tokens(view.side_figures(index)[1]) <= 3  # the replies were cut at 3 tokens
    assert shown_errors == []


def test_one_side_failing_leaves_the_other_sides_figures(
    emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any, window: MainWindow
) -> None:
    window.playground_tab.open_model(UNKNOWN)  # listed, but the emulator refuses it
    view = open_savings(qtbot, window)
    assert view.choose_models(BASE, UNKNOWN)

    fill_and_run(qtbot, qasync_loop, view, "How do I reset my password?")

    assert "password" in view.base_side.column.answer
    base_figures = view.side_figures(0)
    assert int(base_figures[0].replace(",", "")) > 0
    assert base_figures[4].endswith(" s") and base_figures[5].endswith(" s")
    failed = view.tuned_side
    assert "no longer exists" in failed.column.answer
    assert failed.column.footer.text().startswith("Failed:")
    assert view.side_figures(1)[0] == "failed"
    assert "failed" in view.headline_label.text()
    assert view.savings is None
    assert shown_errors == []


def break_even_tokens(view: PromptSavingsWidget, prices: list[Decimal]) -> Decimal:
    """The base prompt length at which both sides cost the same, worked out from the table's
    tokens (answers unchanged): (tuned in x its input + tuned out x its output - base out x its
    output) / base input price. ``prices``: base in, base out, tuned in, tuned out."""
    base_out = tokens(view.side_figures(0)[1])
    tuned_in, tuned_out = (tokens(text) for text in view.side_figures(1)[:2])
    base_price_in, base_price_out, tuned_price_in, tuned_price_out = prices
    room = tuned_in * tuned_price_in + tuned_out * tuned_price_out - base_out * base_price_out
    return room / base_price_in


def test_break_even_line_says_from_what_base_prompt_length_fine_tuning_pays_and_follows_prices(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    view = open_savings(qtbot, window)
    assert view.choose_models(BASE, trained)
    assert not view.break_even_label.isVisible()
    fill_and_run(qtbot, qasync_loop, view, "What are your opening hours?")
    sent = len(chat_requests(emulator))
    base_in = tokens(view.side_figures(0)[0])
    catalog = [Decimal("0.15"), Decimal("0.60"), Decimal("0.30"), Decimal("1.20")]

    # The Demo's fine-tuned model answers shorter, so at the catalog's prices it is cheaper
    # whatever the length of the base model's prompt.
    assert break_even_tokens(view, catalog) < 0
    line = view.break_even_label.text()
    assert view.break_even_label.isVisible()
    assert line == (
        "The fine-tuned model costs 2× per prompt token. It is cheaper at any prompt length: "
        "the base model's answer alone costs more than the whole fine-tuned request (simulated)."
    )

    qtbot.keyClicks(view.tuned_side.input_price_edit, "5")  # a dear fine-tuned prompt token
    length = break_even_tokens(view, [*catalog[:2], Decimal(5), catalog[3]])
    assert length > base_in
    assert view.break_even_label.text() == (
        "The fine-tuned model costs 33.3× per prompt token. It becomes cheaper once the base "
        f"model's prompt is over {math.floor(length):,} tokens (yours: {base_in:,}, simulated), "
        "with the same answers."
    )

    qtbot.keyClicks(view.base_side.input_price_edit, "2")  # a dear base prompt token too
    length = break_even_tokens(view, [Decimal(2), catalog[1], Decimal(5), catalog[3]])
    assert 0 < length < base_in
    assert view.break_even_label.text() == (
        "The fine-tuned model costs 2.5× per prompt token. It is cheaper already: the base "
        f"model's prompt would need to be under {math.ceil(length):,} tokens (yours: "
        f"{base_in:,}, simulated) to cost less, with the same answers."
    )
    assert view.savings is not None and (view.savings.cost_saved_per_1000 or 0) > 0
    assert len(chat_requests(emulator)) == sent  # worked out again, not asked again
    assert shown_errors == []


def test_break_even_line_goes_away_when_a_later_run_fails_on_one_side(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    window.playground_tab.open_model(UNKNOWN)  # listed, but the emulator refuses it
    view = open_savings(qtbot, window)
    assert view.choose_models(BASE, trained)
    fill_and_run(qtbot, qasync_loop, view, "How do I reset my password?")
    assert view.break_even_label.isVisible() and view.break_even_label.text()

    assert view.choose_models(BASE, UNKNOWN)
    click(qtbot, view.run_button)
    assert view.run_task is not None
    run(qasync_loop, view.run_task)

    assert "failed" in view.headline_label.text()
    assert view.break_even_label.text() == "" and not view.break_even_label.isVisible()
    assert shown_errors == []


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "$0.00"),
        ("0.0387", "$0.0387"),
        ("0.000039", "$0.000039"),
        ("0.5", "$0.50"),
        ("0.01", "$0.01"),
        ("12.345", "$12.35"),
        ("1234.5", "$1,234.50"),
    ],
)
def test_money_keeps_three_significant_digits_below_a_dollar(amount: str, text: str) -> None:
    assert format_money(Decimal(amount)) == text
