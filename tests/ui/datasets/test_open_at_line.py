"""``DatasetsWidget.open_at_line``: the Jobs tab shows the line a failed job's error names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.datasets.dataset_helpers import good_lines, make_tab, open_file, write_lines
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def test_opens_the_file_and_selects_the_line_in_browse_when_another_file_is_open(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    other = write_lines(tmp_path / "other.jsonl", good_lines(12))
    lines = good_lines(40)
    lines[26] = '{"messages": [{"role": "user", "content": "No reply here"}]}'
    path = write_lines(tmp_path / "train.jsonl", lines)
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, other)

    task = tab.open_at_line(path, 27)
    assert task is not None
    run(qasync_loop, task)

    browse = tab.page.browse_view
    assert tab.path == path and tab.document is not None
    assert tab.page.tabs.currentWidget() is browse
    assert browse.current_row == 26
    assert "Line 27" in browse.example_view.title_label.text()
    assert browse.goto_edit.text() == "27"
    assert shown_errors == []


def test_keeps_the_open_document_and_only_moves_the_selection_when_the_file_is_open(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(30))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    document = tab.document

    task = tab.open_at_line(tmp_path / "." / "train.jsonl", 12)
    assert task is not None
    run(qasync_loop, task)

    assert tab.document is document
    assert tab.page.browse_view.current_row == 11


def test_says_there_is_no_such_line_when_the_file_is_shorter_than_the_line(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)

    task = tab.open_at_line(path, 99)
    assert task is not None
    run(qasync_loop, task)

    assert tab.path == path
    assert "no line 99" in tab.page.browse_view.goto_status.text()
