"""Upload panel and remote files against the emulator: refuse, progress, resume, cancel, delete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.api.clients import client_factory
from desktop.api.openai_provider import OpenAIProvider
from desktop.api.provider import UploadProgress
from desktop.core.connections import ConnectionProfile, demo_profile
from desktop.core.dataset import DatasetReport, check_file
from desktop.core.types import RemoteFile
from desktop.sandbox import Faults
from desktop.storage.database import Database
from desktop.storage.keychain import Keychain
from desktop.storage.profiles import ProfileStore
from desktop.ui.common.connection_service import ConnectionService
from desktop.ui.datasets.panels import RemoteFilesWidget, UploadPanel
from tests.api.support import write_training_file
from tests.ui.conftest import context_of
from tests.ui.loop_helpers import next_emission, run

pytestmark = [pytest.mark.gui, pytest.mark.integration]

PART_SIZE = 1000


class SmallPartsConnection:
    """A ``ConnectionHolder`` whose provider sends 1 KB parts, one at a time, with no retries.

    Without retries the SDK does not re-send a dropped part itself, so the panel sees the
    interruption and has to resume.
    """

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._provider: OpenAIProvider | None = None

    def switch(
        self, profile: ConnectionProfile, api_key: str | None, base_url: str | None = None
    ) -> None:
        return None

    def provider(self) -> OpenAIProvider:
        if self._provider is None or self._provider.is_closed:
            factory = client_factory(
                demo_profile(), api_key=None, base_url=self._base_url, max_retries=0
            )
            self._provider = OpenAIProvider(
                factory, multipart_threshold=2 * PART_SIZE, part_size=PART_SIZE, parallel_parts=1
            )
        return self._provider

    async def aclose(self) -> None:
        if self._provider is not None:
            await self._provider.aclose()


@pytest.fixture
def small_parts_service(
    qasync_loop: Any, emulator: Any, fake_keyring: Any, tmp_path: Path
) -> Iterator[ConnectionService]:
    database = Database(tmp_path / "app.db")
    service = ConnectionService(
        SmallPartsConnection(emulator.base_url),
        profiles=ProfileStore(database),
        keychain=Keychain(),
        demo_base_url_factory=lambda: emulator.base_url,
    )
    yield service
    run(qasync_loop, service.aclose())
    database.close()


@pytest.fixture
def window_service(make_window: Any, emulator: Any) -> ConnectionService:
    return context_of(make_window(demo_url=emulator.base_url)).connection_service


def _checked(path: Path) -> DatasetReport:
    return check_file(path, encoding_name="o200k_base", context_limit=65536)


def _panel(qtbot: Any, service: ConnectionService, path: Path) -> UploadPanel:
    panel = UploadPanel(service)
    qtbot.addWidget(panel)
    panel.set_dataset(path, _checked(path))
    return panel


def _click(qtbot: Any, button: Any) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_refuses_upload_with_the_reason_when_the_file_has_errors(
    qtbot: Any, window_service: ConnectionService, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)
    with path.open("a") as broken:
        broken.write("{not json\n")
        broken.write(json.dumps({"messages": []}) + "\n")
    panel = _panel(qtbot, window_service, path)

    assert not panel.upload_button.isEnabled()
    assert panel.reason_label.text() == "Fix the 2 errors first — see Report."


def test_uploads_to_the_emulator_with_progress_to_100_percent_and_lists_it(
    qtbot: Any, qasync_loop: Any, window_service: ConnectionService, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)
    panel = _panel(qtbot, window_service, path)
    assert panel.demo_label.isVisibleTo(panel)
    uploaded: list[RemoteFile] = []
    panel.uploaded.connect(uploaded.append)

    _click(qtbot, panel.upload_button)
    run(qasync_loop, panel.upload_task)  # type: ignore[arg-type]

    assert panel.progress_bar.value() == panel.progress_bar.maximum()
    assert panel.last_progress is not None
    assert panel.last_progress.bytes_sent == path.stat().st_size
    (stored,) = uploaded
    assert panel.file_id_edit.text() == stored.id and stored.purpose == "fine-tune"
    assert "simulated" in panel.status_label.text()
    assert panel.copy_button.isEnabled()
    run(qasync_loop, panel.remote_files.refresh_task)  # type: ignore[arg-type]
    assert stored.id in [f.id for f in panel.remote_files.model.files]


def test_resumes_after_a_dropped_connection_sending_only_missing_parts(
    qtbot: Any,
    qasync_loop: Any,
    emulator: Any,
    small_parts_service: ConnectionService,
    tmp_path: Path,
) -> None:
    path = write_training_file(tmp_path, examples=60)
    size = path.stat().st_size
    panel = _panel(qtbot, small_parts_service, path)
    emulator.faults = Faults(drop_upload_parts_after=3)

    _click(qtbot, panel.upload_button)
    run(qasync_loop, panel.upload_task)  # type: ignore[arg-type]

    emulator.faults = Faults()
    state = panel.resume_state
    assert state is not None and state.missing_parts
    assert "Click Resume to send the rest" in panel.status_label.text()
    assert panel.upload_button.text() == "Start over"
    assert panel.resume_button.isVisibleTo(panel)
    before = len(emulator.requests)
    reports: list[UploadProgress] = []
    panel.progressed.connect(reports.append)

    _click(qtbot, panel.resume_button)
    run(qasync_loop, panel.upload_task)  # type: ignore[arg-type]

    resent = [
        r for r in emulator.requests[before:] if r.method == "POST" and r.path.endswith("/parts")
    ]
    assert len(resent) == len(state.missing_parts)
    assert reports[-1].resumed_bytes == state.bytes_on_server
    assert panel.progress_bar.value() == panel.progress_bar.maximum()
    assert panel.resume_state is None and not panel.resume_button.isVisibleTo(panel)

    async def content() -> bytes:
        provider = await small_parts_service.provider()
        return await provider.file_content(panel.file_id_edit.text())

    assert run(qasync_loop, content()) == path.read_bytes()
    assert size > 4 * PART_SIZE


def test_upload_succeeds_after_a_429_when_the_sdk_retries(
    qtbot: Any,
    qasync_loop: Any,
    emulator: Any,
    window_service: ConnectionService,
    tmp_path: Path,
    shown_errors: list[Any],
) -> None:
    path = write_training_file(tmp_path, examples=12)
    panel = _panel(qtbot, window_service, path)
    waits: list[object] = []
    window_service.retrying.connect(waits.append)
    run(qasync_loop, window_service.provider())  # the Demo is set up before the fault is on
    emulator.faults = Faults(rate_limit_first=1, retry_after=0.05)

    _click(qtbot, panel.upload_button)
    run(qasync_loop, panel.upload_task)  # type: ignore[arg-type]

    assert [r.status for r in emulator.requests if r.path.endswith("/files")][:2] == [429, 200]
    assert waits and waits[0] is not None  # the status bar was told about the wait
    assert panel.file_id_edit.text() and not shown_errors


def test_cancel_stops_the_upload_and_cancels_it_on_the_service_when_clicked_mid_upload(
    qtbot: Any,
    qasync_loop: Any,
    emulator: Any,
    small_parts_service: ConnectionService,
    tmp_path: Path,
) -> None:
    path = write_training_file(tmp_path, examples=60)
    panel = _panel(qtbot, small_parts_service, path)
    emulator.faults = Faults(slow_seconds=0.05)
    uploaded: list[RemoteFile] = []
    panel.uploaded.connect(uploaded.append)

    _click(qtbot, panel.upload_button)
    task = panel.upload_task
    assert task is not None
    run(qasync_loop, next_emission(panel.progressed, lambda p: p.bytes_sent > 0))
    _click(qtbot, panel.cancel_button)
    run(qasync_loop, task)

    assert not uploaded and panel.resume_state is None
    assert panel.status_label.text().startswith("Upload cancelled")
    assert panel.upload_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert [r for r in emulator.requests if r.path.endswith("/cancel")]
    assert not [r for r in emulator.requests if r.path.endswith("/complete")]


def test_remote_files_delete_removes_the_file_when_confirmed(
    qtbot: Any,
    qasync_loop: Any,
    window_service: ConnectionService,
    tmp_path: Path,
    confirm_answers: Any,
) -> None:
    path = write_training_file(tmp_path, examples=12)

    async def upload() -> RemoteFile:
        provider = await window_service.provider()
        return await provider.upload_file(path)

    stored = run(qasync_loop, upload())
    widget = RemoteFilesWidget(window_service)
    qtbot.addWidget(widget)
    _click(qtbot, widget.refresh_button)
    run(qasync_loop, widget.refresh_task)  # type: ignore[arg-type]
    assert widget.model.rowCount() == 1
    assert widget.model.index(0, 0).data() == path.name
    assert widget.model.index(0, 3).data() == "fine-tune"

    widget.table.selectRow(0)
    _click(qtbot, widget.delete_button)
    task = widget.delete_task
    assert task is not None
    run(qasync_loop, task)

    assert path.name in confirm_answers.questions[0]
    assert widget.model.rowCount() == 0

    async def listed() -> list[str]:
        provider = await window_service.provider()
        return [f.id for f in await provider.list_files()]

    assert stored.id not in run(qasync_loop, listed())


def test_remote_files_keep_the_file_when_delete_is_declined(
    qtbot: Any,
    qasync_loop: Any,
    window_service: ConnectionService,
    tmp_path: Path,
    confirm_answers: Any,
) -> None:
    path = write_training_file(tmp_path, examples=12)

    async def upload() -> RemoteFile:
        provider = await window_service.provider()
        return await provider.upload_file(path)

    run(qasync_loop, upload())
    widget = RemoteFilesWidget(window_service)
    qtbot.addWidget(widget)
    run(qasync_loop, widget.refresh())
    widget.table.selectRow(0)
    confirm_answers.answer = False

    _click(qtbot, widget.delete_button)

    assert widget.delete_task is None
    assert widget.model.rowCount() == 1


def test_remote_files_filter_by_purpose_when_one_is_chosen(
    qtbot: Any, qasync_loop: Any, window_service: ConnectionService, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)

    async def upload() -> None:
        provider = await window_service.provider()
        await provider.upload_file(path)

    run(qasync_loop, upload())
    widget = RemoteFilesWidget(window_service)
    qtbot.addWidget(widget)

    widget.purpose_combo.setCurrentText("batch")
    run(qasync_loop, widget.refresh_task)  # type: ignore[arg-type]
    assert widget.model.rowCount() == 0
    widget.purpose_combo.setCurrentText("fine-tune")
    run(qasync_loop, widget.refresh_task)  # type: ignore[arg-type]
    assert widget.model.rowCount() == 1


def test_remote_files_are_listed_when_the_list_is_first_shown(
    qtbot: Any, qasync_loop: Any, window_service: ConnectionService, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path, examples=12)

    async def upload() -> RemoteFile:
        provider = await window_service.provider()
        return await provider.upload_file(path)

    stored = run(qasync_loop, upload())
    widget = RemoteFilesWidget(window_service)
    qtbot.addWidget(widget)
    assert widget.refresh_task is None

    widget.show()
    run(qasync_loop, widget.refresh_task)  # type: ignore[arg-type]

    assert [f.id for f in widget.model.files] == [stored.id]
    assert widget.status_label.text() == "1 file."
