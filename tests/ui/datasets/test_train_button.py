"""'Train a model…' on a dataset asks the window to start a job with the saved file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.datasets.dataset_helpers import good_lines, make_tab, open_file, write_lines
from tests.ui.datasets.test_editing import edit_row

pytestmark = pytest.mark.gui


def test_train_button_asks_to_train_on_the_open_file_when_it_is_saved(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)
    open_file(tab, qasync_loop, path)
    asked: list[object] = []
    tab.train_requested.connect(asked.append)

    assert tab.page.train_button.isEnabled()
    qtbot.mouseClick(tab.page.train_button, Qt.MouseButton.LeftButton)

    assert asked == [path]


def test_train_button_waits_for_a_save_when_edits_are_unsaved(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot)
    tab.show()
    tab.activateWindow()
    qtbot.waitActive(tab)
    open_file(tab, qasync_loop, path)

    edit_row(qtbot, tab, 2, "A better answer.")

    assert not tab.page.train_button.isEnabled()
    assert "Save your edits first" in tab.page.train_button.toolTip()
