"""Evaluating models on a test set: examples, the requests to send, results and whole runs.

Summaries and the results table are in :mod:`desktop.core.playground.evaluation_report`.

An example is a chat training line: its *prompt* is every message before the last assistant
message, its *reference* that message's content. Each (example, model) pair gives one
:class:`EvalResult`; a failed request is a result with ``error`` set, never an exception, so one
failure never loses the others. A run (:class:`EvalRun`) keeps its settings, examples and
results together: the "golden record" of how each model answered, readable after the model is
gone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from desktop.core.catalog import ModelCatalog
from desktop.core.errors import FinetuneError
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.similarity import token_f1
from desktop.core.playground.usage_cost import UsagePrices, reply_cost
from desktop.core.types import ChatMessage, ChatRequest, ChatRole, Usage

__all__ = [
    "EvalExample",
    "EvalExampleError",
    "EvalJob",
    "EvalResult",
    "EvalRun",
    "EvalRunStatus",
    "examples_from_jsonl",
    "plan_jobs",
    "score_reply",
    "split_example",
]

_ROLES: frozenset[str] = frozenset({"system", "user", "assistant"})


class EvalExampleError(FinetuneError):
    """A line that cannot be used as a test example (no assistant reply to compare with)."""

    default_user_message = (
        "This example cannot be evaluated: it needs a conversation ending with an assistant reply."
    )


class EvalRunStatus(StrEnum):
    """Where a run stands. A run interrupted by a crash stays ``running`` with what it saved."""

    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class EvalExample:
    """One test example: the conversation to send and the reply expected.

    Attributes:
        index: the example's position in the test set (0-based).
        prompt: every message before the last assistant message.
        reference: the last assistant message's text.
    """

    index: int
    prompt: tuple[ChatMessage, ...]
    reference: str

    @property
    def question(self) -> str:
        """The last user message (what a table shows as the prompt)."""
        for message in reversed(self.prompt):
            if message.role == "user":
                return message.content
        return self.prompt[-1].content if self.prompt else ""


def _text(content: object) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: keep the text ones
        parts = [
            part.get("text")
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        ]
        if all(isinstance(p, str) for p in parts):
            return "".join(str(p) for p in parts)
    return None


def split_example(record: Mapping[str, object], index: int) -> EvalExample:
    """Split a chat example into its prompt and its reference reply.

    Args:
        record: a parsed chat line (``{"messages": [...]}``).
        index: its position in the test set.

    Returns:
        The example.

    Raises:
        EvalExampleError: no messages, an unknown role or content that is not text, no
            assistant message, or nothing before the last assistant message.
    """
    raw = record.get("messages")
    if not isinstance(raw, list) or not raw:
        raise EvalExampleError(f"example {index + 1} has no messages list")
    messages: list[ChatMessage] = []
    for position, item in enumerate(raw):
        role = item.get("role") if isinstance(item, dict) else None
        text = _text(item.get("content")) if isinstance(item, dict) else None
        if role not in _ROLES or text is None:
            raise EvalExampleError(
                f"example {index + 1}, message {position + 1}: "
                "only system, user and assistant messages with text can be evaluated"
            )
        messages.append(ChatMessage(_role(role), text))
    last = max((i for i, m in enumerate(messages) if m.role == "assistant"), default=None)
    if last is None:
        raise EvalExampleError(f"example {index + 1} has no assistant message")
    if last == 0:
        raise EvalExampleError(f"example {index + 1} has nothing before its assistant message")
    return EvalExample(index, tuple(messages[:last]), messages[last].content)


def _role(value: object) -> ChatRole:
    if value == "system":
        return "system"
    return "user" if value == "user" else "assistant"


def examples_from_jsonl(
    lines: Iterable[str],
) -> tuple[list[EvalExample], list[tuple[int, str]]]:
    """Read test examples from JSONL lines, skipping blank ones.

    Args:
        lines: the file's lines.

    Returns:
        The usable examples (numbered in order of use) and, for every unusable line, its
        1-based line number and the reason.
    """
    examples: list[EvalExample] = []
    skipped: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise EvalExampleError("the line is not a JSON object")
            examples.append(split_example(record, len(examples)))
        except (ValueError, EvalExampleError) as exc:
            skipped.append((number, str(exc)))
    return examples, skipped


@dataclass(frozen=True, slots=True)
class EvalJob:
    """One request of an evaluation: which example, which model, and the request itself."""

    example_index: int
    model: str
    request: ChatRequest


def plan_jobs(
    examples: Sequence[EvalExample],
    models: Sequence[str],
    settings: GenerationSettings,
    *,
    done: Collection[tuple[int, str]] = (),
) -> list[EvalJob]:
    """The requests of a run: every example for every model, example by example.

    Going example by example (all models, then the next example) makes a run's table fill
    row by row, and keeps the models' columns comparable if it is stopped half-way.

    Args:
        examples: the test set.
        models: the models to ask.
        settings: the generation settings for every request.
        done: (example index, model) pairs already answered, left out (to finish an
            interrupted run; a re-run on a new model passes the new model only).

    Returns:
        The jobs, in the order they should start.
    """
    return [
        EvalJob(
            example.index,
            model,
            ChatRequest(
                model=model,
                messages=example.prompt,
                temperature=settings.temperature,
                top_p=settings.top_p,
                max_tokens=settings.max_tokens,
                stop=settings.stop,
                seed=settings.seed,
            ),
        )
        for example in examples
        for model in models
        if (example.index, model) not in done
    ]


@dataclass(frozen=True, slots=True)
class EvalResult:
    """One model's answer to one example.

    Attributes:
        example_index: the example answered.
        model: the model asked.
        answer: its reply ("" when it failed before any text).
        usage: tokens in and out (None when the request failed before an answer).
        usage_counted_locally: True when the API did not report usage.
        cost: estimated USD, None when a price is unknown.
        prices_as_of: the day of the prices used.
        time_to_first_token: seconds to the first text.
        latency: seconds to the end of the reply.
        similarity: token F1 against the reference (None when failed).
        error: the plain-words reason of a failure; empty when the request succeeded.
    """

    example_index: int
    model: str
    answer: str
    usage: Usage | None = None
    usage_counted_locally: bool = False
    cost: Decimal | None = None
    prices_as_of: dt.date | None = None
    time_to_first_token: float | None = None
    latency: float | None = None
    similarity: float | None = None
    error: str = ""

    @property
    def failed(self) -> bool:
        """Whether the request failed."""
        return bool(self.error)

    @property
    def answer_words(self) -> int:
        """The answer's length in words."""
        return len(self.answer.split())


