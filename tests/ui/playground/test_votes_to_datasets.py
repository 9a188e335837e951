"""Blind votes exported as a DPO dataset end in the Datasets tab: the file opens there and is
checked; exporting again to the same file adds only the new votes (emulator, real SDK)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.ui.common.main_window import MainWindow
from tests.ui.loop_helpers import run
from tests.ui.playground.conftest import DialogAnswers
from tests.ui.playground.helpers import (
    BIG,
    MINI,
    click,
    compare_and_wait,
    open_compare,
)

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def test_exporting_again_to_the_same_file_adds_only_the_new_votes(
    qasync_loop: Any, qtbot: Any, dialog_answers: DialogAnswers, tmp_path: Path, window: MainWindow
) -> None:
    links = window.tab_links
    assert links is not None
    view = open_compare(qtbot, window)
    click(qtbot, view.blind_check)
    compare_and_wait(qtbot, qasync_loop, view, [MINI, BIG], "Where is my order?")
    click(qtbot, view.columns[0].vote_button)
    target = tmp_path / "votes.jsonl"
    dialog_answers.paths.append(target)

    click(qtbot, view.export_button)

    assert view.info_label.text().startswith(f"Wrote 1 line of preference data to {target}.")
    assert window.tabs.currentWidget() is window.datasets_tab
    assert links.dataset_task is not None
    run(qasync_loop, links.dataset_task)
    datasets = window.datasets_tab
    assert datasets.path == target and datasets.report is not None
    assert datasets.report.format == "dpo"

    view.message_edit.clear()
    compare_and_wait(qtbot, qasync_loop, view, [MINI, BIG], "Can I pay by card?")
    click(qtbot, view.columns[1].vote_button)
    dialog_answers.paths.append(target)
    first = links.dataset_task

    click(qtbot, view.export_button)

    assert view.info_label.text().startswith(
        f"Added 1 line of preference data to {target} (1 line was there already)."
    )
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and lines[0] != lines[1]
    assert all("preferred_output" in json.loads(line) for line in lines)
    # The Datasets tab had the file open, unedited: it reads it again.
    assert links.dataset_task is not None and links.dataset_task is not first
    run(qasync_loop, links.dataset_task)
    assert datasets.document is not None and datasets.document.row_count == 2
