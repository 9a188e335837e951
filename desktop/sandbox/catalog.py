"""The emulated service's model list: base models, aliases, retirements.

This is what the simulated *server* offers, deliberately independent of the app's own catalog
(``desktop.core.catalog``): the emulator plays the remote side, and tests compare the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "ORGANIZATION_ID",
    "ORGANIZATION_NAME",
    "BaseModel",
    "base_models",
    "find_base_model",
    "is_retired",
    "model_object",
]

ORGANIZATION_ID = "org-demo"
ORGANIZATION_NAME = "demo-org"


@dataclass(frozen=True, slots=True)
class BaseModel:
    """A model the service offers.

    ``snapshot`` is the dated model an alias points to (itself for snapshots); fine-tuning an
    alias trains its snapshot, as OpenAI does.
    """

    id: str
    created: int
    owned_by: str = "system"
    shutdown_date: str | None = None
    fine_tunable: bool = False
    chat: bool = True
    snapshot: str = ""

    @property
    def resolved(self) -> str:
        """The snapshot this id stands for."""
        return self.snapshot or self.id


_MODELS: tuple[BaseModel, ...] = (
    BaseModel("gpt-4o-mini-2024-07-18", 1721172717, fine_tunable=True),
    BaseModel("gpt-4o-2024-08-06", 1722814719, shutdown_date="2027-01-14", fine_tunable=True),
    BaseModel("gpt-4.1-2025-04-14", 1744316542, fine_tunable=True),
    BaseModel("gpt-4.1-mini-2025-04-14", 1744317547, fine_tunable=True),
    BaseModel("gpt-4.1-nano-2025-04-14", 1744321025, fine_tunable=True),
    BaseModel("gpt-3.5-turbo-0125", 1706048358, shutdown_date="2026-10-23", fine_tunable=True),
    BaseModel("gpt-4o-mini", 1721172741, fine_tunable=True, snapshot="gpt-4o-mini-2024-07-18"),
    BaseModel("gpt-4.1-mini", 1744318173, fine_tunable=True, snapshot="gpt-4.1-mini-2025-04-14"),
    BaseModel("gpt-4o", 1715367049),
    BaseModel("text-embedding-3-small", 1705948997, chat=False),
)
_BY_ID = {model.id: model for model in _MODELS}


def base_models() -> tuple[BaseModel, ...]:
    """Every base model the service lists, in listing order."""
    return _MODELS


def find_base_model(model_id: str) -> BaseModel | None:
    """The base model called ``model_id``, or None."""
    return _BY_ID.get(model_id)


def is_retired(shutdown_date: str | None, today: dt.date | None = None) -> bool:
    """Whether a model with this shutdown date no longer serves.

    Args:
        shutdown_date: ``YYYY-MM-DD`` or None (no shutdown announced).
        today: the day to judge by; defaults to today (UTC).

    Returns:
        True once the shutdown day has come.
    """
    if shutdown_date is None:
        return False
    day = today or dt.datetime.now(dt.UTC).date()
    return dt.date.fromisoformat(shutdown_date) <= day


def model_object(
    model_id: str, *, created: int, owned_by: str, shutdown_date: str | None
) -> dict[str, object]:
    """The ``model`` JSON object (with the optional ``shutdown_date`` field always present).

    Args:
        model_id: the model's id.
        created: Unix time it was created.
        owned_by: owner (``system`` or the organization).
        shutdown_date: ``YYYY-MM-DD`` or None.

    Returns:
        The JSON-ready object.
    """
    return {
        "id": model_id,
        "object": "model",
        "created": created,
        "owned_by": owned_by,
        "shutdown_date": shutdown_date,
    }
