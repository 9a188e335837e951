"""The base models a job can start from, with price, limits and retirement in plain words.

Only dated snapshots are offered, never rolling aliases such as ``gpt-4o-mini``: an alias can
move to a newer snapshot, and every fine-tuned model retires with the snapshot it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop.core.catalog import CatalogModel, ModelCatalog
from desktop.core.types import ModelInfo

__all__ = ["RETIRING_SOON_DAYS", "BaseModelChoice", "base_model_choices", "looks_like_snapshot"]

RETIRING_SOON_DAYS = 60

# "-2024-07-18" (OpenAI) or "-0125" / "-0613" (older OpenAI and Azure names).
_DATED = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


@dataclass(frozen=True, slots=True)
class BaseModelChoice:
    """One base model offered in the create dialog.

    ``id`` is the name the connection uses. ``retired`` models cannot be chosen;
    ``retiring_soon`` ones (within :data:`RETIRING_SOON_DAYS`) carry a warning in ``note``.
    """

    id: str
    training_price: Decimal | None
    price_as_of: dt.date | None
    context_limit: int | None
    shutdown_date: dt.date | None
    days_left: int | None
    retired: bool
    retiring_soon: bool
    supports_dpo: bool
    note: str

    @property
    def selectable(self) -> bool:
        """Whether a new job may use this model."""
        return not self.retired


def looks_like_snapshot(model_id: str) -> bool:
    """Whether a model id names a dated snapshot (ends in a date or a 4-digit version).

    Args:
        model_id: e.g. ``"gpt-4o-mini-2024-07-18"`` or ``"gpt-35-turbo-0125"``.

    Returns:
        True for dated snapshot names; False for aliases such as ``"gpt-4o-mini"``.
    """
    return _DATED.search(model_id) is not None


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _note(shutdown: dt.date | None, days_left: int | None, entry: CatalogModel | None) -> str:
    parts: list[str] = []
    if shutdown is not None and days_left is not None:
        if days_left <= 0:
            parts.append(f"Retired on {shutdown.isoformat()}; it can no longer be trained")
        elif days_left <= RETIRING_SOON_DAYS:
            parts.append(
                f"Retires on {shutdown.isoformat()} ({_days(days_left)}); models trained from it "
                "stop working then"
            )
        else:
            parts.append(f"Retires on {shutdown.isoformat()}")
    if entry is None or entry.pricing.training is None:
        parts.append("training price unknown")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _choice(
    model_id: str, listed: ModelInfo, entry: CatalogModel | None, today: dt.date
) -> BaseModelChoice:
    shutdown = listed.shutdown_date
    if shutdown is None and entry is not None:
        shutdown = entry.shutdown_date
    days_left = (shutdown - today).days if shutdown is not None else None
    retired = days_left is not None and days_left <= 0
    return BaseModelChoice(
        id=model_id,
        training_price=entry.pricing.training if entry is not None else None,
        price_as_of=(
            entry.as_of if entry is not None and entry.pricing.training is not None else None
        ),
        context_limit=entry.training_context_tokens if entry is not None else None,
        shutdown_date=shutdown,
        days_left=days_left,
        retired=retired,
        retiring_soon=not retired and days_left is not None and days_left <= RETIRING_SOON_DAYS,
        supports_dpo=entry is not None and entry.supports("dpo"),
        note=_note(shutdown, days_left, entry),
    )


def base_model_choices(
    models: Sequence[ModelInfo],
    catalog: ModelCatalog,
    *,
    today: dt.date,
    method: str = "supervised",
) -> list[BaseModelChoice]:
    """The models of a connection a job can start from.

    Fine-tuned models and rolling aliases are left out. A model the catalog knows is offered
    when the connection lists its snapshot id (or a dated name of it, as Azure uses); a model
    the catalog lacks is offered only when its name looks like a dated snapshot (its price is
    then unknown). The connection's ``shutdown_date`` wins over the catalog's.

    Args:
        models: the connection's models (``GET /models``).
        catalog: the app's model catalog.
        today: the current date (retirement countdowns).
        method: ``"supervised"`` or ``"dpo"``; with DPO only models known to support it remain.

    Returns:
        The choices: usable models first (in catalog order, unknown ones after them by name),
        retired ones last.
    """
    order = {model.id: index for index, model in enumerate(catalog.models)}
    found: dict[str, tuple[int, BaseModelChoice]] = {}
    for listed in models:
        model_id = listed.id
        if listed.is_fine_tuned or ".ft-" in model_id or model_id in found:
            continue
        entry = catalog.get(model_id)
        if entry is not None:
            if model_id.lower() != entry.id.lower() and not looks_like_snapshot(model_id):
                continue  # a rolling alias such as "gpt-4o-mini"
            rank = order[entry.id]
        elif looks_like_snapshot(model_id):
            rank = len(order)
        else:
            continue
        if method != "supervised" and (entry is None or not entry.supports(method)):
            continue
        found[model_id] = (rank, _choice(model_id, listed, entry, today))
    ranked = sorted(found.values(), key=lambda pair: (pair[1].retired, pair[0], pair[1].id))
    return [choice for _, choice in ranked]
