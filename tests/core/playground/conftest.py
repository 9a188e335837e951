"""A small, fixed model catalog for the Playground core tests (not resources/models.json)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop.core.catalog import CatalogModel, ModelCatalog, ModelPricing

AS_OF = dt.date(2026, 4, 6)
BASE = "gpt-4o-mini-2024-07-18"
TUNED = f"ft:{BASE}:acme:support:abc123"


@pytest.fixture
def catalog() -> ModelCatalog:
    model = CatalogModel(
        id=BASE,
        family="gpt-4o-mini",
        encoding="o200k_base",
        data_format="chat",
        training_context_tokens=65536,
        pricing=ModelPricing(
            training=Decimal("3.00"), input=Decimal("0.30"), output=Decimal("1.20")
        ),
        methods=("supervised",),
        shutdown_date=None,
        source="https://example.com/prices",
        as_of=AS_OF,
        aliases=("gpt-4o-mini",),
    )
    return ModelCatalog(models=(model,), as_of=AS_OF, currency="USD", note="")
