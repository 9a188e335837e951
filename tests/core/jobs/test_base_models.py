"""Only dated snapshots are offered, with price, limit and retirement in plain words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from desktop.core.catalog import ModelCatalog
from desktop.core.jobs.base_models import base_model_choices, looks_like_snapshot
from desktop.core.types import ModelInfo

TODAY = dt.date(2026, 11, 27)
MINI = "gpt-4o-mini-2024-07-18"


def ids(models: list[ModelInfo], catalog: ModelCatalog, method: str = "supervised") -> list[str]:
    return [c.id for c in base_model_choices(models, catalog, today=TODAY, method=method)]


def test_offers_snapshot_when_connection_lists_it(catalog: ModelCatalog) -> None:
    (choice,) = base_model_choices([ModelInfo(MINI)], catalog, today=TODAY)
    assert choice.id == MINI
    assert choice.training_price == Decimal("3.00")
    assert choice.context_limit == 65536
    assert not choice.retired
    assert choice.note == ""


def test_leaves_out_rolling_alias_when_connection_lists_it(catalog: ModelCatalog) -> None:
    assert ids([ModelInfo("gpt-4o-mini"), ModelInfo(MINI)], catalog) == [MINI]


def test_leaves_out_fine_tuned_models_when_listed(catalog: ModelCatalog) -> None:
    models = [ModelInfo(f"ft:{MINI}:org:bot:abc"), ModelInfo("gpt-4o-mini-2024-07-18.ft-0a1b")]
    assert ids(models, catalog) == []


def test_offers_dated_azure_name_when_catalog_knows_it_as_alias(catalog: ModelCatalog) -> None:
    (choice,) = base_model_choices([ModelInfo("gpt-35-turbo-0125")], catalog, today=TODAY)
    assert choice.training_price == Decimal("8.00")


def test_offers_unknown_model_without_price_when_it_looks_dated(catalog: ModelCatalog) -> None:
    (choice,) = base_model_choices([ModelInfo("gpt-5-mini-2026-08-01")], catalog, today=TODAY)
    assert choice.training_price is None
    assert choice.note == "Training price unknown"


def test_leaves_out_unknown_model_when_it_is_not_dated(catalog: ModelCatalog) -> None:
    assert ids([ModelInfo("text-embedding-3-small")], catalog) == []


def test_marks_model_retired_when_shutdown_has_passed(catalog: ModelCatalog) -> None:
    (choice,) = base_model_choices([ModelInfo("gpt-3.5-turbo-0125")], catalog, today=TODAY)
    assert choice.retired
    assert not choice.selectable
    assert choice.note.startswith("Retired on 2026-10-23")


def test_warns_with_date_when_model_retires_within_sixty_days(catalog: ModelCatalog) -> None:
    listed = ModelInfo(MINI, shutdown_date=dt.date(2027, 1, 14))
    (choice,) = base_model_choices([listed], catalog, today=TODAY)
    assert choice.retiring_soon
    assert choice.days_left == 48
    assert choice.note.startswith("Retires on 2027-01-14 (48 days)")


def test_does_not_warn_when_retirement_is_far(catalog: ModelCatalog) -> None:
    listed = ModelInfo(MINI, shutdown_date=dt.date(2028, 1, 1))
    (choice,) = base_model_choices([listed], catalog, today=TODAY)
    assert not choice.retiring_soon
    assert choice.note == "Retires on 2028-01-01"


def test_prefers_connections_shutdown_date_when_both_know_one(catalog: ModelCatalog) -> None:
    listed = ModelInfo("gpt-3.5-turbo-0125", shutdown_date=dt.date(2027, 6, 1))
    (choice,) = base_model_choices([listed], catalog, today=TODAY)
    assert choice.shutdown_date == dt.date(2027, 6, 1)
    assert not choice.retired


def test_puts_retired_models_last_when_sorting(catalog: ModelCatalog) -> None:
    models = [
        ModelInfo("gpt-3.5-turbo-0125"),
        ModelInfo("gpt-5-mini-2026-08-01"),
        ModelInfo("gpt-4.1-2025-04-14"),
        ModelInfo(MINI),
    ]
    assert ids(models, catalog) == [
        MINI,
        "gpt-4.1-2025-04-14",
        "gpt-5-mini-2026-08-01",
        "gpt-3.5-turbo-0125",
    ]


def test_keeps_only_dpo_models_when_method_is_dpo(catalog: ModelCatalog) -> None:
    models = [ModelInfo(MINI), ModelInfo("gpt-4.1-2025-04-14"), ModelInfo("x-2026-08-01")]
    assert ids(models, catalog, method="dpo") == ["gpt-4.1-2025-04-14"]


def test_looks_like_snapshot_when_name_ends_in_date_or_version() -> None:
    assert looks_like_snapshot("gpt-4o-2024-08-06")
    assert looks_like_snapshot("gpt-4-0613")
    assert not looks_like_snapshot("gpt-4o")
