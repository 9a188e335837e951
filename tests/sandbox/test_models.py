"""Models: the list, shutdown dates, single-model lookup."""

from __future__ import annotations

import openai
import pytest

from desktop.sandbox import Emulator
from tests.sandbox.data import FINISH, start_job

pytestmark = pytest.mark.integration


def test_lists_base_models_with_shutdown_dates_when_listing_models(client: openai.OpenAI) -> None:
    models = {m.id: m for m in client.models.list().data}

    assert {"gpt-4o-mini-2024-07-18", "gpt-4.1-nano-2025-04-14", "gpt-4o-mini"} <= set(models)
    assert models["gpt-3.5-turbo-0125"].model_dump()["shutdown_date"] == "2026-10-23"
    assert models["gpt-4o-2024-08-06"].model_dump()["shutdown_date"] == "2027-01-14"
    assert models["gpt-4.1-2025-04-14"].model_dump()["shutdown_date"] is None


def test_returns_model_when_retrieving_known_id(client: openai.OpenAI) -> None:
    model = client.models.retrieve("gpt-4.1-mini-2025-04-14")

    assert model.id == "gpt-4.1-mini-2025-04-14"
    assert model.owned_by == "system"


def test_raises_not_found_with_model_code_when_retrieving_unknown_id(
    client: openai.OpenAI,
) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-nonexistent")

    assert caught.value.code == "model_not_found"


def test_hides_fine_tuned_model_when_deleted(emulator: Emulator, client: openai.OpenAI) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)
    name = client.fine_tuning.jobs.retrieve(job_id).fine_tuned_model
    assert name is not None

    assert client.models.delete(name).deleted is True
    assert name not in {m.id for m in client.models.list().data}


def test_offers_every_demo_azure_deployment_as_a_chat_base_model() -> None:
    from desktop.core.connections import DEMO_AZURE_DEPLOYMENTS
    from desktop.sandbox.catalog import find_base_model, is_retired

    models = [find_base_model(name) for name in DEMO_AZURE_DEPLOYMENTS]

    assert all(m is not None and m.chat and not is_retired(m.shutdown_date) for m in models)
