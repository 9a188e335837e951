"""The model catalog: the shipped file loads, lookups resolve, bad files are named clearly."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from desktop.core.catalog import (
    BasePricing,
    CatalogError,
    ModelCatalog,
    base_model_id,
    effective_shutdown_date,
    load_catalog,
    read_catalog,
)
from desktop.core.types import ModelInfo
from desktop.resources import resource_path

REQUIRED_IDS = {
    "gpt-4o-mini-2024-07-18",
    "gpt-4o-2024-08-06",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "gpt-3.5-turbo-0125",
    "gpt-3.5-turbo-1106",
    "babbage-002",
    "davinci-002",
}


@pytest.fixture(scope="module")
def catalog() -> ModelCatalog:
    return read_catalog(resource_path("models.json"))


def _minimal() -> dict[str, Any]:
    return {
        "as_of": "2026-11-27",
        "currency": "USD",
        "note": "estimates",
        "models": [
            {
                "id": "m-1",
                "family": "m",
                "aliases": ["m"],
                "encoding": "o200k_base",
                "training_context_tokens": 1000,
                "pricing": {"training": 2.5, "input": None, "output": 1},
                "methods": ["supervised"],
                "shutdown_date": None,
                "source": "https://example.com/prices",
                "as_of": "2026-11-27",
            }
        ],
    }


def _load(data: dict[str, Any]) -> ModelCatalog:
    return load_catalog(json.dumps(data))


def test_shipped_catalog_lists_required_models_when_loaded(catalog: ModelCatalog) -> None:
    assert set(catalog.fine_tunable_ids) == REQUIRED_IDS
    assert catalog.currency == "USD"
    assert "pricing" in catalog.note
    assert isinstance(catalog.as_of, dt.date)


def test_shipped_catalog_has_source_and_date_when_any_entry(catalog: ModelCatalog) -> None:
    for model in catalog.models:
        assert model.source.startswith("https://")
        assert isinstance(model.as_of, dt.date)


def test_shipped_catalog_keeps_known_facts_when_loaded(catalog: ModelCatalog) -> None:
    mini = catalog.get("gpt-4o-mini-2024-07-18")
    assert mini is not None
    assert mini.pricing.training == Decimal("3.00")
    assert mini.pricing.input == Decimal("0.30")
    assert mini.training_context_tokens == 65536
    turbo = catalog.get("gpt-3.5-turbo-0125")
    assert turbo is not None
    assert turbo.shutdown_date == dt.date(2026, 10, 23)
    assert turbo.encoding == "cl100k_base"
    nano = catalog.get("gpt-4.1-nano-2025-04-14")
    assert nano is not None
    assert nano.supports("dpo")
    assert nano.pricing.training is None
    davinci = catalog.get("davinci-002")
    assert davinci is not None
    assert davinci.data_format == "prompt_completion"


def test_shipped_catalog_has_base_prices_and_context_when_sourced(catalog: ModelCatalog) -> None:
    mini = catalog.get("gpt-4o-mini")
    assert mini is not None
    assert mini.base_pricing == BasePricing(Decimal("0.15"), Decimal("0.075"), Decimal("0.60"))
    assert mini.context_tokens == 128_000
    turbo = catalog.get("gpt-3.5-turbo-0125")
    assert turbo is not None
    assert (turbo.base_pricing.input, turbo.base_pricing.output) == (
        Decimal("0.50"),
        Decimal("1.50"),
    )
    assert turbo.base_pricing.cached_input is None
    assert turbo.context_tokens == 16_385
    nano = catalog.get("gpt-4.1-nano-2025-04-14")
    assert nano is not None and nano.context_tokens == 1_047_576
    babbage = catalog.get("babbage-002")
    assert babbage is not None
    assert babbage.base_pricing == BasePricing() and babbage.context_tokens is None


def test_shipped_catalog_names_a_source_when_a_base_price_is_given(catalog: ModelCatalog) -> None:
    for model in catalog.models:
        if model.base_pricing != BasePricing() or model.context_tokens is not None:
            assert "Base-model prices" in model.notes or "context window" in model.notes
            assert "https://" in model.notes


def test_loads_an_older_file_when_base_prices_and_context_are_absent() -> None:
    model = _load(_minimal()).models[0]
    assert model.base_pricing == BasePricing()
    assert model.context_tokens is None


def test_parses_base_prices_and_context_when_given() -> None:
    data = _minimal()
    data["models"][0]["base_pricing"] = {"input": 0.15, "cached_input": None, "output": 0.6}
    data["models"][0]["context_tokens"] = 128000
    model = _load(data).models[0]
    assert model.base_pricing == BasePricing(Decimal("0.15"), None, Decimal("0.6"))
    assert model.context_tokens == 128_000


def test_resolves_base_when_model_is_fine_tuned(catalog: ModelCatalog) -> None:
    entry = catalog.get("ft:gpt-4o-mini-2024-07-18:my-org:custom_suffix:9ABel2dg:ckpt-step-88")
    assert entry is not None
    assert entry.id == "gpt-4o-mini-2024-07-18"


def test_resolves_snapshot_when_given_family_alias(catalog: ModelCatalog) -> None:
    entry = catalog.get("ft:gpt-4o-mini:openai:custom-model-name:7p4lURel")
    assert entry is not None
    assert entry.id == "gpt-4o-mini-2024-07-18"
    turbo = catalog.get("gpt-3.5-turbo")
    assert turbo is not None
    assert turbo.id == "gpt-3.5-turbo-0125"


def test_resolves_base_when_model_is_azure_fine_tune(catalog: ModelCatalog) -> None:
    entry = catalog.get("gpt-4o-mini-2024-07-18.ft-0e208cf33a6a466994aff31a08aba678")
    assert entry is not None
    assert entry.id == "gpt-4o-mini-2024-07-18"


def test_returns_none_when_model_is_unknown(catalog: ModelCatalog) -> None:
    assert catalog.get("gpt-9") is None
    assert not catalog.is_fine_tunable("gpt-9")
    assert catalog.is_fine_tunable("gpt-4.1-mini-2025-04-14")


def test_base_model_id_is_unchanged_when_id_is_plain() -> None:
    assert base_model_id("gpt-4o") == "gpt-4o"
    assert base_model_id("ft:davinci-002:org:x:1") == "davinci-002"


def test_connection_date_wins_when_both_sources_have_one(catalog: ModelCatalog) -> None:
    own = dt.date(2026, 1, 2)
    model = ModelInfo(id="gpt-3.5-turbo-0125", shutdown_date=own)
    assert effective_shutdown_date(model, catalog) == own


def test_catalog_date_used_when_connection_has_none(catalog: ModelCatalog) -> None:
    model = ModelInfo(id="ft:gpt-3.5-turbo-0125:org:bot:abc")
    assert effective_shutdown_date(model, catalog) == dt.date(2026, 10, 23)
    assert effective_shutdown_date(ModelInfo(id="unknown"), catalog) is None


def test_parses_prices_as_decimals_when_numbers_given() -> None:
    model = _load(_minimal()).models[0]
    assert model.pricing.training == Decimal("2.5")
    assert model.pricing.input is None
    assert model.pricing.output == Decimal(1)
    assert model.data_format == "chat"


def test_names_entry_when_field_missing() -> None:
    data = _minimal()
    del data["models"][0]["encoding"]
    with pytest.raises(CatalogError, match=r"entry 0 \(m-1\): field 'encoding' is missing"):
        _load(data)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("encoding", "p50k_base", "must be one of"),
        ("methods", ["reinforcement"], "must list"),
        ("methods", [], "must list"),
        ("training_context_tokens", 0, "positive"),
        ("training_context_tokens", True, "must be int"),
        ("shutdown_date", "next year", "YYYY-MM-DD"),
        ("source", "somewhere", "must be a URL"),
        ("pricing", {"training": "3 dollars"}, "must be a number"),
        ("pricing", {"training": -1}, "negative"),
        ("context_tokens", -5, "positive"),
        ("base_pricing", {"input": "cheap"}, "must be a number"),
        ("base_pricing", {"output": -0.5}, "negative"),
        ("base_pricing", [0.15, 0.60], "must be dict"),
        ("aliases", [""], "non-empty strings"),
    ],
)
def test_rejects_entry_when_field_is_invalid(field: str, value: object, problem: str) -> None:
    data = copy.deepcopy(_minimal())
    data["models"][0][field] = value
    with pytest.raises(CatalogError, match=problem) as info:
        _load(data)
    assert "m-1" in str(info.value)
    assert "Reinstall" in info.value.user_message


def test_rejects_catalog_when_ids_repeat() -> None:
    data = _minimal()
    data["models"].append(copy.deepcopy(data["models"][0]))
    with pytest.raises(CatalogError, match="twice"):
        _load(data)


def test_rejects_catalog_when_json_is_malformed() -> None:
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog("{")
    with pytest.raises(CatalogError, match="JSON object"):
        load_catalog("[]")


def test_raises_catalog_error_when_file_missing(tmp_path: Any) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        read_catalog(tmp_path / "missing.json")
