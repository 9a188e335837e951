"""The Settings page: training method, hyperparameters (auto unless the user opens Advanced),
the model name's suffix, the seed and the job's labels, each checked as it is typed."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.dataset import DatasetFormat
from desktop.core.jobs.draft import JobDraft
from desktop.core.jobs.settings import (
    BATCH_SIZE_RANGE,
    BETA_RANGE,
    EPOCHS_RANGE,
    SEED_MAX,
    FieldProblem,
    check_hyperparameters,
    check_metadata,
    check_seed,
    check_suffix,
)
from desktop.core.types import FineTuneMethod, Hyperparameters, JobCreateRequest

ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5300;"
AUTO: Literal["auto"] = "auto"

Number = int | float | Literal["auto"]


def _parse(text: str, *, whole: bool) -> Number | None:
    """``"auto"`` for an empty box, the number, or None when it is not a number."""
    text = text.strip()
    if not text or text.lower() == AUTO:
        return AUTO
    try:
        return int(text) if whole else float(text)
    except ValueError:
        return None


def parse_metadata(text: str) -> tuple[dict[str, str], list[str]]:
    """``name=value`` lines (blank lines ignored) into labels, and what is wrong with them."""
    labels: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            problems.append(f"Line {number}: write each label as name=value.")
            continue
        key = key.strip()
        if key in labels:
            problems.append(f"Line {number}: the label “{key}” is given twice.")
        labels[key] = value.strip()
    problems += [p.message for p in check_metadata(labels)]
    return labels, problems


class SettingsPage(QWidget):
    """Method, Advanced hyperparameters, suffix, seed and labels. GUI thread only."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createSettingsPage")
        self._dpo_allowed = True
        self._supervised_allowed = True
        layout = QVBoxLayout(self)
        method_box = QGroupBox("Training method")
        method_layout = QVBoxLayout(method_box)
        self.supervised_radio = QRadioButton("Supervised — learn to answer like the examples")
        self.supervised_radio.setObjectName("createSupervised")
        self.dpo_radio = QRadioButton("DPO — learn to prefer the better of two answers")
        self.dpo_radio.setObjectName("createDpo")
        self._methods = QButtonGroup(self)
        self._methods.addButton(self.supervised_radio)
        self._methods.addButton(self.dpo_radio)
        self.supervised_radio.setChecked(True)
        self.method_note = QLabel()
        self.method_note.setObjectName("createMethodNote")
        self.method_note.setWordWrap(True)
        method_layout.addWidget(self.supervised_radio)
        method_layout.addWidget(self.dpo_radio)
        method_layout.addWidget(self.method_note)
        layout.addWidget(method_box)

        self.advanced_check = QCheckBox("Choose the training settings myself (Advanced)")
        self.advanced_check.setObjectName("createAdvanced")
        self.advanced_check.setToolTip("Leave this off to let the service choose (recommended)")
        layout.addWidget(self.advanced_check)
        self.advanced_box = QGroupBox("Advanced — leave a box empty for “auto”")
        form = QFormLayout(self.advanced_box)
        self.epochs_edit = self._number_box("createEpochs", f"{EPOCHS_RANGE[0]}–{EPOCHS_RANGE[1]}")
        self.batch_edit = self._number_box(
            "createBatchSize", f"{BATCH_SIZE_RANGE[0]}–{BATCH_SIZE_RANGE[1]}"
        )
        self.lr_edit = self._number_box("createLearningRate", "above 0, e.g. 1 or 0.5")
        self.beta_edit = self._number_box("createBeta", f"above {BETA_RANGE[0]:g}, at most 2")
        form.addRow("Epochs", self.epochs_edit)
        form.addRow("Batch size", self.batch_edit)
        form.addRow("Learning-rate multiplier", self.lr_edit)
        form.addRow("DPO beta", self.beta_edit)
        self.advanced_problems = self._problem_label("createAdvancedProblems")
        form.addRow(self.advanced_problems)
        layout.addWidget(self.advanced_box)

        other = QFormLayout()
        self.suffix_edit = QLineEdit()
        self.suffix_edit.setObjectName("createSuffix")
        self.suffix_edit.setPlaceholderText("Optional, e.g. support-bot (part of the model's name)")
        self.suffix_problem = self._problem_label("createSuffixProblem")
        other.addRow("Suffix", self.suffix_edit)
        other.addRow(self.suffix_problem)
        self.seed_edit = QLineEdit()
        self.seed_edit.setObjectName("createSeed")
        self.seed_edit.setPlaceholderText(f"Optional, 0–{SEED_MAX:,}: the same seed repeats a run")
        self.seed_problem = self._problem_label("createSeedProblem")
        other.addRow("Seed", self.seed_edit)
        other.addRow(self.seed_problem)
        self.metadata_edit = QPlainTextEdit()
        self.metadata_edit.setObjectName("createMetadata")
        self.metadata_edit.setPlaceholderText("Optional labels, one name=value per line")
        self.metadata_edit.setMaximumHeight(80)
        self.metadata_problem = self._problem_label("createMetadataProblem")
        other.addRow("Labels", self.metadata_edit)
        other.addRow(self.metadata_problem)
        layout.addLayout(other)
        layout.addStretch(1)

        for edit in (self.epochs_edit, self.batch_edit, self.lr_edit, self.beta_edit):
            edit.textChanged.connect(self._on_edited)
        self.suffix_edit.textChanged.connect(self._on_edited)
        self.seed_edit.textChanged.connect(self._on_edited)
        self.metadata_edit.textChanged.connect(self._on_edited)
        self.advanced_check.toggled.connect(self._on_edited)
        self._methods.buttonToggled.connect(self._on_edited)
        self._on_edited()

    @staticmethod
    def _number_box(name: str, hint: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(f"auto ({hint})")
        return edit

    @staticmethod
    def _problem_label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(ERROR_STYLE)
        label.setVisible(False)
        return label

    # ------------------------------------------------------------------ values

    @property
    def method(self) -> FineTuneMethod:
        return "dpo" if self.dpo_radio.isChecked() else "supervised"

    def _numbers(self) -> tuple[Hyperparameters, list[str]]:
        problems: list[str] = []
        if not self.advanced_check.isChecked():
            return Hyperparameters(beta=AUTO if self.method == "dpo" else None), problems
        values: list[Number] = []
        for edit, what, whole in (
            (self.epochs_edit, "The number of epochs", True),
            (self.batch_edit, "The batch size", True),
            (self.lr_edit, "The learning-rate multiplier", False),
            (self.beta_edit, "Beta", False),
        ):
            parsed = _parse(edit.text(), whole=whole)
            if parsed is None:
                kind = "a whole number" if whole else "a number"
                problems.append(f"{what} must be {kind} (or empty for auto).")
            values.append(AUTO if parsed is None else parsed)
        epochs, batch, lr, beta = values
        hyper = Hyperparameters(
            n_epochs=AUTO if isinstance(epochs, float) else epochs,
            batch_size=AUTO if isinstance(batch, float) else batch,
            learning_rate_multiplier=lr,
            beta=beta if self.method == "dpo" else None,
        )
        return hyper, problems

    @property
    def hyperparameters(self) -> Hyperparameters:
        return self._numbers()[0]

    @property
    def suffix(self) -> str | None:
        return self.suffix_edit.text().strip() or None

    @property
    def seed(self) -> int | None:
        text = self.seed_edit.text().strip()
        return int(text) if text.isdigit() else None

    @property
    def metadata(self) -> dict[str, str]:
        return parse_metadata(self.metadata_edit.toPlainText())[0]

    def request(
        self, *, model: str, training_file: str, validation_file: str | None
    ) -> JobCreateRequest:
        """The job these settings describe, on the given model and files."""
        return JobCreateRequest(
            model=model,
            training_file=training_file,
            validation_file=validation_file,
            method=self.method,
            hyperparameters=self.hyperparameters,
            suffix=self.suffix,
            seed=self.seed,
            metadata=self.metadata,
        )

    def problems(self) -> list[str]:
        """Everything that blocks the job (warnings are shown, not listed)."""
        hyper, problems = self._numbers()
        problems += [p.message for p in self._hyper_problems(hyper) if p.severity == "error"]
        suffix = check_suffix(self.suffix_edit.text().strip())
        if suffix:
            problems.append(suffix)
        problems += self._seed_problems()
        problems += parse_metadata(self.metadata_edit.toPlainText())[1]
        return problems

    def _hyper_problems(self, hyper: Hyperparameters) -> list[FieldProblem]:
        return check_hyperparameters(hyper, method=self.method)

    def _seed_problems(self) -> list[str]:
        text = self.seed_edit.text().strip()
        if not text:
            return []
        if not text.isdigit():
            return [f"The seed must be a whole number from 0 to {SEED_MAX:,}."]
        problem = check_seed(int(text))
        return [problem] if problem else []

    # ------------------------------------------------------------------ constraints

    def set_constraints(self, *, model_supports_dpo: bool, fmt: DatasetFormat | None) -> None:
        """Allow only the methods the model and the dataset's format permit."""
        if fmt is DatasetFormat.DPO:
            self._supervised_allowed, self._dpo_allowed = False, True
            note = "This dataset holds preference pairs, so it trains with DPO."
        elif fmt in (DatasetFormat.CHAT, DatasetFormat.PROMPT_COMPLETION):
            self._supervised_allowed, self._dpo_allowed = True, False
            note = (
                "DPO needs a preference dataset (an input with a preferred and a non-preferred "
                "answer); this one trains with supervised learning."
            )
        else:
            self._supervised_allowed, self._dpo_allowed = True, model_supports_dpo
            note = "" if model_supports_dpo else "The chosen model does not offer DPO."
        if not model_supports_dpo and self._dpo_allowed and fmt is not DatasetFormat.DPO:
            self._dpo_allowed = False
        self.supervised_radio.setEnabled(self._supervised_allowed)
        self.dpo_radio.setEnabled(self._dpo_allowed)
        if not self._dpo_allowed:
            self.supervised_radio.setChecked(True)
        elif not self._supervised_allowed:
            self.dpo_radio.setChecked(True)
        self.method_note.setText(note)
        self.method_note.setVisible(bool(note))
        self._on_edited()

    def apply_draft(self, draft: JobDraft) -> None:
        """Fill the boxes from ``draft`` (settings the constraints forbid are dropped later)."""
        if draft.method == "dpo":
            self.dpo_radio.setChecked(True)
        hyper = draft.hyperparameters
        pairs = (
            (self.epochs_edit, hyper.n_epochs),
            (self.batch_edit, hyper.batch_size),
            (self.lr_edit, hyper.learning_rate_multiplier),
            (self.beta_edit, hyper.beta),
        )
        chosen = False
        for edit, value in pairs:
            if value is not None and value != AUTO:
                edit.setText(f"{value:g}" if isinstance(value, float) else str(value))
                chosen = True
        self.advanced_check.setChecked(chosen)
        self.suffix_edit.setText(draft.suffix or "")
        self.seed_edit.setText("" if draft.seed is None else str(draft.seed))
        self.metadata_edit.setPlainText("\n".join(f"{k}={v}" for k, v in draft.metadata.items()))

    # ------------------------------------------------------------------ live checks

    def _on_edited(self, *_args: object) -> None:
        advanced = self.advanced_check.isChecked()
        self.advanced_box.setVisible(advanced)
        self.beta_edit.setEnabled(self.method == "dpo")
        hyper, problems = self._numbers()
        found = self._hyper_problems(hyper)
        texts = problems + [p.message for p in found]
        warn_only = not problems and all(p.severity == "warning" for p in found)
        self._show(self.advanced_problems, texts, warning=warn_only)
        suffix = check_suffix(self.suffix_edit.text().strip())
        self._show(self.suffix_problem, [suffix] if suffix else [])
        self._show(self.seed_problem, self._seed_problems())
        self._show(self.metadata_problem, parse_metadata(self.metadata_edit.toPlainText())[1])
        self.changed.emit()

    @staticmethod
    def _show(label: QLabel, texts: list[str], *, warning: bool = False) -> None:
        label.setText("\n".join(texts))
        label.setStyleSheet(WARNING_STYLE if warning else ERROR_STYLE)
        label.setVisible(bool(texts))
