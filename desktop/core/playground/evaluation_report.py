"""A run's figures: per-model summaries, totals, and the results table for CSV/XLSX.

Means are over a model's successful requests; a failure counts as failed, not as a zero. Costs
are exact ``Decimal`` sums of the known costs, with a flag when some were unknown.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop.core.playground.evaluation import EvalExample, EvalResult

__all__ = [
    "CellValue",
    "EvalTotals",
    "ModelSummary",
    "result_rows",
    "rows_to_csv",
    "summarise",
    "totals",
]

CellValue = str | int | float | None


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
