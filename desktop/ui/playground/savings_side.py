"""One side of the Prompt savings window: its model, system instructions, prices and answer.

The prices row shows the catalog's usage prices of the chosen model (as placeholders) and lets
the user type their own per 1M tokens (e.g. their Azure prices); a typed price wins, an empty
field keeps the catalog's, and the label under it says whose price is used.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from desktop.core.catalog import ModelCatalog
from desktop.core.playground.usage_cost import UsagePrices, usage_prices
from desktop.ui.playground.compare_column import CompareColumn
from desktop.ui.playground.models import ModelChoiceModel, ModelIdRole
from desktop.ui.playground.savings_results import parse_price, prices_text

__all__ = ["SavingsSideWidget"]


class SavingsSideWidget(QGroupBox):
    """One side of the comparison. Call only from the GUI thread.

    Signals:
        prices_changed: the user edited a price field.
    """

    prices_changed = Signal()

    def __init__(self, title: str, name: str, placeholder: str, choices: ModelChoiceModel) -> None:
        super().__init__(title)
        self.setObjectName(f"{name}Side")
        self._title = title
        self._catalog_prices: UsagePrices | None = None
        layout = QVBoxLayout(self)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName(f"{name}ModelCombo")
        self.model_combo.setModel(choices)
        self.model_combo.setCurrentIndex(-1)
        self.system_edit = QPlainTextEdit()
        self.system_edit.setObjectName(f"{name}SystemEdit")
        self.system_edit.setPlaceholderText(placeholder)
        self.system_edit.setMaximumHeight(140)
        self.input_price_edit = self._price_edit(f"{name}InputPriceEdit", "input")
        self.output_price_edit = self._price_edit(f"{name}OutputPriceEdit", "output")
        self.prices_label = QLabel()
        self.prices_label.setObjectName(f"{name}PricesLabel")
        self.prices_label.setWordWrap(True)
        self.column = CompareColumn(0)
        self.column.vote_button.setVisible(False)
        self.column.title_label.setVisible(False)
        model_label = QLabel("Model")
        model_label.setBuddy(self.model_combo)
        system_label = QLabel("System instructions")
        system_label.setBuddy(self.system_edit)
        prices_row = QHBoxLayout()
        prices_title = QLabel("Prices per 1M tokens: in")
        prices_title.setBuddy(self.input_price_edit)
        prices_row.addWidget(prices_title)
        prices_row.addWidget(self.input_price_edit)
        prices_row.addWidget(QLabel("out"))
        prices_row.addWidget(self.output_price_edit)
        prices_row.addStretch(1)
        layout.addWidget(model_label)
        layout.addWidget(self.model_combo)
        layout.addWidget(system_label)
        layout.addWidget(self.system_edit)
        layout.addLayout(prices_row)
        layout.addWidget(self.prices_label)
        layout.addWidget(self.column, 1)
        self._show_prices()

    def _price_edit(self, object_name: str, what: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(object_name)
        edit.setMaximumWidth(90)
        edit.setToolTip(
            f"Your {what} price in dollars per 1M tokens (e.g. your Azure price); "
            "leave empty to use the app's catalog price"
        )
        edit.textChanged.connect(self._on_price_edited)
        return edit

    @property
    def title_text(self) -> str:
        return self._title

    @property
    def model(self) -> str | None:
        data = self.model_combo.currentData(ModelIdRole)
        return str(data) if data else None

    def refresh_catalog_prices(self, catalog: ModelCatalog | None) -> None:
        """Look up the chosen model's catalog prices and show them (call on a model change)."""
        model = self.model
        prices = None
        if model is not None and catalog is not None:
            prices = usage_prices(model, catalog)
        self._catalog_prices = prices
        for edit, price in (
            (self.input_price_edit, prices.input if prices else None),
            (self.output_price_edit, prices.output if prices else None),
        ):
            edit.setPlaceholderText("unknown" if price is None else f"{price}")
        self._show_prices()

    def price_problems(self) -> list[str]:
        """Plain sentences about price fields that are not numbers (empty when all are fine)."""
        problems = []
        for edit, what in ((self.input_price_edit, "input"), (self.output_price_edit, "output")):
            _, problem = parse_price(edit.text(), f"{self._title}: the {what} price")
            if problem is not None:
                problems.append(problem)
        return problems

    def prices(self) -> UsagePrices | None:
        """The prices this side uses: the user's where typed, else the catalog's; None if none."""
        typed_in, _ = parse_price(self.input_price_edit.text(), "")
        typed_out, _ = parse_price(self.output_price_edit.text(), "")
        catalog = self._catalog_prices
        if typed_in is None and typed_out is None:
            return catalog
        return UsagePrices(
            typed_in if typed_in is not None else (catalog.input if catalog else None),
            typed_out if typed_out is not None else (catalog.output if catalog else None),
            None,
            origin="user",
        )

    def _on_price_edited(self) -> None:
        self._show_prices()
        self.prices_changed.emit()

    def _show_prices(self) -> None:
        problems = self.price_problems()
        if problems:
            self.prices_label.setText(" ".join(problems))
            return
        text = prices_text(self.prices())
        typed = [bool(e.text().strip()) for e in (self.input_price_edit, self.output_price_edit)]
        if any(typed) and not all(typed) and self._catalog_prices is not None:
            text += "; the empty field keeps the catalog's price"
        self.prices_label.setText(text)
