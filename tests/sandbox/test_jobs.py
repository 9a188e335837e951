"""Fine-tuning jobs on the simulated clock: lifecycle, events, checkpoints, results, errors."""

from __future__ import annotations

import csv
import io
import json
from typing import cast

import openai
import pytest

from desktop.sandbox import Emulator
from tests.sandbox.data import (
    FINISH,
    TO_RUNNING,
    chat_line,
    jsonl,
    start_job,
    training_bytes,
    upload,
)

pytestmark = pytest.mark.integration


def test_validates_files_first_when_job_is_created(client: openai.OpenAI) -> None:
    file_id = upload(client, training_bytes())

    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=file_id)

    assert job.status == "validating_files"
    assert job.fine_tuned_model is None


def test_succeeds_with_named_model_when_clock_passes_the_timeline(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client, suffix="support")

    emulator.advance(FINISH)
    job = client.fine_tuning.jobs.retrieve(job_id)

    assert job.status == "succeeded"
    assert job.fine_tuned_model is not None
    assert job.fine_tuned_model.startswith("ft:gpt-4o-mini-2024-07-18:demo-org:support:")
    assert job.trained_tokens and job.trained_tokens > 0
    assert job.finished_at is not None


def test_leaves_suffix_part_empty_when_no_suffix_given(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)

    name = client.fine_tuning.jobs.retrieve(job_id).fine_tuned_model

    assert name is not None and name.startswith("ft:gpt-4o-mini-2024-07-18:demo-org::")
    assert len(name.rsplit(":", 1)[1]) == 8


def test_uses_cookbook_epochs_when_n_epochs_is_auto(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.retrieve(start_job(client))

    assert job.hyperparameters.n_epochs == 100 // 12


def test_lists_fine_tuned_model_when_job_succeeded(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)
    name = client.fine_tuning.jobs.retrieve(job_id).fine_tuned_model

    models = {m.id: m for m in client.models.list().data}

    assert name in models
    assert models[name].owned_by == "demo-org"


def test_reports_decreasing_loss_in_metrics_events_when_job_succeeded(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)

    events = client.fine_tuning.jobs.list_events(job_id, limit=1000).data
    metrics = [cast(dict[str, float], e.data) for e in reversed(events) if e.type == "metrics"]
    messages = [e.message for e in events]

    assert metrics[0]["step"] == 1
    assert metrics[-1]["train_loss"] < metrics[0]["train_loss"]
    assert "The job has successfully completed" in messages
    assert any(m.startswith("Validating training file: file-") for m in messages)


def test_adds_validation_metrics_when_validation_file_given(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    validation = upload(client, training_bytes(3), "valid.jsonl")
    job_id = start_job(client, validation_file=validation)
    emulator.advance(FINISH)

    events = client.fine_tuning.jobs.list_events(job_id, limit=20).data
    metrics = next(cast(dict[str, float], e.data) for e in events if e.type == "metrics")

    assert {"valid_loss", "valid_mean_token_accuracy"} <= set(metrics)


def test_saves_checkpoints_for_last_three_epochs_when_job_succeeded(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client, hyperparameters={"n_epochs": 4, "batch_size": 2})
    emulator.advance(FINISH)

    checkpoints = client.fine_tuning.jobs.checkpoints.list(job_id).data

    assert [c.step_number for c in checkpoints] == [24, 18, 12]
    assert checkpoints[0].fine_tuned_model_checkpoint.endswith(":ckpt-step-24")


def test_writes_metrics_csv_result_file_when_job_succeeded(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client, hyperparameters={"n_epochs": 2, "batch_size": 4})
    emulator.advance(FINISH)
    job = client.fine_tuning.jobs.retrieve(job_id)

    (result_id,) = job.result_files
    result = client.files.retrieve(result_id)
    rows = list(csv.DictReader(io.StringIO(client.files.content(result_id).text)))

    assert result.purpose == "fine-tune-results"
    assert len(rows) == 6
    assert list(rows[0]) == [
        "step",
        "train_loss",
        "train_accuracy",
        "valid_loss",
        "valid_mean_token_accuracy",
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([json.dumps(chat_line("q", "a"))] * 2 + ["{not json"], "Line 3"),
        ([json.dumps(chat_line("q", "a")), json.dumps({"prompt": "x"})], 'Line 2, key "messages"'),
        ([json.dumps({"messages": [{"role": "user", "content": "hi"}]})], "assistant"),
        ([json.dumps(chat_line("q", "a"))] * 3, "at least 10 examples"),
    ],
)
def test_fails_naming_the_problem_when_training_file_is_invalid(
    emulator: Emulator, client: openai.OpenAI, lines: list[str], expected: str
) -> None:
    job_id = start_job(client, ("\n".join(lines) + "\n").encode())

    emulator.advance(FINISH)
    job = client.fine_tuning.jobs.retrieve(job_id)

    assert job.status == "failed"
    assert job.error is not None
    assert job.error.code == "invalid_training_file"
    assert job.error.param == "training_file"
    assert expected in job.error.message


def test_cancels_job_when_cancel_requested_before_it_finished(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)

    cancelled = client.fine_tuning.jobs.cancel(job_id)
    emulator.advance(FINISH)

    assert cancelled.status == "cancelled"
    assert client.fine_tuning.jobs.retrieve(job_id).status == "cancelled"


def test_refuses_cancel_when_job_already_succeeded(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)

    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.cancel(job_id)


def test_freezes_progress_when_paused_and_finishes_after_resume(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(TO_RUNNING)

    paused = client.fine_tuning.jobs.pause(job_id)
    emulator.advance(FINISH)
    still_paused = client.fine_tuning.jobs.retrieve(job_id)
    resumed = client.fine_tuning.jobs.resume(job_id)
    emulator.advance(FINISH)

    assert (paused.status, still_paused.status, resumed.status) == ("paused", "paused", "running")
    assert client.fine_tuning.jobs.retrieve(job_id).status == "succeeded"


def test_refuses_pause_when_job_is_not_running(client: openai.OpenAI) -> None:
    job_id = start_job(client)

    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.pause(job_id)


def test_pages_jobs_newest_first_when_listing_with_limit(client: openai.OpenAI) -> None:
    file_id = upload(client, training_bytes())
    ids = [
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=file_id).id
        for _ in range(3)
    ]

    first = client.fine_tuning.jobs.list(limit=2)
    rest = client.fine_tuning.jobs.list(limit=2, after=first.data[-1].id)

    assert [j.id for j in first.data] == ids[::-1][:2]
    assert first.has_more is True
    assert [j.id for j in rest.data] == [ids[0]]


def test_filters_jobs_when_metadata_filter_given(client: openai.OpenAI) -> None:
    file_id = upload(client, training_bytes())
    wanted = client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=file_id, metadata={"project": "shop"}
    ).id
    client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=file_id)

    listed = client.fine_tuning.jobs.list(metadata={"project": "shop"}).data

    assert [j.id for j in listed] == [wanted]


