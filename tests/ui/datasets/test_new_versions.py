"""Conversions and fixes always write a new file next to the original and open it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.ui.datasets.import_wizard import ImportWizardDialog
from tests.ui.datasets.dataset_helpers import (
    chat_line,
    good_lines,
    make_tab,
    open_file,
    write_lines,
)
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def test_import_wizard_converts_csv_and_opens_it_when_columns_are_mapped(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    rows = ["Frage,Antwort,Notes"] + [f"Question {i}?,Answer {i}.,n{i}" for i in range(1, 13)]
    table = tmp_path / "faq.csv"
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    original = table.read_bytes()
    tab = make_tab(qtbot)

    open_file(tab, qasync_loop, table)  # reads the preview, then opens the wizard
    dialog = tab.import_dialog
    assert isinstance(dialog, ImportWizardDialog) and dialog.isVisible()
    assert dialog.user_combo.currentText() == "Frage"  # guessed from the name
    dialog.assistant_combo.setCurrentText("Notes")
    dialog.assistant_combo.setCurrentText("Antwort")
    qtbot.keyClicks(dialog.system_prompt_edit, "Be brief.")
    preview = dialog.preview_edit.toPlainText()
    assert "Question 1?" in preview and "Answer 1." in preview and "Be brief." in preview
    dialog.convert_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    converted = tmp_path / "faq.jsonl"
    assert tab.path == converted
    first = json.loads(converted.read_text(encoding="utf-8").splitlines()[0])
    assert first["messages"][0] == {"role": "system", "content": "Be brief."}
    assert tab.report is not None and tab.report.stats.examples == 12
    assert "faq.jsonl" in tab.page.notice_label.text()
    assert table.read_bytes() == original
    assert shown_errors == []


def test_legacy_file_is_converted_to_a_new_chat_file_when_asked(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    lines = [json.dumps({"prompt": f"Q{i} ->", "completion": f" A{i}\n"}) for i in range(12)]
    legacy = write_lines(tmp_path / "old.jsonl", lines)
    original = legacy.read_bytes()
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, legacy)
    report = tab.page.report_view
    assert not report.legacy_banner.isHidden()

    report.convert_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.path == tmp_path / "old.chat.jsonl"
    assert tab.report is not None and tab.report.format == "chat"
    assert report.legacy_banner.isHidden()
    assert legacy.read_bytes() == original


def test_fix_writes_a_new_version_and_leaves_the_original_when_clicked(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    lines = good_lines(12)
    lines.insert(3, "")
    lines.insert(7, "   ")
    path = write_lines(tmp_path / "train.jsonl", lines)
    original = path.read_bytes()
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    button = tab.page.report_view.fix_buttons[next(iter(tab.page.report_view.fix_buttons))]
    assert button.text() == "Drop empty lines" and button.isEnabled()

    button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    fixed = tmp_path / "train.fixed.jsonl"
    assert tab.path == fixed
    assert len(fixed.read_text(encoding="utf-8").splitlines()) == 12
    assert tab.report is not None and tab.report.error_count == 0
    assert path.read_bytes() == original


def test_second_fix_gets_a_numbered_name_when_the_fixed_file_exists(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    lines = [*good_lines(11), chat_line("  padded  ", "  reply  ")]
    path = write_lines(tmp_path / "train.jsonl", lines)
    (tmp_path / "train.fixed.jsonl").write_text("keep me\n", encoding="utf-8")
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)

    tab.page.report_view.fix_buttons[list(tab.page.report_view.fix_buttons)[1]].click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.path == tmp_path / "train.fixed-2.jsonl"
    assert '"padded"' in tab.path.read_text(encoding="utf-8")
    assert (tmp_path / "train.fixed.jsonl").read_text(encoding="utf-8") == "keep me\n"


def test_import_wizard_reads_the_chosen_sheet_when_a_workbook_has_several(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Nothing", "here"])
    faq = book.create_sheet("FAQ")
    faq.append(["Question", "Answer", "Tone"])
    for i in range(1, 12):
        faq.append([f"Q{i}?", f"A{i}.", "Be kind."])
    faq.append(["Q without answer", None, None])
    table = tmp_path / "book.xlsx"
    book.save(table)
    tab = make_tab(qtbot)

    open_file(tab, qasync_loop, table)
    dialog = tab.import_dialog
    assert dialog.mapping() is None  # the first sheet has no matching columns
    dialog.sheet_combo.setCurrentText("FAQ")
    assert (dialog.user_combo.currentText(), dialog.assistant_combo.currentText()) == (
        "Question",
        "Answer",
    )
    dialog.system_combo.setCurrentText("Tone")
    assert "System: Be kind." in dialog.preview_edit.toPlainText()
    dialog.convert_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.path == tmp_path / "book.jsonl"
    assert tab.report is not None and tab.report.stats.examples == 11
    assert "1 row(s) skipped" in tab.page.notice_label.text()
    assert shown_errors == []
