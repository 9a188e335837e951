"""The self-test's walk of the Demo path in the real window, one reported step each.

:class:`DemoWalk` goes as a user would: check the sample dataset in the Jobs tab's "New job…"
dialog with a part split off for validation, show its cost quote, upload it, create the job,
watch it succeed while the chart receives points, and chat with the fine-tuned model in the
Playground; then the Playground steps of :mod:`desktop.selftest.playground_steps`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.selftest.playground_steps import PLAYGROUND_STEPS, SAMPLE_COPY, PlaygroundSteps

__all__ = ["DEMO_STEPS", "TRAINING_PAIRS", "CheckResult", "DemoWalk", "training_file_text"]

STEP_TIMEOUT = 60.0
POKE_SECONDS = 0.3
BASE_MODEL = "gpt-4o-mini-2024-07-18"
SAMPLE = ("samples", "customer-support-sample.jsonl")
DEMO_STEPS = [
    "demo: check the sample dataset",
    "demo: cost quote",
    "demo: upload",
    "demo: create the job",
    "demo: job succeeds, chart receives points",
    "demo: chat with the fine-tuned model",
    *PLAYGROUND_STEPS,
]

TRAINING_PAIRS = [
    ("What is the capital of France?", "Paris is the capital of France."),
    ("What is the capital of Japan?", "Tokyo is the capital of Japan."),
    ("What is the capital of Italy?", "Rome is the capital of Italy."),
    ("What is the capital of Spain?", "Madrid is the capital of Spain."),
    ("What is the capital of Canada?", "Ottawa is the capital of Canada."),
    ("What is the capital of Kenya?", "Nairobi is the capital of Kenya."),
    ("What is the capital of Peru?", "Lima is the capital of Peru."),
    ("What is the capital of Norway?", "Oslo is the capital of Norway."),
    ("What is the capital of Egypt?", "Cairo is the capital of Egypt."),
    ("What is the capital of Chile?", "Santiago is the capital of Chile."),
]


@dataclass(slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float


def training_file_text() -> str:
    """Ten small chat examples: the least a fine-tuning job accepts."""
    lines = []
    for question, answer in TRAINING_PAIRS:
        messages = [
            {"role": "system", "content": "You answer geography questions in one sentence."},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
        lines.append(json.dumps({"messages": messages}))
    return "\n".join(lines) + "\n"


def _sample_file(home: Path) -> Path:
    """A copy of the shipped sample dataset, or (without one) the ten-example file."""
    from desktop.resources import resource_path

    copy = home / SAMPLE_COPY
    try:
        shutil.copyfile(resource_path(*SAMPLE), copy)
    except OSError:
        copy.write_text(training_file_text(), encoding="utf-8")
    return copy


class DemoWalk(PlaygroundSteps):
    """The Demo path in the real window, as a user would go: each step needs the one before.

    Buttons are pressed with ``click()``; each step then awaits what the click started. A step
    after a failed one reports itself skipped. Run :meth:`run` on the running qasync loop.
    """

    def __init__(self, window: Any, emulator: Any, home: Path) -> None:
        self._window = window
        self._emulator = emulator
        self._home = home
        self._dialog: Any = None
        self._job: Any = None
        self._base_model = BASE_MODEL
        self._tuned_model: str | None = None

    async def run(self, results: list[CheckResult]) -> None:
        """Walk every step, appending one result per step to ``results``."""
        steps = [
            self._check_sample,
            self._quote,
            self._upload,
            self._create,
            self._watch,
            self._chat,
            self._compare,
            self._evaluate,
            self._savings,
            self._add_to_dataset,
        ]
        failed = False
        for name, step in zip(DEMO_STEPS, steps, strict=True):
            started = time.perf_counter()
            if failed:
                ok, detail = False, "skipped: an earlier step of the demo path failed"
            else:
                try:
                    detail = await asyncio.wait_for(step(), STEP_TIMEOUT)
                    ok = True
                except TimeoutError:
                    ok, detail = False, f"no result within {STEP_TIMEOUT:g} s"
                except Exception as exc:  # reported, never raised: see _run_check
                    ok = False
                    detail = f"{type(exc).__name__}: {getattr(exc, 'user_message', '') or exc}"
            failed = failed or not ok
            seconds = round(time.perf_counter() - started, 3)
            results.append(CheckResult(name, ok, detail, seconds))

    async def _check_sample(self) -> str:
        from desktop.ui.jobs.create.data_page import ValidationMode

        window = self._window
        window.tabs.setCurrentWidget(window.jobs_tab)
        window.jobs_tab.new_job_button.click()
        dialog = self._dialog = window.jobs_tab.create_dialog
        assert dialog is not None, "New job… opened no dialog"
        field = dialog.data_page.training_file
        task = field.set_path(_sample_file(self._home))
        assert task is not None, "the sample was not checked"
        await task
        assert field.usable is not None, f"the sample cannot be used: {field.problem}"
        stats = field.usable.report.stats
        # A part kept aside for validation: the Playground's evaluation step tests on it.
        page = dialog.data_page
        page.validation_combo.setCurrentIndex(
            page.validation_combo.findData(int(ValidationMode.SPLIT))
        )
        assert page.split_row.isVisibleTo(dialog), "no split option"
        percent = page.split_spin.value()
        return (
            f"{stats.examples} examples, {stats.total_tokens:,} tokens, no errors "
            f"(checked in the New job dialog); {percent} % split off for validation"
        )

    async def _quote(self) -> str:
        dialog = self._dialog
        assert dialog.model_page.select(BASE_MODEL), f"{BASE_MODEL} cannot be chosen"
        while dialog.pages.currentIndex() < 3:
            assert dialog.next_button.isEnabled(), dialog.hint_label.text()
            dialog.next_button.click()
        await dialog.prepare_task
        review = dialog.review_page
        assert review.confirm_check.isEnabled(), review.quote_label.text()
        review.confirm_check.click()
        return str(review.quote_label.text())

    async def _upload(self) -> str:
        dialog = self._dialog
        assert dialog.create_button.isEnabled(), dialog.hint_label.text()
        dialog.create_button.click()
        assert not dialog.create_button.isEnabled(), "Create stayed enabled while running"
        await dialog.create_task
        self._job = dialog.created_job
        assert self._job is not None, dialog.review_page.status_label.text()
        uploads = [
            r
            for r in self._emulator.requests
            if r.method == "POST" and r.path.endswith(("/files", "/uploads"))
        ]
        assert uploads, "nothing was uploaded"
        return f"uploaded as {self._job.training_file}"

    async def _create(self) -> str:
        job = self._job
        selected = self._window.jobs_tab.selected_job()
        assert selected is not None and selected.id == job.id, (
            "the new job is not selected in the Jobs tab"
        )
        return f"{job.id} on {job.model}, listed and selected in the Jobs tab"

    async def _watch(self) -> str:
        tab = self._window.jobs_tab
        detail = tab.detail
        detail.pages.setCurrentWidget(detail.charts)
        job_id = self._job.id
        while True:
            job = tab.service.job(job_id)
            if job is not None and job.is_finished and detail.charts.points:
                break
            tab.service.poke(job_id)  # as the Refresh button does: no need to wait 5 s
            await asyncio.sleep(POKE_SECONDS)
        assert job.status == "succeeded", f"the job ended {job.status}: {job.error}"
        self._job = job
        self._tuned_model = job.fine_tuned_model
        points = len(detail.charts.points)
        return f"{job.status} as {job.fine_tuned_model}; the chart shows {points} points"

    async def _chat(self) -> str:
        window = self._window
        model = self._job.fine_tuned_model
        assert window.open_model_in_playground(model), f"{model} cannot be opened"
        playground = window.playground_tab
        playground.message_edit.setPlainText("Hi, how long does shipping take?")
        task = playground.send()
        assert task is not None, "Send did not start a reply"
        await task
        reply = playground.reply_view.toPlainText().strip()
        assert reply, f"no reply: {playground.info_label.text()}"
        return f"{model} replied with {len(reply)} characters"
