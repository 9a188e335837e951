"""The Split/export panel: training and validation files, or a copy of the valid examples.

Split writes ``<name>.train.jsonl`` and ``<name>.valid.jsonl`` next to the dataset (asking
before replacing existing files); export writes the examples without errors to a file the user
chooses. Both run in a worker thread with progress and Cancel; the original is only read.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.dataset import DatasetReport, IssueCode
from desktop.core.datasets_io.split import export_jsonl, split_dataset, validation_size
from desktop.core.errors import FinetuneError, OperationCancelledError
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.common.worker_progress import gui_callback

PROGRESS_STEPS = 1000
FIELD_WIDTH = 280
DEFAULT_PERCENT = 10
DEFAULT_SEED = 42

_UNLISTED_ERRORS = (
    " The file has more errors than the report lists, so some lines with errors may be in the "
    "export: check it again."
)

ExportPathChooser = Callable[[QWidget, Path], Path | None]
"""Asks where to export (``suggested`` is a proposal); None when the user cancels."""


def split_paths(path: Path) -> tuple[Path, Path]:
    """``<name>.train.jsonl`` and ``<name>.valid.jsonl`` next to ``path``."""
    return path.with_name(f"{path.stem}.train.jsonl"), path.with_name(f"{path.stem}.valid.jsonl")


def example_lines(report: DatasetReport) -> int:
    """Non-empty lines of the checked file: what a split divides."""
    return max(0, report.lines - report.issue_counts.get(IssueCode.EMPTY_LINE, 0))


def _choose_export_path(parent: QWidget, suggested: Path) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, "Export valid examples", str(suggested), "JSON Lines (*.jsonl)"
    )
    return Path(name) if name else None


class SplitExportPanel(QWidget):
    """Ratio, seed, the resulting counts, Split, Export, progress and Cancel.

    Invariants: at most one operation runs (``work_task``); the dataset is never written.
    GUI thread only.
    """

    dataset_created = Signal(object)
    """A new file's ``Path`` (the training file after a split, the export after an export)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("splitExportPanel")
        self._path: Path | None = None
        self._report: DatasetReport | None = None
        self.work_task: asyncio.Task[None] | None = None
        self._cancel = threading.Event()
        self.choose_export_path: ExportPathChooser = _choose_export_path
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.ratio_spin = QSpinBox()
        self.ratio_spin.setObjectName("splitRatio")
        self.ratio_spin.setMaximumWidth(FIELD_WIDTH)
        self.ratio_spin.setRange(1, 50)
        self.ratio_spin.setValue(DEFAULT_PERCENT)
        self.ratio_spin.setSuffix(" % for validation")
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("splitSeed")
        self.seed_spin.setMaximumWidth(FIELD_WIDTH)
        self.seed_spin.setRange(0, 2_147_483_647)
        self.seed_spin.setValue(DEFAULT_SEED)
        self.seed_spin.setToolTip("The same seed always picks the same validation examples.")
        form.addRow("Validation share", self.ratio_spin)
        form.addRow("Seed", self.seed_spin)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("splitCounts")
        self.counts_label.setWordWrap(True)
        form.addRow("Result", self.counts_label)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.split_button = QPushButton("Split")
        self.split_button.setObjectName("splitButton")
        self.export_button = QPushButton("Export valid examples…")
        self.export_button.setObjectName("exportButton")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("splitCancelButton")
        for button in (self.split_button, self.export_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("splitProgress")
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        layout.addWidget(self.progress_bar)
        self.status_label = QLabel()
        self.status_label.setObjectName("splitStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.ratio_spin.valueChanged.connect(self._on_settings_changed)
        self.seed_spin.valueChanged.connect(self._on_settings_changed)
        self.split_button.clicked.connect(self._on_split_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self._update()

    # ------------------------------------------------------------------ public

    def set_dataset(self, path: Path, report: DatasetReport) -> None:
        """Work on ``path``, checked as ``report``."""
        self._path = path
        self._report = report
        self.status_label.clear()
        self.progress_bar.setValue(0)
        self._update()

    @property
    def is_busy(self) -> bool:
        return self.work_task is not None and not self.work_task.done()

    # ------------------------------------------------------------------ events

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel.set()
        cancel_task(self.work_task)
        super().closeEvent(event)

    def _on_settings_changed(self, _value: int) -> None:
        self._update()

    def _on_cancel_clicked(self) -> None:
        self._cancel.set()
        self.status_label.setText("Cancelling…")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setValue(round(PROGRESS_STEPS * done / max(total, 1)))

    def _on_split_clicked(self) -> None:
        if self._path is None:
            return
        training, validation = split_paths(self._path)
        existing = [p.name for p in (training, validation) if p.exists()]
        if existing and not confirm(
            self,
            "Replace files",
            f"{' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''}. "
            "Replace with the new split?",
            action="Replace",
        ):
            return
        self.work_task = self._split(self._path, training, validation, self._new_cancel())
        self._update()

    def _on_export_clicked(self) -> None:
        if self._path is None or self._report is None:
            return
        suggested = self._path.with_name(f"{self._path.stem}.valid-only.jsonl")
        target = self.choose_export_path(self, suggested)
        if target is None:
            return
        self.work_task = self._export(self._path, target, self._report, self._new_cancel())
        self._update()

    def _update(self) -> None:
        busy = self.is_busy
        report = self._report
        self.split_button.setEnabled(report is not None and not busy)
        self.export_button.setEnabled(report is not None and not busy)
        self.cancel_button.setEnabled(busy)
        self.ratio_spin.setEnabled(not busy)
        self.seed_spin.setEnabled(not busy)
        if report is None or self._path is None:
            self.counts_label.setText("Open a dataset to split it.")
            return
        total = example_lines(report)
        validation = validation_size(total, self.ratio_spin.value() / 100)
        training_path, validation_path = split_paths(self._path)
        text = (
            f"{total - validation:,} training examples → {training_path.name}\n"
            f"{validation:,} validation examples → {validation_path.name}"
        )
        if report.has_errors:
            text += (
                "\nLines with errors are split too: fix them first, or export the valid "
                "examples and split that file."
            )
        self.counts_label.setText(text)

    # ------------------------------------------------------------------ work

    def _new_cancel(self) -> threading.Event:
        # Made before the task starts, so a Cancel clicked before it runs still counts.
        self._cancel = threading.Event()
        return self._cancel

    async def _run(self, work: Callable[[], str], created: Path, cancel: threading.Event) -> None:
        self.progress_bar.setValue(0)
        try:
            message = await asyncio.to_thread(work)
        except asyncio.CancelledError:
            cancel.set()  # the window is closing: stop the worker too
            raise
        except OperationCancelledError:
            self.status_label.setText("Cancelled. No file was written.")
            self.progress_bar.setValue(0)
        except FinetuneError as exc:
            self.status_label.setText("Nothing was written.")
            show_error(self, exc)
        else:
            self.progress_bar.setValue(PROGRESS_STEPS)
            self.status_label.setText(message)
            self.dataset_created.emit(created)
        finally:
            self.work_task = None
            self._update()

    @async_slot()
    async def _split(
        self, source: Path, training: Path, validation: Path, cancel: threading.Event
    ) -> None:
        ratio = self.ratio_spin.value() / 100
        seed = self.seed_spin.value()
        self.status_label.setText("Splitting…")
        on_progress = gui_callback(self, self._on_progress)

        def work() -> str:
            result = split_dataset(
                source,
                training,
                validation,
                ratio=ratio,
                seed=seed,
                progress=on_progress,
                cancel=cancel,
            )
            return (
                f"Wrote {result.training_examples:,} training examples to {training.name} and "
                f"{result.validation_examples:,} validation examples to {validation.name}."
            )

        await self._run(work, training, cancel)

    @async_slot()
    async def _export(
        self, source: Path, target: Path, report: DatasetReport, cancel: threading.Event
    ) -> None:
        skip = {issue.line for issue in report.errors if issue.line > 0}
        self.status_label.setText("Exporting…")
        on_progress = gui_callback(self, self._on_progress)

        def work() -> str:
            result = export_jsonl(
                source,
                target,
                skip_lines=skip,
                progress=on_progress,
                cancel=cancel,
            )
            return (
                f"Wrote {result.examples_written:,} examples to {target.name}; "
                f"left out {result.lines_skipped:,} line(s) with errors or nothing in them."
                + (_UNLISTED_ERRORS if report.error_count > len(report.errors) else "")
            )

        await self._run(work, target, cancel)
