"""The charts' legends list only the curves that have points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.jobs.metrics import MetricPoint
from desktop.ui.jobs.charts import MetricsChartWidget
from tests.ui.conftest import WindowFactory
from tests.ui.jobs.jobs_helpers import online_window, open_page, select_job, settled
from tests.ui.jobs.test_detail import finished_job
from tests.ui.loop_helpers import run, until

pytestmark = pytest.mark.gui


def test_legend_lists_only_training_when_the_job_had_no_validation_data(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = finished_job(window, qasync_loop, qtbot, emulator, tmp_path / "support.jsonl")
    assert job.validation_file is None
    select_job(tab, qtbot, job.id)
    open_page(tab, qtbot, "Charts")
    run(qasync_loop, settled(tab))

    chart = tab.detail.charts
    assert chart.stack.currentWidget() is chart.plot_area
    assert chart.legend_labels() == {"loss": ["training"], "accuracy": ["training"]}


def test_legend_adds_validation_when_validation_points_arrive(
    qasync_loop: Any, qtbot: QtBot
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    chart = MetricsChartWidget()
    QVBoxLayout(window).addWidget(chart)
    window.resize(600, 500)
    window.show()
    run(qasync_loop, chart.ensure_ready())
    chart.set_points([MetricPoint(step=s, train_loss=1.0 / s, train_accuracy=0.5) for s in (1, 2)])
    assert chart.legend_labels() == {"loss": ["training"], "accuracy": ["training"]}

    chart.add_points([MetricPoint(step=3, train_loss=0.3, valid_loss=0.4, valid_accuracy=0.6)])
    run(qasync_loop, until(lambda: "validation" in chart.legend_labels()["loss"]))

    assert chart.legend_labels() == {
        "loss": ["training", "validation"],
        "accuracy": ["training", "validation"],
    }
    chart.set_points([MetricPoint(step=1, train_loss=0.9)])
    assert chart.legend_labels() == {"loss": ["training"], "accuracy": []}
    chart.close_plots()
