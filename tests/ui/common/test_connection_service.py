"""ConnectionService: the SDK is loaded off the GUI thread, once, before the first request."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from desktop.api.connection import ActiveConnection
from desktop.core.connections import demo_profile
from desktop.storage.database import Database
from desktop.storage.keychain import Keychain
from desktop.storage.profiles import ProfileStore
from desktop.ui.common.connection_service import ConnectionService
from tests.ui.loop_helpers import run

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def test_sdk_is_preloaded_once_off_the_gui_thread_when_first_request_is_made(
    qasync_loop: Any, emulator: Any, fake_keyring: Any, tmp_path: Path
) -> None:
    threads: list[threading.Thread] = []
    database = Database(tmp_path / "app.db")
    service = ConnectionService(
        ActiveConnection(demo_profile()),
        profiles=ProfileStore(database),
        keychain=Keychain(),
        demo_base_url_factory=lambda: emulator.base_url,
        preload=lambda: threads.append(threading.current_thread()),
    )
    try:
        run(qasync_loop, service.check())
        run(qasync_loop, service.check())

        assert len(threads) == 1
        assert threads[0] is not threading.main_thread()
        assert service.models, "the check after the preload listed no models"
    finally:
        run(qasync_loop, service.aclose())
        database.close()
