"""ProviderPool: a provider for any connection profile, against the built-in emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from desktop.app.services import ProviderPool
from desktop.core.connections import (
    DEMO_AZURE_PROFILE_ID,
    DEMO_PROFILE_ID,
    ConnectionKind,
    ConnectionProfile,
)
from desktop.core.errors import AuthError
from desktop.storage.database import Database
from desktop.storage.keychain import Keychain
from desktop.storage.profiles import ProfileNotFoundError, ProfileStore
from tests.helpers.keyring_backend import MemoryKeyring

pytestmark = pytest.mark.integration

T = TypeVar("T")


@pytest.fixture
def profiles(tmp_path: Path) -> Iterator[ProfileStore]:
    database = Database(tmp_path / "app.sqlite3")
    yield ProfileStore(database)
    database.close()


@pytest.fixture
def pool(profiles: ProfileStore, emulator: Any, fake_keyring: MemoryKeyring) -> ProviderPool:
    return ProviderPool(
        profiles=profiles,
        keychain=Keychain(),
        demo_base_url=lambda: str(emulator.base_url),
        max_retries=0,
    )


def _compatible(emulator: Any) -> ConnectionProfile:
    return ConnectionProfile(
        id="local", name="Local", kind=ConnectionKind.COMPATIBLE, base_url=emulator.base_url
    )


def _run(pool: ProviderPool, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro``, then close the pool on the same loop (clients belong to their loop)."""

    async def main() -> T:
        try:
            return await coro
        finally:
            await pool.aclose()

    return asyncio.run(main())


def test_talks_azure_style_to_the_emulator_when_asked_for_demo_azure(
    pool: ProviderPool, emulator: Any
) -> None:
    async def scenario() -> int:
        provider = await pool.provider_for(DEMO_AZURE_PROFILE_ID)
        return len(await provider.list_models())

    assert _run(pool, scenario()) > 0
    assert [r.path for r in emulator.requests] == ["/openai/models"]


def test_returns_the_same_provider_when_asked_twice_for_one_profile(pool: ProviderPool) -> None:
    async def scenario() -> bool:
        first = await pool.provider_for(DEMO_PROFILE_ID)
        return first is await pool.provider_for(DEMO_PROFILE_ID)

    assert _run(pool, scenario())


def test_uses_the_saved_key_when_asked_for_a_saved_profile(
    pool: ProviderPool, profiles: ProfileStore, emulator: Any
) -> None:
    profiles.save(_compatible(emulator))
    Keychain().set("local", "sk-local-0001")

    async def scenario() -> int:
        provider = await pool.provider_for("local")
        return len(await provider.list_models())

    assert _run(pool, scenario()) > 0
    assert emulator.requests[0].path == "/v1/models"


def test_replaces_and_closes_the_provider_when_the_key_changed(
    pool: ProviderPool, profiles: ProfileStore, emulator: Any
) -> None:
    profiles.save(_compatible(emulator))
    keychain = Keychain()
    keychain.set("local", "sk-old-0001")

    async def scenario() -> tuple[bool, bool]:
        old = await pool.provider_for("local")
        keychain.set("local", "sk-new-0002")
        new = await pool.provider_for("local")
        return new is not old, getattr(old, "is_closed", False)

    assert _run(pool, scenario()) == (True, True)


def test_raises_auth_error_when_a_saved_profile_has_no_key(
    pool: ProviderPool, profiles: ProfileStore, emulator: Any
) -> None:
    profiles.save(_compatible(emulator))

    with pytest.raises(AuthError) as caught:
        _run(pool, pool.provider_for("local"))

    assert "Local" in caught.value.user_message


def test_raises_profile_not_found_when_the_id_is_unknown(pool: ProviderPool) -> None:
    with pytest.raises(ProfileNotFoundError):
        _run(pool, pool.provider_for("nope"))


def test_closes_every_provider_when_the_pool_is_closed(pool: ProviderPool) -> None:
    async def scenario() -> list[Any]:
        return [
            await pool.provider_for(DEMO_PROFILE_ID),
            await pool.provider_for(DEMO_AZURE_PROFILE_ID),
        ]

    providers = _run(pool, scenario())

    assert all(getattr(p, "is_closed", False) for p in providers)
    assert pool.open_profile_ids == frozenset()
