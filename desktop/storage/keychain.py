"""API keys in the operating system's keychain (through ``keyring``), or in memory for a session.

Keys are never written anywhere else: no file, no database, no log line, no exception text.
When the machine has no keychain (headless Linux without Secret Service), a key can be kept
for the session only, in this process's memory.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

from desktop.core.errors import KeychainUnavailableError, ValidationFailedError

__all__ = ["DEFAULT_SERVICE", "Keychain"]

DEFAULT_SERVICE = "finetune-studio"

_log = logging.getLogger(__name__)


def _current_backend() -> KeyringBackend:
    # keyring is imported on first use: it costs ~30 ms, too much for the start-up path.
    import keyring

    return keyring.get_keyring()


def _backend_is_missing(backend: KeyringBackend) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return True
    return isinstance(backend, chainer.ChainerBackend) and not backend.backends


class Keychain:
    """Reads and writes API keys, one per connection profile id.

    Session-only keys shadow keychain entries. Thread-safe: the session store is guarded by
    a lock, and ``keyring`` calls are independent of each other.
    """

    def __init__(self, service: str = DEFAULT_SERVICE) -> None:
        self._service = service
        self._session: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        with self._lock:
            count = len(self._session)
        return f"Keychain(service={self._service!r}, session_only_keys={count})"

    def available(self) -> bool:
        """Whether keys can be kept in the operating system's keychain.

        False when ``keyring`` found no backend, or when the backend fails to answer a read.
        """
        backend = _current_backend()
        if _backend_is_missing(backend):
            return False
        try:
            backend.get_password(self._service, "__availability_probe__")
        except Exception as exc:  # any backend failure means "not usable now"
            _log.warning("keychain %s is not usable: %s", _name_of(backend), type(exc).__name__)
            return False
        return True

    def backend_name(self) -> str:
        """A human-readable name of the keychain in use, e.g. for the About box."""
        backend = _current_backend()
        if _backend_is_missing(backend):
            return "none (keys can be kept for this session only)"
        return _name_of(backend)

    def get(self, profile_id: str) -> str | None:
        """The key of a profile: the session-only one first, then the keychain's.

        A keychain that fails to answer is treated as empty (logged, never raised).

        Args:
            profile_id: the connection profile's id.

        Returns:
            The key, or None when there is none (or the keychain cannot be read).
        """
        with self._lock:
            session_key = self._session.get(profile_id)
        if session_key is not None:
            return session_key
        backend = _current_backend()
        if _backend_is_missing(backend):
            return None
        try:
            return backend.get_password(self._service, profile_id)
        except Exception as exc:  # reads must never crash the app; the key is not in exc
            _log.warning(
                "could not read the key of profile %r from the keychain: %s",
                profile_id,
                type(exc).__name__,
            )
            return None

    def set(self, profile_id: str, key: str, *, session_only: bool = False) -> None:
        """Store the key of a profile in the keychain, or in memory for this session.

        Args:
            profile_id: the connection profile's id.
            key: the API key.
            session_only: keep the key in memory only; it is forgotten when the app quits.

        Raises:
            ValidationFailedError: the key is empty.
            KeychainUnavailableError: no usable keychain and ``session_only`` is False.
        """
        key = key.strip()
        if not key:
            raise ValidationFailedError("empty API key", user_message="Enter the API key.")
        if session_only:
            with self._lock:
                self._session[profile_id] = key
            self._forget_stored(profile_id)
            return
        backend = _current_backend()
        if _backend_is_missing(backend):
            raise KeychainUnavailableError(f"no keychain backend ({_name_of(backend)})")
        failure = _call_quietly(backend.set_password, self._service, profile_id, key)
        if failure is not None:
            raise KeychainUnavailableError(
                f"keychain {_name_of(backend)} refused to store the key: {failure}"
            )
        with self._lock:
            self._session.pop(profile_id, None)

    def delete(self, profile_id: str) -> None:
        """Forget the key of a profile, in memory and in the keychain; missing keys are fine.

        Raises:
            KeychainUnavailableError: the keychain holds the key but refused to delete it.
        """
        with self._lock:
            self._session.pop(profile_id, None)
        from keyring.errors import NoKeyringError, PasswordDeleteError

        backend = _current_backend()
        if _backend_is_missing(backend):
            return
        failure = _call_quietly(
            backend.delete_password,
            self._service,
            profile_id,
            ignore=(PasswordDeleteError, NoKeyringError),
        )
        if failure is not None:
            raise KeychainUnavailableError(
                f"keychain {_name_of(backend)} refused to delete a key: {failure}",
                user_message=(
                    f"The key could not be removed from the keychain. Remove the "
                    f"'{self._service}' entry with your system's password manager."
                ),
            )

    def is_session_only(self, profile_id: str) -> bool:
        """Whether the profile's key lives only in memory for this session."""
        with self._lock:
            return profile_id in self._session

    def _forget_stored(self, profile_id: str) -> None:
        """Best effort: a session-only key must not leave an older stored one behind."""
        backend = _current_backend()
        if _backend_is_missing(backend):
            return
        try:
            backend.delete_password(self._service, profile_id)
        except Exception:  # missing entry or unusable keychain: nothing stored to forget
            return


def _call_quietly(
    call: Callable[..., object],
    *args: str,
    ignore: tuple[type[BaseException], ...] = (),
) -> str | None:
    """Run a keyring call; on failure return only the exception's class name.

    The exception object is dropped here, so neither its message (which a backend might fill
    with what it was given) nor a ``__context__`` chain can carry a key any further.
    """
    try:
        call(*args)
    except ignore:
        return None
    except Exception as exc:
        return type(exc).__name__
    return None


def _name_of(backend: KeyringBackend) -> str:
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend) and backend.backends:
        return " + ".join(_name_of(inner) for inner in backend.backends)
    name = getattr(backend, "name", "") or type(backend).__name__
    return str(name)
