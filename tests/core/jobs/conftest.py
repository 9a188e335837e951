"""A small, fixed model catalog for the Jobs core tests (independent of resources/models.json)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop.core.catalog import CatalogModel, ModelCatalog, ModelPricing
from desktop.core.types import FineTuneMethod

AS_OF = dt.date(2026, 4, 6)


def catalog_model(
    model_id: str,
    *,
    training: str | None = "3.00",
    aliases: tuple[str, ...] = (),
    methods: tuple[FineTuneMethod, ...] = ("supervised",),
    shutdown: dt.date | None = None,
    context: int | None = 65536,
) -> CatalogModel:
    return CatalogModel(
        id=model_id,
        family=model_id.rsplit("-", 1)[0],
        encoding="o200k_base",
        data_format="chat",
        training_context_tokens=context,
        pricing=ModelPricing(training=None if training is None else Decimal(training)),
        methods=methods,
        shutdown_date=shutdown,
        source="https://example.com/prices",
        as_of=AS_OF,
        aliases=aliases,
    )


@pytest.fixture
def catalog() -> ModelCatalog:
    return ModelCatalog(
        models=(
            catalog_model("gpt-4o-mini-2024-07-18", aliases=("gpt-4o-mini",)),
            catalog_model(
                "gpt-4.1-2025-04-14",
                training=None,
                methods=("supervised", "dpo"),
                context=None,
                aliases=("gpt-4.1",),
            ),
            catalog_model(
                "gpt-3.5-turbo-0125",
                training="8.00",
                aliases=("gpt-3.5-turbo", "gpt-35-turbo-0125"),
                shutdown=dt.date(2026, 10, 23),
            ),
        ),
        as_of=AS_OF,
        currency="USD",
        note="",
    )
