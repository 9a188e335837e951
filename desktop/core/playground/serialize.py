"""Playground records to and from plain JSON values, for the local database.

Money is written as a decimal string (never a float), dates as ISO text. Readers raise
:class:`PlaygroundRecordError` on a damaged record, so storage can skip it and go on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.errors import FinetuneError
from desktop.core.playground.evaluation import EvalExample, EvalResult
from desktop.core.playground.preferences import Candidate, PreferenceVote
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.sessions import ChatSession, ChatTurn, CompareRecord, TurnStatus
from desktop.core.types import ChatMessage, ChatRole, Usage

__all__ = [
    "PlaygroundRecordError",
    "example_from_dict",
    "example_to_dict",
    "result_from_dict",
    "result_to_dict",
    "session_from_dict",
    "session_to_dict",
    "settings_from_dict",
    "settings_to_dict",
    "vote_from_dict",
    "vote_to_dict",
]

Json = dict[str, Any]


class PlaygroundRecordError(FinetuneError):
    """A saved Playground record cannot be read back (damaged or from an unknown version)."""

    default_user_message = "A saved Playground record is damaged and was skipped."


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _read_money(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PlaygroundRecordError(f"bad amount {value!r}") from exc


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _read_date(value: object) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _usage(value: Usage | None) -> list[int] | None:
    return None if value is None else [value.prompt_tokens, value.completion_tokens]


def _read_usage(value: object) -> Usage | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise PlaygroundRecordError(f"bad usage {value!r}")
    return Usage(int(value[0]), int(value[1]))


def _role(value: object) -> ChatRole:
    if value in ("system", "user", "assistant"):
        return value
    raise PlaygroundRecordError(f"bad role {value!r}")


def _messages(messages: tuple[ChatMessage, ...]) -> list[Json]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _read_messages(value: object) -> tuple[ChatMessage, ...]:
    if not isinstance(value, list):
        raise PlaygroundRecordError("messages must be a list")
    return tuple(ChatMessage(_role(m["role"]), str(m["content"])) for m in value)


def _guarded(kind: str, raw: Mapping[str, Any], read: Any) -> Any:
    try:
        return read(raw)
    except PlaygroundRecordError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise PlaygroundRecordError(f"damaged {kind} record: {exc!r}") from exc


def settings_to_dict(settings: GenerationSettings) -> Json:
    """Generation settings as JSON values."""
    return {
        "temperature": settings.temperature,
        "top_p": settings.top_p,
        "max_tokens": settings.max_tokens,
        "stop": list(settings.stop),
        "seed": settings.seed,
    }


def settings_from_dict(raw: Mapping[str, Any]) -> GenerationSettings:
    """Read generation settings written by :func:`settings_to_dict`.

    Raises:
        PlaygroundRecordError: the record is damaged.
    """

    def read(r: Mapping[str, Any]) -> GenerationSettings:
        return GenerationSettings(
            temperature=r.get("temperature"),
            top_p=r.get("top_p"),
            max_tokens=r.get("max_tokens"),
            stop=tuple(str(s) for s in r.get("stop") or ()),
            seed=r.get("seed"),
        )

    result: GenerationSettings = _guarded("settings", raw, read)
    return result


def _turn_to_dict(turn: ChatTurn) -> Json:
    return {
        "role": turn.role,
        "content": turn.content,
        "model": turn.model,
        "usage": _usage(turn.usage),
        "usage_counted_locally": turn.usage_counted_locally,
        "cost": _money(turn.cost),
        "prices_as_of": _date(turn.prices_as_of),
        "time_to_first_token": turn.time_to_first_token,
        "total_time": turn.total_time,
        "status": str(turn.status),
        "error": turn.error,
    }


def _turn_from_dict(r: Mapping[str, Any]) -> ChatTurn:
    role = str(r["role"])
    if role not in ("user", "assistant"):
        raise PlaygroundRecordError(f"bad turn role {role!r}")
    return ChatTurn(
        role=role,
        content=str(r["content"]),
        model=r.get("model"),
        usage=_read_usage(r.get("usage")),
        usage_counted_locally=bool(r.get("usage_counted_locally", False)),
        cost=_read_money(r.get("cost")),
        prices_as_of=_read_date(r.get("prices_as_of")),
        time_to_first_token=r.get("time_to_first_token"),
        total_time=r.get("total_time"),
        status=TurnStatus(r.get("status", "finished")),
        error=str(r.get("error", "")),
    )


def session_to_dict(session: ChatSession) -> Json:
    """A chat session as JSON values."""
    return {
        "id": session.id,
        "title": session.title,
        "model": session.model,
        "system_prompt": session.system_prompt,
        "settings": settings_to_dict(session.settings),
        "turns": [_turn_to_dict(turn) for turn in session.turns],
        "created_at": session.created_at,
        "updated_at": session.updated_at,
    } | _compare_to_dict(session.compare)


def _compare_to_dict(record: CompareRecord | None) -> Json:
    if record is None:  # a chat: its record stays as it always was
        return {}
    return {"compare": {"blind": record.blind, "seed": record.seed, "preferred": record.preferred}}


def _compare_from_dict(raw: object) -> CompareRecord | None:
    if not isinstance(raw, Mapping):
        return None
    seed, preferred = raw.get("seed"), raw.get("preferred")
    return CompareRecord(
        blind=bool(raw.get("blind", False)),
        seed=None if seed is None else int(seed),
        preferred=None if preferred is None else int(preferred),
    )


def session_from_dict(raw: Mapping[str, Any]) -> ChatSession:
    """Read a session written by :func:`session_to_dict`.

    Raises:
        PlaygroundRecordError: the record is damaged.
    """

    def read(r: Mapping[str, Any]) -> ChatSession:
        return ChatSession(
            id=str(r["id"]),
            title=str(r["title"]),
            model=str(r["model"]),
            system_prompt=str(r.get("system_prompt", "")),
            settings=settings_from_dict(r.get("settings") or {}),
            turns=tuple(_turn_from_dict(t) for t in r.get("turns") or ()),
            created_at=float(r.get("created_at", 0.0)),
            updated_at=float(r.get("updated_at", 0.0)),
            compare=_compare_from_dict(r.get("compare")),
        )

    result: ChatSession = _guarded("session", raw, read)
    return result


def vote_to_dict(vote: PreferenceVote) -> Json:
    """A preference vote as JSON values."""
    return {
        "id": vote.id,
        "prompt": _messages(vote.prompt),
        "candidates": [{"model": c.model, "answer": c.answer} for c in vote.candidates],
        "preferred": vote.preferred,
        "created_at": vote.created_at,
        "blind": vote.blind,
        "seed": vote.seed,
    }


def vote_from_dict(raw: Mapping[str, Any]) -> PreferenceVote:
    """Read a vote written by :func:`vote_to_dict`.

    Raises:
        PlaygroundRecordError: the record is damaged.
    """

    def read(r: Mapping[str, Any]) -> PreferenceVote:
        candidates = tuple(Candidate(str(c["model"]), str(c["answer"])) for c in r["candidates"])
        preferred = int(r["preferred"])
        if not 0 <= preferred < len(candidates):
            raise PlaygroundRecordError(f"preferred answer {preferred} out of range")
        return PreferenceVote(
            id=str(r["id"]),
            prompt=_read_messages(r["prompt"]),
            candidates=candidates,
            preferred=preferred,
            created_at=float(r["created_at"]),
            blind=bool(r.get("blind", True)),
            seed=r.get("seed"),
        )

    result: PreferenceVote = _guarded("vote", raw, read)
    return result


def example_to_dict(example: EvalExample) -> Json:
    """A test example as JSON values."""
    return {
        "index": example.index,
        "prompt": _messages(example.prompt),
        "reference": example.reference,
    }


def example_from_dict(raw: Mapping[str, Any]) -> EvalExample:
    """Read an example written by :func:`example_to_dict`.

    Raises:
        PlaygroundRecordError: the record is damaged.
    """

    def read(r: Mapping[str, Any]) -> EvalExample:
        return EvalExample(int(r["index"]), _read_messages(r["prompt"]), str(r["reference"]))

    result: EvalExample = _guarded("example", raw, read)
    return result


def result_to_dict(result: EvalResult) -> Json:
    """An evaluation result as JSON values."""
    return {
        "example_index": result.example_index,
        "model": result.model,
        "answer": result.answer,
        "usage": _usage(result.usage),
        "usage_counted_locally": result.usage_counted_locally,
        "cost": _money(result.cost),
        "prices_as_of": _date(result.prices_as_of),
        "time_to_first_token": result.time_to_first_token,
        "latency": result.latency,
        "similarity": result.similarity,
        "error": result.error,
    }


def result_from_dict(raw: Mapping[str, Any]) -> EvalResult:
    """Read a result written by :func:`result_to_dict`.

    Raises:
        PlaygroundRecordError: the record is damaged.
    """

    def read(r: Mapping[str, Any]) -> EvalResult:
        return EvalResult(
            example_index=int(r["example_index"]),
            model=str(r["model"]),
            answer=str(r["answer"]),
            usage=_read_usage(r.get("usage")),
            usage_counted_locally=bool(r.get("usage_counted_locally", False)),
            cost=_read_money(r.get("cost")),
            prices_as_of=_read_date(r.get("prices_as_of")),
            time_to_first_token=r.get("time_to_first_token"),
            latency=r.get("latency"),
            similarity=r.get("similarity"),
            error=str(r.get("error", "")),
        )

    result: EvalResult = _guarded("result", raw, read)
    return result
