"""The Evaluation window's model choices (1–4 models from the Playground's list, the limit of
requests at once) and its run controls (Run, Pause, Cancel, progress, status line). Call only
from the GUI thread."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.core.playground.evaluation_runs import MAX_EVAL_MODELS
from desktop.ui.playground.models import ModelChoiceModel, ModelIdRole

__all__ = ["DEFAULT_CONCURRENCY", "MAX_CONCURRENCY", "ModelsBox", "RunControls"]

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16


class ModelsBox(QGroupBox):
    """How many models, which ones (the Playground picker's list: fine-tuned ones marked,
    retired ones disabled), and how many requests at once."""

    def __init__(self, choices: ModelChoiceModel, parent: QWidget | None = None) -> None:
        super().__init__("Models", parent)
        self._choices = choices
        row = QHBoxLayout(self)
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("evalModelCount")
        self.count_spin.setRange(1, MAX_EVAL_MODELS)
        self.count_spin.setToolTip("How many models answer every example (1 to 4)")
        row.addWidget(self.count_spin)
        self.combos: list[QComboBox] = []
        for index in range(MAX_EVAL_MODELS):
            combo = QComboBox()
            combo.setObjectName(f"evalModel{index + 1}")
            combo.setModel(choices)  # the same list as the Playground's picker
            combo.setMinimumContentsLength(14)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setPlaceholderText("Choose a model")
            combo.setCurrentIndex(-1)
            self.combos.append(combo)
            row.addWidget(combo, 1)
        concurrency_label = QLabel("Requests at once")
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setObjectName("evalConcurrency")
        self.concurrency_spin.setRange(1, MAX_CONCURRENCY)
        self.concurrency_spin.setValue(DEFAULT_CONCURRENCY)
        self.concurrency_spin.setToolTip(
            "How many answers are asked for at the same time; lower it if the service says "
            "too many requests are sent"
        )
        concurrency_label.setBuddy(self.concurrency_spin)
        row.addWidget(concurrency_label)
        row.addWidget(self.concurrency_spin)
        self.count_spin.valueChanged.connect(self._on_count_changed)
        self._on_count_changed(1)

    def _on_count_changed(self, count: int) -> None:
        for index, combo in enumerate(self.combos):
            combo.setVisible(index < count)

    def chosen_models(self) -> list[str | None]:
        """The model of each visible choice (None where none is chosen)."""
        count = self.count_spin.value()
        return [combo.currentData(ModelIdRole) for combo in self.combos[:count]]

    def choose_models(self, models: list[str]) -> bool:
        """Show ``len(models)`` choices and choose ``models``. False if one is not listed."""
        self.count_spin.setValue(len(models))
        found = True
        for combo, model in zip(self.combos, models, strict=False):
            row = self._choices.row_of(model)
            found = found and row >= 0
            combo.setCurrentIndex(row)
        return found

    def enabled_model_ids(self) -> list[str]:
        """Every model that can be chosen (not retired), in the list's order."""
        ids = []
        for row in range(self._choices.rowCount()):
            choice = self._choices.choice(row)
            if choice is not None and choice.enabled:
                ids.append(choice.id)
        return ids

    @property
    def concurrency(self) -> int:
        return self.concurrency_spin.value()


class RunControls(QWidget):
    """Run, Pause/Resume and Cancel, the progress bar ("12 of 100 answers") and a status line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("evalRunButton")
        self.run_button.setToolTip("Ask every chosen model every example of the test set")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("evalPauseButton")
        self.pause_button.setToolTip("Hold new requests; the answers already asked for arrive")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("evalCancelButton")
        self.cancel_button.setToolTip("Stop the run; the answers received stay saved")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("evalProgress")
        self.progress_bar.setFormat("No run yet")  # "%v of %m answers" once one starts
        self.progress_bar.setValue(0)
        self.status_label = QLabel()
        self.status_label.setObjectName("evalStatus")
        self.status_label.setWordWrap(True)
        grid.addWidget(self.run_button, 0, 0)
        grid.addWidget(self.pause_button, 0, 1)
        grid.addWidget(self.cancel_button, 0, 2)
        grid.addWidget(self.progress_bar, 0, 3)
        grid.addWidget(self.status_label, 1, 0, 1, 4)
        grid.setColumnStretch(3, 1)
