"""Keys go to the keychain, or to memory for the session, and never leak into text."""

from __future__ import annotations

import pytest

from desktop.core.errors import KeychainUnavailableError, ValidationFailedError
from desktop.storage.keychain import Keychain
from tests.helpers.keyring_backend import MemoryKeyring

SECRET = "sk-test-abcdefghijklmnop1234"


class _BrokenKeyring(MemoryKeyring):
    """A keychain that is installed but fails every call (e.g. locked, D-Bus gone)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"backend exploded on {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("cannot delete")


@pytest.fixture
def broken_keyring(fake_keyring: MemoryKeyring) -> _BrokenKeyring:
    import keyring

    backend = _BrokenKeyring()
    keyring.set_keyring(backend)  # fake_keyring restores the previous backend afterwards
    return backend


def test_round_trips_key_when_keychain_present(fake_keyring: MemoryKeyring) -> None:
    keychain = Keychain()
    assert keychain.available()
    keychain.set("work", SECRET)
    assert fake_keyring.passwords[("finetune-studio", "work")] == SECRET
    assert Keychain().get("work") == SECRET
    assert not keychain.is_session_only("work")


def test_returns_none_when_no_key_stored(fake_keyring: MemoryKeyring) -> None:
    assert Keychain().get("nobody") is None


def test_removes_key_everywhere_when_deleted(fake_keyring: MemoryKeyring) -> None:
    keychain = Keychain()
    keychain.set("work", SECRET)
    keychain.set("other", "sk-other-1234", session_only=True)
    keychain.delete("work")
    keychain.delete("other")
    keychain.delete("never-stored")
    assert keychain.get("work") is None
    assert keychain.get("other") is None
    assert fake_keyring.passwords == {}


def test_keeps_key_in_memory_when_session_only(fake_keyring: MemoryKeyring) -> None:
    keychain = Keychain()
    keychain.set("work", "sk-old-stored-key")
    keychain.set("work", SECRET, session_only=True)
    assert keychain.get("work") == SECRET
    assert keychain.is_session_only("work")
    assert fake_keyring.passwords == {}  # the older stored key is gone too
    assert Keychain().get("work") is None  # another session does not see it


def test_reports_unavailable_when_no_keychain(no_keyring: None) -> None:
    keychain = Keychain()
    assert not keychain.available()
    assert "none" in keychain.backend_name()
    assert keychain.get("work") is None


def test_refuses_to_store_when_no_keychain_and_not_session_only(no_keyring: None) -> None:
    keychain = Keychain()
    with pytest.raises(KeychainUnavailableError) as info:
        keychain.set("work", SECRET)
    assert "session only" in info.value.user_message
    assert keychain.get("work") is None


def test_keeps_key_for_session_when_no_keychain(no_keyring: None) -> None:
    keychain = Keychain()
    keychain.set("work", SECRET, session_only=True)
    assert keychain.get("work") == SECRET
    assert keychain.is_session_only("work")
    keychain.delete("work")
    assert keychain.get("work") is None


def test_treats_keychain_as_unavailable_when_reads_fail(broken_keyring: _BrokenKeyring) -> None:
    keychain = Keychain()
    assert not keychain.available()
    assert keychain.get("work") is None


def test_hides_key_from_error_when_store_fails(broken_keyring: _BrokenKeyring) -> None:
    with pytest.raises(KeychainUnavailableError) as info:
        Keychain().set("work", SECRET)
    assert SECRET not in str(info.value)
    assert SECRET not in info.value.user_message
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or SECRET not in str(info.value.__context__)


def test_reports_error_when_keychain_refuses_delete(broken_keyring: _BrokenKeyring) -> None:
    with pytest.raises(KeychainUnavailableError, match="delete"):
        Keychain().delete("work")


def test_hides_key_from_repr_when_keys_held(fake_keyring: MemoryKeyring) -> None:
    keychain = Keychain()
    keychain.set("a", SECRET, session_only=True)
    keychain.set("b", "sk-stored-9876")
    text = repr(keychain) + str(keychain)
    assert SECRET not in text
    assert "sk-stored-9876" not in text
    assert "session_only_keys=1" in text


def test_rejects_key_when_empty(fake_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValidationFailedError):
        Keychain().set("work", "   ")


def test_names_backend_when_keychain_present(fake_keyring: MemoryKeyring) -> None:
    assert "MemoryKeyring" in Keychain().backend_name()
