"""Fixtures shared by the whole suite.

- Qt runs offscreen; every test gets its own app-data folder (``FINETUNE_STUDIO_HOME``).
- Sockets may only reach loopback addresses: no test talks to the real network.
- A test that logs an unexpected ERROR fails (use ``expect_error_logs`` to allow them).
- ``emulator``: the built-in OpenAI emulator on a random localhost port, reset per test; every
  response it gave during the test is checked against OpenAI's published spec afterwards.
- ``fake_keyring`` / ``no_keyring``: an in-memory keychain, or none at all.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from tests.helpers.keyring_backend import MemoryKeyring

# --------------------------------------------------------------------------- tokenizers


@pytest.fixture(scope="session", autouse=True)
def offline_tokenizers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the shipped vocabularies into a private tiktoken cache, once per session."""
    from desktop.core import tokens
    from desktop.resources import tokenizer_dir

    cache = tmp_path_factory.mktemp("tiktoken-cache")
    tokens.configure_offline_vocabularies(tokenizer_dir(), cache)
    return cache


# --------------------------------------------------------------------------- isolation


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "app-home"
    home.mkdir()
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(home))
    return home


def _is_loopback(address: Any) -> bool:
    if isinstance(address, str | bytes):
        return True  # AF_UNIX paths (e.g. D-Bus) are local
    if not isinstance(address, tuple):
        return False
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkBlockedError(OSError):
    pass


@pytest.fixture(autouse=True)
def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that is not to 127.0.0.0/8 or ::1."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise NetworkBlockedError(f"test tried to reach {address!r}; only loopback is allowed")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise NetworkBlockedError(f"test tried to reach {address!r}; only loopback is allowed")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


# --------------------------------------------------------------------------- logging


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.expected = False

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_ERROR_COLLECTOR = pytest.StashKey[_ErrorCollector]()


@pytest.fixture(autouse=True)
def fail_on_error_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    collector = _ErrorCollector()
    request.node.stash[_ERROR_COLLECTOR] = collector
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    if collector.records and not collector.expected:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in collector.records)
        pytest.fail(f"unexpected ERROR log records:\n{lines}")


@pytest.fixture
def expect_error_logs(request: pytest.FixtureRequest) -> list[logging.LogRecord]:
    """Request this fixture in a test that is meant to log errors; returns the records."""
    collector = request.node.stash[_ERROR_COLLECTOR]
    collector.expected = True
    return collector.records


# --------------------------------------------------------------------------- keychain


@pytest.fixture
def fake_keyring() -> Iterator[MemoryKeyring]:
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A machine without any keychain backend (like headless Linux without Secret Service)."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


# --------------------------------------------------------------------------- emulator


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Any]:
    from desktop.sandbox import Emulator

    server = Emulator(fast=True).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: Any) -> Iterator[Any]:
    """The session's emulator, reset; its responses are checked against the spec after the test."""
    from tests.helpers.contract import check_exchanges

    emulator_server.reset()
    yield emulator_server
    problems = check_exchanges(emulator_server.requests)
    emulator_server.reset()
    if problems:
        pytest.fail("emulator answers break OpenAI's spec:\n" + "\n".join(problems))
