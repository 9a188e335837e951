"""The Data page: the training dataset (a local file, checked and uploaded on the way, or a file
already on the connection) and an optional validation dataset (none, local, remote, or split off
N % of the training file)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.dataset import DatasetFormat
from desktop.core.errors import DatasetUnreadableError, FinetuneError
from desktop.core.jobs.draft import JobDraft
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.jobs.create.checking import CheckedFile
from desktop.ui.jobs.create.env import CreateJobEnv
from desktop.ui.jobs.create.file_fields import CheckSettings, LocalFileField, RemoteFileField

SAMPLES_FOLDER = "samples"
SAMPLE_NAME = "customer-support-sample.jsonl"
"""The shipped sample (the Datasets tab offers the same one, copied to the same folder)."""
DEFAULT_SPLIT_PERCENT = 10
SPLIT_RANGE = (1, 50)
NOTE_STYLE = "color: #8a5300;"

_SPLIT_PART = re.compile(r"\.validation-(\d+)pct\.jsonl$")


class ValidationMode(IntEnum):
    NONE = 0
    LOCAL = 1
    REMOTE = 2
    SPLIT = 3


_VALIDATION_LABELS = {
    ValidationMode.NONE: "No validation data",
    ValidationMode.LOCAL: "A file on this computer",
    ValidationMode.REMOTE: "A file already on the connection",
    ValidationMode.SPLIT: "Split off part of the training file",
}


@dataclass(frozen=True, slots=True)
class DataChoice:
    """What the Data page holds, as plain values."""

    training_local: CheckedFile | None
    training_remote: str | None
    validation_mode: ValidationMode
    validation_local: CheckedFile | None
    validation_remote: str | None
    split_percent: int


def split_percent_of(path: str) -> int | None:
    """The share a split validation part was made with (from its name), else None."""
    match = _SPLIT_PART.search(path)
    return int(match.group(1)) if match else None


class DataPage(QWidget):
    """Training and validation datasets. GUI thread only."""

    changed = Signal()

    def __init__(
        self, env: CreateJobEnv, *, check_settings: CheckSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("createDataPage")
        self._env = env
        layout = QVBoxLayout(self)
        self.note_label = QLabel()
        self.note_label.setObjectName("createDataNote")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(NOTE_STYLE)
        self.note_label.setVisible(False)
        layout.addWidget(self.note_label)

        training_box = QGroupBox("Training dataset")
        training_layout = QVBoxLayout(training_box)
        self.local_radio = QRadioButton("A file on this computer (checked, then uploaded)")
        self.local_radio.setObjectName("createTrainingLocal")
        self.remote_radio = QRadioButton(f"A file already on {env.profile.display_name}")
        self.remote_radio.setObjectName("createTrainingRemoteChoice")
        self._training_modes = QButtonGroup(self)
        self._training_modes.addButton(self.local_radio)
        self._training_modes.addButton(self.remote_radio)
        self.local_radio.setChecked(True)
        prepare = env.prepare_tokenizers
        self.training_file = LocalFileField(
            name="createTraining",
            title="Choose the training dataset",
            settings=check_settings,
            prepare=prepare,
        )
        self.training_remote = RemoteFileField(name="createTrainingRemote", provider=env.provider)
        self.sample_button = QPushButton("Use the sample dataset")
        self.sample_button.setObjectName("createUseSample")
        self.sample_button.setToolTip(
            "A small customer-support dataset that comes with the app (an editable copy)"
        )
        sample_row = QHBoxLayout()
        sample_row.addWidget(self.sample_button)
        sample_row.addStretch(1)
        training_layout.addWidget(self.local_radio)
        training_layout.addWidget(self.training_file)
        training_layout.addLayout(sample_row)
        training_layout.addWidget(self.remote_radio)
        training_layout.addWidget(self.training_remote)
        layout.addWidget(training_box)

        validation_box = QGroupBox("Validation dataset (optional: shows over-fitting)")
        validation_layout = QVBoxLayout(validation_box)
        self.validation_combo = QComboBox()
        self.validation_combo.setObjectName("createValidationMode")
        for mode, label in _VALIDATION_LABELS.items():
            self.validation_combo.addItem(label, int(mode))
        validation_layout.addWidget(self.validation_combo)
        self.validation_file = LocalFileField(
            name="createValidation",
            title="Choose the validation dataset",
            settings=check_settings,
            prepare=prepare,
            for_validation=True,
        )
        self.validation_remote = RemoteFileField(
            name="createValidationRemote", provider=env.provider
        )
        split_row = QHBoxLayout()
        self.split_spin = QSpinBox()
        self.split_spin.setObjectName("createSplitPercent")
        self.split_spin.setRange(*SPLIT_RANGE)
        self.split_spin.setValue(DEFAULT_SPLIT_PERCENT)
        self.split_spin.setSuffix(" %")
        self.split_label = QLabel(
            "of the examples go to validation. Two new files are written in the app's own "
            "folder; your file stays as it is."
        )
        self.split_label.setWordWrap(True)
        split_row.addWidget(self.split_spin)
        split_row.addWidget(self.split_label, 1)
        self.split_row = QWidget()
        self.split_row.setLayout(split_row)
        validation_layout.addWidget(self.validation_file)
        validation_layout.addWidget(self.validation_remote)
        validation_layout.addWidget(self.split_row)
        layout.addWidget(validation_box)
        layout.addStretch(1)

        self.sample_task: asyncio.Task[None] | None = None
        self.sample_button.clicked.connect(self._on_sample_clicked)
        self._training_modes.buttonToggled.connect(self._on_mode_changed)
        self.validation_combo.currentIndexChanged.connect(self._on_mode_changed)
        for field in (self.training_file, self.validation_file):
            field.changed.connect(self._on_field_changed)
        for remote in (self.training_remote, self.validation_remote):
            remote.changed.connect(self._on_field_changed)
        self.split_spin.valueChanged.connect(self._on_field_changed)
        self._on_mode_changed()

    # ------------------------------------------------------------------ state

    @property
    def uses_remote_training(self) -> bool:
        return self.remote_radio.isChecked()

    @property
    def validation_mode(self) -> ValidationMode:
        return ValidationMode(int(self.validation_combo.currentData()))

    @property
    def training_format(self) -> DatasetFormat | None:
        """The training file's format from its check; None for a remote file or no file."""
        checked = None if self.uses_remote_training else self.training_file.usable
        return checked.report.format if checked is not None else None

    @property
    def is_busy(self) -> bool:
        return self.training_file.is_busy or self.validation_file.is_busy

    def problem(self) -> str:
        """What stops the user from going on, or "" when both datasets are ready."""
        if self.uses_remote_training:
            if self.training_remote.file_id is None:
                return "Choose a training file on the connection."
        else:
            field = self.training_file
            if field.path is None:
                return "Choose the training dataset."
            if field.is_busy:
                return "Wait until the training file is checked."
            if field.problem:
                return field.problem
            if field.usable is None:
                return "The training file is not checked yet: press Enter in its box."
        mode = self.validation_mode
        if mode is ValidationMode.LOCAL:
            field = self.validation_file
            if field.path is None:
                return "Choose the validation dataset, or pick “No validation data”."
            if field.is_busy:
                return "Wait until the validation file is checked."
            if field.problem or field.usable is None:
                return field.problem or "The validation file is not checked yet."
            training = self.training_format
            checked = field.usable
            if training is not None and checked.report.format is not training:
                return (
                    f"The validation file uses {checked.report.format.description}, but the "
                    f"training file uses {training.description}. Use the same format."
                )
        if mode is ValidationMode.REMOTE and self.validation_remote.file_id is None:
            return "Choose a validation file on the connection."
        if mode is ValidationMode.SPLIT and self.uses_remote_training:
            return "Only a file on this computer can be split. Choose another validation option."
        return ""

    def choice(self) -> DataChoice:
        """What the page holds now, as plain values."""
        remote = self.uses_remote_training
        return DataChoice(
            training_local=None if remote else self.training_file.usable,
            training_remote=self.training_remote.file_id if remote else None,
            validation_mode=self.validation_mode,
            validation_local=self.validation_file.usable,
            validation_remote=self.validation_remote.file_id,
            split_percent=self.split_spin.value(),
        )

    # ------------------------------------------------------------------ pre-fill

    def apply_draft(self, draft: JobDraft) -> None:
        """Fill from ``draft``: a local path wins; a remote id only when it belongs here."""
        notes: list[str] = []
        if draft.training_path:
            self.local_radio.setChecked(True)
            self.training_file.set_path(Path(draft.training_path))
            if not Path(draft.training_path).is_file():
                notes.append(
                    f"The job's training file {draft.training_path} is no longer on this "
                    "computer. Choose it again."
                )
        elif draft.training_file_id:
            self.remote_radio.setChecked(True)
            self.training_remote.select(draft.training_file_id)
        elif draft.source_job_id:
            notes.append(
                "The original job's training file is only on its own connection, and this "
                "computer has no copy of it on record. Choose the local file it was made from."
            )
        percent = draft.split_percent
        if draft.validation_path and percent is None:
            percent = split_percent_of(draft.validation_path)
        if percent is not None and draft.training_path:
            self._set_validation_mode(ValidationMode.SPLIT)
            self.split_spin.setValue(max(SPLIT_RANGE[0], min(SPLIT_RANGE[1], percent)))
        elif draft.validation_path:
            self._set_validation_mode(ValidationMode.LOCAL)
            self.validation_file.set_path(Path(draft.validation_path))
        elif draft.validation_file_id:
            self._set_validation_mode(ValidationMode.REMOTE)
            self.validation_remote.select(draft.validation_file_id)
        self.note_label.setText(" ".join(notes))
        self.note_label.setVisible(bool(notes))
        self._on_mode_changed()

    def shutdown(self) -> None:
        cancel_task(self.sample_task)
        for field in (self.training_file, self.validation_file):
            field.shutdown()
        for remote in (self.training_remote, self.validation_remote):
            remote.shutdown()

    # ------------------------------------------------------------------ events

    def _on_sample_clicked(self) -> None:
        self.local_radio.setChecked(True)
        self.sample_task = self._use_sample()

    @async_slot()
    async def _use_sample(self) -> None:
        from desktop.resources import resource_path
        from desktop.storage.dataset_files import copy_sample
        from desktop.storage.paths import app_paths

        self.sample_button.setEnabled(False)
        try:
            sample = resource_path(SAMPLES_FOLDER, SAMPLE_NAME)
            folder = app_paths().data_dir / SAMPLES_FOLDER
            copy = await asyncio.to_thread(copy_sample, sample, folder)
        except FileNotFoundError:  # no resources folder at all: a broken installation
            show_error(self, _missing_sample())
            return
        except FinetuneError as exc:
            show_error(self, exc)
            return
        finally:
            self.sample_button.setEnabled(True)
        task = self.training_file.set_path(copy)
        if task is not None:
            await task

    def _set_validation_mode(self, mode: ValidationMode) -> None:
        self.validation_combo.setCurrentIndex(self.validation_combo.findData(int(mode)))

    def _on_mode_changed(self, *_args: object) -> None:
        remote = self.uses_remote_training
        self.training_file.setVisible(not remote)
        self.training_remote.setVisible(remote)
        if remote:
            self.training_remote.ensure_loaded()
        mode = self.validation_mode
        self.validation_file.setVisible(mode is ValidationMode.LOCAL)
        self.validation_remote.setVisible(mode is ValidationMode.REMOTE)
        self.split_row.setVisible(mode is ValidationMode.SPLIT)
        if mode is ValidationMode.REMOTE:
            self.validation_remote.ensure_loaded()
        self.changed.emit()

    def _on_field_changed(self, *_args: object) -> None:
        self.changed.emit()


def _missing_sample() -> FinetuneError:
    return DatasetUnreadableError(
        "the sample dataset is missing from the installation",
        user_message="The sample dataset is missing from this installation. Reinstall "
        "Finetune Studio, or choose one of your own files.",
    )
