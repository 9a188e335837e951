"""The two ways to name a dataset: a local file (checked on the way) or a file on the connection.

``LocalFileField`` checks the chosen file with the real checker in a worker thread (progress,
Stop) and shows why it cannot be used, with the line. ``RemoteFileField`` lists the
connection's fine-tuning files. Both emit ``changed`` whenever their result changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.api.provider import Provider
from desktop.core.dataset import CheckCancelledError
from desktop.core.errors import DatasetError, FinetuneError
from desktop.core.types import RemoteFile
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.jobs.create.checking import CheckedFile, FileChecker

CheckSettings = Callable[[], tuple[str, int | None]]
"""Returns the tokenizer name and context limit to check with (the chosen model's)."""

PROGRESS_STEPS = 1000
ERROR_STYLE = "color: #b3261e;"

FileChooser = Callable[[QWidget, str], Path | None]


def _dialog_chooser(parent: QWidget, title: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, "", "JSON Lines (*.jsonl);;All files (*)")
    return Path(name) if name else None


_choose_file: FileChooser = _dialog_chooser


def set_file_chooser(chooser: FileChooser) -> FileChooser:
    """Replace the Browse… file dialog (tests answer it). Returns the previous chooser."""
    global _choose_file
    previous = _choose_file
    _choose_file = chooser
    return previous


def format_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size //= 1024
    return f"{size:,} GB"


class LocalFileField(QWidget):
    """Path box, Browse…, check progress with Stop, and the check's verdict.

    Invariants: ``result`` always belongs to the path in the box and the last check settings;
    at most one check runs (``check_task``). GUI thread only.
    """

    changed = Signal()

    def __init__(
        self,
        *,
        name: str,
        title: str,
        settings: CheckSettings,
        prepare: Callable[[], None] | None = None,
        for_validation: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._title = title
        self._for_validation = for_validation
        self._settings = settings
        # No Qt parent: the worker thread holds it, so it outlives a widget deleted mid-check.
        self.checker = FileChecker(prepare=prepare)
        self.result: CheckedFile | None = None
        self.problem = ""
        self.check_task: asyncio.Task[None] | None = None
        self._checking: Path | None = None
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName(f"{name}Path")
        self.path_edit.setPlaceholderText("Choose a .jsonl file, or type its path and press Enter")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setObjectName(f"{name}Browse")
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName(f"{name}Progress")
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName(f"{name}Stop")
        self.stop_button.setToolTip("Stop checking this file")
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.stop_button)
        layout.addLayout(progress_row)
        self.status_label = QLabel()
        self.status_label.setObjectName(f"{name}Status")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.checker.progress.connect(self._on_progress)
        self.path_edit.editingFinished.connect(self._on_path_entered)
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self._show_busy(False)

    @property
    def is_busy(self) -> bool:
        return self._checking is not None

    @property
    def path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    @property
    def usable(self) -> CheckedFile | None:
        """The checked file when it can be trained on."""
        return self.result if self.result is not None and not self.problem else None

    def set_path(self, path: Path) -> asyncio.Task[None] | None:
        """Show ``path`` and check it."""
        self.path_edit.setText(str(path))
        return self.start_check()

    def start_check(self) -> asyncio.Task[None] | None:
        """Check the file in the box again (e.g. with another model's tokenizer)."""
        path = self.path
        cancel_task(self.check_task)
        self.checker.cancel()
        self.checker.reset()
        self.result = None
        self.problem = ""
        self._checking = None
        self._generation += 1
        if path is None:
            self._set_status("")
            self.changed.emit()
            return None
        self._checking = path
        self._generation += 1
        task = self.check_task = self._check(path, self._generation)
        self._show_busy(True)
        self.changed.emit()
        return task

    def stop(self) -> None:
        """Stop a running check (the file stays unchecked and cannot be used)."""
        self.checker.cancel()

    def shutdown(self) -> None:
        """Stop the running check (the dialog is closing)."""
        self.stop()
        self._generation += 1
        self._checking = None
        cancel_task(self.check_task)

    def _on_path_entered(self) -> None:
        path = self.path
        current = self.result.path if self.result is not None else None
        if path != current and not (self.is_busy and path == self._checking):
            self.start_check()

    def _on_browse_clicked(self) -> None:
        path = _choose_file(self, self._title)
        if path is not None:
            self.set_path(path)

    def _on_stop_clicked(self) -> None:
        self.stop()

    def _on_progress(self, label: str, done: int, total: int) -> None:
        if self.is_busy:
            self.progress_bar.setValue(round(PROGRESS_STEPS * done / max(total, 1)))
            self.status_label.setText(f"{label}…")

    @async_slot()
    async def _check(self, path: Path, generation: int) -> None:
        encoding, limit = self._settings()
        self._set_status(f"Checking {path.name}…")
        checked: CheckedFile | None = None
        problem = ""
        unexpected: FinetuneError | None = None
        try:
            if not path.is_file():
                problem = f"{path.name} was not found. Check the path, or choose the file."
            else:
                checked = await self.checker.check(
                    path,
                    encoding_name=encoding,
                    context_limit=limit,
                    for_validation=self._for_validation,
                )
        except CheckCancelledError:
            problem = "The check was stopped, so this file cannot be used yet."
        except DatasetError as exc:
            problem = exc.user_message
        except FinetuneError as exc:
            problem = exc.user_message
            unexpected = exc
        if generation != self._generation:
            return  # a newer check owns the field
        self._checking = None
        self.result = checked
        self.problem = problem or (checked.problem if checked is not None else "")
        if self.problem or checked is None:
            self._set_status(self.problem, error=True)
        else:
            stats = checked.report.stats
            fmt = checked.report.format.description
            warnings = checked.report.warning_count
            extra = f", {warnings:,} warning(s) — see the Datasets tab" if warnings else ""
            self._set_status(
                f"{path.name}: {stats.examples:,} examples in {fmt}, "
                f"{stats.total_tokens:,} tokens, {format_size(checked.size)}{extra}."
            )
        self._show_busy(False)
        self.changed.emit()
        if unexpected is not None:
            show_error(self, unexpected)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(ERROR_STYLE if error else "")

    def _show_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.stop_button.setVisible(busy)
        if busy:
            self.progress_bar.setValue(0)


class RemoteFileField(QWidget):
    """The connection's fine-tuning files in a picker, with Refresh. GUI thread only."""

    changed = Signal()

    def __init__(
        self,
        *,
        name: str,
        provider: Callable[[], Awaitable[Provider]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._provider = provider
        self.files: list[RemoteFile] = []
        self.load_task: asyncio.Task[None] | None = None
        self._wanted: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.combo = QComboBox()
        self.combo.setObjectName(f"{name}Picker")
        self.combo.setPlaceholderText("No files listed yet")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName(f"{name}Refresh")
        row.addWidget(self.combo, 1)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self.status_label = QLabel()
        self.status_label.setObjectName(f"{name}Status")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.combo.currentIndexChanged.connect(self._on_index_changed)

    @property
    def file_id(self) -> str | None:
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    @property
    def selected(self) -> RemoteFile | None:
        wanted = self.file_id
        return next((f for f in self.files if f.id == wanted), None)

    def select(self, file_id: str) -> None:
        """Choose ``file_id`` now, or once the list arrives."""
        self._wanted = file_id
        index = self.combo.findData(file_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def ensure_loaded(self) -> asyncio.Task[None] | None:
        """List the files once (Refresh lists them again)."""
        if self.load_task is None:
            return self.refresh()
        return None

    def refresh(self) -> asyncio.Task[None]:
        cancel_task(self.load_task)
        task = self.load_task = self._load()
        return task

    def shutdown(self) -> None:
        """Stop listing (the dialog is closing)."""
        cancel_task(self.load_task)

    def _on_refresh_clicked(self) -> None:
        self.refresh()

    def _on_index_changed(self, _index: int) -> None:
        self.changed.emit()

    @async_slot()
    async def _load(self) -> None:
        self.refresh_button.setEnabled(False)
        self.status_label.setText("Listing the files on the connection…")
        try:
            provider = await self._provider()
            files = await provider.list_files(purpose="fine-tune")
        except FinetuneError as exc:
            self.status_label.setText(f"The files could not be listed. {exc.user_message}")
        else:
            self._fill(files)
        finally:
            self.refresh_button.setEnabled(True)

    def _fill(self, files: list[RemoteFile]) -> None:
        self.files = sorted(files, key=lambda f: f.created_at, reverse=True)
        wanted = self._wanted or self.file_id
        self.combo.blockSignals(True)
        self.combo.clear()
        for item in self.files:
            self.combo.addItem(f"{item.filename} · {format_size(item.bytes)} · {item.id}", item.id)
        index = self.combo.findData(wanted) if wanted else (0 if self.files else -1)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        if not self.files:
            self.status_label.setText("This connection has no fine-tuning files yet.")
        elif wanted and index < 0:
            self.status_label.setText(f"The file {wanted} is not on this connection.")
        else:
            self.status_label.setText(f"{len(self.files):,} file(s) on the connection.")
        self.changed.emit()
