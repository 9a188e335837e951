"""The Playground's Evaluation window on the emulator, through the real SDK: a person opens
Evaluate…, browses for a test set, picks models, clicks Run, pauses, cancels, closes the
window — under a 429 storm and with a model the connection refuses."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from desktop.core.playground.evaluation import EvalRunStatus
from desktop.sandbox import Faults
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.evaluation_results import SIMILARITY_HELP
from tests.ui.conftest import context_of
from tests.ui.loop_helpers import run
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.evaluation_helpers import (
    GONE,
    MINI,
    NANO,
    browse,
    click,
    evaluate,
    open_evaluation,
    ready_to_run,
    settle,
    start,
    until,
    when_progress,
    write_test_set,
)

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def test_fifty_examples_get_every_answer_when_429s_are_injected(
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    shown_errors: Any,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    view = open_evaluation(qtbot, window)
    assert "Demo connection: simulated" in view.windowTitle()
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 50))
    assert "50 examples in t.jsonl." in view.test_set.summary_label.text()
    view.models_box.concurrency_spin.setValue(8)
    emulator.faults = Faults(rate_limit_share=0.3, retry_after=0.01)

    evaluate(qtbot, qasync_loop, view, [MINI, NANO])

    assert any(r.status == 429 for r in emulator.requests), "no 429 was injected"
    model = view.results.model
    assert model.rowCount() == 50
    assert len(model.results) == 100 and not any(r.failed for r in model.results)
    assert view.progress_bar.text() == "100 of 100 answers"
    for row in (0, 49):
        assert model.result(row, MINI) is not None and model.result(row, NANO) is not None
    answer = model.index(0, model.column_of(NANO, "answer")).data()
    assert answer and not answer.startswith("Failed")
    assert model.index(0, model.column_of(MINI, "similarity")).data().endswith(" %")
    summary = view.results.summary_label.text()
    assert f"{MINI}: similarity" in summary and f"{NANO}: similarity" in summary
    assert "In all: 100 of 100 answers" in summary and "simulated" in summary
    assert view.status_label.text().startswith("Finished: 100 answers")
    store = context_of(window).playground_store
    (saved,) = store.list_runs()
    assert saved.status is EvalRunStatus.FINISHED and saved.results == 100
    assert saved.examples == 50 and saved.models == (MINI, NANO)
    assert "finished" in view.runs.texts()[0]
    assert view.results.failures() == []
    assert not view.results.similarity_help.isVisible()
    click(qtbot, view.results.similarity_button)  # the metric is explained in the window
    assert view.results.similarity_help.isVisible()
    assert view.results.similarity_help.text() == SIMILARITY_HELP
    assert "token F1" in SIMILARITY_HELP and "not meaning" in SIMILARITY_HELP
    assert shown_errors == []


def test_a_refused_model_is_listed_as_failures_while_the_other_answers(
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    shown_errors: Any,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    window.playground_tab.open_model(GONE)  # e.g. opened from the Jobs tab, since deleted
    view = open_evaluation(qtbot, window)
    path = write_test_set(tmp_path / "t.jsonl", 6, bad_lines=(2, 5))
    browse(qtbot, qasync_loop, view, dialog_answers, path)
    summary = view.test_set.summary_label.text()
    assert "6 examples in t.jsonl." in summary
    assert "2 lines cannot be evaluated" in summary and "line 2 (" in summary
    assert "line 5 (" in summary

    evaluate(qtbot, qasync_loop, view, [MINI, GONE])

    model = view.results.model
    assert all(not model.result(row, MINI).failed for row in range(6))  # type: ignore[union-attr]
    assert all(model.result(row, GONE).failed for row in range(6))  # type: ignore[union-attr]
    failures = view.results.failures()
    assert len(failures) == 6
    assert failures[0].startswith(f"Example 1 · {GONE}: ")
    assert "no longer exists" in failures[0]
    assert view.results.failures_label.text() == "Failures (6)"
    assert "6 failed" in view.status_label.text()
    assert f"{GONE}: similarity — on average" in view.results.summary_label.text()
    assert shown_errors == []  # failures are listed, never a message box


def test_pause_holds_new_requests_until_resume_then_the_run_finishes(
    qasync_loop: Any, qtbot: Any, dialog_answers: DialogAnswers, tmp_path: Path, window: MainWindow
) -> None:
    path = write_test_set(tmp_path / "t.jsonl", 20)
    view = ready_to_run(qtbot, qasync_loop, window, dialog_answers, path, at_once=2, models=[MINI])
    when_progress(view, 3, lambda: click(qtbot, view.pause_button))
    task = start(qtbot, view)

    async def paused() -> int:
        await until(lambda: view.pause_button.text() == "Resume")
        await settle(0.3)  # the two answers in flight arrive, no new request starts
        held = view.progress_bar.value()
        await settle(0.3)
        assert view.progress_bar.value() == held
        return held

    held = run(qasync_loop, paused())
    assert 3 <= held <= 5 and not task.done()
    assert "Paused" in view.status_label.text()
    click(qtbot, view.pause_button)
    run(qasync_loop, task)

    assert view.progress_bar.value() == 20
    assert len(view.results.model.results) == 20
    assert view.pause_button.text() == "Pause" and not view.pause_button.isEnabled()


def test_cancel_asks_then_keeps_the_saved_answers_and_finish_asks_for_the_rest(
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: Any,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    store = context_of(window).playground_store
    path = write_test_set(tmp_path / "t.jsonl", 30)
    view = ready_to_run(qtbot, qasync_loop, window, dialog_answers, path, at_once=1, models=[MINI])
    when_progress(view, 4, lambda: click(qtbot, view.cancel_button))
    run(qasync_loop, start(qtbot, view))

    assert len(confirm_answers.questions) == 1
    assert "stay saved" in confirm_answers.questions[0]
    (summary,) = store.list_runs()
    assert summary.status is EvalRunStatus.CANCELLED
    assert 4 <= summary.results < 30
    assert summary.results == len(view.results.model.results)
    assert view.status_label.text().startswith("Cancelled")
    assert "cancelled" in view.runs.texts()[0]

    view.runs.select_run(summary.id)
    run(qasync_loop, start(qtbot, view, view.runs.continue_button))

    saved = store.run(summary.id)
    assert saved is not None and saved.status is EvalRunStatus.FINISHED
    assert len(saved.results) == 30
    assert sorted(r.example_index for r in saved.results) == list(range(30))


def test_closing_the_window_stops_the_run_and_keeps_it_as_interrupted(
    qasync_loop: Any, qtbot: Any, dialog_answers: DialogAnswers, tmp_path: Path, window: MainWindow
) -> None:
    store = context_of(window).playground_store
    path = write_test_set(tmp_path / "t.jsonl", 30)
    view = ready_to_run(qtbot, qasync_loop, window, dialog_answers, path, at_once=1, models=[MINI])
    when_progress(view, 3, view.close)
    task = start(qtbot, view)
    run(qasync_loop, task)

    assert not view.isVisible()
    (summary,) = store.list_runs()
    assert summary.status is EvalRunStatus.RUNNING  # never finished: interrupted
    assert 3 <= summary.results < 30
    view = open_evaluation(qtbot, window)
    assert "interrupted" in view.runs.texts()[0]
    assert view.runs.select_run(summary.id)
    click(qtbot, view.runs.open_button)
    assert len(view.results.model.results) == summary.results
    assert "interrupted" in view.results.title_label.text()


def test_closing_the_main_window_stops_a_running_evaluation_and_keeps_its_answers(
    qasync_loop: Any, qtbot: Any, dialog_answers: DialogAnswers, tmp_path: Path, window: MainWindow
) -> None:
    store = context_of(window).playground_store
    path = write_test_set(tmp_path / "t.jsonl", 40)
    view = ready_to_run(qtbot, qasync_loop, window, dialog_answers, path, at_once=1, models=[MINI])
    task = start(qtbot, view)
    run(qasync_loop, until(lambda: view.progress_bar.value() >= 2))

    window.close()  # PlaygroundWidget.shutdown stops the evaluation too
    run(qasync_loop, asyncio.gather(task, return_exceptions=True))

    assert task.done() and view.run_task is None
    (summary,) = store.list_runs()
    assert summary.status is EvalRunStatus.RUNNING  # shows as interrupted
    assert 2 <= summary.results < 40


def test_only_the_first_examples_are_asked_when_limited_and_run_says_what_is_missing(
    qasync_loop: Any, qtbot: Any, dialog_answers: DialogAnswers, tmp_path: Path, window: MainWindow
) -> None:
    view = open_evaluation(qtbot, window)
    assert view.choose_models([MINI])
    click(qtbot, view.run_button)
    assert view.run_task is None
    assert view.status_label.text().startswith("Choose a test set first")
    browse(qtbot, qasync_loop, view, dialog_answers, write_test_set(tmp_path / "t.jsonl", 20))
    click(qtbot, view.test_set.limit_check)
    view.test_set.limit_spin.setValue(5)

    evaluate(qtbot, qasync_loop, view, [MINI, MINI])  # the same model twice is refused
    assert view.status_label.text().startswith("Each model can be chosen only once")
    evaluate(qtbot, qasync_loop, view, [MINI])

    assert view.results.model.rowCount() == 5
    assert view.progress_bar.text() == "5 of 5 answers"
