"""Pause and Resume are offered only where the connection supports them (not Azure OpenAI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.core.connections import DEMO_AZURE_PROFILE_ID
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.jobs.jobs_helpers import (
    online_window,
    refresh,
    run_scenario,
    select_job,
    settled,
    start_job,
    wait_status,
    write_training_file,
)
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def test_pause_and_resume_are_hidden_when_the_connection_is_azure(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    service = context_of(window).connection_service
    run(qasync_loop, service.activate(DEMO_AZURE_PROFILE_ID))
    assert service.profile.uses_azure_api
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))
    detail = tab.detail
    seen: dict[str, bool] = {}

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        await wait_status(tab, job.id, "running")
        seen["cancel"] = detail.cancel_button.isVisible() and detail.cancel_button.isEnabled()
        seen["pause"] = detail.pause_button.isVisible()
        seen["resume"] = detail.resume_button.isVisible()

    run_scenario(qasync_loop, tab, scenario())

    assert seen == {"cancel": True, "pause": False, "resume": False}


def test_pause_is_offered_when_the_connection_speaks_openai(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    assert not context_of(window).connection_service.profile.uses_azure_api
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))
    seen: list[bool] = []

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        await wait_status(tab, job.id, "running")
        seen.append(tab.detail.pause_button.isVisible() and tab.detail.pause_button.isEnabled())

    run_scenario(qasync_loop, tab, scenario())

    assert seen == [True]
