"""The Playground's model picker: which models can chat, how they are labelled, which are usable.

``model_choices`` is plain Python (no Qt) so its rules are testable on their own;
``ModelChoiceModel`` only adapts the resulting list for a ``QComboBox``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.core.catalog import ModelCatalog, effective_shutdown_date
from desktop.core.types import ModelInfo

ModelIdRole = Qt.ItemDataRole.UserRole + 1
"""``data(index, ModelIdRole)`` is the model id of the row."""

_Index = QModelIndex | QPersistentModelIndex

# Models listed by OpenAI that cannot answer chat completions.
_NOT_CHAT_MARKERS = (
    "embedding",
    "whisper",
    "tts",
    "dall-e",
    "moderation",
    "transcribe",
    "realtime",
    "image",
    "audio",
    "search",
    "computer-use",
    "sora",
)
_COMPLETION_ONLY = ("babbage-002", "davinci-002")


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """One row of the picker. Disabled rows stay visible so the user sees why a model is gone."""

    id: str
    label: str
    enabled: bool
    tooltip: str
    fine_tuned: bool


def can_chat(model_id: str) -> bool:
    """Whether a listed model answers chat completions (fine-tuned models always do)."""
    lowered = model_id.lower()
    if lowered.startswith("ft:") or ".ft-" in lowered:
        return True
    if lowered.startswith(_COMPLETION_ONLY):
        return False
    return not any(marker in lowered for marker in _NOT_CHAT_MARKERS)


def model_choices(
    models: Iterable[ModelInfo], *, today: dt.date, catalog: ModelCatalog | None = None
) -> list[ModelChoice]:
    """The picker's rows: chat models only, fine-tuned ones first, retired ones disabled.

    Args:
        models: what the connection listed.
        today: the date that decides which models are retired.
        catalog: supplies shutdown dates the connection does not report.

    Returns:
        The rows, fine-tuned models first (newest first), then base models by name.
    """
    rows: list[tuple[tuple[int, int, str], ModelChoice]] = []
    for model in models:
        if not can_chat(model.id):
            continue
        shutdown = effective_shutdown_date(model, catalog) if catalog else model.shutdown_date
        retired = shutdown is not None and shutdown <= today
        fine_tuned = model.is_fine_tuned or ".ft-" in model.id
        label = f"{model.id}  ·  fine-tuned" if fine_tuned else model.id
        if retired:
            label += "  (retired)"
            tooltip = f"Retired on {shutdown:%d %B %Y}: this model no longer answers."
        elif shutdown is not None:
            days = (shutdown - today).days
            tooltip = f"Retires on {shutdown:%d %B %Y} (in {days} days)."
        elif fine_tuned:
            tooltip = f"Your fine-tuned model, based on {model.base_model or 'a base model'}."
        else:
            tooltip = "A base model."
        choice = ModelChoice(
            id=model.id, label=label, enabled=not retired, tooltip=tooltip, fine_tuned=fine_tuned
        )
        key = (0 if fine_tuned else 1, -model.created if fine_tuned else 0, model.id.lower())
        rows.append((key, choice))
    rows.sort(key=lambda row: row[0])
    return [choice for _, choice in rows]


def deployment_choices(deployments: Iterable[str]) -> list[ModelChoice]:
    """The picker's rows on Azure OpenAI, where chat goes to deployment names, not models."""
    return [
        ModelChoice(
            id=name,
            label=f"{name}  ·  deployment",
            enabled=True,
            tooltip="An Azure OpenAI deployment: replies come from the model deployed under "
            "this name in the Azure portal.",
            fine_tuned=False,
        )
        for name in deployments
    ]


class ModelChoiceModel(QAbstractListModel):
    """A thin list model over ``ModelChoice`` rows; disabled rows cannot be selected.

    Call only from the GUI thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self._choices: list[ModelChoice] = []

    def set_choices(self, choices: list[ModelChoice]) -> None:
        self.beginResetModel()
        self._choices = list(choices)
        self.endResetModel()

    def choice(self, row: int) -> ModelChoice | None:
        return self._choices[row] if 0 <= row < len(self._choices) else None

    def row_of(self, model_id: str) -> int:
        """The row of ``model_id``, or -1."""
        for row, choice in enumerate(self._choices):
            if choice.id == model_id:
                return row
        return -1

    def first_enabled_row(self) -> int:
        for row, choice in enumerate(self._choices):
            if choice.enabled:
                return row
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._choices)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        choice = self.choice(index.row()) if index.isValid() else None
        if choice is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return choice.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return choice.tooltip
        if role == ModelIdRole:
            return choice.id
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        choice = self.choice(index.row()) if index.isValid() else None
        if choice is None or not choice.enabled:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
