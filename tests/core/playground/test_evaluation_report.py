"""Results add up per model and over the run, and export as table rows and CSV."""

from __future__ import annotations

from decimal import Decimal

from desktop.core.playground.evaluation import EvalExample, EvalResult
from desktop.core.playground.evaluation_report import (
    result_rows,
    rows_to_csv,
    summarise,
    totals,
)
from desktop.core.types import ChatMessage, Usage


def results() -> list[EvalResult]:
    return [
        EvalResult(
            0, "a", "one two", Usage(10, 2), cost=Decimal("0.01"), latency=1.0, similarity=0.5
        ),
        EvalResult(
            1, "a", "three", Usage(20, 1), cost=Decimal("0.02"), latency=3.0, similarity=1.0
        ),
        EvalResult(0, "b", "", error="failed"),
        EvalResult(1, "b", "x y z", Usage(5, 3), cost=None, latency=2.0, similarity=0.0),
    ]


def test_summary_averages_only_successful_requests_when_some_failed() -> None:
    a, b = summarise(results(), ["a", "b"])
    assert (a.answered, a.failed, a.mean_latency, a.mean_similarity) == (2, 0, 2.0, 0.75)
    assert (a.total_cost, a.cost_complete, a.mean_answer_words) == (Decimal("0.03"), True, 1.5)
    assert (b.answered, b.failed, b.cost_complete, b.prompt_tokens) == (1, 1, False, 5)


def test_totals_add_every_model_when_summed() -> None:
    total = totals(summarise(results(), ["a", "b"]))
    assert (total.requests, total.answered, total.failed) == (4, 3, 1)
    assert (total.prompt_tokens, total.completion_tokens) == (35, 6)
    assert total.total_cost == Decimal("0.03")
    assert not total.cost_complete


def test_rows_have_a_header_and_one_row_per_example_when_exported() -> None:
    examples = [
        EvalExample(0, (ChatMessage("user", "q0"),), "r0"),
        EvalExample(1, (ChatMessage("user", "q1"),), "r1"),
    ]
    rows = result_rows(examples, results(), ["a", "b"])
    assert len(rows) == 3
    assert rows[0][:4] == ["example", "prompt", "reference", "a: answer"]
    assert rows[1][:9] == [1, "q0", "r0", "one two", 2, 1.0, None, "0.01", 0.5]
    assert rows[1][-1] == "failed"


def test_rows_leave_cells_empty_when_a_model_has_no_result_yet() -> None:
    rows = result_rows([EvalExample(0, (ChatMessage("user", "q"),), "r")], [], ["a"])
    assert rows[1] == [1, "q", "r", None, None, None, None, None, None, None]


def test_csv_quotes_commas_and_leaves_none_empty_when_written() -> None:
    text = rows_to_csv([["a", "b"], ["x, y", None]])
    assert text == 'a,b\r\n"x, y",\r\n'
