"""What the Estimate panel shows, as plain values (no Qt): model rows and the figures.

``model_rows`` decides which catalog models can be picked and how they are labelled;
``estimate_figures`` turns a report, a model, epochs and a price into the numbers shown.
``EstimateChoiceModel`` only adapts the rows for a ``QComboBox``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.core.catalog import CatalogModel, ModelCatalog, effective_shutdown_date
from desktop.core.dataset import DatasetReport, default_epochs
from desktop.core.pricing import estimate_training_cost
from desktop.core.types import ModelInfo
from desktop.ui.datasets.panels.formatting import format_date, format_money

RETIRING_SOON_DAYS = 60
"""Models retiring within this many days are marked in the picker."""

ModelIdRole = Qt.ItemDataRole.UserRole + 1
"""``data(index, ModelIdRole)`` is the catalog model id of the row."""

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One model in the picker; retired ones stay listed but disabled."""

    model: CatalogModel
    label: str
    enabled: bool
    shutdown: dt.date | None
    note: str
    """"retired on …", "retires in N days" or ""."""


def model_rows(
    catalog: ModelCatalog, connection_models: Iterable[ModelInfo], *, today: dt.date
) -> list[ModelRow]:
    """The catalog's fine-tunable models, with the connection's shutdown dates winning.

    Args:
        catalog: the app's model catalog.
        connection_models: what the active connection listed (may be empty).
        today: the date that decides what is retired.

    Returns:
        One row per catalog model, in catalog order.
    """
    listed = {model.id.lower(): model for model in connection_models}
    rows: list[ModelRow] = []
    for model in catalog.models:
        info = listed.get(model.id.lower()) or ModelInfo(id=model.id)
        shutdown = effective_shutdown_date(info, catalog)
        retired = shutdown is not None and shutdown <= today
        note = ""
        if shutdown is not None and retired:
            note = f"retired on {format_date(shutdown)}"
        elif shutdown is not None and (shutdown - today).days <= RETIRING_SOON_DAYS:
            note = f"retires in {(shutdown - today).days} days"
        price = model.pricing.training
        parts = [model.id, f"{format_money(price)} per 1M tokens" if price else "price unknown"]
        if model.training_context_tokens:
            parts.append(f"up to {model.training_context_tokens:,} tokens")
        if note:
            parts.append(note)
        rows.append(
            ModelRow(
                model=model,
                label="  ·  ".join(parts),
                enabled=not retired,
                shutdown=shutdown,
                note=note,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class EstimateFigures:
    """The numbers of one estimate. ``None`` where they cannot be known without a re-check."""

    tokens: int
    epochs: int
    billable_tokens: int | None
    over_limit: int | None
    cost: Decimal | None
    exact_tokens: bool
    """False when the report was counted with another encoding or context limit."""


def auto_epochs(report: DatasetReport) -> int:
    """The service's default epochs for the report's valid examples (0 without any)."""
    examples = report.stats.examples
    return default_epochs(examples) if examples else 0


def estimate_figures(
    report: DatasetReport, model: CatalogModel, *, epochs: int | None, price: Decimal | None
) -> EstimateFigures:
    """Tokens, billable tokens (Σ min(tokens, limit)), examples over the limit and the cost.

    Billable tokens are exact when the report was checked with the model's context limit, or
    when no example reaches the model's limit; otherwise they are unknown until a re-check.

    Args:
        report: the checked dataset.
        model: the chosen catalog model.
        epochs: the user's epochs, or None for the service's default.
        price: USD per 1M training tokens, or None when unknown.
    """
    stats = report.stats
    limit = model.training_context_tokens
    chosen_epochs = epochs if epochs is not None else auto_epochs(report)
    billable: int | None
    over: int | None
    if limit == stats.context_limit:
        billable, over = stats.billable_tokens, stats.over_limit
    elif limit is None or stats.tokens.maximum <= limit:
        billable, over = stats.total_tokens, 0
    else:
        billable, over = None, None
    cost = None
    if billable is not None and price is not None:
        priced = replace(model, pricing=replace(model.pricing, training=price))
        cost = estimate_training_cost(billable, chosen_epochs, priced)
    same_encoding = report.encoding_name == model.encoding
    return EstimateFigures(
        tokens=stats.total_tokens,
        epochs=chosen_epochs,
        billable_tokens=billable,
        over_limit=over,
        cost=cost,
        exact_tokens=same_encoding and billable is not None,
    )


class EstimateChoiceModel(QAbstractListModel):
    """A thin list model over ``ModelRow`` values; retired rows cannot be selected.

    Call only from the GUI thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ModelRow] = []

    def set_rows(self, rows: list[ModelRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> ModelRow | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def row_of(self, model_id: str) -> int:
        """The row of ``model_id``, or -1."""
        for index, row in enumerate(self._rows):
            if row.model.id == model_id:
                return index
        return -1

    def first_enabled_row(self) -> int:
        return next((i for i, row in enumerate(self._rows) if row.enabled), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.label
        if role == ModelIdRole:
            return row.model.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.note or row.model.notes or None
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return Qt.ItemFlag.NoItemFlags
        if not row.enabled:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
