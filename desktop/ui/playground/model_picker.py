"""The Playground's model picker: every chat model of the active connection, searchable.

Fine-tuned models come first and are marked; retired ones stay listed but cannot be chosen;
on Azure the picker offers the connection's deployment names. A "Find a model" field next to
the list completes on any part of a model's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.core.connections import ConnectionKind
from desktop.core.playground.usage_cost import is_fine_tuned_model
from desktop.core.types import ModelInfo
from desktop.ui.common.connection_state import Reachability, ReachState
from desktop.ui.playground.models import (
    ModelChoice,
    ModelChoiceModel,
    ModelIdRole,
    deployment_choices,
    model_choices,
)

if TYPE_CHECKING:
    from desktop.core.catalog import ModelCatalog
    from desktop.ui.common.connection_service import ConnectionService

CatalogSource = Callable[[], "ModelCatalog | None"]
"""Returns the model catalog (loaded on first use), or None when it is unavailable."""


def _kind(model_id: str) -> str:
    if CHECKPOINT_MARKER in model_id:
        return "checkpoint, "
    return "fine-tuned, " if is_fine_tuned_model(model_id) else ""


CHECKPOINT_MARKER = ":ckpt-step-"
"""Checkpoint models are ``ft:…:ckpt-step-N``; the connection's model list never has them."""


