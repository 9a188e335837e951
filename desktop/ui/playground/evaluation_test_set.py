"""The Evaluation window's test set: a fine-tuning job's validation file, or any chat JSONL.

For each fine-tuned model of the connection whose job had a validation file, the list offers
"Validation file of the job that made <model>": the local file the job was started from
(``JobsStore.origin``), or, when only the connection has it, the file downloaded from the
connection. Browse… opens any chat JSONL file. Reading and splitting the file
(``examples_from_jsonl``) runs in a worker thread while a busy bar shows; lines that cannot be
evaluated are counted and named by line number, never fatal. Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import FinetuneError
from desktop.core.playground.evaluation import EvalExample, examples_from_jsonl
from desktop.ui.common.async_slots import async_slot
from desktop.ui.playground.dialogs import ask_open_path

if TYPE_CHECKING:
    from desktop.api.provider import Provider
    from desktop.storage.jobs_store import JobsStore

__all__ = [
    "DEFAULT_LIMIT",
    "TestSetWidget",
    "ValidationSource",
    "base_model_of",
    "validation_sources",
]

DEFAULT_LIMIT = 100
_NAMED_SKIPS = 5

ProviderSource = Callable[[], Awaitable["Provider"]]


@dataclass(frozen=True, slots=True)
class ValidationSource:
    """A fine-tuned model's validation file: local (``path``) or on the connection (``file_id``)."""

    model: str
    base_model: str
    path: str | None = None
    file_id: str | None = None

    @property
    def label(self) -> str:
        where = "" if self.path else " (downloaded from the connection)"
        return f"Validation file of the job that made {self.model}{where}"


def validation_sources(store: JobsStore, profile_id: str) -> list[ValidationSource]:
    """The validation files of the connection's jobs that made a fine-tuned model."""
    sources: list[ValidationSource] = []
    for job in store.cached_jobs(profile_id):
        if not job.fine_tuned_model:
            continue
        origin = store.origin(profile_id, job.id)
        path = origin.validation_path if origin is not None else None
        if path and Path(path).is_file():
            sources.append(ValidationSource(job.fine_tuned_model, job.model, path=path))
        elif job.validation_file:
            sources.append(
                ValidationSource(job.fine_tuned_model, job.model, file_id=job.validation_file)
            )
    return sources


def base_model_of(store: JobsStore, profile_id: str, model: str) -> str | None:
    """The base model of the job that made the fine-tuned ``model``, if the app knows the job."""
    for job in store.cached_jobs(profile_id):
        if job.fine_tuned_model == model:
            return job.model
    return None


def _read_file(path: Path) -> tuple[list[EvalExample], list[tuple[int, str]]]:
    with path.open(encoding="utf-8-sig") as lines:
        return examples_from_jsonl(lines)


def _read_text(data: bytes) -> tuple[list[EvalExample], list[tuple[int, str]]]:
    return examples_from_jsonl(data.decode("utf-8-sig").splitlines())


def skipped_text(skipped: list[tuple[int, str]]) -> str:
    """Which lines were left out, in words (the first few named)."""
    if not skipped:
        return ""
    named = ", ".join(f"line {number} ({reason})" for number, reason in skipped[:_NAMED_SKIPS])
    more = f" and {len(skipped) - _NAMED_SKIPS} more" if len(skipped) > _NAMED_SKIPS else ""
    if len(skipped) == 1:
        return f" 1 line cannot be evaluated and is left out: {named}."
    return f" {len(skipped)} lines cannot be evaluated and are left out: {named}{more}."


