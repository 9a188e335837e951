"""The emulator as a program: ``serve()`` prints its URL and serves until terminated."""

from __future__ import annotations

import subprocess
import sys

import openai
import pytest

pytestmark = pytest.mark.integration

_PROGRAM = "from desktop.sandbox.standalone import serve; raise SystemExit(serve(fast=True))"


def test_prints_url_then_serves_until_terminated_when_run_as_program() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", _PROGRAM],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={"FINETUNE_SANDBOX_RATE_LIMIT_FIRST": "1", "PYTHONUTF8": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split("serving at ", 1)[1].split()[0]
        with openai.OpenAI(base_url=url, api_key="anything", max_retries=0) as client:
            with pytest.raises(openai.RateLimitError):
                client.models.list()
            models = client.models.list().data
    finally:
        process.terminate()
        code = process.wait(timeout=10)

    assert line.startswith("Finetune Studio emulator (simulated OpenAI API) serving at http://")
    assert url.endswith("/v1")
    assert models
    assert code == 0
