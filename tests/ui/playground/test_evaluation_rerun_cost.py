"""A saved run's "Run again on another model…" and "Finish this run" say what they may cost
before anything is sent: on a real connection each works out (off the GUI thread) the cost of
exactly the requests it will make and asks, as Run does, when that is high or a price unknown;
No sends nothing. The Demo never asks. On the emulator, through the SDK."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.playground.evaluation import EvalJob, EvalRunStatus
from desktop.core.playground.evaluation_cost import (
    EvaluationEstimate,
    ModelEstimate,
    estimate_jobs,
)
from desktop.core.playground.evaluation_runs import remaining_jobs
from desktop.core.playground.presets import GenerationSettings
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground import evaluation_estimate, evaluation_saved
from desktop.ui.playground.evaluation import EvaluationWidget
from desktop.ui.playground.evaluation_estimate import (
    NOT_RUN,
    WAITING_TO_RUN,
    confirmation_text,
    sent_text,
)
from tests.ui.conftest import ConfirmAnswers, WindowFactory, context_of
from tests.ui.loop_helpers import run, until
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.evaluation_helpers import (
    GONE,
    MINI,
    NANO,
    browse,
    chat_models,
    choice_answers,  # noqa: F401  (fixture)
    click,
    evaluate,
    open_evaluation,
    open_real_connection,
    start,
    when_progress,
    write_test_set,
)

pytestmark = [pytest.mark.gui, pytest.mark.integration]

UNPRICED = "ft:gpt-4o-2024-08-06:acme:support:unpriced1"
"""A fine-tuned gpt-4o: the catalog has no inference price for it."""

TINY = Decimal("0.000001")
"""A confirmation threshold every run is over."""


class EstimateSpy:
    """Records each estimate of a saved run's requests: the jobs, the settings, the thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[tuple[int, str]], GenerationSettings, bool]] = []
        self.estimates: list[EvaluationEstimate] = []

    def __call__(self, jobs: list[EvalJob], *args: Any, **kwargs: Any) -> EvaluationEstimate:
        on_gui_thread = threading.current_thread() is threading.main_thread()
        self.calls.append(([(j.example_index, j.model) for j in jobs], args[2], on_gui_thread))
        estimate = estimate_jobs(jobs, *args, **kwargs)
        self.estimates.append(estimate)
        return estimate


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> EstimateSpy:
    recorder = EstimateSpy()
    monkeypatch.setattr(evaluation_saved, "estimate_jobs", recorder)
    return recorder


def ran(
    qtbot: Any, loop: Any, window: MainWindow, answers: DialogAnswers, path: Path, models: list[str]
) -> EvaluationWidget:
    """Open Evaluate…, browse for ``path``, wait for the cost line, run ``models`` to the end."""
    view = open_evaluation(qtbot, window)
    browse(qtbot, loop, view, answers, path)
    assert view.choose_models(models)
    run(loop, until(lambda: not view.estimate.pending))  # else Run waits for it
    run(loop, start(qtbot, view), 60)
    return view


def chat_posts(emulator: Any) -> int:
    """How many chat completions were asked of the emulator (answered or not)."""
    return sum(1 for r in emulator.requests if r.path.endswith("/chat/completions"))


def click_action(qtbot: Any, loop: Any, view: EvaluationWidget, button: Any) -> None:
    """Click a saved run's action and wait until its cost check (and run, if any) ends."""
    click(qtbot, button)
    assert view.status_label.text() == WAITING_TO_RUN
    assert not view.run_button.isEnabled() and not view.runs.again_button.isEnabled()
    task = view.action_task
    assert task is not None, view.status_label.text()
    run(loop, task, 60)


def test_run_again_on_a_real_connection_asks_the_new_models_cost_and_no_sends_nothing(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    choice_answers: list[str | None],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    spy: EstimateSpy,
    shown_errors: Any,
    tmp_path: Path,
) -> None:
    window = open_real_connection(make_window, qasync_loop, emulator)
    panel = window.playground_tab.settings_panel
    qtbot.keyClicks(panel.max_tokens_edit, "200")
    path = write_test_set(tmp_path / "t.jsonl", 5)
    view = ran(qtbot, qasync_loop, window, dialog_answers, path, [MINI])
    assert confirm_answers.questions == []  # under a dollar: Run did not ask
    store = context_of(window).playground_store
    (earlier,) = store.list_runs()
    qtbot.keyClick(
        panel.max_tokens_edit, Qt.Key.Key_Backspace
    )  # the Playground now says 20: the run keeps 200
    monkeypatch.setattr(evaluation_estimate, "CONFIRM_ABOVE", TINY)
    posted, answered = chat_posts(emulator), len(chat_models(emulator))  # (the log is a copy)

    confirm_answers.answer = False
    choice_answers.append(NANO)
    assert view.runs.select_run(earlier.id)
    click_action(qtbot, qasync_loop, view, view.runs.again_button)

    (jobs, settings, on_gui_thread), *_ = spy.calls
    assert jobs == [(index, NANO) for index in range(5)]  # only the new model's requests
    assert settings.max_tokens == 200 and not on_gui_thread
    assert confirm_answers.questions == [
        "This evaluation may cost less than $0.01 (5 prompts to 1 model). Run it?"
    ]
    assert confirm_answers.questions[0] == confirmation_text(spy.estimates[0])
    assert view.status_label.text() == NOT_RUN
    assert chat_posts(emulator) == posted
    assert [r.id for r in store.list_runs()] == [earlier.id]  # no new run either
    assert view.run_button.isEnabled() and view.runs.again_button.isEnabled()

    confirm_answers.answer = True
    choice_answers.append(NANO)
    click_action(qtbot, qasync_loop, view, view.runs.again_button)

    assert len(confirm_answers.questions) == 2
    assert chat_models(emulator)[answered:] == [NANO] * 5  # only the new model is asked
    newest = store.list_runs()[0]
    assert newest.name == f"{earlier.name} + {NANO}" and newest.results == 10
    assert newest.status is EvalRunStatus.FINISHED
    assert view.status_label.text().startswith("Finished: 5 answers")
    assert shown_errors == []


