"""A missing chart library (a broken installation) leaves a message, not a crash."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.ui.jobs import charts
from tests.ui.conftest import WindowFactory
from tests.ui.jobs.jobs_helpers import online_window, open_page, select_job, settled
from tests.ui.jobs.test_detail import finished_job
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def test_charts_page_explains_when_the_chart_library_cannot_be_imported(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shown_errors: Any,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = finished_job(window, qasync_loop, qtbot, emulator, tmp_path / "support.jsonl")
    monkeypatch.setattr(charts, "_plotting", None)
    monkeypatch.setitem(sys.modules, "pyqtgraph", None)  # import raises ImportError

    select_job(tab, qtbot, job.id)
    open_page(tab, qtbot, "Charts")
    run(qasync_loop, settled(tab))

    chart = tab.detail.charts
    assert chart.stack.currentWidget() is chart.message
    assert "chart library" in chart.message.text()
    assert "Checkpoints" in chart.message.text()
    assert shown_errors == []
