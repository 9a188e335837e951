"""Split/export panel: counts shown before splitting, files written, overwrite asked, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.core.dataset import DatasetReport, check_file
from desktop.ui.datasets.panels import SplitExportPanel
from tests.api.support import write_training_file
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def _checked(path: Path) -> DatasetReport:
    return check_file(path, encoding_name="o200k_base", context_limit=65536)


def _panel(qtbot: Any, path: Path) -> SplitExportPanel:
    panel = SplitExportPanel()
    qtbot.addWidget(panel)
    panel.set_dataset(path, _checked(path))
    return panel


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_split_writes_training_and_validation_files_with_the_counts_shown(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=40, name="support.jsonl")
    with path.open("a") as extra:
        extra.write("\n")  # an empty line is left out
    panel = _panel(qtbot, path)
    created: list[Path] = []
    panel.dataset_created.connect(created.append)

    panel.ratio_spin.lineEdit().selectAll()
    qtbot.keyClicks(panel.ratio_spin, "25")
    assert "30 training examples → support.train.jsonl" in panel.counts_label.text()
    assert "10 validation examples → support.valid.jsonl" in panel.counts_label.text()
    qtbot.mouseClick(panel.split_button, Qt.MouseButton.LeftButton)
    run(qasync_loop, panel.work_task)  # type: ignore[arg-type]

    training = tmp_path / "support.train.jsonl"
    validation = tmp_path / "support.valid.jsonl"
    assert created == [training]
    assert (len(_lines(training)), len(_lines(validation))) == (30, 10)
    assert sorted(_lines(training) + _lines(validation)) == sorted(
        line for line in _lines(path) if line
    )
    assert panel.progress_bar.value() == panel.progress_bar.maximum()


def test_same_seed_gives_the_same_split_and_another_seed_a_different_one(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, confirm_answers: Any
) -> None:
    path = write_training_file(tmp_path, examples=40)
    panel = _panel(qtbot, path)
    validation = tmp_path / "train.valid.jsonl"

    def split() -> list[str]:
        qtbot.mouseClick(panel.split_button, Qt.MouseButton.LeftButton)
        run(qasync_loop, panel.work_task)  # type: ignore[arg-type]
        return _lines(validation)

    first = split()
    assert split() == first
    panel.seed_spin.lineEdit().selectAll()
    qtbot.keyClicks(panel.seed_spin, "7")
    assert split() != first


def test_split_asks_before_replacing_and_keeps_files_when_declined(
    qtbot: Any, tmp_path: Path, confirm_answers: Any
) -> None:
    path = write_training_file(tmp_path, examples=20)
    (tmp_path / "train.train.jsonl").write_text("mine\n")
    panel = _panel(qtbot, path)
    confirm_answers.answer = False

    qtbot.mouseClick(panel.split_button, Qt.MouseButton.LeftButton)

    assert panel.work_task is None
    assert "train.train.jsonl already exists" in confirm_answers.questions[0]
    assert (tmp_path / "train.train.jsonl").read_text() == "mine\n"
    assert not (tmp_path / "train.valid.jsonl").exists()


def test_export_leaves_out_lines_with_errors_when_exporting_valid_examples(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)
    with path.open("a") as broken:
        broken.write("{not json\n")
        broken.write(json.dumps({"messages": [{"role": "user", "content": "no reply"}]}) + "\n")
    panel = _panel(qtbot, path)
    target = tmp_path / "clean.jsonl"
    asked: list[Path] = []

    def choose(_parent: QWidget, suggested: Path) -> Path:
        asked.append(suggested)
        return target

    panel.choose_export_path = choose
    created: list[Path] = []
    panel.dataset_created.connect(created.append)

    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    run(qasync_loop, panel.work_task)  # type: ignore[arg-type]

    assert asked == [tmp_path / "train.valid-only.jsonl"]
    assert created == [target]
    assert len(_lines(target)) == 12
    assert "Wrote 12 examples" in panel.status_label.text()
    assert "left out 2 line(s)" in panel.status_label.text()


def test_cancel_writes_nothing_when_clicked_before_the_worker_runs(
    qtbot: Any, qasync_loop: Any, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=20)
    panel = _panel(qtbot, path)

    qtbot.mouseClick(panel.split_button, Qt.MouseButton.LeftButton)
    task = panel.work_task
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    run(qasync_loop, task)  # type: ignore[arg-type]

    assert panel.status_label.text() == "Cancelled. No file was written."
    assert not (tmp_path / "train.train.jsonl").exists()
    assert not (tmp_path / "train.valid.jsonl").exists()


def test_counts_warn_that_lines_with_errors_are_split_too_when_the_file_has_errors(
    qtbot: Any, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=19)
    with path.open("a") as broken:
        broken.write("{not json\n")

    panel = _panel(qtbot, path)

    assert "18 training examples" in panel.counts_label.text()
    assert "Lines with errors are split too" in panel.counts_label.text()
