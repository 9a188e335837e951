"""The command line: entry points, the self-test, the standalone sandbox's argument checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from desktop import __version__
from desktop.cli import build_parser
from desktop.selftest import DEMO_STEPS, training_file_text


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_version_is_printed_when_asked() -> None:
    result = _run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_sandbox_port_is_refused_when_out_of_range() -> None:
    result = _run("sandbox", "--port", "70000")
    assert result.returncode == 2
    assert "--port must be between 0 and 65535" in result.stderr


def test_sandbox_options_are_parsed_when_given() -> None:
    args = build_parser().parse_args(["sandbox", "--port", "8123", "--fast"])
    assert (args.command, args.port, args.fast) == ("sandbox", 8123, True)


def test_self_test_training_file_has_enough_examples_when_built() -> None:
    lines = training_file_text().splitlines()
    assert len(lines) >= 10
    assert all(json.loads(line)["messages"][-1]["role"] == "assistant" for line in lines)


@pytest.mark.slow
@pytest.mark.integration
def test_self_test_passes_and_reports_every_check_when_installed() -> None:
    result = _run("--self-test")
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["ok"] is True
    names = [check["name"] for check in report["checks"]]
    assert names == ["window", "tokenizer", "keychain", "dataset check", *DEMO_STEPS]
    assert all(check["ok"] for check in report["checks"])
    details = {check["name"]: check["detail"] for check in report["checks"]}
    assert "70 examples" in details["demo: check the sample dataset"]
    assert "per 1M tokens" in details["demo: cost quote"]
    assert "the chart shows" in details["demo: job succeeds, chart receives points"]
