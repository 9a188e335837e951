"""Job faults: unknown statuses, training failures, jobs deleted remotely, broken result files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import openai
import pytest

from desktop.sandbox import Emulator, Faults
from desktop.sandbox.faults import faults_from_env
from tests.sandbox.data import FINISH, TO_RUNNING, start_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def off_spec_emulator() -> Iterator[Emulator]:
    """An emulator whose answers are NOT checked against the spec (an unknown status is
    deliberately outside the spec's list)."""
    server = Emulator(fast=True).start()
    try:
        yield server
    finally:
        server.stop()


def test_reports_injected_status_when_running_and_unknown_job_status_set(
    off_spec_emulator: Emulator,
) -> None:
    off_spec_emulator.reset()
    off_spec_emulator.faults = Faults(unknown_job_status="cooling_down")
    with openai.OpenAI(
        base_url=off_spec_emulator.base_url, api_key="sk-test", max_retries=0
    ) as client:
        job_id = start_job(client)
        off_spec_emulator.advance(TO_RUNNING)

        status = client.fine_tuning.jobs.retrieve(job_id).status

    assert status == "cooling_down"


def test_reports_real_status_when_job_not_running_and_unknown_job_status_set(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(unknown_job_status="cooling_down")
    job_id = start_job(client)
    emulator.advance(FINISH)

    assert client.fine_tuning.jobs.retrieve(job_id).status == "succeeded"


def test_fails_with_server_error_at_that_step_when_fail_jobs_at_step_set(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(fail_jobs_at_step=5)
    job_id = start_job(client)
    emulator.advance(FINISH)

    job = client.fine_tuning.jobs.retrieve(job_id)

    assert job.status == "failed"
    assert job.error is not None and job.error.code == "server_error"
    assert "step 5" in job.error.message
    assert job.fine_tuned_model is None and job.finished_at is not None


def test_logs_error_event_after_last_metrics_when_job_fails_at_a_step(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(fail_jobs_at_step=5)
    job_id = start_job(client)
    emulator.advance(FINISH)

    events = client.fine_tuning.jobs.list_events(job_id, limit=1000).data
    steps = [cast(dict[str, int], e.data)["step"] for e in events if e.type == "metrics"]

    assert events[0].level == "error" and "step 5" in events[0].message
    assert max(steps) == 4


def test_keeps_failing_jobs_failed_when_fault_is_switched_off_later(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(fail_jobs_at_step=3)
    job_id = start_job(client)
    emulator.faults = Faults()
    emulator.advance(FINISH)

    assert client.fine_tuning.jobs.retrieve(job_id).status == "failed"


def test_answers_404_for_a_job_when_forget_jobs_set(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.faults = Faults(forget_jobs=True)

    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.retrieve(job_id)


def test_lists_no_jobs_when_forget_jobs_set(emulator: Emulator, client: openai.OpenAI) -> None:
    start_job(client)
    emulator.faults = Faults(forget_jobs=True)

    assert client.fine_tuning.jobs.list().data == []


def test_serves_a_result_file_that_is_not_csv_when_broken_result_files_set(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)
    (result_id,) = client.fine_tuning.jobs.retrieve(job_id).result_files
    emulator.faults = Faults(broken_result_files=True)

    content = client.files.content(result_id).content

    assert content.startswith(b"<html>")
    assert b"step," not in content


def test_reads_job_fault_fields_when_env_vars_are_set() -> None:
    env = {
        "FINETUNE_SANDBOX_UNKNOWN_JOB_STATUS": "cooling_down",
        "FINETUNE_SANDBOX_FAIL_JOBS_AT_STEP": "7",
        "FINETUNE_SANDBOX_FORGET_JOBS": "yes",
        "FINETUNE_SANDBOX_BROKEN_RESULT_FILES": "1",
    }

    faults = faults_from_env(env)

    assert faults == Faults(
        unknown_job_status="cooling_down",
        fail_jobs_at_step=7,
        forget_jobs=True,
        broken_result_files=True,
    )


def test_refuses_the_job_list_when_fine_tuning_is_refused(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(refuse_fine_tuning=True)

    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.fine_tuning.jobs.list(limit=1)

    assert caught.value.code == "fine_tuning_unavailable"


def test_still_serves_an_existing_job_when_fine_tuning_is_refused(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.faults = Faults(refuse_fine_tuning=True)

    assert client.fine_tuning.jobs.retrieve(job_id).id == job_id


def test_lists_every_job_when_the_metadata_filter_is_ignored(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    start_job(client, metadata={"k": "a"})
    start_job(client)
    emulator.faults = Faults(ignore_metadata_filter=True)

    assert len(client.fine_tuning.jobs.list(metadata={"k": "a"}).data) == 2


def test_answers_400_to_a_metadata_filter_when_it_is_refused(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(refuse_metadata_filter=True)

    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.list(metadata={"k": "a"})
