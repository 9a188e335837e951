"""ActiveConnection: one lazily created provider per active profile; switching closes the old."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.api.connection import ActiveConnection
from desktop.core.connections import ConnectionKind, ConnectionProfile, demo_profile
from desktop.core.errors import ApiError, AuthError
from tests.api.support import run

pytestmark = pytest.mark.integration


def test_provider_is_created_on_first_use_and_reused(emulator: Any) -> None:
    connection = ActiveConnection(demo_profile(), base_url=emulator.base_url, max_retries=0)
    assert emulator.requests == []
    first = connection.provider()
    assert connection.provider() is first
    assert emulator.requests == []  # creating a provider sends nothing
    run(connection.aclose())


def test_switch_closes_the_old_client_and_the_new_one_works(
    emulator: Any, strict_emulator: Any
) -> None:
    connection = ActiveConnection(demo_profile(), base_url=emulator.base_url, max_retries=0)
    lookups: list[str] = []

    def key() -> str:
        lookups.append("asked")
        return "sk-good"

    profile = ConnectionProfile(
        id="c1", name="Strict", kind=ConnectionKind.COMPATIBLE, base_url=strict_emulator.base_url
    )

    async def scenario() -> tuple[Any, ...]:
        old = connection.provider()
        await old.list_models()
        await connection.switch(profile, key)
        new = connection.provider()
        models = await new.list_models()
        await connection.aclose()
        await connection.aclose()
        return old, new, models

    old, new, models = run(scenario())

    assert old.is_closed and new.is_closed and new is not old
    assert models
    assert lookups == ["asked"]
    assert connection.profile is profile
    with pytest.raises(ApiError):
        run(old.list_models())


def test_missing_key_surfaces_when_the_provider_is_first_needed() -> None:
    profile = ConnectionProfile(id="c2", name="Work", kind=ConnectionKind.OPENAI)
    connection = ActiveConnection(profile, api_key=lambda: None)
    with pytest.raises(AuthError):
        connection.provider()
