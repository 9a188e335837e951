"""Starting evaluation runs: the test set as sent, a run's name, and "run again on a new model".

**Run again on another model** (the before/after comparison): the new run is a copy of the
earlier one — the same examples, settings and request limit — whose models are the earlier
run's plus the new one. The earlier run's answers are copied into it as they were (the "golden
record" of how those models answered, even if they are gone now), and only the new model is
asked. So the new run's table shows the earlier answers next to the new model's, each model
with its own summary, and the earlier run stays as it was. The new run's name says which run
it came from (``<earlier name> + <new model>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from desktop.core.errors import FinetuneError, StreamInterruptedError
from desktop.core.playground.evaluation import (
    EvalExample,
    EvalJob,
    EvalResult,
    EvalRun,
    EvalRunStatus,
    plan_jobs,
)
from desktop.core.playground.presets import GenerationSettings
from desktop.core.playground.reply_faults import cut_off_message, is_model_gone, suggest_model
from desktop.core.types import ChatMessage

__all__ = [
    "MAX_EVAL_MODELS",
    "default_run_name",
    "failed_results",
    "failure_message",
    "remaining_jobs",
    "run_again",
    "run_state",
    "settings_summary",
    "with_system_prompt",
]

MAX_EVAL_MODELS = 4
"""The most models one run asks (the table stays readable)."""


def with_system_prompt(
    examples: Sequence[EvalExample], system_prompt: str
) -> tuple[EvalExample, ...]:
    """The examples as they will be sent: the Playground's system prompt added where missing.

    An example that has its own system message keeps it (it is what the model was trained
    with); the others get ``system_prompt`` first, when it is not blank.

    Args:
        examples: the test set.
        system_prompt: the Playground's system prompt.

    Returns:
        The examples to send and save with the run.
    """
    if not system_prompt.strip():
        return tuple(examples)
    system = ChatMessage("system", system_prompt)
    return tuple(
        example
        if any(message.role == "system" for message in example.prompt)
        else replace(example, prompt=(system, *example.prompt))
        for example in examples
    )


def default_run_name(source: str, when: dt.datetime) -> str:
    """A run's first name: what it tested and when (the user may rename it; the run list
    shows its models beside it).

    Args:
        source: the test set's name (a file name).
        when: the local time it starts.

    Returns:
        e.g. ``"valid.jsonl · 27 Nov 15:40"``.
    """
    return f"{source or 'Test set'} · {when:%d %b %H:%M}"


def run_again(run: EvalRun, model: str, *, run_id: str, now: float) -> EvalRun:
    """A new run asking ``model`` the earlier run's examples, with its answers copied in.

    Args:
        run: the earlier run.
        model: the new model (not one of ``run.models``).
        run_id: the new run's id.
        now: Unix time it starts.

    Returns:
        The new run (status running), with the earlier answers as results.

    Raises:
        ValueError: ``model`` is already one of the run's models, or the run has
            :data:`MAX_EVAL_MODELS` models already.
    """
    if model in run.models:
        raise ValueError(f"{model} is already one of the run's models")
    if len(run.models) >= MAX_EVAL_MODELS:
        raise ValueError(f"a run asks at most {MAX_EVAL_MODELS} models")
    return replace(
        run,
        id=run_id,
        name=f"{run.name} + {model}",
        created_at=now,
        models=(*run.models, model),
        status=EvalRunStatus.RUNNING,
    )


def remaining_jobs(run: EvalRun, *, models: Iterable[str] | None = None) -> list[EvalJob]:
    """The requests a run still needs: pairs without an answer, and failed ones again.

    Args:
        run: the run (its results are the answers so far).
        models: only these models (default: all the run's models).

    Returns:
        The jobs, example by example.
    """
    answered = {(r.example_index, r.model) for r in run.results if not r.failed}
    wanted = tuple(models) if models is not None else run.models
    return plan_jobs(run.examples, wanted, run.settings, done=answered)


def run_state(status: EvalRunStatus, *, live: bool) -> str:
    """How a run's state reads in the list: a run marked running that is not running here
    was interrupted (the window closed, or the app stopped) and keeps what it saved."""
    if status is EvalRunStatus.RUNNING:
        return "running" if live else "interrupted"
    return str(status)


def failed_results(results: Iterable[EvalResult]) -> list[EvalResult]:
    """The failed results, by example then model."""
    return sorted((r for r in results if r.failed), key=lambda r: (r.example_index, r.model))


def settings_summary(settings: GenerationSettings, system_prompt: str) -> str:
    """The settings a run uses, in words (what the window shows before Run).

    Args:
        settings: the generation settings.
        system_prompt: the Playground's system prompt.

    Returns:
        e.g. ``"system prompt “Be brief.” (for examples without one) · temperature 0.2"``.
    """
    parts: list[str] = []
    prompt = " ".join(system_prompt.split())
    if prompt:
        short = prompt if len(prompt) <= 60 else prompt[:59] + "…"
        parts.append(f"system prompt “{short}” (for examples without one)")
    else:
        parts.append("no system prompt (examples keep their own)")
    if settings.temperature is not None:
        parts.append(f"temperature {settings.temperature:g}")
    if settings.top_p is not None:
        parts.append(f"top-p {settings.top_p:g}")
    if settings.max_tokens is not None:
        parts.append(f"at most {settings.max_tokens:,} output tokens")
    if settings.stop:
        parts.append("stop at " + ", ".join(f"“{s}”" for s in settings.stop))
    if settings.seed is not None:
        parts.append(f"seed {settings.seed}")
    if len(parts) == 1:
        parts.append("the service's default temperature and length")
    return " · ".join(parts)


def failure_message(error: FinetuneError, model: str, available: Sequence[str]) -> str:
    """What a failed evaluation answer says, in plain words, with what to do.

    Args:
        error: what the request raised (after the SDK's retries).
        model: the model asked.
        available: the models the connection offers (for a suggestion when ``model`` is gone).

    Returns:
        One or two sentences.
    """
    if is_model_gone(error):
        text = (
            f"The model {model} no longer exists on this connection: it was retired or "
            "deleted. Use “Run again on another model…”"
        )
        suggestion = suggest_model(model, available)
        return text + (f", for example with {suggestion}." if suggestion else ".")
    if isinstance(error, StreamInterruptedError):
        return cut_off_message(retry="“Finish this run” asks for it again.")
    return error.user_message