class ModelPickerWidget(QWidget):
    """The model list, its search field, Refresh and the "Simulated" badge.

    Follows ``service`` (connection, models, reachability) until :meth:`shutdown`.
    Call only from the GUI thread.
    """

    model_changed = Signal()
    """The chosen model changed (or the list was replaced)."""

    def __init__(
        self,
        service: ConnectionService,
        *,
        catalog: CatalogSource | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._catalog_source = catalog
        self._today = today
        self._opened_models: list[str] = []
        """Models opened from elsewhere (e.g. a new fine-tuned model) the connection has not
        listed yet: kept in the picker until it lists them."""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        label = QLabel("Model")
        label.setObjectName("fieldLabel")
        self.combo = QComboBox()
        self.combo.setObjectName("modelPicker")
        # Fine-tuned model names are long: a fixed minimum keeps the tab narrow enough for a
        # small window; the list that drops down is as wide as its longest name.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(16)
        self.combo.view().setMinimumWidth(420)
        self.choices = ModelChoiceModel()
        self.combo.setModel(self.choices)
        self.combo.setToolTip("The model that answers. Your fine-tuned models come first.")
        label.setBuddy(self.combo)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("modelSearch")
        self.search_edit.setPlaceholderText("Find a model…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(200)
        self.completer = QCompleter(self.choices, self)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionRole(Qt.ItemDataRole.DisplayRole)
        self.search_edit.setCompleter(self.completer)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshModelsButton")
        self.refresh_button.setToolTip("Ask the connection again for its models")
        self.simulated_label = QLabel("Simulated")
        self.simulated_label.setObjectName("simulatedBadge")
        self.simulated_label.setToolTip(
            "The Demo connection runs on this computer: replies are made up, nothing is sent "
            "anywhere and nothing costs money."
        )
        row.addWidget(label)
        # The box takes the row's spare width, so a checkpoint's long name reads in full on a
        # normal window; the minimum above still lets a small window shrink.
        row.addWidget(self.combo, 1)
        row.addWidget(self.search_edit)
        row.addWidget(self.refresh_button)
        row.addWidget(self.simulated_label)

        self.completer.activated.connect(self._on_completion_chosen)
        self.search_edit.returnPressed.connect(self._on_search_return)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.combo.currentIndexChanged.connect(self._on_index_changed)
        service.connection_changed.connect(self._on_connection_changed)
        service.models_changed.connect(self._on_models_changed)
        service.reachability_changed.connect(self._on_reachability_changed)
        self._on_connection_changed(service.profile)
        self._on_models_changed(service.models)

    # ------------------------------------------------------------------ state

    @property
    def selected_model(self) -> str | None:
        """The chosen model's id, or None."""
        data = self.combo.currentData(ModelIdRole)
        return data if isinstance(data, str) else None

    def select_model(self, model_id: str) -> bool:
        """Pick ``model_id``; False when it is not listed or is retired."""
        row = self.choices.row_of(model_id)
        choice = self.choices.choice(row)
        if choice is None or not choice.enabled:
            return False
        self.combo.setCurrentIndex(row)
        return True

    def open_model(self, model_id: str) -> bool:
        """Choose ``model_id``, adding it when the connection has not listed it yet.

        Returns:
            False when the model is listed but retired (it stays unselectable).
        """
        if self.choices.row_of(model_id) < 0:
            self._opened_models.append(model_id)
            self._set_models(self._service.models)
        return self.select_model(model_id)

    def catalog(self) -> ModelCatalog | None:
        """The app's catalog, or None when unavailable."""
        return self._catalog_source() if self._catalog_source is not None else None

    # ------------------------------------------------------------------ events

    def _on_index_changed(self, _row: int) -> None:
        selected = self.selected_model
        self.combo.setToolTip(
            selected or "The model that answers. Your fine-tuned models come first."
        )
        self.model_changed.emit()

    def _on_completion_chosen(self, label: str) -> None:
        for row in range(self.choices.rowCount()):
            choice = self.choices.choice(row)
            if choice is not None and choice.label == label and self.select_model(choice.id):
                # Cleared after the completer has finished writing the choice into the field.
                QTimer.singleShot(0, self.search_edit.clear)
                return

    def _on_search_return(self) -> None:
        text = self.search_edit.text().strip().casefold()
        if not text:
            return
        for row in range(self.choices.rowCount()):
            choice = self.choices.choice(row)
            if choice is not None and choice.enabled and text in choice.id.casefold():
                self.combo.setCurrentIndex(row)
                self.search_edit.clear()
                return

    def _on_refresh_clicked(self) -> None:
        self._service.start_check()

    def _on_connection_changed(self, _profile: object) -> None:
        self.simulated_label.setVisible(self._service.is_demo)
        self._opened_models.clear()  # they belong to the previous connection
        self._set_models(())
        self.combo.setPlaceholderText("Loading models…")

    def _on_models_changed(self, models: tuple[ModelInfo, ...]) -> None:
        self._set_models(models)

    def _on_reachability_changed(self, reachability: Reachability) -> None:
        if reachability.state is ReachState.UNREACHABLE and not self._service.models:
            self.combo.setPlaceholderText("No models: the connection cannot be reached")
        elif reachability.state is ReachState.CHECKING and not self._service.models:
            self.combo.setPlaceholderText("Loading models…")

    def _set_models(self, models: tuple[ModelInfo, ...]) -> None:
        previous = self.selected_model
        profile = self._service.profile
        if profile.kind is ConnectionKind.AZURE:
            choices = deployment_choices(profile.deployments)
        else:
            choices = model_choices(models, today=self._today(), catalog=self.catalog())
        choices = self._with_opened_models(choices)
        with QSignalBlocker(self.combo):
            self.choices.set_choices(choices)
            row = self.choices.row_of(previous) if previous else -1
            if row < 0 or not choices[row].enabled:
                row = self.choices.first_enabled_row()
            self.combo.setCurrentIndex(row)
        if profile.kind is ConnectionKind.AZURE and not choices:
            self.combo.setPlaceholderText("Add your Azure deployment names in Preferences to chat")
        elif models and not choices:
            self.combo.setPlaceholderText("This connection lists no chat models")
        self.model_changed.emit()

    def _with_opened_models(self, choices: list[ModelChoice]) -> list[ModelChoice]:
        listed = {choice.id for choice in choices}
        self._opened_models = [m for m in self._opened_models if m not in listed]
        opened = [
            ModelChoice(
                id=model_id,
                label=f"{model_id}  ·  {_kind(model_id)}opened",
                enabled=True,
                tooltip="Opened from the Jobs tab or a saved chat; the connection does not "
                "list it (checkpoints are never listed).",
                fine_tuned=is_fine_tuned_model(model_id),
            )
            for model_id in self._opened_models
        ]
        return opened + choices

    def set_busy(self, busy: bool) -> None:
        """Lock the choice while a reply streams."""
        self.refresh_button.setEnabled(not busy)

    def shutdown(self) -> None:
        """Stop following the connection service (the window is closing)."""
        for signal, slot in (
            (self._service.connection_changed, self._on_connection_changed),
            (self._service.models_changed, self._on_models_changed),
            (self._service.reachability_changed, self._on_reachability_changed),
        ):
            signal.disconnect(slot)
