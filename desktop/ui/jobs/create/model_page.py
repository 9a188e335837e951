"""The Model page: the connection's fine-tunable snapshots with price, limit and retirement.

Retired models stay listed but cannot be chosen; models retiring within 60 days carry a warning
with the date; models that cannot train on the chosen file's format are disabled with the reason.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.core.catalog import CatalogModel, ModelCatalog
from desktop.core.dataset import DatasetFormat, model_format_issue
from desktop.core.jobs.base_models import BaseModelChoice, base_model_choices
from desktop.core.jobs.quote import format_price
from desktop.ui.jobs.create.env import PRICE_KEY, CreateJobEnv

ModelIdRole = Qt.ItemDataRole.UserRole + 1
WARNING_STYLE = "color: #8a5300;"


def price_override(settings: QSettings, model_id: str) -> Decimal | None:
    """The training price the user entered for ``model_id`` in the Datasets tab, if any."""
    saved = settings.value(PRICE_KEY.format(model_id=model_id))
    if saved is None:
        return None
    try:
        price = Decimal(str(saved))
    except InvalidOperation:
        return None
    return price if price > 0 else None


def choice_text(choice: BaseModelChoice, own_price: Decimal | None) -> str:
    """Two lines for the list: the id, then price, context limit and retirement."""
    if own_price is not None:
        price = f"{format_price(own_price)} per 1M training tokens (your price)"
    elif choice.training_price is not None:
        as_of = f", prices as of {choice.price_as_of}" if choice.price_as_of else ""
        price = f"{format_price(choice.training_price)} per 1M training tokens{as_of}"
    else:
        price = "training price unknown"
    parts = [price]
    if choice.context_limit:
        parts.append(f"examples up to {choice.context_limit:,} tokens")
    if choice.shutdown_date is not None:
        parts.append(
            ("retired on " if choice.retired else "retires on ") + str(choice.shutdown_date)
        )
    if choice.supports_dpo:
        parts.append("DPO possible")
    mark = "⚠ " if choice.retiring_soon else ""
    return f"{mark}{choice.id}\n    " + " · ".join(parts)


class ModelPage(QWidget):
    """Pick the base model. GUI thread only."""

    changed = Signal()

    def __init__(self, env: CreateJobEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createModelPage")
        self._env = env
        self._format: DatasetFormat | None = None
        catalog = env.catalog
        self.choices: list[BaseModelChoice] = (
            base_model_choices(env.models, catalog, today=env.today) if catalog else []
        )
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Choose the model to teach. A model trained from it stops working when the base "
            "model retires."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setObjectName("createModelList")
        layout.addWidget(self.list, 1)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("createModelWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        layout.addWidget(self.warning_label)
        self.draft_note = QLabel()
        self.draft_note.setObjectName("createModelDraftNote")
        self.draft_note.setWordWrap(True)
        self.draft_note.setStyleSheet(WARNING_STYLE)
        self.draft_note.setVisible(False)
        layout.addWidget(self.draft_note)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("createModelEmpty")
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)
        self._fill()
        self._select_first_usable()
        self.list.currentItemChanged.connect(self._on_current_changed)
        self._on_current_changed()

    # ------------------------------------------------------------------ public

    @property
    def selected(self) -> BaseModelChoice | None:
        item = self.list.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        wanted = item.data(ModelIdRole)
        return next((c for c in self.choices if c.id == wanted), None)

    @property
    def catalog_model(self) -> CatalogModel | None:
        """The catalog entry of the chosen model (its tokenizer and limits), if known."""
        choice = self.selected
        catalog = self._env.catalog
        return catalog.get(choice.id) if choice is not None and catalog is not None else None

    def own_price(self) -> Decimal | None:
        choice = self.selected
        return price_override(self._env.settings, choice.id) if choice else None

    def select(self, model_id: str) -> bool:
        """Choose ``model_id``; False when it is not offered or cannot be chosen."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ModelIdRole) == model_id:
                if not item.flags() & Qt.ItemFlag.ItemIsEnabled:
                    return False
                self.list.setCurrentRow(row)
                return True
        return False

    def prefer(self, model_id: str) -> bool:
        """Choose the earlier job's model, or say why another one is chosen."""
        if self.select(model_id):
            return True
        item = self.item_for(model_id)
        reason = item.toolTip() if item is not None else ""
        why = f" ({reason})" if reason else " (this connection does not offer it)"
        self.draft_note.setText(f"The earlier job used {model_id}{why}. Choose another model.")
        self.draft_note.setVisible(True)
        return False

    def set_dataset_format(self, fmt: DatasetFormat | None) -> None:
        """Disable the models that cannot train on ``fmt`` (None: the format is unknown)."""
        if fmt == self._format:
            return
        self._format = fmt
        current = self.selected
        self._fill()
        if current is None or not self.select(current.id):
            self._select_first_usable()
        self._on_current_changed()

    def item_for(self, model_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ModelIdRole) == model_id:
                return item
        return None

    # ------------------------------------------------------------------ helpers

    def _why_not(self, choice: BaseModelChoice, catalog: ModelCatalog | None) -> str:
        if choice.retired:
            return choice.note
        entry = catalog.get(choice.id) if catalog is not None else None
        if self._format is not None and entry is not None:
            issue = model_format_issue(self._format, entry)
            if issue is not None:
                return f"This dataset cannot be used: {issue.message}."
        return ""

    def _fill(self) -> None:
        catalog = self._env.catalog
        self.list.blockSignals(True)
        self.list.clear()
        for choice in self.choices:
            item = QListWidgetItem(
                choice_text(choice, price_override(self._env.settings, choice.id))
            )
            item.setData(ModelIdRole, choice.id)
            reason = self._why_not(choice, catalog)
            if reason:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setToolTip(reason)
            else:
                item.setToolTip(choice.note)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if catalog is None:
            self.empty_label.setText(
                "The app's list of models is unavailable, so no model can be offered. "
                "Reinstall Finetune Studio."
            )
        elif not self._env.models:
            self.empty_label.setText(
                "The connection has not listed its models yet (it may be offline or still "
                "loading). Close this dialog, press Refresh in the Playground, then try again."
            )
        elif not self.choices:
            self.empty_label.setText(
                "This connection lists no model that can be fine-tuned. On Azure OpenAI, check "
                "the region and the deployments in Preferences; then reopen this dialog."
            )
        else:
            self.empty_label.setText("")
        self.empty_label.setVisible(bool(self.empty_label.text()))

    def _select_first_usable(self) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsEnabled:
                self.list.setCurrentRow(row)
                return
        self.list.setCurrentRow(-1)

    def _on_current_changed(self, *_args: object) -> None:
        choice = self.selected
        if choice is not None and choice.retiring_soon:
            self.warning_label.setText(f"⚠ {choice.note}.")
        else:
            self.warning_label.setText("")
        self.warning_label.setVisible(bool(self.warning_label.text()))
        self.changed.emit()
