"""The Estimate panel: choose a model, see tokens, epochs, billable tokens and training cost.

The price per 1M training tokens is prefilled from the catalog and can be edited; an edited
price is remembered per model in ``QSettings`` under ``datasets/training_price/<model id>``
(the app's default ``QSettings`` unless one is passed in). Setting it back to the catalog's
price (or pressing "Catalog price") forgets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.dataset import DatasetReport, model_format_issue
from desktop.ui.datasets.panels.estimate_choices import (
    EstimateChoiceModel,
    EstimateFigures,
    ModelIdRole,
    auto_epochs,
    estimate_figures,
    model_rows,
)
from desktop.ui.datasets.panels.formatting import format_date, format_money

if TYPE_CHECKING:
    from desktop.core.catalog import CatalogModel, ModelCatalog
    from desktop.ui.common.connection_service import ConnectionService

PRICE_KEY = "datasets/training_price/{model_id}"
MAX_EPOCHS = 50
FIELD_WIDTH = 280
_NOT_COUNTED = "re-check needed"


class EstimatePanel(QWidget):
    """Model picker and training estimate for one checked dataset.

    Invariants: retired models cannot be selected; the figures always match the selected
    model, the epochs box and the price box. Call only from the GUI thread.
    """

    recheck_requested = Signal(str)
    """The chosen model counts tokens with another encoding (its name): check again with it."""

    def __init__(
        self,
        catalog_getter: Callable[[], ModelCatalog | None],
        *,
        service: ConnectionService,
        today: Callable[[], dt.date] = dt.date.today,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("estimatePanel")
        self._catalog_getter = catalog_getter
        self._service = service
        self._today = today
        self._settings = settings if settings is not None else QSettings()
        self._path: Path | None = None
        self._report: DatasetReport | None = None
        self._requested_encoding: str | None = None
        self._build()
        service.models_changed.connect(self._on_models_changed)
        self._reload_models()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("estimateModelPicker")
        self._choices = EstimateChoiceModel()
        self.model_combo.setModel(self._choices)
        form.addRow("Model", self.model_combo)
        self.format_label = self._label("estimateFormat", form, "")
        self.format_label.setStyleSheet("color: #b3261e;")
        encoding_row = QHBoxLayout()
        self.encoding_label = QLabel()
        self.encoding_label.setObjectName("estimateEncoding")
        self.encoding_label.setWordWrap(True)
        self.recheck_button = QPushButton("Count again")
        self.recheck_button.setObjectName("estimateRecheck")
        self.recheck_button.setToolTip("Count the tokens again with this model's tokenizer")
        encoding_row.addWidget(self.encoding_label, 1)
        encoding_row.addWidget(self.recheck_button)
        form.addRow(encoding_row)
        self.tokens_label = self._label("estimateTokens", form, "Tokens")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("estimateEpochs")
        self.epochs_spin.setMaximumWidth(FIELD_WIDTH)
        self.epochs_spin.setRange(0, MAX_EPOCHS)
        self.epochs_spin.setToolTip(
            "How many times training goes over the examples. Leave it on Automatic to let the "
            "service choose, or pick 1 to 50."
        )
        form.addRow("Epochs", self.epochs_spin)
        price_row = QHBoxLayout()
        self.price_spin = QDoubleSpinBox()
        self.price_spin.setObjectName("estimatePrice")
        self.price_spin.setMaximumWidth(FIELD_WIDTH)
        self.price_spin.setRange(0.0, 10_000.0)
        self.price_spin.setDecimals(2)
        self.price_spin.setPrefix("$")
        self.price_spin.setSuffix(" per 1M tokens")
        self.price_spin.setSpecialValueText("price unknown")
        self.price_spin.setToolTip("Training price per million tokens. Edit it if yours differs.")
        self.reset_price_button = QPushButton("Catalog price")
        self.reset_price_button.setObjectName("estimateResetPrice")
        price_row.addWidget(self.price_spin)
        price_row.addWidget(self.reset_price_button)
        price_row.addStretch(1)
        form.addRow("Training price", price_row)
        self.billable_label = self._label("estimateBillable", form, "Billable tokens")
        self.over_limit_label = self._label("estimateOverLimit", form, "Over the limit")
        self.cost_label = self._label("estimateCost", form, "Training cost")
        self.cost_label.setStyleSheet("font-weight: bold;")
        layout.addLayout(form)
        self.note_label = QLabel()
        self.note_label.setObjectName("estimateNote")
        self.note_label.setWordWrap(True)
        layout.addWidget(self.note_label)
        layout.addStretch(1)
        self.model_combo.currentIndexChanged.connect(self._on_model_changed)
        self.epochs_spin.valueChanged.connect(self._on_epochs_changed)
        self.price_spin.valueChanged.connect(self._on_price_edited)
        self.reset_price_button.clicked.connect(self._on_reset_price_clicked)
        self.recheck_button.clicked.connect(self._on_recheck_clicked)

    @staticmethod
    def _label(name: str, form: QFormLayout, title: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        if title:
            form.addRow(title, label)
        else:
            form.addRow(label)
        return label

    # ------------------------------------------------------------------ public

    def set_dataset(self, path: Path, report: DatasetReport) -> None:
        """Show the estimate for ``report`` (the check of ``path``)."""
        if path != self._path or report.encoding_name == self._requested_encoding:
            self._requested_encoding = None  # a new file, or the re-check asked for arrived
        self._path = path
        self._report = report
        with QSignalBlocker(self.epochs_spin):
            self.epochs_spin.setSpecialValueText(f"Automatic ({auto_epochs(report)})")
        self._on_model_changed()

    @property
    def selected_model(self) -> CatalogModel | None:
        """The chosen catalog model (its ``encoding`` and ``training_context_tokens``)."""
        row = self._choices.row(self.model_combo.currentIndex())
        return row.model if row is not None and row.enabled else None

    def select_model(self, model_id: str) -> bool:
        """Choose ``model_id``; False when it is not listed or is retired."""
        index = self._choices.row_of(model_id)
        row = self._choices.row(index)
        if row is None or not row.enabled:
            return False
        self.model_combo.setCurrentIndex(index)
        return True

    @property
    def figures(self) -> EstimateFigures | None:
        """The numbers shown, or None without a dataset or model."""
        model = self.selected_model
        if self._report is None or model is None:
            return None
        epochs = self.epochs_spin.value() or None
        return estimate_figures(self._report, model, epochs=epochs, price=self._price())

    # ------------------------------------------------------------------ events

    def _on_models_changed(self, _models: object) -> None:
        self._reload_models()

    def _reload_models(self) -> None:
        catalog = self._catalog_getter()
        current = self.model_combo.currentData(ModelIdRole)
        rows = model_rows(catalog, self._service.models, today=self._today()) if catalog else []
        with QSignalBlocker(self.model_combo):
            self._choices.set_rows(rows)
            index = self._choices.row_of(current) if isinstance(current, str) else -1
            row = self._choices.row(index)
            if row is None or not row.enabled:
                index = self._choices.first_enabled_row()
            self.model_combo.setCurrentIndex(index)
        if catalog is None:
            self.note_label.setText("The list of models is unavailable, so no estimate is shown.")
        self._on_model_changed()

    def _on_model_changed(self, _index: int = -1) -> None:
        model = self.selected_model
        with QSignalBlocker(self.price_spin):
            self.price_spin.setValue(float(self._stored_price(model) or 0) if model else 0.0)
        self.reset_price_button.setEnabled(model is not None and self._has_own_price(model))
        self._check_format_and_encoding(model)
        self._update_figures()

    def _on_epochs_changed(self, _value: int) -> None:
        self._update_figures()

    def _on_price_edited(self, value: float) -> None:
        model = self.selected_model
        if model is None:
            return
        key = PRICE_KEY.format(model_id=model.id)
        price = Decimal(str(round(value, 2)))
        catalog_price = model.pricing.training if model.pricing.training is not None else 0
        if price == catalog_price:
            self._settings.remove(key)
        else:
            self._settings.setValue(key, str(price))
        self.reset_price_button.setEnabled(self._has_own_price(model))
        self._update_figures()

    def _on_recheck_clicked(self) -> None:
        model = self.selected_model
        if model is not None:
            self._requested_encoding = model.encoding
            self.recheck_requested.emit(model.encoding)

    def _on_reset_price_clicked(self) -> None:
        model = self.selected_model
        if model is not None:
            self._settings.remove(PRICE_KEY.format(model_id=model.id))
        self._on_model_changed()

    # ------------------------------------------------------------------ helpers

    def _has_own_price(self, model: CatalogModel) -> bool:
        return self._settings.contains(PRICE_KEY.format(model_id=model.id))

    def _stored_price(self, model: CatalogModel) -> Decimal | None:
        saved = self._settings.value(PRICE_KEY.format(model_id=model.id))
        if saved is not None:
            try:
                return Decimal(str(saved))
            except InvalidOperation:
                pass
        return model.pricing.training

    def _price(self) -> Decimal | None:
        value = self.price_spin.value()
        return Decimal(str(round(value, 2))) if value > 0 else None

    def _check_format_and_encoding(self, model: CatalogModel | None) -> None:
        report = self._report
        issue = model_format_issue(report.format, model) if report and model else None
        self.format_label.setText(f"This file cannot be used: {issue.message}." if issue else "")
        self.format_label.setVisible(issue is not None)
        differs = (
            report is not None and model is not None and report.encoding_name != model.encoding
        )
        self.recheck_button.setVisible(differs)
        if report is None or model is None or not differs:
            self.encoding_label.setVisible(False)
            return
        self.encoding_label.setText(
            f"Tokens were counted for {report.encoding_name}, but {model.id} uses "
            f"{model.encoding}: re-check needed for exact tokens."
        )
        self.encoding_label.setVisible(True)
        # Asked once per encoding: a re-check that brings another encoding must not loop.
        if model.encoding != self._requested_encoding:
            self._requested_encoding = model.encoding
            self.recheck_requested.emit(model.encoding)

    def _update_figures(self) -> None:
        figures = self.figures
        model = self.selected_model
        if figures is None or model is None:
            for label in (self.tokens_label, self.billable_label, self.over_limit_label):
                label.setText("—")
            self.cost_label.setText("Choose a model and open a dataset to see an estimate.")
            return
        approx = "" if figures.exact_tokens else "about "
        self.tokens_label.setText(f"{approx}{figures.tokens:,}")
        if figures.billable_tokens is None:
            self.billable_label.setText(_NOT_COUNTED)
            self.over_limit_label.setText(_NOT_COUNTED)
        else:
            self.billable_label.setText(
                f"{approx}{figures.billable_tokens:,} per epoch, "
                f"{figures.billable_tokens * figures.epochs:,} in all"
            )
            over = figures.over_limit or 0
            self.over_limit_label.setText(
                f"{over:,} example(s) longer than {model.training_context_tokens:,} tokens "
                "will be cut short"
                if over
                else "None"
            )
        if figures.cost is not None:
            self.cost_label.setText(f"{approx}{format_money(figures.cost)}")
        elif figures.billable_tokens is None:
            self.cost_label.setText("Unknown until the file is checked for this model")
        else:
            self.cost_label.setText("Price unknown: enter the price per 1M tokens above")
        own = self._has_own_price(model)
        source = "your price" if own else f"prices as of {format_date(model.as_of)}"
        self.note_label.setText(
            f"{figures.epochs} epoch(s); {source}, an estimate — check the provider's pricing "
            "page before training."
        )
