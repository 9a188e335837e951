"""Starting evaluation runs: the system prompt, names, run again, what is left, states."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.core.errors import NotFoundError, RateLimitedError
from desktop.core.playground.evaluation import (
    EvalExample,
    EvalResult,
    EvalRun,
    EvalRunStatus,
)
from desktop.core.playground.evaluation_runs import (
    default_run_name,
    failed_results,
    failure_message,
    remaining_jobs,
    run_again,
    run_state,
    settings_summary,
    with_system_prompt,
)
from desktop.core.playground.presets import GenerationSettings
from desktop.core.types import ChatMessage

OLD, NEW = "gpt-4o-mini-2024-07-18", "ft:gpt-4o-mini-2024-07-18:acme::abc"


def example(index: int, *, system: str | None = None) -> EvalExample:
    prompt = (ChatMessage("system", system),) if system else ()
    return EvalExample(index, (*prompt, ChatMessage("user", f"Q{index}")), f"A{index}")


def saved_run(results: tuple[EvalResult, ...] = ()) -> EvalRun:
    return EvalRun(
        id="r1",
        name="Support",
        created_at=1.0,
        models=(OLD,),
        settings=GenerationSettings(temperature=0.2),
        concurrency=4,
        source="valid.jsonl",
        examples=(example(0), example(1)),
        results=results,
        status=EvalRunStatus.FINISHED,
    )


def test_system_prompt_is_added_only_where_an_example_has_none() -> None:
    examples = [example(0), example(1, system="Own rules.")]
    sent = with_system_prompt(examples, "Be brief.")
    assert sent[0].prompt[0] == ChatMessage("system", "Be brief.")
    assert sent[1].prompt[0] == ChatMessage("system", "Own rules.")
    assert len(sent[1].prompt) == 2
    assert with_system_prompt(examples, "  ") == tuple(examples)


def test_default_name_says_what_was_tested_and_when() -> None:
    name = default_run_name("valid.jsonl", dt.datetime(2026, 11, 27, 15, 40))
    assert name == "valid.jsonl · 27 Nov 15:40"


def test_run_again_copies_the_earlier_answers_and_asks_only_the_new_model() -> None:
    earlier = saved_run((EvalResult(0, OLD, "A0"), EvalResult(1, OLD, "A1")))
    new = run_again(earlier, NEW, run_id="r2", now=5.0)
    assert new.id == "r2" and new.created_at == 5.0
    assert new.models == (OLD, NEW) and new.results == earlier.results
    assert new.examples == earlier.examples and new.settings == earlier.settings
    assert new.status is EvalRunStatus.RUNNING and new.name == f"Support + {NEW}"
    jobs = remaining_jobs(new, models=[NEW])
    assert [(j.example_index, j.model) for j in jobs] == [(0, NEW), (1, NEW)]
    assert jobs[0].request.temperature == 0.2


def test_run_again_refuses_a_model_already_in_the_run() -> None:
    with pytest.raises(ValueError, match="already"):
        run_again(saved_run(), OLD, run_id="r2", now=5.0)


def test_remaining_jobs_are_the_missing_and_the_failed_answers() -> None:
    run = saved_run((EvalResult(0, OLD, "", error="Too many requests."),))
    assert [(j.example_index, j.model) for j in remaining_jobs(run)] == [(0, OLD), (1, OLD)]
    done = saved_run((EvalResult(0, OLD, "A0"), EvalResult(1, OLD, "A1")))
    assert remaining_jobs(done) == []
    assert failed_results(run.results) == list(run.results)


def test_a_running_run_that_is_not_live_reads_interrupted() -> None:
    assert run_state(EvalRunStatus.RUNNING, live=True) == "running"
    assert run_state(EvalRunStatus.RUNNING, live=False) == "interrupted"
    assert run_state(EvalRunStatus.CANCELLED, live=False) == "cancelled"


def test_settings_summary_names_the_prompt_and_the_values_set() -> None:
    text = settings_summary(GenerationSettings(temperature=0.2, max_tokens=300), "Be brief.")
    assert text == (
        "system prompt “Be brief.” (for examples without one) · temperature 0.2 · "
        "at most 300 output tokens"
    )
    assert "service's default" in settings_summary(GenerationSettings(), "")


def test_a_gone_model_fails_with_what_to_do_and_another_model_to_try() -> None:
    gone = NotFoundError("404 model_not_found", user_message="The item no longer exists.")
    text = failure_message(gone, NEW, [OLD, "gpt-4.1-nano-2025-04-14"])
    assert text.startswith(f"The model {NEW} no longer exists on this connection")
    assert f"for example with {OLD}." in text
    busy = RateLimitedError("429", user_message="The service is busy.")
    assert failure_message(busy, OLD, []) == "The service is busy."
