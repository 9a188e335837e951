"""'Only examples with problems' says so when the report lists only the first problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.dataset.worker import ISSUES_KEPT_PER_CODE
from tests.ui.datasets.dataset_helpers import good_lines, make_tab, open_file, write_lines

pytestmark = pytest.mark.gui


def show_problems_only(qtbot: Any, tab: Any) -> Any:
    browse = tab.page.browse_view
    tab.page.tabs.setCurrentWidget(browse)
    qtbot.mouseClick(browse.problems_only_check, Qt.MouseButton.LeftButton)
    assert browse.problems_only_check.isChecked()
    return browse


def test_problems_filter_explains_it_is_partial_when_the_report_kept_only_some(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    blank_lines = [""] * (ISSUES_KEPT_PER_CODE + 10)
    path = write_lines(tmp_path / "gappy.jsonl", good_lines(6) + blank_lines + good_lines(12)[6:])
    tab = make_tab(qtbot)
    tab.show()
    open_file(tab, qasync_loop, path)

    browse = show_problems_only(qtbot, tab)

    assert browse.problems_note.isVisibleTo(browse)
    assert "first ones of each kind" in browse.problems_note.text()
    assert browse.model.rowCount() == ISSUES_KEPT_PER_CODE


def test_problems_filter_has_no_note_when_every_problem_is_listed(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", [*good_lines(12), ""])
    tab = make_tab(qtbot)
    tab.show()
    open_file(tab, qasync_loop, path)

    browse = show_problems_only(qtbot, tab)

    assert not browse.problems_note.isVisibleTo(browse)
    assert browse.model.rowCount() == 1
