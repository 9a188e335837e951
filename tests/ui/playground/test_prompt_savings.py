"""The Playground's Prompt savings window on the emulator, through the real SDK: a person opens
Prompt savings…, types long instructions for the base model and a short prompt for the
fine-tuned one, a test message, clicks Run and reads the table."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from PySide6.QtCore import Qt

from desktop.core.playground.usage_cost import is_fine_tuned_model
from desktop.ui.playground.prompt_savings import TABLE_ROWS, PromptSavingsWidget
from tests.sandbox.data import FINISH, start_job
from tests.ui.conftest import WindowFactory
from tests.ui.loop_helpers import run
from tests.ui.playground.test_playground import open_playground

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


def click(qtbot: Any, widget: Any) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_savings(qtbot: Any, window: Any) -> PromptSavingsWidget:
    playground = window.playground_tab
    click(qtbot, playground.savings_button)
    view: PromptSavingsWidget | None = playground.savings_view
    assert view is not None and view.isVisible()
    return view


def fill_and_run(qtbot: Any, loop: Any, view: PromptSavingsWidget, text: str) -> None:
    qtbot.keyClicks(view.base_side.system_edit, LONG_INSTRUCTIONS)
    qtbot.keyClicks(view.tuned_side.system_edit, SHORT_PROMPT)
    qtbot.keyClicks(view.message_edit, text)
    click(qtbot, view.run_button)
    task = view.run_task
    assert task is not None, "Run did not start"
    assert view.stop_button.isEnabled() and not view.run_button.isEnabled()
    run(loop, task)


def test_both_sides_answer_and_the_fine_tuned_prompt_is_shorter(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    trained = train_a_model(emulator)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    view = open_savings(qtbot, window)
    base, tuned = view.base_side.model, view.tuned_side.model
    assert base is not None and not is_fine_tuned_model(base)
    assert tuned == trained  # the connection's fine-tuned model is chosen on the right
    assert view.choose_models(BASE, trained)

    fill_and_run(qtbot, qasync_loop, view, "What are your opening hours?")

    assert "opening hours" in view.base_side.column.answer
    assert "open from" in view.tuned_side.column.answer  # it learnt the answer
    for side in (view.base_side, view.tuned_side):
        footer = side.column.footer.text()
        assert "input tokens" in footer and "first token" in footer
    base_figures, tuned_figures = view.side_figures(0), view.side_figures(1)
    assert len(base_figures) == len(TABLE_ROWS)
    base_in = int(base_figures[0].replace(",", ""))
    tuned_in = int(tuned_figures[0].replace(",", ""))
    assert tuned_in < base_in
    assert int(tuned_figures[1].replace(",", "")) > 0
    assert "$" in base_figures[2] and "simulated" in base_figures[2]  # base prices in catalog
    assert "$" in tuned_figures[3] and "simulated" in tuned_figures[3]
    assert tuned_figures[4].endswith(" s") and tuned_figures[5].endswith(" s")
    assert view.savings is not None
    percent = view.savings.prompt_shorter_percent
    assert percent > 50
    headline = view.headline_label.text()
    assert f"The fine-tuned prompt is {percent} % shorter" in headline
    assert "less per 1,000 requests" in headline
    assert "simulated" in headline
    assert view.run_button.isEnabled() and not view.stop_button.isEnabled()
    assert shown_errors == []


def test_one_side_failing_leaves_the_other_sides_figures(
    make_window: WindowFactory, emulator: Any, qasync_loop: Any, qtbot: Any, shown_errors: Any
) -> None:
    window = open_playground(make_window, qasync_loop, emulator.base_url)
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
