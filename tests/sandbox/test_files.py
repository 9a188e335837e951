"""Files and the multi-part Uploads API."""

from __future__ import annotations

import hashlib

import openai
import pytest

from desktop.sandbox import Emulator
from tests.sandbox.data import training_bytes, upload

pytestmark = pytest.mark.integration


def test_stores_file_when_uploading_jsonl(client: openai.OpenAI) -> None:
    data = training_bytes()

    created = client.files.create(file=("train.jsonl", data), purpose="fine-tune")

    assert created.id.startswith("file-")
    assert (created.filename, created.purpose, created.bytes) == (
        "train.jsonl",
        "fine-tune",
        len(data),
    )
    assert client.files.retrieve(created.id).id == created.id


def test_returns_exact_bytes_when_downloading_content(client: openai.OpenAI) -> None:
    data = training_bytes()
    file_id = upload(client, data)

    assert client.files.content(file_id).content == data


def test_rejects_upload_when_fine_tune_file_is_not_jsonl(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.files.create(file=("train.csv", b"a,b\n"), purpose="fine-tune")

    assert ".jsonl" in caught.value.message


def test_lists_only_that_purpose_when_filtering_by_purpose(client: openai.OpenAI) -> None:
    tuned = upload(client, training_bytes())
    client.files.create(file=("batch.jsonl", b"{}\n"), purpose="batch")

    listed = client.files.list(purpose="fine-tune").data

    assert [f.id for f in listed] == [tuned]


def test_pages_newest_first_when_listing_with_limit(client: openai.OpenAI) -> None:
    ids = [upload(client, training_bytes(), f"f{i}.jsonl") for i in range(3)]

    first = client.files.list(limit=2)
    rest = client.files.list(limit=2, after=first.data[-1].id)

    assert [f.id for f in first.data] == ids[::-1][:2]
    assert first.has_more is True
    assert [f.id for f in rest.data] == [ids[0]]
    assert rest.has_more is False


def test_forgets_file_when_deleted(client: openai.OpenAI) -> None:
    file_id = upload(client, training_bytes())

    deleted = client.files.delete(file_id)

    assert deleted.deleted is True
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(file_id)


def test_builds_file_from_parts_in_given_order_when_completing_upload(
    client: openai.OpenAI,
) -> None:
    data = training_bytes()
    head, tail = data[:100], data[100:]
    started = client.uploads.create(
        filename="big.jsonl", purpose="fine-tune", bytes=len(data), mime_type="text/jsonl"
    )
    second = client.uploads.parts.create(upload_id=started.id, data=tail)
    first = client.uploads.parts.create(upload_id=started.id, data=head)

    done = client.uploads.complete(
        upload_id=started.id,
        part_ids=[first.id, second.id],
        md5=hashlib.md5(data).hexdigest(),
    )

    assert done.status == "completed"
    assert done.file is not None
    assert client.files.content(done.file.id).content == data


def test_rejects_completion_when_bytes_differ_from_declared(client: openai.OpenAI) -> None:
    started = client.uploads.create(
        filename="big.jsonl", purpose="fine-tune", bytes=999, mime_type="text/jsonl"
    )
    part = client.uploads.parts.create(upload_id=started.id, data=b"{}\n")

    with pytest.raises(openai.BadRequestError):
        client.uploads.complete(upload_id=started.id, part_ids=[part.id])


def test_marks_upload_cancelled_when_cancelling(client: openai.OpenAI) -> None:
    started = client.uploads.create(
        filename="big.jsonl", purpose="fine-tune", bytes=10, mime_type="text/jsonl"
    )

    assert client.uploads.cancel(started.id).status == "cancelled"


def test_raises_not_found_when_upload_is_unknown(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.uploads.cancel("upload_nope")


def test_records_redacted_key_when_logging_requests(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    client.files.list()

    (record,) = emulator.requests
    assert (record.method, record.path, record.status) == ("GET", "/v1/files", 200)
    assert record.headers["authorization"] == "Bearer ***"
    assert isinstance(record.response_json, dict)
