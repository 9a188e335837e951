""" "Used by jobs" on the dataset page: the jobs the app's local record links to the open file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.jobs.records import JobOrigin
from desktop.core.types import FineTuningJob
from desktop.storage.database import Database
from desktop.storage.jobs_store import JobsStore
from desktop.ui.datasets.widget import DatasetsWidget
from tests.ui.datasets.dataset_helpers import good_lines, open_file, write_lines

pytestmark = pytest.mark.gui


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobsStore]:
    database = Database(tmp_path / "app.sqlite3")
    yield JobsStore(database)
    database.close()


def finished_job(job_id: str, *, created_at: int) -> FineTuningJob:
    return FineTuningJob(
        id=job_id,
        model="gpt-4o-mini-2024-07-18",
        status="succeeded",
        created_at=created_at,
        training_file=f"file-{job_id}",
        fine_tuned_model=f"ft:gpt-4o-mini-2024-07-18:acme::{job_id}",
    )


def make_tab(qtbot: Any, store: JobsStore) -> DatasetsWidget:
    tab = DatasetsWidget(jobs_store=store)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    return tab


def record_job(store: JobsStore, path: Path, job_id: str, *, created_at: int) -> None:
    store.save_jobs("demo", [finished_job(job_id, created_at=created_at)])
    store.record_origin(JobOrigin("demo", job_id, dataset_path=str(path), dataset_name=path.name))


def test_lists_the_jobs_trained_on_the_file_newest_first_when_it_is_opened(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, store: JobsStore
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    record_job(store, path, "ftjob-old", created_at=1_700_000_000)
    record_job(store, path, "ftjob-new", created_at=1_700_100_000)
    record_job(store, tmp_path / "other.jsonl", "ftjob-other", created_at=1_700_200_000)
    tab = make_tab(qtbot, store)

    open_file(tab, qasync_loop, path)

    used_by = tab.page.used_by
    model = used_by.model
    assert used_by.isVisibleTo(tab)
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "ftjob-new",
        "ftjob-old",
    ]
    row = [model.index(0, column).data() for column in range(model.columnCount())]
    assert row[1] == "gpt-4o-mini-2024-07-18"
    assert row[2] == "Succeeded"
    assert row[3] == "ft:gpt-4o-mini-2024-07-18:acme::ftjob-new"


def test_stays_hidden_when_no_job_used_the_file(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, store: JobsStore
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot, store)

    open_file(tab, qasync_loop, path)

    assert not tab.page.used_by.isVisibleTo(tab)


def test_asks_to_show_the_job_when_a_job_is_double_clicked(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, store: JobsStore
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    record_job(store, path, "ftjob-1", created_at=1_700_000_000)
    tab = make_tab(qtbot, store)
    tab.show()
    open_file(tab, qasync_loop, path)
    table = tab.page.used_by.table
    rect = table.visualRect(table.model().index(0, 0))
    asked: list[tuple[str, str]] = []
    tab.open_job_requested.connect(lambda profile, job: asked.append((profile, job)))

    # Qt emits doubleClicked for the row the press landed on: press, then double-click.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert asked == [("demo", "ftjob-1")]


def test_lists_a_job_started_meanwhile_when_the_tab_is_shown_again(
    qtbot: Any, qasync_loop: Any, tmp_path: Path, store: JobsStore
) -> None:
    path = write_lines(tmp_path / "train.jsonl", good_lines(12))
    tab = make_tab(qtbot, store)
    tab.show()
    open_file(tab, qasync_loop, path)
    tab.hide()

    record_job(store, path, "ftjob-1", created_at=1_700_000_000)
    tab.show()

    assert tab.page.used_by.isVisibleTo(tab)
    assert tab.page.used_by.model.rowCount() == 1
