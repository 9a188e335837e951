""" "Forget on this computer…": asks in plain words, drops only the local record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.sandbox import Faults
from tests.ui.conftest import ConfirmAnswers, WindowFactory, context_of
from tests.ui.jobs.jobs_helpers import (
    click,
    online_window,
    refresh,
    run_scenario,
    select_job,
    settled,
    start_job,
    wait_status,
    wait_until_finished,
    write_training_file,
)
from tests.ui.loop_helpers import next_emission

pytestmark = pytest.mark.gui


def test_forget_removes_only_the_local_record_and_refresh_brings_the_job_back(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    confirm_answers: ConfirmAnswers,
    shown_errors: list[Any],
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    context = context_of(window)
    profile_id = context.connection_service.profile.id
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl"))
    after_forget: dict[str, Any] = {}

    async def scenario() -> None:
        await refresh(tab, qtbot)
        emulator.advance(600)
        await wait_until_finished(tab, job.id)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        click(qtbot, tab.detail.forget_button)
        after_forget["listed"] = tab.list_model.find(job.id) is not None
        after_forget["saved"] = context.jobs_store.cached_job(profile_id, job.id)
        after_forget["origin"] = context.jobs_store.origin(profile_id, job.id)
        after_forget["message"] = tab.message.text()
        after_forget["detail"] = tab.detail.job
        await refresh(tab, qtbot)

    run_scenario(qasync_loop, tab, scenario())

    (question,) = confirm_answers.questions
    assert "only removes what this app recorded" in question
    assert "stay on the connection" in question and "nothing is deleted there" in question
    assert "next Refresh shows it again" in question
    assert after_forget == {
        "listed": False,
        "saved": None,
        "origin": None,
        "message": after_forget["message"],
        "detail": None,
    }
    assert after_forget["message"].startswith("Forgot ")
    assert "Refresh lists it again" in after_forget["message"]
    assert not [r for r in emulator.requests if r.method == "DELETE"]
    assert tab.list_model.find(job.id) is not None, "the connection still has the job"
    assert tab.notifier.history == [tab.notifier.history[0]], "no second notification"
    assert shown_errors == []


def test_forget_is_not_offered_while_the_job_runs_and_no_keeps_the_job(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    confirm_answers: ConfirmAnswers,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))
    confirm_answers.answer = False
    offered: list[bool] = []

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        await wait_status(tab, job.id, "running")
        offered.append(tab.detail.forget_button.isVisible())
        emulator.advance(600)
        await wait_until_finished(tab, job.id)
        offered.append(tab.detail.forget_button.isVisible())
        click(qtbot, tab.detail.forget_button)

    run_scenario(qasync_loop, tab, scenario())

    assert offered == [False, True]
    assert len(confirm_answers.questions) == 1
    assert tab.list_model.find(job.id) is not None
    assert tab.detail.job is not None and tab.detail.job.id == job.id


def test_forget_says_the_job_will_not_come_back_when_it_is_gone_remotely(
    make_window: WindowFactory,
    qasync_loop: Any,
    qtbot: QtBot,
    emulator: Any,
    tmp_path: Path,
    confirm_answers: ConfirmAnswers,
) -> None:
    window = online_window(make_window, qasync_loop, emulator)
    tab = window.jobs_tab
    job = start_job(window, qasync_loop, write_training_file(tmp_path / "support.jsonl", 40))

    async def scenario() -> None:
        await refresh(tab, qtbot)
        select_job(tab, qtbot, job.id)
        await settled(tab)
        emulator.faults = Faults(forget_jobs=True)
        await next_emission(tab.service.job_gone, lambda job_id: job_id == job.id)
        assert not tab.service.job(job.id).is_finished  # type: ignore[union-attr]
        click(qtbot, tab.detail.forget_button)
        await refresh(tab, qtbot)

    run_scenario(qasync_loop, tab, scenario())

    (question,) = confirm_answers.questions
    assert "no longer exists on the connection" in question
    assert "will not come back" in question
    assert tab.list_model.find(job.id) is None
    assert tab.message.text().startswith("Forgot ")
