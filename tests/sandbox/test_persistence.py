"""State kept in a folder survives a restart."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from desktop.sandbox import Emulator
from tests.helpers.contract import check_exchanges
from tests.sandbox.data import FINISH, start_job, training_bytes

pytestmark = pytest.mark.integration


def _client(emulator: Emulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=emulator.base_url, api_key="sk-test", max_retries=0)


def test_keeps_files_and_finished_jobs_when_restarted_with_same_state_dir(tmp_path: Path) -> None:
    with Emulator(fast=True, state_dir=tmp_path) as first, _client(first) as client:
        job_id = start_job(client)
        first.advance(FINISH)
        model = client.fine_tuning.jobs.retrieve(job_id).fine_tuned_model

    with Emulator(fast=True, state_dir=tmp_path) as second, _client(second) as client:
        job = client.fine_tuning.jobs.retrieve(job_id)
        content = client.files.content(job.training_file).content
        reply = client.chat.completions.create(
            model=str(model), messages=[{"role": "user", "content": "Do you offer gift cards?"}]
        )
        problems = check_exchanges(second.requests)

    assert (job.status, job.fine_tuned_model) == ("succeeded", model)
    assert content == training_bytes()
    assert reply.choices[0].message.content == "Gift cards from 10 to 200 euros are available."
    assert problems == []


def test_gives_new_ids_when_restarted_with_same_seed(tmp_path: Path) -> None:
    with Emulator(fast=True, state_dir=tmp_path) as first, _client(first) as client:
        before = client.files.create(file=("a.jsonl", b"{}\n"), purpose="fine-tune").id
    with Emulator(fast=True, state_dir=tmp_path) as second, _client(second) as client:
        after = client.files.create(file=("b.jsonl", b"{}\n"), purpose="fine-tune").id
        listed = [f.id for f in client.files.list().data]

    assert before != after
    assert listed == [after, before]


def test_starts_empty_and_keeps_bad_index_aside_when_index_is_unreadable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "index.json").write_text("{ half written")

    with Emulator(fast=True, state_dir=tmp_path) as emulator, _client(emulator) as client:
        listed = client.files.list().data

    assert listed == []
    assert list(tmp_path.glob("index.json.unreadable-*"))
    assert "unreadable" in caplog.text


def test_leaves_no_temporary_files_when_saving(tmp_path: Path) -> None:
    with Emulator(fast=True, state_dir=tmp_path) as emulator, _client(emulator) as client:
        client.files.create(file=("a.jsonl", training_bytes()), purpose="fine-tune")

    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
