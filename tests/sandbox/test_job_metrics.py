"""Training metrics on the simulated clock: live metrics events and deterministic over-fitting."""

from __future__ import annotations

import json
from typing import cast

import openai
import pytest

from desktop.sandbox import Emulator
from tests.sandbox.data import FINISH, TO_RUNNING, chat_line, start_job, training_bytes, upload

pytestmark = pytest.mark.integration

METRIC_KEYS = {
    "step",
    "train_loss",
    "train_mean_token_accuracy",
    "valid_loss",
    "valid_mean_token_accuracy",
}


def _finished_checkpoints(
    emulator: Emulator, client: openai.OpenAI, *, n_epochs: int
) -> list[dict[str, float]]:
    """Metrics of the job's checkpoints, oldest first."""
    validation = upload(client, training_bytes(4), "valid.jsonl")
    job_id = start_job(client, validation_file=validation, hyperparameters={"n_epochs": n_epochs})
    emulator.advance(FINISH)
    checkpoints = client.fine_tuning.jobs.checkpoints.list(job_id).data
    return [cast(dict[str, float], c.metrics.to_dict()) for c in reversed(checkpoints)]


def test_sends_metrics_events_with_all_fields_while_job_is_running(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    validation = upload(client, training_bytes(4), "valid.jsonl")
    job_id = start_job(client, validation_file=validation)
    emulator.advance(TO_RUNNING)

    job = client.fine_tuning.jobs.retrieve(job_id)
    events = client.fine_tuning.jobs.list_events(job_id, limit=1000).data
    metrics = [cast(dict[str, float], e.data) for e in events if e.type == "metrics"]

    assert job.status == "running"
    assert metrics and all(set(m) >= METRIC_KEYS for m in metrics)


def test_raises_validation_loss_over_last_checkpoints_when_four_epochs_and_validation_file(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    oldest, middle, newest = _finished_checkpoints(emulator, client, n_epochs=4)

    assert oldest["valid_loss"] < middle["valid_loss"] < newest["valid_loss"]
    assert newest["train_loss"] < oldest["train_loss"]


def test_keeps_training_loss_falling_while_validation_loss_rises_when_over_fitting(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    validation = upload(client, training_bytes(4), "valid.jsonl")
    job_id = start_job(client, validation_file=validation, hyperparameters={"n_epochs": 6})
    emulator.advance(FINISH)

    events = client.fine_tuning.jobs.list_events(job_id, limit=1000).data
    rows = sorted(
        (cast(dict[str, float], e.data) for e in events if e.type == "metrics"),
        key=lambda m: m["step"],
    )
    best = min(rows, key=lambda m: m["valid_loss"])

    assert 0.55 < best["step"] / rows[-1]["step"] < 0.75  # end of epoch 4 of 6
    assert rows[-1]["valid_loss"] > best["valid_loss"] * 1.3
    assert rows[-1]["train_loss"] < best["train_loss"]


def test_keeps_validation_loss_from_climbing_when_fewer_than_four_epochs(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    oldest, _, newest = _finished_checkpoints(emulator, client, n_epochs=3)

    assert newest["valid_loss"] < oldest["valid_loss"] * 1.2


def test_names_the_line_when_a_line_deep_in_the_training_file_is_invalid(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    lines = [json.dumps(chat_line(f"q{i}", "a")) for i in range(12)]
    lines[6] = json.dumps({"messages": [{"role": "user", "content": "no reply"}]})
    job_id = start_job(client, ("\n".join(lines) + "\n").encode())
    emulator.advance(FINISH)

    job = client.fine_tuning.jobs.retrieve(job_id)

    assert job.error is not None
    assert job.error.message.startswith("The job failed due to an invalid training file.")
    assert "Line 7" in job.error.message
