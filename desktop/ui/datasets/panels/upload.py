"""The Upload panel: send the checked file to the active connection for fine-tuning.

A file with errors is refused (with the reason). The upload shows bytes and speed, can be
cancelled (the service's half-done upload is cancelled too) and, when the connection drops
during a multi-part upload, keeps the ``ResumableUpload`` state so "Resume" sends only the
parts that are missing. A 429 is retried by the SDK; the status bar shows the wait.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.api.provider import UploadProgress
from desktop.core.dataset import DatasetReport
from desktop.core.errors import (
    DatasetUnreadableError,
    FinetuneError,
    ResumableUpload,
    UploadInterruptedError,
)
from desktop.core.types import RemoteFile
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.datasets.panels.formatting import format_size, format_transfer
from desktop.ui.datasets.panels.remote_files import RemoteFilesWidget

if TYPE_CHECKING:
    from desktop.ui.common.connection_service import ConnectionService

log = logging.getLogger(__name__)

PURPOSE = "fine-tune"
PROGRESS_STEPS = 1000
DEMO_NOTE = (
    "Demo connection: the upload is simulated on this computer. Nothing leaves it and "
    "nothing costs money."
)


def interrupted_text(state: ResumableUpload) -> str:
    """What to say when the connection dropped during a multi-part upload."""
    return (
        f"The connection dropped during the upload: {format_size(state.bytes_on_server)} of "
        f"{format_size(state.size)} are already on the server. Click Resume to send the rest, "
        "or Start over to send everything again."
    )


def refusal_reason(report: DatasetReport | None) -> str:
    """Why the file cannot be uploaded, or "" when it can."""
    if report is None:
        return "Open and check a dataset first."
    errors = report.error_count
    if errors:
        noun = "error" if errors == 1 else "errors"
        return f"Fix the {errors:,} {noun} first — see Report."
    return ""


class UploadPanel(QWidget):
    """Upload, progress, Cancel, Resume, the stored file's id, and the remote files list.

    Invariants: at most one upload runs (``upload_task``); a kept resume state always belongs
    to the current file and connection. GUI thread only.
    """

    uploaded = Signal(object)
    """The stored ``RemoteFile`` after a successful upload."""
    progressed = Signal(object)
    """Each ``UploadProgress`` of the running upload."""

    def __init__(self, service: ConnectionService, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("uploadPanel")
        self._service = service
        self._path: Path | None = None
        self._report: DatasetReport | None = None
        self.resume_state: ResumableUpload | None = None
        self.upload_task: asyncio.Task[None] | None = None
        self.last_progress: UploadProgress | None = None
        self._build()
        service.connection_changed.connect(self._on_connection_changed)
        self._on_connection_changed(service.profile)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.file_label = QLabel("No dataset open.")
        self.file_label.setObjectName("uploadFile")
        self.file_label.setWordWrap(True)
        layout.addWidget(self.file_label)
        self.demo_label = QLabel(DEMO_NOTE)
        self.demo_label.setObjectName("uploadDemoNote")
        self.demo_label.setWordWrap(True)
        layout.addWidget(self.demo_label)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("uploadRefusal")
        self.reason_label.setWordWrap(True)
        layout.addWidget(self.reason_label)
        buttons = QHBoxLayout()
        self.upload_button = QPushButton("Upload")
        self.upload_button.setObjectName("uploadButton")
        self.upload_button.setToolTip("Send the file to the connection, ready for a training job")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setObjectName("uploadResumeButton")
        self.resume_button.setToolTip("Continue the interrupted upload; parts already sent stay")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("uploadCancelButton")
        buttons.addWidget(self.upload_button)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("uploadProgress")
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("uploadProgressText")
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_label)
        self.status_label = QLabel()
        self.status_label.setObjectName("uploadStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        id_row = QHBoxLayout()
        self.file_id_edit = QLineEdit()
        self.file_id_edit.setObjectName("uploadedFileId")
        self.file_id_edit.setReadOnly(True)
        self.file_id_edit.setPlaceholderText("The file id appears here after the upload.")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("copyFileIdButton")
        self.copy_button.setToolTip("Copy the file id, e.g. to start a training job")
        id_row.addWidget(QLabel("File id"))
        id_row.addWidget(self.file_id_edit, 1)
        id_row.addWidget(self.copy_button)
        layout.addLayout(id_row)
        self.remote_files = RemoteFilesWidget(self._service)
        layout.addWidget(self.remote_files, 1)
        self.upload_button.clicked.connect(self._on_upload_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self._update_buttons()

    # ------------------------------------------------------------------ public

    def set_dataset(self, path: Path, report: DatasetReport) -> None:
        """Offer ``path`` (checked as ``report``) for upload."""
        if path != self._path:
            self.resume_state = None
            self.progress_bar.setValue(0)
            self.progress_label.clear()
            self.status_label.clear()
        self._path = path
        self._report = report
        self.file_label.setText(f"{path.name} · {format_size(report.size_bytes)}")
        self.reason_label.setText(refusal_reason(report))
        self._update_buttons()

    @property
    def is_uploading(self) -> bool:
        return self.upload_task is not None and not self.upload_task.done()

    # ------------------------------------------------------------------ events

    def closeEvent(self, event: QCloseEvent) -> None:
        cancel_task(self.upload_task)
        self.remote_files.close()
        super().closeEvent(event)

    def _on_connection_changed(self, _profile: object) -> None:
        self.demo_label.setVisible(self._service.is_demo)
        if self.resume_state is not None:
            self.resume_state = None  # it belongs to the previous connection
            self.status_label.setText("The interrupted upload was for another connection.")
        self._update_buttons()

    def _on_upload_clicked(self) -> None:
        self.resume_state = None
        self._start(None)

    def _on_resume_clicked(self) -> None:
        self._start(self.resume_state)

    def _start(self, resume: ResumableUpload | None) -> None:
        task = self.upload_task = self._upload(resume)
        task.add_done_callback(self._on_upload_done)
        self._update_buttons()

    def _on_upload_done(self, task: asyncio.Task[None]) -> None:
        # Also covers a task cancelled before it ran (e.g. the panel closed at once).
        if self.upload_task is task:
            self.upload_task = None
        if task.cancelled():
            self.status_label.setText("Upload cancelled.")
        self._update_buttons()

    def _on_cancel_clicked(self) -> None:
        if cancel_task(self.upload_task):
            self.status_label.setText("Cancelling…")

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.file_id_edit.text())

    def _on_progress(self, progress: UploadProgress) -> None:
        self.last_progress = progress
        total = max(progress.total_bytes, 1)
        self.progress_bar.setValue(round(PROGRESS_STEPS * progress.bytes_sent / total))
        text = format_transfer(progress.bytes_sent, progress.total_bytes, progress.bytes_per_second)
        if progress.resumed_bytes:
            text += f" · {format_size(progress.resumed_bytes)} were already on the server"
        if progress.restarted is not None:
            text += " · started again: the file changed or the earlier upload expired"
        self.progress_label.setText(text)
        self.progressed.emit(progress)

    def _update_buttons(self) -> None:
        busy = self.is_uploading
        allowed = self._path is not None and not refusal_reason(self._report)
        self.upload_button.setEnabled(allowed and not busy)
        self.upload_button.setText("Upload" if self.resume_state is None else "Start over")
        self.resume_button.setVisible(self.resume_state is not None)
        self.resume_button.setEnabled(allowed and not busy and self.resume_state is not None)
        self.cancel_button.setEnabled(busy)
        self.copy_button.setEnabled(bool(self.file_id_edit.text()))

    # ------------------------------------------------------------------ work

    @async_slot()
    async def _upload(self, resume: ResumableUpload | None) -> None:
        path = self._path
        if path is None:
            return
        self.file_id_edit.clear()
        self.progress_bar.setValue(0)
        self.status_label.setText("Resuming the upload…" if resume else "Uploading…")
        try:
            provider = await self._service.provider()
            stored = await provider.upload_file(
                path, purpose=PURPOSE, progress=self._on_progress, resume=resume
            )
        except asyncio.CancelledError:
            # Cancel: this task is the outermost, so ending normally completes the cancellation.
            self.resume_state = None
            self.status_label.setText("Upload cancelled. Nothing was kept on the connection.")
            self.progress_bar.setValue(0)
        except UploadInterruptedError as exc:
            if path == self._path:  # another file may have been opened meanwhile
                self.resume_state = exc.state
            self.status_label.setText(interrupted_text(exc.state))
            log.info("upload interrupted with %d parts missing", len(exc.state.missing_parts))
        except (FinetuneError, OSError) as exc:
            self.status_label.setText("The upload did not finish.")
            show_error(self, exc if isinstance(exc, FinetuneError) else _unreadable(path, exc))
        else:
            self._on_uploaded(stored)

    def _on_uploaded(self, stored: RemoteFile) -> None:
        self.resume_state = None
        self.progress_bar.setValue(PROGRESS_STEPS)
        self.file_id_edit.setText(stored.id)
        where = "on the Demo connection (simulated)" if self._service.is_demo else "uploaded"
        self.status_label.setText(
            f"{stored.filename} is {where}. Use the file id to start a training job."
        )
        self.uploaded.emit(stored)
        self.remote_files.refresh()


def _unreadable(path: Path, exc: OSError) -> FinetuneError:
    return DatasetUnreadableError(
        f"cannot read {path}: {exc}",
        user_message=f"{path.name} could not be read. Check that it still exists and try again.",
        file=str(path),
    )
