"""The Overview's Metadata row shows what the user set, never the app's client token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY
from desktop.core.types import FineTuningJob, JobCreateRequest
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.jobs.jobs_helpers import (
    BASE_MODEL,
    online_window,
    refresh,
    run_scenario,
    select_job,
    settled,
    write_training_file,
)
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui


def create_with_metadata(window: Any, loop: Any, path: Path, metadata: dict[str, str]) -> str:
    context = context_of(window)

    async def create() -> FineTuningJob:
        provider = await context.connection_service.provider()
        training = await provider.upload_file(write_training_file(path))
        request = JobCreateRequest(model=BASE_MODEL, training_file=training.id, metadata=metadata)
        return await provider.create_job(request)

    return run(loop, create()).id


def test_metadata_row_hides_the_client_token_and_says_none_when_nothing_else_is_left(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    token = "0123456789abcdef0123456789abcdef"
    only_token = create_with_metadata(
        window, qasync_loop, tmp_path / "a.jsonl", {CLIENT_TOKEN_KEY: token}
    )
    labelled = create_with_metadata(
        window, qasync_loop, tmp_path / "b.jsonl", {CLIENT_TOKEN_KEY: token, "team": "support"}
    )
    overview = tab.detail.overview
    shown: dict[str, str] = {}

    async def scenario() -> None:
        await refresh(tab, qtbot)
        for job_id in (only_token, labelled):
            select_job(tab, qtbot, job_id)
            await settled(tab)
            shown[job_id] = overview.value("metadata")

    run_scenario(qasync_loop, tab, scenario())

    assert shown == {only_token: "none", labelled: "team = support"}
    kept = tab.service.job(labelled)
    assert kept is not None and kept.metadata[CLIENT_TOKEN_KEY] == token  # still in the data
