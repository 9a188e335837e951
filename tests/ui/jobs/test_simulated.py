"""On a Demo connection the Jobs tab says it is simulated, and its costs say nothing was charged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.core.connections import (
    DEMO_AZURE_PROFILE_ID,
    DEMO_PROFILE_ID,
    ConnectionKind,
    ConnectionProfile,
    new_profile_id,
)
from desktop.ui.common.theme import STYLE_SHEET
from tests.ui.conftest import WindowFactory, context_of
from tests.ui.jobs.jobs_helpers import (
    online_window,
    refresh,
    run_scenario,
    select_job,
    start_job,
    wait_until_finished,
    write_training_file,
)
from tests.ui.loop_helpers import run

pytestmark = pytest.mark.gui

NOTE = "(simulated, nothing charged)"


def test_badge_is_shown_like_the_playground_one_when_the_connection_is_a_demo(
    make_window: WindowFactory, qasync_loop: Any
) -> None:
    window = make_window()
    window.tabs.setCurrentWidget(window.jobs_tab)
    window.show()
    tab = window.jobs_tab
    service = context_of(window).connection_service
    assert service.profile.id == DEMO_PROFILE_ID

    badge = tab.findChild(QLabel, "simulatedBadge")
    assert badge is tab.simulated_label
    assert badge.text() == "Simulated" and badge.isVisible()
    assert badge.objectName() == window.playground_tab.simulated_label.objectName()
    assert "QLabel#simulatedBadge" in STYLE_SHEET  # one rule draws both badges alike
    assert "nothing costs money" in badge.toolTip()

    run(qasync_loop, service.activate(DEMO_AZURE_PROFILE_ID))
    assert badge.isVisible(), "Demo Azure (simulated) is a Demo connection too"

    work = context_of(window).profiles.save(
        ConnectionProfile(
            id=new_profile_id(),
            name="Work",
            kind=ConnectionKind.OPENAI,
            base_url="http://127.0.0.1:9/v1",  # nothing listens on the discard port
        )
    )
    run(qasync_loop, service.activate(work.id))
    assert not badge.isVisible()


def test_finished_job_cost_says_nothing_was_charged_when_the_connection_is_a_demo(
    make_window: WindowFactory, qasync_loop: Any, qtbot: QtBot, emulator: Any, tmp_path: Path
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        emulator.advance(600)
        await wait_until_finished(tab, job.id)

    run_scenario(qasync_loop, tab, scenario())

    line = tab.notifier.history[-1]
    assert line.startswith("Fine-tuning succeeded: ")
    assert line.endswith(NOTE), line
    assert " — cost " in line
    assert tab.message.text() == line
    cost = tab.detail.overview.value("cost")
    assert NOTE in cost and "$" in cost, cost
