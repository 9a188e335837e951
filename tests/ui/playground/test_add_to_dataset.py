"""Add to dataset on the emulator, through the real SDK: a person chats, presses "Add to
dataset…" on the reply, corrects it, picks a dataset and presses Add."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.dataset import check_file
from desktop.ui.common.main_window import MainWindow
from desktop.ui.playground.add_to_dataset_dialog import NEW_FILE, AddToDatasetDialog
from tests.ui.loop_helpers import run, until
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.helpers import click
from tests.ui.playground.test_playground import type_and_send

pytestmark = [pytest.mark.gui, pytest.mark.integration]

QUESTION = "How do I reset my password?"
CORRECTED = "Open Settings, choose Security, then press Reset password."


def write_dataset(path: Path, count: int = 10) -> Path:
    """A valid chat dataset of ``count`` examples (the checker wants at least 10)."""
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "You are a helpful support agent."},
                    {"role": "user", "content": f"Question {n}?"},
                    {"role": "assistant", "content": f"Answer {n}."},
                ]
            }
        )
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def open_in_datasets(loop: Any, window: MainWindow, path: Path) -> None:
    task = window.datasets_tab.open_path(path)
    assert task is not None
    run(loop, task)
    assert window.datasets_tab.document is not None


def chat_and_open_dialog(qtbot: Any, loop: Any, window: MainWindow) -> AddToDatasetDialog:
    """Send a question, then press the reply's "Add to dataset…" and wait for the check."""
    playground = window.playground_tab
    run(loop, type_and_send(qtbot, playground, QUESTION))
    reply = playground.transcript.turn_widgets[-1]
    assert reply.add_to_dataset_button is not None
    click(qtbot, reply.add_to_dataset_button)
    dialog = playground.add_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.isModal() or dialog.windowModality() == Qt.WindowModality.WindowModal
    run(loop, until(lambda: not dialog.check_pending))
    return dialog


