"""Cancel (with confirmation), a failed job explained with the jump to its line, checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import ConfirmAnswers, WindowFactory
from tests.ui.jobs.jobs_helpers import (
    click,
    online_window,
    open_page,
    refresh,
    run_scenario,
    select_job,
    settled,
    start_job,
    table_texts,
    wait_status,
    wait_until_finished,
    write_training_file,
)

pytestmark = pytest.mark.gui


def test_cancel_asks_first_and_stops_the_job_when_confirmed(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    confirm_answers: ConfirmAnswers,
    shown_errors: list[Any],
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        click(qtbot, tab.detail.cancel_button)
        await settled(tab)
        await wait_until_finished(tab, job.id)

    run_scenario(qasync_loop, tab, scenario())

    assert len(confirm_answers.questions) == 1
    assert "cannot be resumed" in confirm_answers.questions[0]
    assert tab.detail.status_badge.text() == "Cancelled"
    assert table_texts(tab.table, 0) == ["Cancelled"]
    assert not tab.detail.cancel_button.isEnabled()
    assert tab.notifier.history[-1].startswith("Fine-tuning cancelled: ")
    assert shown_errors == []


def test_cancel_does_nothing_when_the_user_says_no(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    confirm_answers: ConfirmAnswers,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))
    confirm_answers.answer = False

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        click(qtbot, tab.detail.cancel_button)
        await settled(tab)

    run_scenario(qasync_loop, tab, scenario())

    assert confirm_answers.questions
    assert not [r for r in emulator.requests if r.path.endswith("/cancel")]
    assert tab.detail.action_task is None


def test_failed_job_explains_the_error_and_opens_the_line_when_clicked(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    training = write_training_file(tmp_path / "broken.jsonl", 12, bad_line=3)
    job = start_job(window, qasync_loop, training)
    opened: list[tuple[Path, int]] = []
    tab.open_dataset_line_requested.connect(lambda path, line: opened.append((path, line)))

    overview = tab.detail.overview

    async def scenario() -> None:
        await refresh(tab, qtbot)
        emulator.advance(600)
        await wait_until_finished(tab, job.id)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        assert tab.detail.status_badge.text() == "Failed"
        assert overview.failure_box.isVisible()
        assert "line 3" in overview.failure_what.text().lower()
        assert overview.failure_todo.text()
        assert overview.open_line_button.text() == "Open line 3 in Datasets"
        click(qtbot, overview.open_line_button)
        assert window.open_line_task is not None
        await window.open_line_task

    run_scenario(qasync_loop, tab, scenario())

    assert opened == [(training, 3)]
    datasets = window.datasets_tab
    assert window.tabs.currentWidget() is datasets
    assert datasets.path == training


def test_checkpoints_flag_overfitting_and_recommend_the_best_when_validation_loss_rises(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    training = write_training_file(tmp_path / "train.jsonl", 30)
    validation = write_training_file(tmp_path / "valid.jsonl", 10)
    job = start_job(window, qasync_loop, training, validation=validation, n_epochs=5)

    async def scenario() -> None:
        await refresh(tab, qtbot)
        emulator.advance(600)
        await wait_until_finished(tab, job.id)
        select_job(tab, qtbot, job.id)
        open_page(tab, qtbot, "Checkpoints")
        await settled(tab)

    run_scenario(qasync_loop, tab, scenario())
    view = tab.detail.checkpoints
    advice = view.advice

    assert advice is not None and advice.overfitting and advice.recommended is not None
    assert "over-fitting" in view.advice_label.text()
    selected = view.selected_checkpoint()
    assert selected is not None and selected.id == advice.recommended.id
    assert view.model.rowCount() >= 2
    click(qtbot, view.open_checkpoint_button)
    assert window.tabs.currentWidget() is window.playground_tab
    assert (
        advice.recommended.fine_tuned_model_checkpoint
        in window.playground_tab.model_combo.currentText()
    )


def test_pause_then_resume_when_the_job_runs(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    shown_errors: list[Any],
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))
    detail = tab.detail
    seen: list[str] = []

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        await wait_status(tab, job.id, "running")
        click(qtbot, detail.pause_button)
        await settled(tab)
        seen.append(detail.status_badge.text())
        assert detail.resume_button.isVisible() and not detail.pause_button.isVisible()
        click(qtbot, detail.resume_button)
        await settled(tab)
        seen.append(detail.status_badge.text())
        await wait_until_finished(tab, job.id)

    run_scenario(qasync_loop, tab, scenario())

    assert seen == ["Paused", "Training"]
    assert detail.status_badge.text() == "Succeeded"
    assert shown_errors == []
