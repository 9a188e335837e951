"""Client settings shared by every connection (a leaf module: cheap to import at start-up)."""

from __future__ import annotations

DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for a read or write; the SDK's own default (600 s) is too long for a person."""

DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a connection."""

DEFAULT_MAX_RETRIES = 2
"""The SDK's retry budget (it honours ``Retry-After``); retries are the SDK's, never ours."""
