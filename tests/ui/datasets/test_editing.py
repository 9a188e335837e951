"""Editing examples in the form, undo/redo, save with a backup, and the unsaved-edits question."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.storage.dataset_files import backups_of
from desktop.ui.datasets.edit_form import ExampleEditDialog
from tests.ui.datasets.dataset_helpers import good_lines, make_tab, open_file, write_lines
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def edit_row(qtbot: Any, tab: Any, row: int, new_answer: str) -> None:
    browse = tab.page.browse_view
    tab.page.tabs.setCurrentWidget(browse)
    assert browse.select_row(row)
    browse.edit_button.click()
    dialog = tab.edit_dialog
    assert isinstance(dialog, ExampleEditDialog) and dialog.isVisible()
    answer = dialog.editors[-1]
    assert answer.role_combo.currentText() == "assistant"
    answer.content_edit.selectAll()
    qtbot.keyClicks(answer.content_edit, new_answer)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    tab.activateWindow()
    qtbot.waitActive(tab)


def test_edit_undo_redo_and_save_writes_the_file_and_keeps_a_backup_when_saved(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    original = path.read_bytes()
    tab = make_tab(qtbot)
    tab.show()
    tab.activateWindow()
    qtbot.waitActive(tab)  # shortcuts only work in the active window
    open_file(tab, qasync_loop, path)
    model = tab.page.browse_view.model

    edit_row(qtbot, tab, 2, "A better answer.")
    assert model.index(2, 2).data() == "A better answer."
    assert tab.has_unsaved_edits and tab.page.save_button.isEnabled()
    qtbot.keyClick(tab.page.browse_view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert model.index(2, 2).data() == "Answer 3."
    assert not tab.has_unsaved_edits
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tab.page.browse_view.table, Qt.Key.Key_Z, mods)
    assert model.index(2, 2).data() == "A better answer."

    tab.page.save_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    saved = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(saved[2])["messages"][-1]["content"] == "A better answer."
    backups = backups_of(path)
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert not tab.has_unsaved_edits and not tab.page.save_button.isEnabled()
    assert tab.report is not None and tab.report.stats.examples == 12
    assert shown_errors == []


def test_add_duplicate_and_delete_change_rows_and_undo_restores_them_when_clicked(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    browse = tab.page.browse_view
    browse.select_row(0)

    browse.duplicate_button.click()
    assert browse.model.rowCount() == 13 and browse.model.index(1, 2).data() == "Answer 1."
    browse.delete_button.click()
    assert browse.model.rowCount() == 12
    browse.add_button.click()
    dialog = tab.edit_dialog
    qtbot.keyClicks(dialog.editors[0].content_edit, "New question")
    qtbot.keyClicks(dialog.editors[1].content_edit, "New answer")
    dialog.editors[1].weight_check.click()  # not trained on: weight 0
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    added = browse.current_row
    assert added is not None and browse.model.index(added, 2).data() == "New answer"
    assert json.loads(tab.document.read_row(added))["messages"][1]["weight"] == 0
    while tab.undo_stack.canUndo():
        tab.undo_stack.undo()
    assert not tab.has_unsaved_edits and browse.model.rowCount() == 12


def test_opening_another_file_asks_first_when_edits_are_unsaved(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, confirm_answers: Any
) -> None:
    first = write_lines(tmp_path / "a.jsonl", good_lines(12))
    second = write_lines(tmp_path / "b.jsonl", good_lines(10))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, first)
    tab.page.browse_view.select_row(0)
    tab.page.browse_view.delete_button.click()

    confirm_answers.answer = False
    assert tab.open_path(second) is None
    confirm_answers.answer = True
    open_file(tab, qasync_loop, second)

    assert len(confirm_answers.questions) == 2
    assert "a.jsonl" in confirm_answers.questions[0]
    assert tab.path == second


def test_changed_file_shows_the_reload_banner_when_written_by_another_program(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)

    write_lines(path, good_lines(14))
    tab._on_watch_timeout()  # the periodic check, without waiting for the timer
    assert not tab.page.changed_banner.isHidden()
    tab.page.reload_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.page.changed_banner.isHidden()
    assert tab.page.browse_view.model.rowCount() == 14


def test_failed_save_keeps_the_file_and_the_edits_when_the_disk_is_full(
    qtbot: Any,
    qasync_loop: Any,
    tmp_path: Path,
    shown_errors: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno

    from desktop.storage import dataset_files

    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    original = path.read_bytes()
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    tab.page.browse_view.select_row(0)
    tab.page.browse_view.delete_button.click()

    def full_disk(dst: Path, chunks: Any, **_kwargs: Any) -> None:
        for _ in chunks:
            raise dataset_files.save_error(dst, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(dataset_files, "write_atomically", full_disk)
    tab.page.save_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert len(shown_errors) == 1
    assert "full" in shown_errors[0].message and "train.jsonl" in shown_errors[0].message
    assert path.read_bytes() == original
    assert tab.has_unsaved_edits and tab.page.browse_view.model.rowCount() == 11


def test_closing_the_window_asks_first_when_dataset_edits_are_unsaved(
    make_window: Any, qasync_loop: Any, tmp_path: Path, confirm_answers: Any
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    window = make_window()
    tab = window.datasets_tab
    open_file(tab, qasync_loop, path)
    tab.page.browse_view.select_row(0)
    tab.page.browse_view.delete_button.click()
    window.show()

    confirm_answers.answer = False
    window.close()
    assert window.isVisible()
    confirm_answers.answer = True
    window.close()

    assert not window.isVisible()
    assert len(confirm_answers.questions) == 2


def test_problem_markers_wait_for_a_save_when_rows_have_moved(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    lines = good_lines(12)
    lines[5] = '{"messages": []}'
    path = write_lines(tmp_path / "train.jsonl", lines)
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    browse = tab.page.browse_view
    assert browse.model.index(5, 4).data() != ""
    browse.select_row(0)

    browse.delete_button.click()
    assert [browse.model.index(r, 4).data() for r in range(11)] == [""] * 11
    assert "save" in tab.page.info_label.text().lower()
    tab.undo_stack.undo()

    assert browse.model.index(5, 4).data() != ""


def test_save_as_writes_a_new_file_and_keeps_the_original_when_a_name_is_chosen(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui.datasets import widget as widget_module

    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    original = path.read_bytes()
    copy = tmp_path / "train-v2.jsonl"
    monkeypatch.setattr(widget_module, "ask_save_path", lambda _parent, _current: copy)
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    tab.page.browse_view.select_row(0)
    tab.page.browse_view.delete_button.click()

    tab.page.save_as_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert path.read_bytes() == original
    assert len(copy.read_text(encoding="utf-8").splitlines()) == 11
    assert tab.path == copy and not tab.has_unsaved_edits
    assert tab.recent.paths()[0] == copy


def test_rows_cut_off_on_disk_show_a_reload_hint_when_the_file_shrinks_in_place(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    with path.open("r+b") as handle:
        handle.truncate(100)  # another program cuts the file short, same inode

    text = tab.page.browse_view.model.index(11, 1).data()
    tab._on_watch_timeout()

    assert "reload" in text
    assert not tab.page.changed_banner.isHidden()
    assert shown_errors == []


def test_delete_key_removes_the_selected_example_when_the_table_has_focus(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)
    tab.show()
    tab.activateWindow()
    qtbot.waitActive(tab)
    open_file(tab, qasync_loop, path)
    browse = tab.page.browse_view
    tab.page.tabs.setCurrentWidget(browse)
    browse.select_row(3)
    browse.table.setFocus()

    qtbot.keyClick(browse.table, Qt.Key.Key_Delete)

    assert browse.model.rowCount() == 11
    assert browse.model.index(3, 2).data() == "Answer 5."


def test_cancel_after_the_file_was_written_reopens_the_saved_file_when_saving(
    qtbot: Any,
    qasync_loop: Any,
    tmp_path: Path,
    shown_errors: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.core.errors import OperationCancelledError
    from desktop.storage import dataset_files

    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    tab.page.browse_view.select_row(0)
    tab.page.browse_view.delete_button.click()

    class CancelledReopen:
        @staticmethod
        def open(*_args: Any, **_kwargs: Any) -> Any:
            raise OperationCancelledError("cancelled while re-opening")

    monkeypatch.setattr(dataset_files, "DatasetDocument", CancelledReopen)
    tab.page.save_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert len(path.read_text(encoding="utf-8").splitlines()) == 11
    assert tab.document is not None and tab.document.row_count == 11
    assert tab.page.browse_view.model.index(0, 2).data() == "Answer 2."
    assert not tab.has_unsaved_edits and shown_errors == []
