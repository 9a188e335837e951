"""The jobs list: filled from the local record while offline, unknown statuses, the filter."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.core.types import FineTuningJob, JobError
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.jobs.jobs_helpers import click_row, settle, show, table_texts, wait_loaded
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui

NOW = 1_790_000_000


def saved_jobs() -> list[FineTuningJob]:
    return [
        FineTuningJob(
            id="ftjob-old",
            model="gpt-4o-mini-2024-07-18",
            status="succeeded",
            created_at=NOW - 7200,
            finished_at=NOW - 6000,
            training_file="file-1",
            fine_tuned_model="ft:gpt-4o-mini-2024-07-18:demo-org:support:abc",
            trained_tokens=36_000,
            suffix="support",
        ),
        FineTuningJob(
            id="ftjob-failed",
            model="gpt-4.1-mini-2025-04-14",
            status="failed",
            created_at=NOW - 3600,
            finished_at=NOW - 3500,
            training_file="file-2",
            error=JobError(
                "invalid_training_file", "Invalid file format. Line 3: bad", "training_file"
            ),
        ),
        FineTuningJob(
            id="ftjob-strange",
            model="gpt-4o-mini-2024-07-18",
            status="cooling_down",
            created_at=NOW - 60,
            training_file="file-3",
        ),
    ]


def test_list_is_filled_from_saved_jobs_when_the_connection_is_offline(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, shown_errors: list[Any]
) -> None:
    first = make_window()
    context = context_of(first)
    context.jobs_store.save_jobs(context.connection_service.profile.id, saved_jobs())
    first.close()

    window = make_window()  # the Demo points at a port where nothing answers
    show(window)
    tab = window.jobs_tab
    wait_loaded(tab, qtbot)

    assert table_texts(tab.table, 0) == ["cooling_down", "Failed", "Succeeded"]
    assert table_texts(tab.table, 1)[2] == "gpt-4o-mini-2024-07-18"
    assert table_texts(tab.table, 2)[2] == "support"
    assert table_texts(tab.table, 7)[2] == "36,000"
    run(qasync_loop, context_of(window).connection_service.start_check())
    assert "saved on this computer" in tab.message.text()
    assert shown_errors == []


def test_unknown_status_is_shown_as_it_is_when_a_job_reports_one(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot
) -> None:
    first = make_window()
    context = context_of(first)
    context.jobs_store.save_jobs(context.connection_service.profile.id, saved_jobs())
    first.close()
    window = make_window()
    show(window)
    tab = window.jobs_tab
    wait_loaded(tab, qtbot)

    click_row(qtbot, tab.table, 0)
    settle(tab, qasync_loop)

    assert tab.detail.status_badge.text() == "cooling_down"
    assert tab.detail.overview.value("status") == "cooling_down"
    assert tab.detail.cancel_button.isEnabled()  # not finished: it may still be cancelled


def test_filter_shows_only_failed_jobs_when_failed_is_chosen(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot
) -> None:
    first = make_window()
    context = context_of(first)
    context.jobs_store.save_jobs(context.connection_service.profile.id, saved_jobs())
    first.close()
    window = make_window()
    show(window)
    tab = window.jobs_tab
    wait_loaded(tab, qtbot)

    tab.filter_combo.setCurrentIndex(tab.filter_combo.findText("Failed"))

    assert table_texts(tab.table, 0) == ["Failed"]
    click_row(qtbot, tab.table, 0)
    settle(tab, qasync_loop)
    assert tab.detail.overview.failure_box.isVisible()


def test_job_used_by_a_dataset_is_shown_when_the_datasets_tab_asks(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot
) -> None:
    first = make_window()
    context = context_of(first)
    context.jobs_store.save_jobs(context.connection_service.profile.id, saved_jobs())
    first.close()
    window = make_window()
    show(window)
    tab = window.jobs_tab
    wait_loaded(tab, qtbot)
    window.tabs.setCurrentWidget(window.datasets_tab)

    window.datasets_tab.open_job_requested.emit("demo", "ftjob-old")
    settle(tab, qasync_loop)

    assert window.tabs.currentWidget() is tab
    assert tab.detail.job is not None and tab.detail.job.id == "ftjob-old"
    window.datasets_tab.open_job_requested.emit("demo-azure", "ftjob-elsewhere")
    assert "Demo Azure (simulated)" in tab.message.text()
