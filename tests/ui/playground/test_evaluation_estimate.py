"""The Evaluation window says what a run may cost before anything is sent: the line follows the
test set, the limit, the models and the settings; on a real connection Run asks first when the
estimate is high (or a price unknown) and a No sends nothing. On the emulator, through the SDK."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.playground.evaluation_cost import estimate_evaluation
from desktop.core.playground.evaluation_runs import with_system_prompt
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground import evaluation_estimate
from desktop.ui.playground.evaluation import EvaluationWidget
from desktop.ui.playground.evaluation_estimate import NOT_RUN, WAITING_TO_RUN
from tests.ui.conftest import ConfirmAnswers, WindowFactory, context_of
from tests.ui.loop_helpers import run, until
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.evaluation_helpers import (
    MINI,
    NANO,
    browse,
    chat_models,
    click,
    open_evaluation,
    open_real_connection,
    write_test_set,
)

pytestmark = [pytest.mark.gui, pytest.mark.integration]

UNPRICED = "ft:gpt-4o-2024-08-06:acme:support:unpriced1"
"""A fine-tuned gpt-4o: the catalog has no inference price for it."""


def settled(loop: Any, view: EvaluationWidget) -> str:
    """Wait until the cost line is up to date with the window's choices; return it."""
    run(loop, until(lambda: not view.estimate.pending))
    return view.estimate.text()


async def started_and_finished(view: EvaluationWidget) -> None:
    """Wait for a run to start by itself, then to end (on one run of the loop: the run's
    requests must not meet a stopped loop)."""
    await until(lambda: view.run_task is not None)
    assert view.run_task is not None
    await view.run_task


def type_limit(qtbot: Any, view: EvaluationWidget, count: int) -> None:
    """Tick "Only the first" and type ``count`` into its box."""
    if not view.test_set.limit_check.isChecked():
        click(qtbot, view.test_set.limit_check)
    spin = view.test_set.limit_spin
    qtbot.keyClick(spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin, str(count))
    assert spin.value() == count


def test_cost_line_appears_with_a_test_set_and_follows_the_limit_models_and_max_tokens(
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    view = open_evaluation(qtbot, window)
    assert view.choose_models([MINI])
    assert settled(qasync_loop, view) == ""
    assert not view.estimate.isVisibleTo(view)  # no test set yet: no line

    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 40))
    text = settled(qasync_loop, view)

    assert view.estimate.isVisibleTo(view)
    assert text.startswith("Estimated cost: ")
    assert f"({MINI} " in text and "— 40 prompts to 1 model" in text
    assert "answers assumed as long as the expected ones." in text
    assert text.endswith("Demo connection: simulated, nothing is charged.")
    estimate = view.estimate.estimate
    assert estimate is not None and estimate.examples == 40
    panel = window.playground_tab.settings_panel
    expected = estimate_evaluation(
        with_system_prompt(view.test_set.examples, panel.system_prompt),
        [MINI],
        context_of(window).catalog,
        panel.read()[0],
    )
    assert estimate == expected  # counted in chunks off the GUI thread, same figures

    type_limit(qtbot, view, 10)
    text = settled(qasync_loop, view)
    assert "— 10 prompts to 1 model" in text
    assert view.estimate.estimate is not None
    assert view.estimate.estimate.models[0].prompt_tokens < estimate.models[0].prompt_tokens

    assert view.choose_models([MINI, NANO])
    text = settled(qasync_loop, view)
    two = view.estimate.estimate
    assert two is not None and [m.model for m in two.models] == [MINI, NANO]
    assert f"({MINI} " in text and f" · {NANO} " in text and "10 prompts to 2 models" in text
    assert two.total_cost == sum((m.cost or Decimal(0) for m in two.models), Decimal(0))

    qtbot.keyClicks(panel.max_tokens_edit, "3")
    text = settled(qasync_loop, view)
    assert "(at most 3 tokens each)" in text
    capped = view.estimate.estimate
    assert capped is not None and all(m.output_tokens <= 3 * 10 for m in capped.models)

    qtbot.keyClicks(panel.system_edit, "You answer for the shop.")  # sent with every prompt
    settled(qasync_loop, view)
    instructed = view.estimate.estimate
    assert instructed is not None
    assert instructed.models[0].prompt_tokens > capped.models[0].prompt_tokens + 10 * 5


def test_cost_line_names_the_model_whose_price_is_unknown_when_the_catalog_has_none(
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    window.playground_tab.open_model(UNPRICED)  # e.g. opened from the Jobs tab
    view = open_evaluation(qtbot, window)
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 5))

    assert view.choose_models([MINI, UNPRICED])
    text = settled(qasync_loop, view)

    # gpt-4o-mini's share of 5 short prompts is under a cent: the total is unknown.
    assert text.startswith(f"Estimated cost: unknown ({MINI} less than $0.01 · ")
    assert f"{UNPRICED} price unknown: about " in text and " tokens sent and " in text
    assert "5 prompts to 2 models" in text


