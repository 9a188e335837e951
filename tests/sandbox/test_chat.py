"""Chat completions: base and fine-tuned replies, streaming, limits, errors."""

from __future__ import annotations

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from desktop.core import tokens
from desktop.sandbox import Emulator
from tests.sandbox.data import FINISH, start_job

pytestmark = pytest.mark.integration

HELLO: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello, who are you?"}]


def _fine_tuned(emulator: Emulator, client: openai.OpenAI) -> str:
    job_id = start_job(client, suffix="shop")
    emulator.advance(FINISH)
    name = client.fine_tuning.jobs.retrieve(job_id).fine_tuned_model
    assert name is not None
    return name


def test_says_it_is_simulated_when_base_model_answers(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)

    assert reply.object == "chat.completion"
    assert reply.choices[0].finish_reason == "stop"
    assert "simulated" in (reply.choices[0].message.content or "").lower()


def test_base_models_answer_differently_without_naming_themselves_when_compared(
    client: openai.OpenAI,
) -> None:
    models = ["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-4.1-mini-2025-04-14"]
    replies = [
        client.chat.completions.create(model=model, messages=HELLO).choices[0].message.content or ""
        for model in models
    ]

    assert len(set(replies)) == len(models)
    for model, reply in zip(models, replies, strict=True):
        assert model not in reply and "gpt" not in reply.lower()


def test_counts_usage_with_core_tokens_when_answering(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    text = reply.choices[0].message.content or ""

    assert reply.usage is not None
    assert reply.usage.prompt_tokens == tokens.count_chat_tokens(
        [dict(m) for m in HELLO], "o200k_base"
    )
    assert reply.usage.completion_tokens == len(tokens.split_into_tokens(text, "o200k_base"))


def test_answers_from_closest_training_example_when_model_is_fine_tuned(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    model = _fine_tuned(emulator, client)

    reply = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "do you ship to norway?"}]
    )

    assert reply.choices[0].message.content == "We ship to every country in the EU and to Norway."


def test_answers_from_training_data_when_model_is_a_checkpoint(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    job_id = start_job(client)
    emulator.advance(FINISH)
    checkpoint = client.fine_tuning.jobs.checkpoints.list(job_id).data[-1]

    reply = client.chat.completions.create(
        model=checkpoint.fine_tuned_model_checkpoint,
        messages=[{"role": "user", "content": "What are your opening hours?"}],
    )

    assert reply.choices[0].message.content == "We are open from 9 to 17, Monday to Friday."


def test_stops_with_length_when_max_tokens_reached(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, max_tokens=3)

    assert reply.choices[0].finish_reason == "length"
    assert reply.usage is not None and reply.usage.completion_tokens == 3


def test_streams_tokens_then_usage_when_streaming_with_include_usage(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    whole = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)

    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=HELLO,
            stream=True,
            stream_options={"include_usage": True},
        )
    )

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage == whole.usage
    assert len(emulator.requests[-1].stream_events) == len(chunks)


def test_raises_not_found_when_model_is_unknown(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-unknown", messages=HELLO)

    assert caught.value.code == "model_not_found"


def test_raises_not_found_when_model_is_retired(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-3.5-turbo-0125", messages=HELLO)

    assert "deprecated" in caught.value.message


def test_raises_bad_request_when_messages_are_missing(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o-mini", messages=[])
