"""Fixtures for the Settings dialog tests: real storage, a keychain, and a real HTTP check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.api.connection_check import ConnectionReport, check_connection
from desktop.core.connections import ConnectionKind, ConnectionProfile
from desktop.storage.database import Database
from desktop.storage.keychain import Keychain
from desktop.storage.profiles import ProfileStore

Check = Callable[[ConnectionProfile, str | None], Awaitable[ConnectionReport]]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "studio.sqlite3"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(db_path)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def store(database: Database) -> ProfileStore:
    return ProfileStore(database)


@pytest.fixture
def keychain() -> Keychain:
    return Keychain(service="finetune-studio")


def _fine_tunable(model_id: str) -> bool:
    return model_id.startswith(("gpt-4o-mini", "gpt-4.1"))


def make_check(emulator_url: str) -> Check:
    """A ``check`` like the main window's: real provider, real HTTP, closed afterwards.

    OpenAI and Azure profiles are pointed at the emulator; compatible ones use their own URL.
    """

    async def check(profile: ConnectionProfile, key: str | None) -> ConnectionReport:
        override = None if profile.kind is ConnectionKind.COMPATIBLE else emulator_url
        provider = create_provider(profile, api_key=key, base_url=override, max_retries=0)
        try:
            return await check_connection(provider, fine_tunable=_fine_tunable, timeout=15.0)
        finally:
            await provider.aclose()

    return check


@pytest.fixture
def emulator_check(emulator: Any) -> Check:
    return make_check(emulator.base_url)


@pytest.fixture
def strict_emulator() -> Iterator[Any]:
    """An emulator of its own that accepts only the key ``sk-good``."""
    from desktop.sandbox import Emulator

    server = Emulator(fast=True, api_keys={"sk-good"}).start()
    try:
        yield server
    finally:
        server.stop()
