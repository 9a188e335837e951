"""``finetune-studio --self-test``: check an installation and print a JSON report.

It starts the real window offscreen on a throw-away app folder, checks the three tabs, the
offline tokenizer, the keychain (a missing keychain is reported, not failed: the app then
keeps keys for the session only) and a dataset check in worker processes, then walks the Demo
path in that window against an in-process emulator on its fast clock, one reported step each:
check the sample dataset in the Jobs tab's "New job…" dialog, show its cost quote, upload it,
create the job, watch it succeed while the chart receives points, and chat with the
fine-tuned model in the Playground. Exit code 0 only if every check passes. Installers run it
as their smoke test.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from desktop import APP_NAME, __version__

EXPECTED_TABS = ["Datasets", "Jobs", "Playground"]
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
]

_TRAINING_PAIRS = [
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


def _run_check(name: str, check: Callable[[], str], results: list[CheckResult]) -> None:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a self-test reports every failure instead of stopping
        detail = f"{type(exc).__name__}: {getattr(exc, 'user_message', '') or exc}"
        ok = False
    results.append(CheckResult(name, ok, detail, round(time.perf_counter() - started, 3)))


def training_file_text() -> str:
    """Ten small chat examples: the least a fine-tuning job accepts."""
    lines = []
    for question, answer in _TRAINING_PAIRS:
        messages = [
            {"role": "system", "content": "You answer geography questions in one sentence."},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
        lines.append(json.dumps({"messages": messages}))
    return "\n".join(lines) + "\n"


def run_self_test() -> int:
    """Run every check, print the JSON report on stdout; 0 if all passed, else 1."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="finetune-studio-self-test-"))
    os.environ["FINETUNE_STUDIO_HOME"] = str(home)
    results: list[CheckResult] = []
    try:
        _run_all(home, results)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    report: dict[str, Any] = {
        "app": APP_NAME,
        "version": __version__,
        "python": sys.version.split()[0],
        "ok": bool(results) and all(r.ok for r in results),
        "checks": [asdict(r) for r in results],
    }
    print(json.dumps(report, indent=2), flush=True)
    return 0 if report["ok"] else 1


def _run_all(home: Path, results: list[CheckResult]) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_main_window, configure_application, create_app_context
    from desktop.core import tokens
    from desktop.sandbox import Emulator
    from desktop.storage.keychain import Keychain

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    configure_application(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    emulator = Emulator(fast=True).start()
    context = create_app_context(demo_base_url_factory=lambda: emulator.base_url)
    window = build_main_window(context)
    loop.run_until_complete(context.connection_service.start_check())
    try:
        window.show()
        app.processEvents()

        def check_window() -> str:
            tabs = window.tabs
            titles = [tabs.tabText(i) for i in range(tabs.count())]
            assert titles == EXPECTED_TABS, f"tabs are {titles}"
            assert window.isVisible(), "the window is not visible"
            return f"window shown with tabs {', '.join(titles)}"

        def check_tokenizer() -> str:
            context.ensure_tokenizers()
            counts = {
                name: tokens.count_tokens("hello world", name) for name in tokens.EXPECTED_SHA256
            }
            assert all(n == 2 for n in counts.values()), f"unexpected counts {counts}"
            return "offline vocabularies loaded: " + ", ".join(sorted(counts))

        def check_keychain() -> str:
            keychain = Keychain()
            if keychain.available():
                return f"system keychain available ({keychain.backend_name()})"
            return "no system keychain on this computer: keys can be kept for the session only"

        def check_dataset() -> str:
            from desktop.core.dataset import check_file

            path = home / "self-test-check.jsonl"
            path.write_text(training_file_text(), encoding="utf-8")
            # Two worker processes, as for a big file: proves the process pool starts here
            # (in a frozen bundle too) and that the workers count tokens offline.
            report = check_file(
                path, encoding_name="o200k_base", context_limit=65_536, workers=2, chunk_size=256
            )
            assert not report.has_errors, f"unexpected problems: {report.errors[:3]}"
            assert report.stats.examples == len(_TRAINING_PAIRS), report.stats
            return (
                f"{report.stats.examples} examples checked in worker processes, "
                f"{report.stats.total_tokens} tokens"
            )

        _run_check("window", check_window, results)
        _run_check("tokenizer", check_tokenizer, results)
        _run_check("keychain", check_keychain, results)
        _run_check("dataset check", check_dataset, results)
        walk = DemoWalk(window, emulator, home)
        # One run of the loop for the whole walk: the Jobs tab keeps polling between steps,
        # and the SDK's requests must never see the loop stopped under them.
        loop.run_until_complete(walk.run(results))
    finally:
        window.close()
        for task in window.pending_tasks():
            task.cancel()
        loop.run_until_complete(context.aclose())
        emulator.stop()
        loop.close()


def _sample_file(home: Path) -> Path:
    """A copy of the shipped sample dataset, or (without one) the ten-example file."""
    from desktop.resources import resource_path

    copy = home / "self-test-sample.jsonl"
    try:
        shutil.copyfile(resource_path(*SAMPLE), copy)
    except OSError:
        copy.write_text(training_file_text(), encoding="utf-8")
    return copy


class DemoWalk:
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

    async def run(self, results: list[CheckResult]) -> None:
        """Walk every step, appending one result per step to ``results``."""
        steps = [
            self._check_sample,
            self._quote,
            self._upload,
            self._create,
            self._watch,
            self._chat,
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
        return (
            f"{stats.examples} examples, {stats.total_tokens:,} tokens, no errors "
            "(checked in the New job dialog)"
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