def score_reply(
    example: EvalExample,
    model: str,
    *,
    answer: str,
    usage: Usage | None,
    time_to_first_token: float | None,
    latency: float | None,
    error: str = "",
    catalog: ModelCatalog,
    extra_prices: Mapping[str, UsagePrices] | None = None,
) -> EvalResult:
    """Turn a streamed reply into a result: cost at the model's prices and similarity.

    Args:
        example: the example asked.
        model: the model that answered.
        answer: the reply text.
        usage: the API's usage, or None.
        time_to_first_token: seconds to the first text.
        latency: seconds to the end.
        error: the failure's plain-words message ("" when it succeeded).
        catalog: the app's catalog.
        extra_prices: prices for models the catalog does not price.

    Returns:
        The result (a failure keeps its timing, no cost and no similarity).
    """
    if error:
        return EvalResult(
            example.index,
            model,
            answer,
            time_to_first_token=time_to_first_token,
            latency=latency,
            error=error,
        )
    cost = reply_cost(
        model,
        usage=usage,
        prompt=example.prompt,
        reply=answer,
        catalog=catalog,
        extra_prices=extra_prices,
    )
    return EvalResult(
        example_index=example.index,
        model=model,
        answer=answer,
        usage=cost.usage,
        usage_counted_locally=cost.counted_locally,
        cost=cost.cost,
        prices_as_of=cost.prices_as_of,
        time_to_first_token=time_to_first_token,
        latency=latency,
        similarity=token_f1(answer, example.reference),
    )


@dataclass(frozen=True, slots=True)
class EvalRun:
    """A whole evaluation: what was asked, of which models, how, and every answer.

    Attributes:
        id: unique id.
        name: the user's name for it.
        created_at: Unix time it started.
        models: the models asked, in column order.
        settings: the generation settings used for every request.
        concurrency: the request limit used.
        source: where the examples came from (a dataset's name or path).
        examples: the examples, by index.
        results: the answers received so far.
        status: running, finished or cancelled.
    """

    id: str
    name: str
    created_at: float
    models: tuple[str, ...]
    settings: GenerationSettings
    concurrency: int
    source: str
    examples: tuple[EvalExample, ...]
    results: tuple[EvalResult, ...] = ()
    status: EvalRunStatus = EvalRunStatus.RUNNING
