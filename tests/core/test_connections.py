"""Connection profiles: validation before any request, display names, masked keys."""

from __future__ import annotations

import pytest

from desktop.core.connections import (
    DEMO_AZURE_PROFILE_ID,
    DEMO_PROFILE_ID,
    ConnectionKind,
    ConnectionProfile,
    built_in_profile,
    check_url,
    demo_azure_profile,
    demo_profile,
    mask_key,
    validate_profile,
)
from desktop.core.errors import ValidationFailedError


def _profile(kind: ConnectionKind, **fields: str) -> ConnectionProfile:
    return ConnectionProfile(id="p1", name=fields.pop("name", "Work"), kind=kind, **fields)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.example.com/v1/", "https://api.example.com/v1"),
        ("  http://127.0.0.1:8000/v1 ", "http://127.0.0.1:8000/v1"),
        ("https://[::1]:9000", "https://[::1]:9000"),
    ],
)
def test_url_is_normalised_when_well_formed(url: str, expected: str) -> None:
    assert check_url(url) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("api.example.com/v1", "must start with https://"),
        ("ftp://api.example.com", "must start with https://"),
        ("https://", "no valid server name"),
        ("https://exa mple.com", "no valid server name"),
        ("https://api.example.com:99999", "port number"),
    ],
)
def test_url_is_refused_with_a_plain_message_when_malformed(url: str, fragment: str) -> None:
    with pytest.raises(ValidationFailedError) as caught:
        check_url(url, what="base URL")

    assert fragment in caught.value.user_message
    assert "base URL" in caught.value.user_message


def test_azure_endpoint_message_gives_an_azure_example_when_malformed() -> None:
    profile = _profile(ConnectionKind.AZURE, azure_endpoint="contoso.openai.azure.com")

    with pytest.raises(ValidationFailedError) as caught:
        validate_profile(profile)

    assert "https://contoso.openai.azure.com" in caught.value.user_message


def test_compatible_profile_is_refused_when_base_url_missing() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        validate_profile(_profile(ConnectionKind.COMPATIBLE))

    assert "base URL" in caught.value.user_message


def test_profile_is_refused_when_name_blank() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        validate_profile(_profile(ConnectionKind.OPENAI, name="  "))

    assert "name" in caught.value.user_message


def test_status_bar_names_follow_the_kind_when_displayed() -> None:
    assert demo_profile().display_name == "Demo (simulated)"
    assert _profile(ConnectionKind.OPENAI).display_name == "OpenAI — Work"
    assert _profile(ConnectionKind.AZURE, name="contoso").display_name == "Azure — contoso"


def test_key_shows_only_its_last_four_characters_when_masked() -> None:
    masked = mask_key("sk-proj-abcdefghijklmnop1234")

    assert masked.endswith("1234")
    assert "abcdefgh" not in masked
    assert mask_key("") == ""


def test_names_demo_azure_as_simulated_when_shown() -> None:
    assert demo_azure_profile().display_name == "Demo Azure (simulated)"
    assert demo_profile().display_name == "Demo (simulated)"


def test_demo_azure_speaks_azure_without_a_key_when_built_in() -> None:
    profile = demo_azure_profile()

    assert profile.kind is ConnectionKind.DEMO and profile.is_built_in
    assert profile.uses_azure_api and not profile.needs_key
    assert profile.deployments


def test_demo_does_not_speak_azure_when_built_in() -> None:
    assert not demo_profile().uses_azure_api
    assert demo_profile().is_built_in


def test_saved_azure_profile_speaks_azure_but_is_not_built_in() -> None:
    profile = _profile(ConnectionKind.AZURE, azure_endpoint="https://x.openai.azure.com")

    assert profile.uses_azure_api and not profile.is_built_in


@pytest.mark.parametrize("profile_id", [DEMO_PROFILE_ID, DEMO_AZURE_PROFILE_ID])
def test_finds_built_in_profile_when_id_is_built_in(profile_id: str) -> None:
    profile = built_in_profile(profile_id)

    assert profile is not None and profile.id == profile_id


def test_finds_no_built_in_profile_when_id_is_saved_ones() -> None:
    assert built_in_profile("work") is None
