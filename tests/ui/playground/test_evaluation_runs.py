"""The Evaluation window's saved runs and exports on the emulator, through the real SDK: a run
reopened in a new window (and with its model gone), run again on another model, renamed,
deleted, exported as CSV and XLSX; and the newcomer's path from a fine-tuned model."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openai
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PySide6.QtCore import Qt

from desktop.core.jobs.records import JobOrigin
from desktop.core.playground.evaluation import EvalRunStatus
from desktop.ui.common.main_window import MainWindow
from tests.sandbox.data import FINISH, start_job, upload
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import run
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.evaluation_helpers import (
    MINI,
    NANO,
    chat_models,
    choice_answers,  # noqa: F401  (fixture)
    click,
    evaluated,
    open_evaluation,
    start,
    write_test_set,
)
from tests.ui.playground.helpers import open_playground

pytestmark = [pytest.mark.gui, pytest.mark.integration]

UNREACHABLE = "http://127.0.0.1:9/v1"
"""A Demo address nothing answers on: the connection lists no model at all."""


def test_a_saved_run_reopens_in_a_new_window_when_its_models_are_gone(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    path = write_test_set(tmp_path / "t.jsonl", 5)
    results = evaluated(qtbot, qasync_loop, window, dialog_answers, path, [MINI, NANO]).results
    earlier = {(r.example_index, r.model): r.answer for r in results.model.results}
    window.close()

    reopened = make_window(demo_url=UNREACHABLE)  # the same database; no model is listed
    reopened.tabs.setCurrentWidget(reopened.playground_tab)
    assert reopened.playground_tab.picker.choices.rowCount() == 0
    view = open_evaluation(qtbot, reopened)
    (line,) = view.runs.texts()
    assert "t.jsonl" in line and f"{MINI}, {NANO}" in line and "5 examples" in line
    assert "10 answers" in line and "finished" in line
    assert view.runs.select_run(context_of(reopened).playground_store.list_runs()[0].id)
    click(qtbot, view.runs.open_button)

    model = view.results.model
    assert model.rowCount() == 5 and model.models == [MINI, NANO]
    shown = {(r.example_index, r.model): r.answer for r in model.results}
    assert shown == earlier
    assert model.index(0, model.column_of(MINI, "answer")).data()
    assert "In all: 10 of 10 answers" in view.results.summary_label.text()
    assert "finished" in view.results.title_label.text()


def test_run_again_on_another_model_shows_the_earlier_answers_next_to_the_new_ones(
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    choice_answers: list[str | None],  # noqa: F811
    tmp_path: Path,
    window: MainWindow,
) -> None:
    path = write_test_set(tmp_path / "t.jsonl", 5)
    view = evaluated(qtbot, qasync_loop, window, dialog_answers, path, [MINI])
    store = context_of(window).playground_store
    (earlier,) = store.list_runs()
    before = {r.example_index: r.answer for r in view.results.model.results}
    asked_before = len(chat_models(emulator))
    choice_answers.append(NANO)

    assert view.runs.select_run(earlier.id)
    run(qasync_loop, start(qtbot, view, view.runs.again_button))

    assert chat_models(emulator)[asked_before:] == [NANO] * 5  # only the new model is asked
    model = view.results.model
    assert model.models == [MINI, NANO]
    header = model.headerData(model.column_of(MINI, "answer"), Qt.Orientation.Horizontal)
    assert "(earlier run)" in header
    assert {r.example_index: r.answer for r in model.results if r.model == MINI} == before
    assert len([r for r in model.results if r.model == NANO and not r.failed]) == 5
    summary = view.results.summary_label.text()
    assert f"{MINI}: similarity" in summary and f"{NANO}: similarity" in summary
    runs = store.list_runs()
    assert len(runs) == 2
    newest = runs[0]
    assert newest.name == f"{earlier.name} + {NANO}" and newest.results == 10
    assert newest.status is EvalRunStatus.FINISHED
    kept = store.run(earlier.id)  # the earlier run stays as it was
    assert kept is not None and kept.models == (MINI,) and len(kept.results) == 5


def test_a_run_is_renamed_and_deleted_after_asking(
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    confirm_answers: Any,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    path = write_test_set(tmp_path / "t.jsonl", 3)
    view = evaluated(qtbot, qasync_loop, window, dialog_answers, path, [MINI])
    store = context_of(window).playground_store
    (summary,) = store.list_runs()
    dialog_answers.texts.append("Support answers, November")
    view.runs.select_run(summary.id)
    click(qtbot, view.runs.rename_button)
    assert store.list_runs()[0].name == "Support answers, November"
    assert view.runs.texts()[0].startswith("Support answers, November\n")

    confirm_answers.answer = False
    view.runs.select_run(summary.id)
    click(qtbot, view.runs.delete_button)
    assert len(store.list_runs()) == 1  # the user said no
    confirm_answers.answer = True
    click(qtbot, view.runs.delete_button)
    assert store.list_runs() == [] and view.runs.texts() == []
    assert "3 saved answers" in confirm_answers.questions[-1]
    assert view.results.model.rowCount() == 0


def test_results_export_as_csv_and_as_an_excel_workbook(
    qasync_loop: Any,
    qtbot: Any,
    dialog_answers: DialogAnswers,
    shown_errors: Any,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    path = write_test_set(tmp_path / "t.jsonl", 4)
    pane = evaluated(qtbot, qasync_loop, window, dialog_answers, path, [MINI, NANO]).results
    answer = pane.model.result(0, NANO).answer

    dialog_answers.paths.append(tmp_path / "results")  # the suffix is added
    click(qtbot, pane.export_csv_button)
    assert pane.export_task is not None
    run(qasync_loop, pane.export_task)
    with (tmp_path / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0][:4] == ["example", "prompt", "reference", f"{MINI}: answer"]
    assert len(table) == 5
    assert table[1][1] == "What is the opening time of shop 1?"
    assert table[1][2] == "Shop 1 opens at nine."

    dialog_answers.paths.append(tmp_path / "results.xlsx")
    click(qtbot, pane.export_xlsx_button)
    assert pane.export_task is not None
    run(qasync_loop, pane.export_task)
    sheet = load_workbook(tmp_path / "results.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["example", "prompt", "reference"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.max_row == 5
    assert sheet.cell(row=2, column=1).value == 1
    assert sheet.cell(row=2, column=header.index(f"{NANO}: answer") + 1).value == answer
    similarity = sheet.cell(row=2, column=header.index(f"{NANO}: similarity") + 1).value
    assert isinstance(similarity, float) and 0 <= similarity <= 1
    words = sheet.cell(row=2, column=header.index(f"{NANO}: words") + 1).value
    assert isinstance(words, int) and words > 0
    assert "Saved 4 rows" in pane.export_label.text()
    assert shown_errors == []


def train_with_validation(emulator: Any, validation: Path) -> tuple[str, str]:
    """A job with a validation file, run to the end; returns (job id, fine-tuned model)."""
    with openai.OpenAI(base_url=emulator.base_url, api_key="sk-test", max_retries=0) as sdk:
        valid_id = upload(sdk, validation.read_bytes(), name=validation.name)
        job_id = start_job(sdk, suffix="support", validation_file=valid_id)
        emulator.advance(FINISH)
        name = sdk.fine_tuning.jobs.retrieve(job_id).fine_tuned_model
    assert name is not None
    return job_id, name


@pytest.mark.parametrize("local", [True, False], ids=["local file", "downloaded"])
def test_a_fine_tuned_model_is_evaluated_with_its_base_model_on_its_validation_split(
    make_window: WindowFactory,
    emulator: Any,
    qasync_loop: Any,
    qtbot: Any,
    shown_errors: Any,
    tmp_path: Path,
    local: bool,
) -> None:
    validation = write_test_set(tmp_path / "valid.jsonl", 6)
    job_id, tuned = train_with_validation(emulator, validation)
    window = open_playground(make_window, qasync_loop, emulator.base_url)
    context = context_of(window)
    if local:  # the job was started from this computer: its validation file is known
        context.jobs_store.record_origin(
            JobOrigin(
                profile_id=context.connection_service.profile.id,
                job_id=job_id,
                validation_path=str(validation),
            )
        )
    playground = window.playground_tab
    assert playground.select_model(tuned)

    view = open_evaluation(qtbot, window)

    assert view.chosen_models() == [MINI, tuned]
    source = view.test_set.source_combo.currentText()
    assert source.startswith(f"Validation file of the job that made {tuned}")
    assert ("downloaded" in source) is not local
    assert view.test_set.load_task is not None
    run(qasync_loop, view.test_set.load_task)
    assert view.test_set.summary_label.text().startswith("6 examples in ")
    run(qasync_loop, start(qtbot, view))
    model = view.results.model
    assert len([r for r in model.results if not r.failed]) == 12
    assert view.status_label.text().startswith("Finished: 12 answers")
    assert shown_errors == []
