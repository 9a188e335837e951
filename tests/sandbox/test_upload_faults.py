"""The Uploads API as the spec describes it, and the dropped-part fault."""

from __future__ import annotations

import hashlib

import openai
import pytest

from desktop.sandbox import Emulator, Faults
from desktop.sandbox.faults import faults_from_env
from tests.sandbox.data import training_bytes

pytestmark = pytest.mark.integration


def _start(client: openai.OpenAI, size: int) -> str:
    started = client.uploads.create(
        filename="big.jsonl", purpose="fine-tune", bytes=size, mime_type="text/jsonl"
    )
    return started.id


def _pieces(data: bytes, count: int) -> list[bytes]:
    step = -(-len(data) // count)
    return [data[i : i + step] for i in range(0, len(data), step)]


def test_drops_the_connection_once_without_storing_when_parts_exceed_the_limit(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    data = training_bytes()
    first, second, third, fourth = _pieces(data, 4)
    upload_id = _start(client, len(data))
    emulator.faults = Faults(drop_upload_parts_after=2)
    kept = [client.uploads.parts.create(upload_id=upload_id, data=p).id for p in (first, second)]

    with pytest.raises(openai.APIConnectionError):
        client.uploads.parts.create(upload_id=upload_id, data=third)
    kept += [client.uploads.parts.create(upload_id=upload_id, data=p).id for p in (third, fourth)]
    done = client.uploads.complete(upload_id=upload_id, part_ids=kept)

    assert [r.status for r in emulator.requests if r.path.endswith("/parts")] == [
        200,
        200,
        0,
        200,
        200,
    ]
    assert done.file is not None
    assert client.files.content(done.file.id).content == data


def test_counts_parts_per_upload_when_dropping(emulator: Emulator, client: openai.OpenAI) -> None:
    emulator.faults = Faults(drop_upload_parts_after=1)
    one, other = _start(client, 10), _start(client, 10)

    client.uploads.parts.create(upload_id=one, data=b"{}\n")
    client.uploads.parts.create(upload_id=other, data=b"{}\n")
    with pytest.raises(openai.APIConnectionError):
        client.uploads.parts.create(upload_id=other, data=b"{}\n")


def test_sdk_retry_delivers_the_part_when_the_connection_drops_once(
    emulator: Emulator,
) -> None:
    data = training_bytes()
    emulator.faults = Faults(drop_upload_parts_after=0)

    with openai.OpenAI(base_url=emulator.base_url, api_key="k", max_retries=1) as client:
        upload_id = _start(client, len(data))
        part = client.uploads.parts.create(upload_id=upload_id, data=data)
        done = client.uploads.complete(upload_id=upload_id, part_ids=[part.id])

    assert done.status == "completed"
    assert [r.status for r in emulator.requests if r.path.endswith("/parts")] == [0, 200]


def test_reads_the_drop_fault_when_its_env_var_is_set() -> None:
    assert faults_from_env({"FINETUNE_SANDBOX_DROP_UPLOAD_PARTS_AFTER": "3"}) == Faults(
        drop_upload_parts_after=3
    )
    assert faults_from_env({"FINETUNE_SANDBOX_DROP_UPLOAD_PARTS_AFTER": "none"}) == Faults()


def test_upload_expires_an_hour_after_creation_on_the_simulated_clock(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    started = client.uploads.create(
        filename="big.jsonl", purpose="fine-tune", bytes=6, mime_type="text/jsonl"
    )
    emulator.advance(3500)
    part = client.uploads.parts.create(upload_id=started.id, data=b"{}\n")
    emulator.advance(200)

    with pytest.raises(openai.BadRequestError) as late_part:
        client.uploads.parts.create(upload_id=started.id, data=b"{}\n")
    with pytest.raises(openai.BadRequestError) as late_complete:
        client.uploads.complete(upload_id=started.id, part_ids=[part.id])

    assert started.expires_at == started.created_at + 3600
    assert started.status == "pending"
    assert "expired" in late_part.value.message
    assert "expired" in late_complete.value.message


def test_rejects_completion_when_md5_differs(client: openai.OpenAI) -> None:
    data = training_bytes()
    upload_id = _start(client, len(data))
    part = client.uploads.parts.create(upload_id=upload_id, data=data)

    with pytest.raises(openai.BadRequestError) as caught:
        client.uploads.complete(
            upload_id=upload_id, part_ids=[part.id], md5=hashlib.md5(b"other").hexdigest()
        )

    assert caught.value.param == "md5"


def test_assembles_parts_sent_in_reverse_in_the_order_given_at_completion(
    client: openai.OpenAI,
) -> None:
    data = training_bytes()
    pieces = _pieces(data, 3)
    upload_id = _start(client, len(data))
    ids = {
        i: client.uploads.parts.create(upload_id=upload_id, data=p).id
        for i, p in reversed(list(enumerate(pieces)))
    }

    done = client.uploads.complete(
        upload_id=upload_id,
        part_ids=[ids[i] for i in range(len(pieces))],
        md5=hashlib.md5(data).hexdigest(),
    )

    assert done.file is not None
    assert client.files.content(done.file.id).content == data


def test_rejects_a_part_when_the_upload_was_cancelled(client: openai.OpenAI) -> None:
    upload_id = _start(client, 10)
    client.uploads.cancel(upload_id)

    with pytest.raises(openai.BadRequestError) as caught:
        client.uploads.parts.create(upload_id=upload_id, data=b"{}\n")

    assert "cancelled" in caught.value.message
