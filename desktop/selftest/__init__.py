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
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop import APP_NAME, __version__
from desktop.selftest.walk import (
    DEMO_STEPS,
    TRAINING_PAIRS,
    CheckResult,
    DemoWalk,
    training_file_text,
)

__all__ = ["DEMO_STEPS", "CheckResult", "DemoWalk", "run_self_test", "training_file_text"]

EXPECTED_TABS = ["Datasets", "Jobs", "Playground"]


def _run_check(name: str, check: Callable[[], str], results: list[CheckResult]) -> None:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a self-test reports every failure instead of stopping
        detail = f"{type(exc).__name__}: {getattr(exc, 'user_message', '') or exc}"
        ok = False
    results.append(CheckResult(name, ok, detail, round(time.perf_counter() - started, 3)))


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
            assert report.stats.examples == len(TRAINING_PAIRS), report.stats
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