def test_run_again_asks_under_a_dollar_when_the_new_models_price_is_unknown(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    choice_answers: list[str | None],  # noqa: F811
    tmp_path: Path,
) -> None:
    window = open_real_connection(make_window, qasync_loop, emulator)
    window.playground_tab.open_model(UNPRICED)
    path = write_test_set(tmp_path / "t.jsonl", 3)
    view = ran(qtbot, qasync_loop, window, dialog_answers, path, [MINI])
    (earlier,) = context_of(window).playground_store.list_runs()
    posted = chat_posts(emulator)  # (the log is a copy: it cannot be cleared)

    confirm_answers.answer = False
    choice_answers.append(UNPRICED)
    assert view.runs.select_run(earlier.id)
    click_action(qtbot, qasync_loop, view, view.runs.again_button)

    assert confirm_answers.questions == [
        "This evaluation may cost an unknown amount (3 prompts to 1 model): "
        f"the app does not know the price of {UNPRICED}. Run it?"
    ]
    assert view.status_label.text() == NOT_RUN
    assert chat_posts(emulator) == posted


def test_finish_on_a_real_connection_asks_the_remaining_answers_cost_and_no_sends_nothing(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    monkeypatch: pytest.MonkeyPatch,
    spy: EstimateSpy,
    shown_errors: Any,
    tmp_path: Path,
) -> None:
    window = open_real_connection(make_window, qasync_loop, emulator)
    view = open_evaluation(qtbot, window)
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 12))
    view.models_box.concurrency_spin.setValue(1)
    assert view.choose_models([MINI, NANO])
    run(qasync_loop, until(lambda: not view.estimate.pending))
    when_progress(view, 5, lambda: click(qtbot, view.cancel_button))  # asked; yes
    run(qasync_loop, start(qtbot, view), 60)
    store = context_of(window).playground_store
    (summary,) = store.list_runs()
    assert summary.status is EvalRunStatus.CANCELLED
    cancelled = store.run(summary.id)
    assert cancelled is not None
    remaining = remaining_jobs(cancelled)
    assert 0 < len(remaining) < 24
    monkeypatch.setattr(evaluation_estimate, "CONFIRM_ABOVE", TINY)
    confirm_answers.questions.clear()
    posted, answered = chat_posts(emulator), len(chat_models(emulator))  # (the log is a copy)

    confirm_answers.answer = False
    assert view.runs.select_run(summary.id)
    click_action(qtbot, qasync_loop, view, view.runs.continue_button)

    ((jobs, settings, on_gui_thread),) = spy.calls
    assert jobs == [(job.example_index, job.model) for job in remaining]
    assert settings == cancelled.settings and not on_gui_thread
    expected = estimate_jobs(
        remaining,
        cancelled.examples,
        context_of(window).catalog,
        cancelled.settings,
        models=cancelled.models,
    )
    assert expected.requests == len(remaining)
    assert confirm_answers.questions == [confirmation_text(expected)]
    assert " to 2 models). Run it?" in confirm_answers.questions[0]
    assert view.status_label.text() == NOT_RUN
    assert chat_posts(emulator) == posted
    kept = store.run(summary.id)  # not marked running, nothing added
    assert kept is not None and kept.status is EvalRunStatus.CANCELLED
    assert len(kept.results) == len(cancelled.results)

    confirm_answers.answer = True
    click_action(qtbot, qasync_loop, view, view.runs.continue_button)

    assert len(confirm_answers.questions) == 2
    assert len(chat_models(emulator)) - answered == len(remaining)
    finished = store.run(summary.id)
    assert finished is not None and finished.status is EvalRunStatus.FINISHED
    assert len(finished.results) == 24
    assert shown_errors == []


def test_the_demo_runs_again_and_finishes_without_asking_about_the_cost(
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: ConfirmAnswers,
    choice_answers: list[str | None],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    spy: EstimateSpy,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    monkeypatch.setattr(evaluation_estimate, "CONFIRM_ABOVE", Decimal(0))
    window.playground_tab.open_model(GONE)  # its answers fail: Finish asks them again
    view = open_evaluation(qtbot, window)
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 3))
    evaluate(qtbot, qasync_loop, view, [MINI, GONE])
    store = context_of(window).playground_store
    (first,) = store.list_runs()
    asked = len(chat_models(emulator))

    assert view.runs.select_run(first.id)
    run(qasync_loop, start(qtbot, view, view.runs.continue_button))  # started at once
    assert view.action_task is not None and view.action_task.done()
    choice_answers.append(NANO)
    assert view.runs.select_run(first.id)
    run(qasync_loop, start(qtbot, view, view.runs.again_button))

    assert confirm_answers.questions == [] and spy.calls == []
    assert chat_models(emulator)[asked:] == [NANO] * 3
    assert len(store.list_runs()) == 2


def test_question_counts_every_prompt_when_the_models_are_asked_different_shares() -> None:
    mini = ModelEstimate(MINI, 1, 40, 10, Decimal("1.50"), None)
    nano = ModelEstimate(NANO, 3, 120, 30, Decimal("0.10"), None)

    assert sent_text(4, [4, 4]) == "4 prompts to 2 models"
    assert sent_text(3, [1, 3]) == "4 prompts in all to 2 models"
    assert confirmation_text(EvaluationEstimate(3, (mini, nano))) == (
        "This evaluation may cost about $1.60 (4 prompts in all to 2 models). Run it?"
    )
