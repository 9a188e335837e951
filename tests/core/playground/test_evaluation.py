"""Examples split into prompt and reference; results add up per model and export as rows."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from desktop.core.catalog import ModelCatalog
from desktop.core.playground.evaluation import (
    EvalExample,
    EvalExampleError,
    examples_from_jsonl,
    plan_jobs,
    score_reply,
    split_example,
)
from desktop.core.playground.presets import GenerationSettings
from desktop.core.types import ChatMessage, Usage
from tests.core.playground.conftest import TUNED


def chat(*pairs: tuple[str, str]) -> dict[str, object]:
    return {"messages": [{"role": r, "content": c} for r, c in pairs]}


def test_split_uses_the_last_assistant_message_as_reference_when_there_are_several() -> None:
    example = split_example(
        chat(
            ("system", "s"),
            ("user", "q1"),
            ("assistant", "a1"),
            ("user", "q2"),
            ("assistant", "a2"),
        ),
        3,
    )
    assert example.reference == "a2"
    assert [m.content for m in example.prompt] == ["s", "q1", "a1", "q2"]
    assert example.question == "q2"


def test_split_refuses_an_example_when_it_has_no_assistant_message() -> None:
    with pytest.raises(EvalExampleError, match="no assistant"):
        split_example(chat(("user", "q")), 0)


def test_split_refuses_an_example_when_nothing_precedes_the_reply() -> None:
    with pytest.raises(EvalExampleError, match="nothing before"):
        split_example(chat(("assistant", "a")), 0)


def test_split_joins_text_parts_when_content_is_a_list() -> None:
    record = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}],
            },
            {"role": "assistant", "content": "Hi"},
        ]
    }
    assert split_example(record, 0).prompt == (ChatMessage("user", "Hello"),)


def test_reading_jsonl_skips_bad_lines_with_reasons_when_some_are_unusable() -> None:
    lines = [
        json.dumps(chat(("user", "q"), ("assistant", "a"))),
        "",
        "{not json",
        json.dumps(chat(("user", "only a question"))),
        json.dumps(chat(("user", "q2"), ("assistant", "a2"))),
    ]
    examples, skipped = examples_from_jsonl(lines)
    assert [e.index for e in examples] == [0, 1]
    assert [number for number, _ in skipped] == [3, 4]


EXAMPLE = EvalExample(0, (ChatMessage("user", "Capital of France?"),), "Paris is the capital.")


def test_scoring_adds_cost_and_similarity_when_the_reply_succeeded(catalog: ModelCatalog) -> None:
    result = score_reply(
        EXAMPLE,
        TUNED,
        answer="The capital is Paris.",
        usage=Usage(1000, 1000),
        time_to_first_token=0.1,
        latency=0.5,
        catalog=catalog,
    )
    assert result.similarity == pytest.approx(1.0)
    assert result.cost == Decimal("0.0015")
    assert not result.failed


def test_scoring_keeps_the_error_without_cost_when_the_reply_failed(catalog: ModelCatalog) -> None:
    result = score_reply(
        EXAMPLE,
        "gone-model",
        answer="",
        usage=None,
        time_to_first_token=None,
        latency=0.2,
        error="The model does not exist.",
        catalog=catalog,
    )
    assert result.failed
    assert (result.cost, result.similarity, result.usage) == (None, None, None)


def test_plan_asks_every_model_example_by_example_when_nothing_is_done() -> None:
    examples = [EvalExample(i, (ChatMessage("user", f"q{i}"),), f"r{i}") for i in range(2)]
    jobs = plan_jobs(examples, ["a", "b"], GenerationSettings(temperature=0, max_tokens=9))
    assert [(j.example_index, j.model) for j in jobs] == [(0, "a"), (0, "b"), (1, "a"), (1, "b")]
    assert jobs[3].request.messages == (ChatMessage("user", "q1"),)
    assert (jobs[0].request.temperature, jobs[0].request.max_tokens) == (0, 9)


def test_plan_leaves_out_answered_pairs_when_a_run_is_resumed() -> None:
    examples = [EvalExample(i, (ChatMessage("user", f"q{i}"),), f"r{i}") for i in range(2)]
    jobs = plan_jobs(examples, ["a"], GenerationSettings(), done={(0, "a")})
    assert [(j.example_index, j.model) for j in jobs] == [(1, "a")]
