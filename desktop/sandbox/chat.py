"""``POST /chat/completions``: simulated replies, whole or streamed as SSE chunks.

A base model answers a short generic reply that says it is simulated. A fine-tuned model (or a
checkpoint) answers with the reply of the training example most similar to the prompt, so the
demo shows what fine-tuning changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from re import Match
from typing import Any

from desktop.core import tokens
from desktop.sandbox.context import ApiRequest, JsonResponse, Response, Service, StreamResponse
from desktop.sandbox.errors import bad_request
from desktop.sandbox.faults import Faults
from desktop.sandbox.models_api import ChatModel, resolve_chat_model
from desktop.sandbox.training_data import (
    Example,
    best_reply,
    check_training_file,
    message_text,
)

__all__ = ["create_chat_completion", "reply_for"]

_FINGERPRINT = "fp_emulator1"
# Base-model replies never name the model, so the Playground's blind comparison does not give
# the answer away (the name travels in the response's ``model`` field, as on OpenAI); a short
# "voice" derived from the model id keeps two models' answers to one prompt apart.
_BASE_REPLIES = (
    "(Simulated base model, voice {voice}) A general answer to “{topic}” would go here; "
    "fine-tune a model on your own examples to get answers in your style.",
    "(Simulated, voice {voice}) I can only give a generic reply about “{topic}”. Train a "
    "fine-tuned model to see replies that sound like your data.",
    "Simulated reply from a base model (voice {voice}): thanks for asking about “{topic}”. A "
    "fine-tuned model would answer from your training examples instead.",
)


@lru_cache(maxsize=8)
def _examples(blob: bytes, method: str) -> tuple[Example, ...]:
    return check_training_file(blob, method=method, min_examples=0).examples


def _last_user_text(messages: Sequence[Mapping[str, object]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message.get("content"))
    return message_text(messages[-1].get("content")) if messages else ""


def reply_for(service: Service, model: ChatModel, messages: Sequence[Mapping[str, object]]) -> str:
    """The reply text a model gives to ``messages`` (deterministic).

    Args:
        service: the emulator's state (training files are read from it).
        model: the resolved chat model.
        messages: the conversation.

    Returns:
        The reply.
    """
    prompt = _last_user_text(messages)
    if model.job is not None:
        blob = service.store.blobs.get(model.job.training_file)
        if blob is not None:
            reply = best_reply(_examples(blob, model.job.method), prompt)
            if reply:
                return reply
    topic = " ".join(prompt.split()[:8]) or "your message"
    digest = hashlib.sha256(prompt.encode()).digest()
    template = _BASE_REPLIES[digest[0] % len(_BASE_REPLIES)]
    voice = hashlib.sha256(model.id.encode()).hexdigest()[:4]
    return template.format(topic=topic, voice=voice)


def _messages(body: Mapping[str, object]) -> list[dict[str, object]]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("Missing required parameter: 'messages'.", param="messages")
    normalised: list[dict[str, object]] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or "role" not in message:
            raise bad_request(
                f"Invalid value for 'messages[{index}]': a message needs a role.",
                param=f"messages[{index}]",
            )
        normalised.append({**message, "content": message_text(message.get("content"))})
    return normalised


def _limit(body: Mapping[str, object]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad_request(f"Invalid '{key}': must be a positive integer.", param=key)
        return value
    return None


def _stops(body: Mapping[str, object]) -> list[str]:
    stop = body.get("stop")
    if isinstance(stop, str):
        return [stop]
    if isinstance(stop, list):
        return [s for s in stop if isinstance(s, str) and s]
    return []


def _shape(pieces: list[str], stops: list[str], limit: int | None) -> tuple[list[str], str]:
    text = "".join(pieces)
    cut = min((text.find(s) for s in stops if s in text), default=-1)
    finish = "stop"
    if cut >= 0:
        kept: list[str] = []
        length = 0
        for piece in pieces:
            if length + len(piece) > cut:
                if cut > length:
                    kept.append(piece[: cut - length])
                break
            kept.append(piece)
            length += len(piece)
        pieces = kept
    if limit is not None and len(pieces) > limit:
        pieces, finish = pieces[:limit], "length"
    return pieces, finish


def create_chat_completion(service: Service, request: ApiRequest, _: Match[str]) -> Response:
    """``POST /chat/completions`` (also Azure's ``/deployments/{name}/chat/completions``)."""
    body = request.json()
    model = resolve_chat_model(service, request.deployment or body.get("model"))
    messages = _messages(body)
    encoding = tokens.encoding_name_for_model(model.base)
    pieces, finish = _shape(
        tokens.split_into_tokens(reply_for(service, model, messages), encoding),
        _stops(body),
        _limit(body),
    )
    prompt_tokens = tokens.count_chat_tokens(messages, encoding)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": len(pieces),
        "total_tokens": prompt_tokens + len(pieces),
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    head: dict[str, Any] = {
        "id": service.store.new_id("chatcmpl-", 29),
        "created": int(service.now()),
        "model": model.id,
        "system_fingerprint": _FINGERPRINT,
        "service_tier": "default",
    }
    if body.get("stream") is True:
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        return StreamResponse(
            _chunks(head, pieces, finish, usage if include_usage else None),
            delay=service.stream_delay,
            cut_after=_cut_after(service.faults(), model.id),
        )
    message: dict[str, object] = {
        "role": "assistant",
        "content": "".join(pieces),
        "refusal": None,
        "annotations": [],
    }
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
    return JsonResponse({**head, "object": "chat.completion", "choices": [choice], "usage": usage})


def _cut_after(faults: Faults, model_id: str) -> int | None:
    """After how many chunks this model's stream is cut (None: not cut)."""
    if faults.cut_stream_model is not None and faults.cut_stream_model != model_id:
        return None
    return faults.cut_stream_after


def _chunks(
    head: dict[str, Any], pieces: list[str], finish: str, usage: dict[str, Any] | None
) -> list[dict[str, object]]:
    def chunk(delta: dict[str, object], reason: str | None) -> dict[str, object]:
        event: dict[str, object] = {
            **head,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}],
        }
        if usage is not None:
            event["usage"] = None
        return event

    events = [chunk({"role": "assistant", "content": "", "refusal": None}, None)]
    events += [chunk({"content": piece}, None) for piece in pieces]
    events.append(chunk({}, finish))
    if usage is not None:
        events.append({**head, "object": "chat.completion.chunk", "choices": [], "usage": usage})
    return events
