"""The Playground's Compare view on the emulator, through the real SDK: a person opens
Compare…, picks models, types, clicks Send, votes blind and exports the votes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.dataset import check_file
from desktop.ui.common.main_window import MainWindow
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.loop_helpers import close_and_wait, run, until
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.helpers import (
    BIG,
    GONE,
    MINI,
    MINI_41,
    NANO,
    click,
    compare_and_wait,
    open_compare,
    open_playground,
    start_slow_round,
)
from tests.ui.playground.test_playground import (
    slow_emulator,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def test_three_models_answer_side_by_side_when_one_is_refused(
    qasync_loop: Any, qtbot: Any, shown_errors: Any, window: MainWindow
) -> None:
    window.playground_tab.open_model(GONE)  # e.g. opened from the Jobs tab, since deleted
    view = open_compare(qtbot, window)

    compare_and_wait(qtbot, qasync_loop, view, [MINI, GONE, BIG], "What are your opening hours?")

    columns = view.columns[:3]
    assert [c.title_label.text() for c in columns] == [
        f"Answer A: {MINI}",
        f"Answer B: {GONE}",
        f"Answer C: {BIG}",
    ]
    for column in (columns[0], columns[2]):
        assert "opening hours" in column.answer
        footer = column.footer.text()
        assert "input tokens" in footer and "output tokens" in footer
        assert "first token" in footer and "total" in footer
    failed = columns[1]
    assert "no longer exists" in failed.answer
    assert failed.footer.text().startswith("Failed:")
    assert "2 of 3 answered; 1 failed" in view.info_label.text()
    assert not view.columns[3].isVisible()
    assert view.send_button.isEnabled() and not view.stop_button.isEnabled()
    assert shown_errors == []  # a failed column is shown in its column, not in a message box


def test_blind_vote_hides_names_until_voting_then_reveals_and_stores_the_vote(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    store = context_of(window).playground_store
    view = open_compare(qtbot, window)
    click(qtbot, view.blind_check)
    assert view.blind_check.isChecked()

    compare_and_wait(qtbot, qasync_loop, view, [MINI, BIG, NANO], "How do I reset my password?")

    columns = view.columns[:3]
    assert [c.title_label.text() for c in columns] == ["Answer A", "Answer B", "Answer C"]
    assert sorted(c.model for c in columns) == sorted([MINI, BIG, NANO])
    assert all(c.vote_button.isEnabled() for c in columns)
    assert store.votes() == []

    click(qtbot, columns[1].vote_button)

    assert [c.title_label.text() for c in columns] == [
        f"Answer {letter}: {c.model}" for letter, c in zip("ABC", columns, strict=True)
    ]
    assert not any(c.vote_button.isEnabled() for c in columns)
    votes = store.votes()
    assert len(votes) == 1
    vote = votes[0]
    assert vote.blind and vote.seed is not None
    assert vote.preferred_candidate.model == columns[1].model
    assert vote.preferred_candidate.answer == columns[1].answer
    assert [c.model for c in vote.candidates] == [c.model for c in columns]
    assert any(m.role == "user" and "password" in m.content for m in vote.prompt)
    assert "Vote saved" in view.info_label.text()
    assert view.info_label.text().endswith("1 vote so far.")


def test_votes_export_as_a_dpo_dataset_the_checker_accepts(
    qasync_loop: Any, qtbot: Any, dialog_answers: DialogAnswers, tmp_path: Path, window: MainWindow
) -> None:
    # Four blind votes among four models: 3 preference lines each, 12 in all (the checker
    # wants at least 10 examples).
    view = open_compare(qtbot, window)
    click(qtbot, view.blind_check)
    questions = ["Where is my order?", "Can I pay by card?", "Do you ship abroad?", "Hi!"]
    preferred: list[str] = []
    for question in questions:
        view.message_edit.clear()
        compare_and_wait(qtbot, qasync_loop, view, [MINI, BIG, NANO, MINI_41], question)
        click(qtbot, view.columns[0].vote_button)
        preferred.append(view.columns[0].answer)
    target = tmp_path / "votes.jsonl"
    dialog_answers.paths.append(target)

    click(qtbot, view.export_button)

    assert dialog_answers.asked == ["Export votes as DPO dataset"]
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    assert "Wrote 12 lines" in view.info_label.text()
    records = [json.loads(line) for line in lines]
    assert {r["preferred_output"][0]["content"] for r in records} == set(preferred)
    assert all(
        r["preferred_output"][0]["content"] != r["non_preferred_output"][0]["content"]
        for r in records
    )
    report = check_file(target, encoding_name="o200k_base", context_limit=None)
    assert report.error_count == 0, report.issues
    assert report.lines == 12
    # The file opens in the Datasets tab, which checks it.
    assert "It is open in the Datasets tab" in view.info_label.text()
    assert window.tabs.currentWidget() is window.datasets_tab
    assert window.tab_links is not None and window.tab_links.dataset_task is not None
    run(qasync_loop, window.tab_links.dataset_task)
    datasets = window.datasets_tab
    assert datasets.path == target and datasets.report is not None
    assert datasets.report.error_count == 0
    assert datasets.document is not None and datasets.document.row_count == 12


def test_stop_stops_every_column_and_keeps_what_arrived(
    make_window: WindowFactory,
    slow_emulator: Any,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
) -> None:
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    view = open_compare(qtbot, window)
    task = start_slow_round(qtbot, qasync_loop, view, "How do I reset my password?")

    click(qtbot, view.stop_button)
    run(qasync_loop, task)

    for column in view.columns[:2]:
        assert column.answer
        assert "stopped" in column.footer.text()
    assert view.send_button.isEnabled()


def test_export_says_so_when_there_are_no_votes(
    qtbot: Any, dialog_answers: DialogAnswers, window: MainWindow
) -> None:
    view = open_compare(qtbot, window)

    click(qtbot, view.export_button)

    assert dialog_answers.asked == []
    assert "No votes to export yet" in view.info_label.text()


def test_failed_answer_cannot_win_a_blind_vote_and_is_left_out_of_it(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    store = context_of(window).playground_store
    window.playground_tab.open_model(GONE)
    view = open_compare(qtbot, window)
    click(qtbot, view.blind_check)

    compare_and_wait(qtbot, qasync_loop, view, [MINI, GONE, BIG], "Can I change my address?")

    columns = view.columns[:3]
    failed = next(c for c in columns if c.model == GONE)
    answered = [c for c in columns if c.model != GONE]
    assert failed.title_label.text().startswith("Answer ") and GONE not in failed.title_label.text()
    assert not failed.vote_button.isEnabled()
    assert all(c.vote_button.isEnabled() for c in answered)

    click(qtbot, answered[-1].vote_button)

    assert GONE in failed.title_label.text()  # revealed with the others
    (vote,) = store.votes()
    assert [c.model for c in vote.candidates] == [c.model for c in answered]
    assert vote.preferred_candidate.model == answered[-1].model


def test_send_asks_for_models_and_a_message_first(qtbot: Any, window: MainWindow) -> None:
    view = open_compare(qtbot, window)

    click(qtbot, view.send_button)
    assert view.compare_task is None
    assert "Choose a model for every column" in view.info_label.text()

    assert view.choose_models([MINI, BIG])
    click(qtbot, view.send_button)
    assert view.compare_task is None
    assert "Write a message first" in view.info_label.text()


def test_closing_the_window_while_comparing_stops_every_column(
    make_window: WindowFactory,
    slow_emulator: Any,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
) -> None:
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    view = open_compare(qtbot, window)
    task = start_slow_round(qtbot, qasync_loop, view, "How do I reset my password?")

    run(qasync_loop, close_and_wait(window, task))

    assert task.done()
    assert view.compare_task is None


def test_ctrl_enter_sends_to_every_model_and_the_playground_model_comes_first(
    qasync_loop: Any, qtbot: Any, window: MainWindow
) -> None:
    assert window.playground_tab.select_model(BIG)
    view = open_compare(qtbot, window)
    assert view.chosen_models()[0] == BIG
    view.model_combos[1].setCurrentIndex(window.playground_tab.picker.choices.row_of(MINI))
    qtbot.keyClicks(view.message_edit, "Do you ship abroad?")

    qtbot.keyClick(view.message_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    task = view.compare_task
    assert task is not None, "Ctrl+Enter did not send"
    run(qasync_loop, task)
    assert [c.title_label.text() for c in view.columns[:2]] == [
        f"Answer A: {BIG}",
        f"Answer B: {MINI}",
    ]
    assert all("ship abroad" in c.answer for c in view.columns[:2])


def test_closing_the_compare_window_stops_its_answers(
    make_window: WindowFactory,
    slow_emulator: Any,  # noqa: F811
    qasync_loop: Any,
    qtbot: Any,
) -> None:
    window = open_playground(make_window, qasync_loop, slow_emulator.base_url)
    view = open_compare(qtbot, window)
    assert view.choose_models([MINI, BIG])
    qtbot.keyClicks(view.message_edit, "Tell me about refunds")
    click(qtbot, view.send_button)
    task = view.compare_task
    assert task is not None
    run(qasync_loop, until(lambda: all(c.answer for c in view.columns[:2])))

    view.close()
    run(qasync_loop, task)

    assert all("stopped" in c.footer.text() for c in view.columns[:2])
    assert window.playground_tab.open_compare() is view  # reopens as it was left
    assert view.send_button.isEnabled()
