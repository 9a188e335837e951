""" "Try the sample dataset" on the start page opens an editable copy, never the shipped file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.resources import resource_path
from desktop.ui.datasets.widget import SAMPLE_NAME
from tests.ui.datasets.dataset_helpers import make_tab
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def test_opens_a_checked_copy_in_the_app_data_folder_when_the_sample_button_is_clicked(
    qtbot: Any, qasync_loop: Any, isolated_home: Path, shown_errors: list[Any]
) -> None:
    shipped = resource_path("samples", SAMPLE_NAME)
    shipped_bytes = shipped.read_bytes()
    tab = make_tab(qtbot)

    qtbot.mouseClick(tab.start_page.sample_button, Qt.MouseButton.LeftButton)
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.path is not None and tab.path != shipped
    assert tab.path.is_relative_to(isolated_home)
    assert tab.path.read_bytes() == shipped_bytes
    assert tab.document is not None and tab.stack.currentWidget() is tab.page
    assert tab.report is not None and tab.report.error_count == 0
    assert shown_errors == []


def test_saves_edits_to_the_copy_and_leaves_the_shipped_sample_alone_when_edited(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    shipped = resource_path("samples", SAMPLE_NAME)
    shipped_bytes = shipped.read_bytes()
    tab = make_tab(qtbot)
    task = tab.open_sample()
    assert task is not None
    run(qasync_loop, task)
    assert tab.document is not None
    rows = tab.document.row_count

    tab.page.browse_view.select_row(0)
    tab.page.browse_view.delete_button.click()
    tab.page.save_button.click()
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.document is not None and tab.document.row_count == rows - 1
    assert shipped.read_bytes() == shipped_bytes