class TestSetWidget(QGroupBox):
    """Choose and load the test set; ``loaded`` is emitted when examples are ready."""

    __test__ = False  # not a pytest class, despite its name

    loaded = Signal()

    def __init__(self, provider: ProviderSource, parent: QWidget | None = None) -> None:
        super().__init__("Test set", parent)
        self._provider = provider
        self._sources: list[ValidationSource] = []
        self.examples: list[EvalExample] = []
        self.skipped: list[tuple[int, str]] = []
        self.source_name = ""
        self.load_task: asyncio.Task[None] | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("evalSourceCombo")
        self.source_combo.setPlaceholderText("Choose a validation file, or Browse… for any file")
        self.source_combo.setToolTip(
            "The validation files of the jobs that made your fine-tuned models"
        )
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setObjectName("evalBrowseButton")
        self.browse_button.setToolTip("Open any chat JSONL file as the test set")
        row.addWidget(self.source_combo, 1)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        limits = QHBoxLayout()
        self.limit_check = QCheckBox("Only the first")
        self.limit_check.setObjectName("evalLimitCheck")
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("evalLimitSpin")
        self.limit_spin.setRange(1, 1_000_000)
        self.limit_spin.setValue(DEFAULT_LIMIT)
        self.limit_spin.setSuffix(" examples")
        self.limit_spin.setEnabled(False)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("evalLoadingBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setVisible(False)
        self.summary_label = QLabel("No test set chosen yet.")
        self.summary_label.setObjectName("evalTestSetSummary")
        self.summary_label.setWordWrap(True)
        limits.addWidget(self.limit_check)
        limits.addWidget(self.limit_spin)
        limits.addWidget(self.busy_bar)
        limits.addWidget(self.summary_label, 1)
        layout.addLayout(limits)
        self.source_combo.activated.connect(self._on_source_activated)
        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.limit_check.toggled.connect(self.limit_spin.setEnabled)

    # ------------------------------------------------------------------ choices

    def set_sources(self, sources: list[ValidationSource]) -> None:
        """List the jobs' validation files (the current choice is kept when still listed)."""
        current = self.source_combo.currentText()
        self._sources = list(sources)
        self.source_combo.clear()
        for source in sources:
            self.source_combo.addItem(source.label)
        self.source_combo.setCurrentIndex(self.source_combo.findText(current))

    def source_for(self, model: str) -> ValidationSource | None:
        return next((s for s in self._sources if s.model == model), None)

    def choose_source(self, source: ValidationSource) -> asyncio.Task[None]:
        """Choose and load a job's validation file."""
        self.source_combo.setCurrentIndex(self._sources.index(source))
        return self._start(source.label, path=source.path, file_id=source.file_id)

    def _on_source_activated(self, row: int) -> None:
        if 0 <= row < len(self._sources):
            self.choose_source(self._sources[row])

    def _on_browse_clicked(self) -> None:
        path = ask_open_path(
            self, "Open a test set", file_filter="Chat datasets (*.jsonl *.json);;All files (*)"
        )
        if path is not None:
            self.load_path(path)

    def load_path(self, path: Path) -> asyncio.Task[None]:
        """Load any chat JSONL file as the test set."""
        self.source_combo.setCurrentIndex(-1)
        self.source_combo.setPlaceholderText(path.name)
        return self._start(path.name, path=str(path))

    # ------------------------------------------------------------------ loading

    @property
    def is_loading(self) -> bool:
        return self.load_task is not None and not self.load_task.done()

    def limited_examples(self) -> list[EvalExample]:
        """The examples to run (the first N when the limit is on)."""
        if self.limit_check.isChecked():
            return self.examples[: self.limit_spin.value()]
        return list(self.examples)

    def _start(
        self, name: str, *, path: str | None, file_id: str | None = None
    ) -> asyncio.Task[None]:
        if self.load_task is not None and not self.load_task.done():
            self.load_task.cancel()
        self.examples, self.skipped, self.source_name = [], [], ""
        self.busy_bar.setVisible(True)
        self.summary_label.setText(f"Reading {name}…")
        task = self._load(name, path, file_id)
        self.load_task = task
        return task

    @async_slot()
    async def _load(self, name: str, path: str | None, file_id: str | None) -> None:
        try:
            if path is not None:
                examples, skipped = await asyncio.to_thread(_read_file, Path(path))
                name = Path(path).name
            else:
                provider = await self._provider()
                data = await provider.file_content(str(file_id))
                examples, skipped = await asyncio.to_thread(_read_text, data)
        except FinetuneError as exc:
            self._show_failure(f"The test set could not be downloaded: {exc.user_message}")
            return
        except (OSError, UnicodeDecodeError) as exc:
            reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
            self._show_failure(
                f"“{name}” could not be read ({reason}). Choose another file with Browse…."
            )
            return
        finally:
            self.busy_bar.setVisible(False)
        self.examples, self.skipped, self.source_name = examples, skipped, name
        if not examples:
            self.summary_label.setText(
                f"{name} has no example that can be evaluated: each needs a conversation "
                "ending with an assistant reply." + skipped_text(skipped)
            )
        else:
            count = "1 example" if len(examples) == 1 else f"{len(examples):,} examples"
            self.summary_label.setText(f"{count} in {name}." + skipped_text(skipped))
        self.loaded.emit()

    def _show_failure(self, message: str) -> None:
        self.summary_label.setText(message)
        self.loaded.emit()
