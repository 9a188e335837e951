"""The Datasets tab inside the real main window: panels get the dataset, recent files persist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import WindowFactory
from tests.ui.datasets.dataset_helpers import good_lines, open_file, write_lines
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def test_panels_are_tabs_and_get_the_dataset_when_a_file_is_opened(
    make_window: WindowFactory, qasync_loop: Any, tmp_path: Path, shown_errors: list[Any]
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    window = make_window()
    tab = window.datasets_tab

    open_file(tab, qasync_loop, path)

    titles = [tab.page.tabs.tabText(i).replace("&&", "&") for i in range(tab.page.tabs.count())]
    assert titles[:2] == ["Report", "Browse"]
    assert {"Estimate", "Upload", "Split & export"} <= set(titles)
    assert shown_errors == []


def test_recent_files_are_remembered_when_the_app_opens_again(
    make_window: WindowFactory, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    first = make_window()
    open_file(first.datasets_tab, qasync_loop, path)
    first.close()

    second = make_window()

    model = second.datasets_tab.start_page.recent_model
    assert model.rowCount() == 1 and "train.jsonl" in model.index(0, 0).data()


def test_recheck_with_another_tokenizer_updates_the_report_when_the_estimate_asks(
    make_window: WindowFactory, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_window().datasets_tab
    open_file(tab, qasync_loop, path)

    tab.page.estimate_panel.recheck_requested.emit("cl100k_base")
    assert tab.task is not None
    run(qasync_loop, tab.task)

    assert tab.report is not None and tab.report.encoding_name == "cl100k_base"