def test_pages_events_newest_first_when_listing_with_after(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)
    everything = client.fine_tuning.jobs.list_events(job_id, limit=1000).data

    first = client.fine_tuning.jobs.list_events(job_id, limit=3)
    second = client.fine_tuning.jobs.list_events(job_id, limit=3, after=first.data[-1].id)

    assert [e.id for e in first.data + second.data] == [e.id for e in everything[:6]]
    assert first.has_more is True
    assert everything[-1].message == "Created fine-tuning job"


def test_records_dpo_method_when_dpo_requested(client: openai.OpenAI) -> None:
    line = {
        "input": {"messages": [{"role": "user", "content": "Hi"}]},
        "preferred_output": [{"role": "assistant", "content": "Hello!"}],
        "non_preferred_output": [{"role": "assistant", "content": "What."}],
    }
    file_id = upload(client, jsonl([line] * 10))

    job = client.fine_tuning.jobs.create(
        model="gpt-4.1-mini-2025-04-14",
        training_file=file_id,
        method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}},
    )

    assert job.method is not None and job.method.type == "dpo"
    assert job.method.dpo is not None and job.method.dpo.hyperparameters is not None
    assert job.method.dpo.hyperparameters.beta == 0.2


def test_rejects_job_when_training_file_is_unknown(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-unknown")

    assert caught.value.param == "training_file"


@pytest.mark.parametrize("model", ["text-embedding-3-small", "gpt-3.5-turbo-0125", "gpt-9"])
def test_rejects_job_when_model_cannot_be_fine_tuned(client: openai.OpenAI, model: str) -> None:
    file_id = upload(client, training_bytes())

    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.jobs.create(model=model, training_file=file_id)

    assert caught.value.code == "model_not_available"


def test_rejects_job_when_suffix_is_longer_than_64(client: openai.OpenAI) -> None:
    file_id = upload(client, training_bytes())

    with pytest.raises(openai.BadRequestError) as caught:
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=file_id, suffix="x" * 65)

    assert caught.value.param == "suffix"


def test_raises_not_found_when_job_is_unknown(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.fine_tuning.jobs.retrieve("ftjob-unknown")
