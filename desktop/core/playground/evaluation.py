"""Evaluating models on a test set: examples, per-request results, summaries and table rows.

An example is a chat training line: its *prompt* is every message before the last assistant
message, its *reference* that message's content. Each (example, model) pair gives one
:class:`EvalResult`; a failed request is a result with ``error`` set, never an exception, so one
failure never loses the others. A run (:class:`EvalRun`) keeps its settings, examples and
results together: the "golden record" of how each model answered, readable after the model is
gone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
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
    "CellValue",
    "EvalExample",
    "EvalExampleError",
    "EvalJob",
    "EvalResult",
    "EvalRun",
    "EvalRunStatus",
    "EvalTotals",
    "ModelSummary",
    "examples_from_jsonl",
    "plan_jobs",
    "result_rows",
    "rows_to_csv",
    "score_reply",
    "split_example",
    "summarise",
    "totals",
]

CellValue = str | int | float | None
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
class ModelSummary:
    """One model's figures over a run; means are over its successful requests.

    ``total_cost`` adds the known costs; ``cost_complete`` is False when some were unknown.
    """

    model: str
    answered: int
    failed: int
    mean_similarity: float | None
    mean_latency: float | None
    mean_time_to_first_token: float | None
    mean_answer_words: float | None
    prompt_tokens: int
    completion_tokens: int
    total_cost: Decimal
    cost_complete: bool


@dataclass(frozen=True, slots=True)
class EvalTotals:
    """Figures over every model of a run."""

    requests: int
    answered: int
    failed: int
    prompt_tokens: int
    completion_tokens: int
    total_cost: Decimal
    cost_complete: bool


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


def summarise(results: Iterable[EvalResult], models: Sequence[str]) -> tuple[ModelSummary, ...]:
    """Per-model summaries, in the order of ``models``.

    Args:
        results: the run's results.
        models: the models of the run (a model without results gets zeros).

    Returns:
        One summary per model.
    """
    by_model: dict[str, list[EvalResult]] = {model: [] for model in models}
    for result in results:
        by_model.setdefault(result.model, []).append(result)
    summaries: list[ModelSummary] = []
    for model, own in by_model.items():
        ok = [r for r in own if not r.failed]
        summaries.append(
            ModelSummary(
                model=model,
                answered=len(ok),
                failed=len(own) - len(ok),
                mean_similarity=_mean([r.similarity for r in ok]),
                mean_latency=_mean([r.latency for r in ok]),
                mean_time_to_first_token=_mean([r.time_to_first_token for r in ok]),
                mean_answer_words=_mean([float(r.answer_words) for r in ok]),
                prompt_tokens=sum(r.usage.prompt_tokens for r in ok if r.usage),
                completion_tokens=sum(r.usage.completion_tokens for r in ok if r.usage),
                total_cost=sum((r.cost for r in ok if r.cost is not None), Decimal(0)),
                cost_complete=all(r.cost is not None for r in ok),
            )
        )
    return tuple(summaries)


def totals(summaries: Iterable[ModelSummary]) -> EvalTotals:
    """Add up per-model summaries.

    Args:
        summaries: from :func:`summarise`.

    Returns:
        The run's totals.
    """
    items = list(summaries)
    return EvalTotals(
        requests=sum(s.answered + s.failed for s in items),
        answered=sum(s.answered for s in items),
        failed=sum(s.failed for s in items),
        prompt_tokens=sum(s.prompt_tokens for s in items),
        completion_tokens=sum(s.completion_tokens for s in items),
        total_cost=sum((s.total_cost for s in items), Decimal(0)),
        cost_complete=all(s.cost_complete for s in items),
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


def _format_cost(cost: Decimal | None) -> str | None:
    return None if cost is None else format(cost.normalize(), "f")


def result_rows(
    examples: Sequence[EvalExample], results: Iterable[EvalResult], models: Sequence[str]
) -> list[list[CellValue]]:
    """The results as a wide table for CSV/XLSX: a header row, then one row per example.

    Columns: example number, prompt (last user message), reference, then per model its answer,
    words, latency (s), time to first token (s), cost (USD, exact, as text), similarity, error.

    Args:
        examples: the run's examples.
        results: its results (missing pairs give empty cells).
        models: the column order.

    Returns:
        Rows of plain values.
    """
    header: list[CellValue] = ["example", "prompt", "reference"]
    for model in models:
        header += [
            f"{model}: {name}"
            for name in (
                "answer",
                "words",
                "latency_s",
                "first_token_s",
                "cost_usd",
                "similarity",
                "error",
            )
        ]
    found = {(r.example_index, r.model): r for r in results}
    rows: list[list[CellValue]] = [header]
    for example in examples:
        row: list[CellValue] = [example.index + 1, example.question, example.reference]
        for model in models:
            result = found.get((example.index, model))
            if result is None:
                row += [None] * 7
                continue
            row += [
                result.answer,
                result.answer_words,
                result.latency,
                result.time_to_first_token,
                _format_cost(result.cost),
                None if result.similarity is None else round(result.similarity, 4),
                result.error or None,
            ]
        rows.append(row)
    return rows


def rows_to_csv(rows: Iterable[Sequence[CellValue]]) -> str:
    """Rows (from :func:`result_rows`) as CSV text, empty cells for None.

    Args:
        rows: the table, header first.

    Returns:
        CSV text with ``\r\n`` line ends (RFC 4180; spreadsheets open it as is).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()
