"""The cost of given requests (finishing a saved run, running it again on another model): each
model is priced for the examples it is asked, counted as sent, answers capped by max_tokens."""

from __future__ import annotations

from desktop.core.catalog import read_catalog
from desktop.core.playground.evaluation import EvalExample, plan_jobs
from desktop.core.playground.evaluation_cost import estimate_evaluation, estimate_jobs
from desktop.core.playground.presets import GenerationSettings
from desktop.core.types import ChatMessage
from desktop.resources import resource_path

MINI = "gpt-4o-mini-2024-07-18"
NANO = "gpt-4.1-nano-2025-04-14"

EXAMPLES = tuple(
    EvalExample(
        index,
        (
            ChatMessage("system", "You answer for Lumen & Wick, a candle shop."),
            ChatMessage("user", f"When does shop {index} open on Sundays?" * (index + 1)),
        ),
        f"Shop {index} opens at ten on Sundays and closes at four. " * (index + 1),
    )
    for index in range(4)
)


def test_every_example_to_every_model_costs_what_the_whole_evaluation_costs() -> None:
    catalog = read_catalog(resource_path("models.json"))
    settings = GenerationSettings()
    jobs = plan_jobs(EXAMPLES, [MINI, NANO], settings)

    assert estimate_jobs(jobs, EXAMPLES, catalog, settings) == estimate_evaluation(
        EXAMPLES, [MINI, NANO], catalog, settings
    )


def test_each_model_is_priced_for_only_the_examples_it_is_asked() -> None:
    catalog = read_catalog(resource_path("models.json"))
    settings = GenerationSettings()
    done = {(0, MINI), (1, MINI), (2, MINI), (0, NANO)}  # a cancelled run's answers
    jobs = plan_jobs(EXAMPLES, [MINI, NANO], settings, done=done)

    estimate = estimate_jobs(jobs, EXAMPLES, catalog, settings, models=[MINI, NANO])

    assert estimate.examples == 3 and estimate.requests == 4  # examples 1 to 3
    mini, nano = estimate.models  # in the run's order, though NANO is asked first
    assert (mini.model, mini.requests) == (MINI, 1)
    assert (nano.model, nano.requests) == (NANO, 3)
    assert mini == estimate_evaluation(EXAMPLES[3:], [MINI], catalog, settings).models[0]
    assert nano == estimate_evaluation(EXAMPLES[1:], [NANO], catalog, settings).models[0]


def test_answers_are_capped_by_the_runs_max_tokens() -> None:
    catalog = read_catalog(resource_path("models.json"))
    free = GenerationSettings()
    capped = GenerationSettings(max_tokens=5)
    jobs = plan_jobs(EXAMPLES, [NANO], capped)

    estimate = estimate_jobs(jobs, EXAMPLES, catalog, capped)

    assert estimate.max_tokens == 5
    assert estimate.models[0].output_tokens == 4 * 5
    uncapped = estimate_jobs(plan_jobs(EXAMPLES, [NANO], free), EXAMPLES, catalog, free)
    assert uncapped.models[0].output_tokens > 4 * 5
    assert estimate.models[0].prompt_tokens == uncapped.models[0].prompt_tokens
    cost, more = estimate.total_cost, uncapped.total_cost
    assert cost is not None and more is not None and cost < more


def test_no_request_costs_nothing() -> None:
    estimate = estimate_jobs([], EXAMPLES, None, GenerationSettings(), models=[MINI])

    assert (estimate.examples, estimate.models, estimate.requests) == (0, (), 0)
