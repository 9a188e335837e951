"""Connection profiles: where requests go and how they authenticate (never the key itself)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from urllib.parse import urlsplit

from desktop.core.errors import ValidationFailedError


class ConnectionKind(StrEnum):
    DEMO = "demo"
    OPENAI = "openai"
    AZURE = "azure"
    COMPATIBLE = "compatible"


KIND_LABELS: dict[ConnectionKind, str] = {
    ConnectionKind.DEMO: "Demo",
    ConnectionKind.OPENAI: "OpenAI",
    ConnectionKind.AZURE: "Azure",
    ConnectionKind.COMPATIBLE: "Compatible",
}

DEFAULT_AZURE_API_VERSION = "2025-04-01-preview"
DEMO_PROFILE_ID = "demo"
DEMO_AZURE_PROFILE_ID = "demo-azure"
"""The second built-in simulation: the Demo's emulator, spoken to the way Azure OpenAI is."""
BUILT_IN_PROFILE_IDS = frozenset({DEMO_PROFILE_ID, DEMO_AZURE_PROFILE_ID})
DEMO_AZURE_DEPLOYMENTS: tuple[str, ...] = (
    "gpt-4o-mini-2024-07-18",
    "gpt-4o-2024-08-06",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
)
"""Deployments of Demo Azure: the emulator's chat base models (a test keeps them in step)."""
AZURE_ENDPOINT_EXAMPLE = "https://contoso.openai.azure.com"


@dataclass(frozen=True, slots=True)
class ConnectionProfile:
    """A named connection. Secrets live in the keychain under ``id``, never here.

    Invariants: ``id`` is stable for the profile's life; ``kind`` decides which fields matter.
    """

    id: str
    name: str
    kind: ConnectionKind
    base_url: str = ""  # compatible endpoints (and OpenAI overrides)
    organization: str = ""
    project: str = ""
    azure_endpoint: str = ""
    api_version: str = DEFAULT_AZURE_API_VERSION
    deployments: tuple[str, ...] = field(default_factory=tuple)

    @property
    def display_name(self) -> str:
        """What the status bar shows, e.g. "OpenAI — Work", "Demo (simulated)" or
        "Demo Azure (simulated)"."""
        if self.kind is ConnectionKind.DEMO:
            return f"{self.name or 'Demo'} (simulated)"
        return f"{KIND_LABELS[self.kind]} — {self.name}"

    @property
    def needs_key(self) -> bool:
        return self.kind is not ConnectionKind.DEMO

    @property
    def is_built_in(self) -> bool:
        """One of the built-in simulated connections (never saved, edited or deleted)."""
        return self.kind is ConnectionKind.DEMO and self.id in BUILT_IN_PROFILE_IDS

    @property
    def uses_azure_api(self) -> bool:
        """Requests go Azure's way (``/openai/...``, ``api-version``, chat by deployment name):
        Azure profiles and the simulated Demo Azure."""
        return self.kind is ConnectionKind.AZURE or self.id == DEMO_AZURE_PROFILE_ID

    def with_changes(self, **changes: object) -> ConnectionProfile:
        return replace(self, **changes)  # type: ignore[arg-type]


def demo_profile() -> ConnectionProfile:
    return ConnectionProfile(id=DEMO_PROFILE_ID, name="Demo", kind=ConnectionKind.DEMO)


def demo_azure_profile() -> ConnectionProfile:
    """The built-in "Demo Azure (simulated)": the Demo's emulator through Azure-style paths.

    Its endpoint is the emulator's address, known only once the emulator runs, so
    ``azure_endpoint`` stays empty here; ``deployments`` are the emulator's chat base models.
    Lets a newcomer try "Train again on…" another connection without any account.
    """
    return ConnectionProfile(
        id=DEMO_AZURE_PROFILE_ID,
        name="Demo Azure",
        kind=ConnectionKind.DEMO,
        deployments=DEMO_AZURE_DEPLOYMENTS,
    )


def built_in_profile(profile_id: str) -> ConnectionProfile | None:
    """The built-in simulated connection with this id, or None."""
    if profile_id == DEMO_PROFILE_ID:
        return demo_profile()
    if profile_id == DEMO_AZURE_PROFILE_ID:
        return demo_azure_profile()
    return None


def new_profile_id() -> str:
    import secrets  # here, not at start-up: uuid/secrets pull in more modules than needed

    return secrets.token_hex(6)


_HOST_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def _is_valid_host(host: str) -> bool:
    """A DNS name or an IP address (``urlsplit`` already removed IPv6 brackets)."""
    if _HOST_NAME_RE.fullmatch(host):
        return True
    import ipaddress  # only when validating: keeps the module cheap at start-up

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_url(
    url: str, *, what: str = "address", example: str = "https://api.example.com/v1"
) -> str:
    """Return the URL normalised (no trailing slash) or raise ValidationFailedError.

    Args:
        url: what the user typed.
        what: how to name the field in the message.
        example: a well-formed address of the same kind, quoted in the message.

    Raises:
        ValidationFailedError: the URL is not an http(s) address with a host.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ValidationFailedError(
            f"bad scheme in {text!r}",
            user_message=f"The {what} must start with https:// (for example {example}).",
        )
    if not _is_valid_host(parts.hostname or ""):
        raise ValidationFailedError(
            f"no host in {text!r}",
            user_message=f"The {what} has no valid server name. Example: {example}",
        )
    if " " in text:
        raise ValidationFailedError(
            "space in URL", user_message=f"The {what} must not contain spaces."
        )
    try:
        _ = parts.port
    except ValueError as exc:
        raise ValidationFailedError(
            str(exc), user_message=f"The port number in the {what} is not valid."
        ) from exc
    return text.rstrip("/")


def validate_profile(profile: ConnectionProfile) -> ConnectionProfile:
    """Check the fields a profile's kind needs, before any request is made.

    Returns:
        The profile with URLs normalised.

    Raises:
        ValidationFailedError: a field is missing or malformed (message names the field).
    """
    if not profile.name.strip():
        raise ValidationFailedError("empty name", user_message="Give the connection a name.")
    if profile.kind is ConnectionKind.COMPATIBLE:
        if not profile.base_url.strip():
            raise ValidationFailedError(
                "missing base URL", user_message="Enter the base URL of the compatible endpoint."
            )
        return profile.with_changes(base_url=check_url(profile.base_url, what="base URL"))
    if profile.kind is ConnectionKind.AZURE:
        if not profile.azure_endpoint.strip():
            raise ValidationFailedError(
                "missing endpoint",
                user_message=f"Enter the Azure endpoint, e.g. {AZURE_ENDPOINT_EXAMPLE}",
            )
        if not profile.api_version.strip():
            raise ValidationFailedError(
                "missing api version", user_message="Enter the Azure API version."
            )
        return profile.with_changes(
            azure_endpoint=check_url(
                profile.azure_endpoint, what="Azure endpoint", example=AZURE_ENDPOINT_EXAMPLE
            )
        )
    if profile.kind is ConnectionKind.OPENAI and profile.base_url.strip():
        return profile.with_changes(base_url=check_url(profile.base_url, what="base URL"))
    return profile


def mask_key(key: str) -> str:
    """Show only the last four characters of a key, e.g. ``••••••••abcd``."""
    if not key:
        return ""
    return "•" * 8 + key[-4:]