def correct_reply(qtbot: Any, loop: Any, dialog: AddToDatasetDialog, text: str) -> None:
    dialog.reply_edit.selectAll()
    qtbot.keyClick(dialog.reply_edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(dialog.reply_edit, text)
    run(loop, until(lambda: not dialog.check_pending))


def press_add(qtbot: Any, loop: Any, dialog: AddToDatasetDialog, window: MainWindow) -> None:
    """Click Add and wait, on the running loop, for the write and the Datasets tab's re-read
    it starts (a task must not be left to run while the loop is stopped)."""
    links = window.tab_links
    assert links is not None
    before = links.dataset_task

    async def add() -> None:
        click(qtbot, dialog.add_button)
        if dialog.add_task is None:
            return
        await dialog.add_task
        reload = links.dataset_task
        if reload is not None and reload is not before:
            await reload

    run(loop, add())


def test_corrected_reply_is_appended_to_the_dataset_and_shown_in_the_datasets_tab(
    qasync_loop: Any, qtbot: Any, tmp_path: Path, window: MainWindow
) -> None:
    dataset = write_dataset(tmp_path / "customer-support.jsonl")
    open_in_datasets(qasync_loop, window, dataset)
    window.tabs.setCurrentWidget(window.playground_tab)

    dialog = chat_and_open_dialog(qtbot, qasync_loop, window)

    assert QUESTION in dialog.conversation_view.toPlainText()
    assert "password" in dialog.reply_edit.toPlainText()  # the model's reply, to correct
    assert dialog.target == dataset  # the dataset opened last comes first
    correct_reply(qtbot, qasync_loop, dialog, CORRECTED)
    assert dialog.add_button.isEnabled(), dialog.check_label.text()

    press_add(qtbot, qasync_loop, dialog, window)

    assert dialog.result_label.text() == "Added as example 11 of customer-support.jsonl."
    lines = dataset.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 11
    added = json.loads(lines[-1])["messages"]
    assert [m["role"] for m in added] == ["user", "assistant"]
    assert added[0]["content"] == QUESTION and added[1]["content"] == CORRECTED
    report = check_file(dataset, encoding_name="o200k_base", context_limit=None)
    assert report.error_count == 0, report.issues
    # The Datasets tab had the file open without edits: it read it again.
    assert window.datasets_tab.document is not None
    assert window.datasets_tab.document.row_count == 11

    assert dialog.show_button.isVisible()
    click(qtbot, dialog.show_button)
    assert window.tabs.currentWidget() is window.datasets_tab
    assert not dialog.isVisible()


def test_add_stays_disabled_and_says_why_when_the_corrected_reply_is_empty(
    qasync_loop: Any, qtbot: Any, tmp_path: Path, window: MainWindow
) -> None:
    dataset = write_dataset(tmp_path / "customer-support.jsonl")
    open_in_datasets(qasync_loop, window, dataset)
    before = dataset.read_bytes()
    dialog = chat_and_open_dialog(qtbot, qasync_loop, window)
    assert dialog.add_button.isEnabled()

    correct_reply(qtbot, qasync_loop, dialog, "")

    assert not dialog.add_button.isEnabled()
    assert "The reply to keep is empty. Write the reply the model should learn." in (
        dialog.check_label.text()
    )
    assert dialog.add() is None
    assert dataset.read_bytes() == before


def test_example_joins_the_open_document_as_an_unsaved_edit_when_it_has_unsaved_edits(
    qasync_loop: Any,
    qtbot: Any,
    tmp_path: Path,
    confirm_answers: Any,  # closing the window discards the edits
    window: MainWindow,
) -> None:
    dataset = write_dataset(tmp_path / "customer-support.jsonl")
    open_in_datasets(qasync_loop, window, dataset)
    tab = window.datasets_tab
    tab.page.browse_view.delete_requested.emit(0)  # the user deleted an example, not saved
    assert tab.has_unsaved_edits
    before = dataset.read_bytes()

    dialog = chat_and_open_dialog(qtbot, qasync_loop, window)
    assert "customer-support.jsonl has unsaved changes in the Datasets tab" in (
        dialog.check_label.text()
    )
    click(qtbot, dialog.add_button)

    assert dialog.add_task is None  # nothing is written to disk
    assert dataset.read_bytes() == before
    assert "Added as example 10 of customer-support.jsonl in the Datasets tab" in (
        dialog.result_label.text()
    )
    assert "save the file there" in dialog.result_label.text()
    document = tab.document
    assert document is not None and document.row_count == 10
    assert json.loads(document.read_row(9))["messages"][0]["content"] == QUESTION
    tab.undo_stack.undo()  # the added example is an ordinary, undoable edit
    assert document.row_count == 9


def test_failed_write_leaves_the_dataset_intact_and_says_so(
    qasync_loop: Any,
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    window: MainWindow,
) -> None:
    folder = tmp_path / "datasets"
    folder.mkdir()
    dataset = write_dataset(folder / "customer-support.jsonl")
    open_in_datasets(qasync_loop, window, dataset)
    before = dataset.read_bytes()
    dialog = chat_and_open_dialog(qtbot, qasync_loop, window)
    real_replace = os.replace

    def full_disk(src: Any, dst: Any) -> None:
        if Path(dst) == dataset:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk)
    press_add(qtbot, qasync_loop, dialog, window)
    monkeypatch.undo()

    message = dialog.result_label.text()
    assert message.startswith("Nothing was added to customer-support.jsonl. The disk is full")
    assert "unchanged" in message
    assert dataset.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == ["customer-support.jsonl"]
    assert dialog.add_button.isEnabled()  # free some space and press Add again
    assert not dialog.show_button.isVisible()


def test_new_dataset_file_is_created_when_chosen_for_the_whole_conversation(
    qasync_loop: Any, qtbot: Any, tmp_path: Path, dialog_answers: DialogAnswers, window: MainWindow
) -> None:
    playground = window.playground_tab
    run(qasync_loop, type_and_send(qtbot, playground, QUESTION))
    dialog = playground.open_add_to_dataset()  # the "Add to dataset…" button's action
    assert dialog is not None
    assert dialog.target is None  # no dataset opened yet: nothing to suggest
    run(qasync_loop, until(lambda: not dialog.check_pending))
    assert not dialog.add_button.isEnabled()
    assert "Choose the dataset" in dialog.check_label.text()
    target = tmp_path / "from-chats.jsonl"
    dialog_answers.paths.append(target)

    dialog.target_combo.setCurrentIndex(dialog.target_combo.findText(NEW_FILE))
    run(qasync_loop, until(lambda: not dialog.check_pending))

    assert dialog_answers.asked == ["New dataset file"]
    assert dialog.target == target
    press_add(qtbot, qasync_loop, dialog, window)
    assert dialog.result_label.text() == "Added as example 1 of from-chats.jsonl."
    (line,) = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["messages"][0]["content"] == QUESTION


def test_there_is_nothing_to_add_before_the_first_reply(window: MainWindow) -> None:
    playground = window.playground_tab

    assert playground.open_add_to_dataset() is None
    assert "no reply to add yet" in playground.info_label.text()
