"""check_connection: a plain-language report for each way a connection can fail."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.api.connection_check import ConnectionReport, check_connection
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import ConnectionKind, ConnectionProfile
from desktop.core.errors import AuthError, TimeoutFailedError
from tests.api.support import run

pytestmark = pytest.mark.integration


def _tunable(model_id: str) -> bool:
    return model_id.startswith(("gpt-4o-mini", "gpt-4.1"))


def _check(provider: OpenAIProvider, timeout: float = 15.0) -> ConnectionReport:
    return run(check_connection(provider, fine_tunable=_tunable, timeout=timeout), provider)


def _faults(**values: Any) -> Any:
    from desktop.sandbox import Faults

    return Faults(**values)


def _compatible(url: str) -> ConnectionProfile:
    return ConnectionProfile(id="c1", name="Local", kind=ConnectionKind.COMPATIBLE, base_url=url)


def test_success_counts_models_and_fine_tunable_ones(api_client: OpenAIProvider) -> None:
    async def scenario() -> tuple[Any, ConnectionReport]:
        models = await api_client.list_models()
        return models, await check_connection(api_client, fine_tunable=_tunable)

    models, report = run(scenario(), api_client)
    total = len(models)
    tunable = sum(1 for m in models if _tunable(m.id))

    assert report.ok and report.error is None
    assert (report.model_count, report.fine_tunable_count) == (total, tunable)
    assert report.message == f"Connected. {total} models, {tunable} can be fine-tuned."


def test_rejected_key_is_reported_not_raised(strict_emulator: Any) -> None:
    provider = create_provider(_compatible(strict_emulator.base_url), api_key="sk-wrong-0000")
    report = _check(provider)
    assert not report.ok
    assert report.title == "Key rejected"
    assert isinstance(report.error, AuthError)
    assert "0000" not in report.message


@pytest.mark.parametrize(
    ("faults", "title"),
    [
        ({"forbidden": True}, "No permission"),
        ({"insufficient_quota": True}, "Out of credit"),
        ({"rate_limit_first": 1, "retry_after": 3.0}, "Busy"),
        ({"server_error_first": 1}, "Service problem"),
    ],
)
def test_service_refusals_get_their_own_title(
    api_client: OpenAIProvider, emulator: Any, faults: dict[str, Any], title: str
) -> None:
    emulator.faults = _faults(**faults)
    report = _check(api_client)
    assert not report.ok
    assert report.title == title
    assert report.message and report.error is not None


def test_quota_and_rate_limit_read_differently(api_client: OpenAIProvider, emulator: Any) -> None:
    emulator.faults = _faults(insufficient_quota=True)
    quota = _check(api_client)
    emulator.faults = _faults(rate_limit_first=1, retry_after=3.0)
    other = create_provider(
        ConnectionProfile(id="d", name="Demo", kind=ConnectionKind.DEMO),
        api_key=None,
        base_url=emulator.base_url,
        max_retries=0,
    )
    busy = _check(other)
    assert "credit" in quota.message
    assert "busy" in busy.message and "3 seconds" in busy.message


def test_unreachable_address_is_reported(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/v1"
    provider = create_provider(_compatible(url), api_key="k", max_retries=0)
    report = _check(provider)
    assert not report.ok
    assert report.title == "Can't reach the service"
    assert "refused" in report.message


def test_wrong_path_on_a_live_server_suggests_checking_the_base_url(emulator: Any) -> None:
    root = emulator.base_url.rsplit("/v1", 1)[0] + "/nothing-here"
    provider = create_provider(_compatible(root), api_key="k", max_retries=0)
    report = _check(provider)
    assert not report.ok
    assert "/v1" in report.message


def test_slow_service_is_reported_as_no_answer_within_the_check_timeout(emulator: Any) -> None:
    emulator.faults = _faults(slow_seconds=2.0)
    provider = create_provider(
        ConnectionProfile(id="d", name="Demo", kind=ConnectionKind.DEMO),
        api_key=None,
        base_url=emulator.base_url,
    )
    report = _check(provider, timeout=0.3)
    assert not report.ok
    assert report.title == "No answer"
    assert isinstance(report.error, TimeoutFailedError)