def test_demo_run_never_asks_about_the_cost_when_the_estimate_is_over_the_limit(
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    monkeypatch.setattr(evaluation_estimate, "CONFIRM_ABOVE", Decimal(0))
    view = open_evaluation(qtbot, window)
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 4))
    assert view.choose_models([MINI])

    click(qtbot, view.run_button)  # at once, before the line is even worked out
    task = view.run_task
    assert task is not None, view.status_label.text()
    run(qasync_loop, task)

    assert confirm_answers.questions == []
    assert chat_models(emulator) == [MINI] * 4
    assert "simulated, nothing is charged" in settled(qasync_loop, view)


def test_run_on_a_real_connection_asks_first_when_over_the_limit_and_no_sends_nothing(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    monkeypatch: pytest.MonkeyPatch,
    shown_errors: Any,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(evaluation_estimate, "CONFIRM_ABOVE", Decimal("0.000001"))
    window = open_real_connection(make_window, qasync_loop, emulator)
    view = open_evaluation(qtbot, window)
    assert "Demo" not in view.windowTitle()
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 6))
    assert view.choose_models([MINI, NANO])
    text = settled(qasync_loop, view)
    assert text.startswith("Estimated cost: ") and "simulated" not in text
    emulator.requests.clear()

    confirm_answers.answer = False
    click(qtbot, view.run_button)

    assert view.run_task is None
    assert len(confirm_answers.questions) == 1
    question = confirm_answers.questions[0]
    assert question == "This evaluation may cost less than $0.01 (6 prompts to 2 models). Run it?"
    assert view.status_label.text() == NOT_RUN
    run(qasync_loop, until(lambda: not view.estimate.pending))
    assert chat_models(emulator) == []
    assert not any(r.path.endswith("/chat/completions") for r in emulator.requests)

    confirm_answers.answer = True
    click(qtbot, view.run_button)
    task = view.run_task
    assert task is not None, view.status_label.text()
    run(qasync_loop, task, 60)

    assert len(confirm_answers.questions) == 2  # asked once per Run
    assert sorted(chat_models(emulator)) == sorted([MINI, NANO] * 6)
    assert view.status_label.text().startswith("Finished: 12 answers")
    assert shown_errors == []


def test_run_clicked_before_the_estimate_is_known_waits_for_it_then_asks_once(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(evaluation_estimate, "CONFIRM_ABOVE", Decimal("0.000001"))
    window = open_real_connection(make_window, qasync_loop, emulator)
    view = open_evaluation(qtbot, window)
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 3))
    assert view.choose_models([MINI])

    click(qtbot, view.run_button)  # the line is still being worked out
    assert view.run_task is None
    assert view.status_label.text() == WAITING_TO_RUN
    assert confirm_answers.questions == []
    run(qasync_loop, started_and_finished(view))

    assert len(confirm_answers.questions) == 1
    assert "(3 prompts to 1 model). Run it?" in confirm_answers.questions[0]
    assert chat_models(emulator) == [MINI] * 3


def test_run_on_a_real_connection_does_not_ask_when_the_estimate_is_under_a_dollar(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    tmp_path: Path,
) -> None:
    window = open_real_connection(make_window, qasync_loop, emulator)
    view = open_evaluation(qtbot, window)
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 3))
    assert view.choose_models([MINI])
    settled(qasync_loop, view)
    estimate = view.estimate.estimate
    assert estimate is not None and estimate.total_cost is not None
    assert estimate.total_cost < evaluation_estimate.CONFIRM_ABOVE == Decimal("1.00")

    click(qtbot, view.run_button)
    task = view.run_task
    assert task is not None, view.status_label.text()
    run(qasync_loop, task)

    assert confirm_answers.questions == []
    assert chat_models(emulator) == [MINI] * 3


def test_run_on_a_real_connection_asks_when_a_models_price_is_unknown_and_no_sends_nothing(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    tmp_path: Path,
) -> None:
    window = open_real_connection(make_window, qasync_loop, emulator)
    window.playground_tab.open_model(UNPRICED)
    view = open_evaluation(qtbot, window)
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 2))
    assert view.choose_models([MINI, UNPRICED])
    settled(qasync_loop, view)
    emulator.requests.clear()
    confirm_answers.answer = False

    click(qtbot, view.run_button)

    (question,) = confirm_answers.questions
    assert question == (
        "This evaluation may cost an unknown amount (2 prompts to 2 models): "
        f"the app does not know the price of {UNPRICED}. Run it?"
    )
    assert view.run_task is None and view.status_label.text() == NOT_RUN
    assert not any(json.loads(r.body).get("model") for r in emulator.requests if r.method == "POST")
