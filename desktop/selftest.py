"""``finetune-studio --self-test``: check an installation and print a JSON report.

It starts the real window offscreen on a throw-away app folder, checks the three tabs, the
offline tokenizer, the keychain (a missing keychain is reported, not failed: the app then
keeps keys for the session only) and a dataset check in worker processes, and walks the Demo
path against an in-process emulator: upload a small training file, run a fast job to success,
and stream a reply from the fine-tuned model. Exit code 0 only if every check passes.
Installers run it as their smoke test.
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
ROUND_TRIP_TIMEOUT = 90.0
BASE_MODEL = "gpt-4o-mini-2024-07-18"

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


async def demo_round_trip(base_url: str, workdir: Path) -> str:
    """Upload, train and chat against the emulator at ``base_url``; returns a summary.

    Raises:
        AssertionError: a step gave an unexpected result.
        FinetuneError: a request failed.
    """
    from desktop.api.clients import create_provider
    from desktop.core.connections import demo_profile
    from desktop.core.types import ChatMessage, ChatRequest, JobCreateRequest

    provider = create_provider(demo_profile(), api_key=None, base_url=base_url, max_retries=1)
    try:
        path = workdir / "self-test.jsonl"
        path.write_text(training_file_text(), encoding="utf-8")
        uploaded = await provider.upload_file(path, purpose="fine-tune")
        job = await provider.create_job(
            JobCreateRequest(model=BASE_MODEL, training_file=uploaded.id, suffix="self-test")
        )
        async with asyncio.timeout(ROUND_TRIP_TIMEOUT):
            while not job.is_finished:
                await asyncio.sleep(0.2)
                job = await provider.retrieve_job(job.id)
        assert job.status == "succeeded", f"job ended {job.status}: {job.error}"
        assert job.fine_tuned_model, "the job produced no model"
        question, answer = _TRAINING_PAIRS[0]
        request = ChatRequest(model=job.fine_tuned_model, messages=(ChatMessage("user", question),))
        reply = "".join([chunk.text async for chunk in provider.stream_chat(request)])
        assert reply.strip() == answer, f"unexpected reply from the fine-tuned model: {reply!r}"
        return (
            f"uploaded {uploaded.id}, job {job.id} succeeded as {job.fine_tuned_model}, "
            f"streamed {len(reply)} characters"
        )
    finally:
        await provider.aclose()


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

        def check_round_trip() -> str:
            summary: str = loop.run_until_complete(demo_round_trip(emulator.base_url, home))
            return summary

        _run_check("window", check_window, results)
        _run_check("tokenizer", check_tokenizer, results)
        _run_check("keychain", check_keychain, results)
        _run_check("dataset check", check_dataset, results)
        _run_check("emulator round trip", check_round_trip, results)
    finally:
        window.close()
        for task in window.pending_tasks():
            task.cancel()
        loop.run_until_complete(context.aclose())
        emulator.stop()
        loop.close()
