"""``finetune-studio validate``: exit codes, the JSON shape and the readable report, run as a
real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.core.dataset.conftest import valid_lines

JSON_KEYS = {
    "examples",
    "errors",
    "warnings",
    "tokens",
    "max_tokens",
    "median_tokens",
    "billable_tokens",
    "estimated_epochs",
    "estimated_cost_usd",
    "encoding",
    "model",
}


def _validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "validate", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_has_the_documented_shape_and_exit_0_when_file_is_clean(tmp_path: Path) -> None:
    result = _validate(str(_write(tmp_path, valid_lines(12))), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == JSON_KEYS
    assert (report["examples"], report["errors"], report["warnings"]) == (12, [], [])
    assert (report["model"], report["encoding"]) == ("gpt-4o-mini-2024-07-18", "o200k_base")
    assert report["estimated_epochs"] == 8  # 100 // 12
    assert report["billable_tokens"] == report["tokens"] > 0
    assert isinstance(report["estimated_cost_usd"], float)


def test_errors_are_listed_and_exit_is_1_when_file_has_errors(tmp_path: Path) -> None:
    lines = valid_lines(12)
    lines[4] = "{not json"
    result = _validate(str(_write(tmp_path, lines)), "--json")
    assert result.returncode == 1
    errors = json.loads(result.stdout)["errors"]
    assert errors == [
        {
            "line": 5,
            "code": "invalid_json",
            "path": "",
            "message": errors[0]["message"],
        }
    ]
    assert errors[0]["message"].startswith("Line 5: the text is not valid JSON (column 2)")


def test_cost_is_null_when_the_model_has_no_price(tmp_path: Path) -> None:
    result = _validate(str(_write(tmp_path, valid_lines(12))), "--json", "--model", "gpt-4.1")
    report = json.loads(result.stdout)
    assert (report["model"], report["estimated_cost_usd"]) == ("gpt-4.1-2025-04-14", None)


def test_exit_is_2_and_models_are_named_when_the_model_is_unknown(tmp_path: Path) -> None:
    result = _validate(str(_write(tmp_path, valid_lines(12))), "--model", "gpt-9")
    assert result.returncode == 2
    assert "unknown model 'gpt-9'" in result.stderr
    assert "gpt-4o-mini-2024-07-18" in result.stderr
    assert result.stdout == ""


def test_exit_is_2_when_the_file_is_missing(tmp_path: Path) -> None:
    result = _validate(str(tmp_path / "missing.jsonl"))
    assert result.returncode == 2
    assert "missing.jsonl: no such file" in result.stderr


def test_readable_report_shows_problem_fix_and_estimate_when_not_json(tmp_path: Path) -> None:
    lines = valid_lines(12)
    lines[2] = json.dumps({"messages": [{"role": "user", "content": "Hi"}]})
    result = _validate(str(_write(tmp_path, lines)))
    assert result.returncode == 1
    assert "Line 3: the example has no assistant message" in result.stdout
    assert "fix: Add the reply" in result.stdout
    assert "prices as of 2026-11-27" in result.stdout
    assert "This is an estimate" in result.stdout


def test_legacy_file_is_an_error_when_the_model_takes_chat(tmp_path: Path) -> None:
    lines = [json.dumps({"prompt": f"q{i}", "completion": f"a{i}"}) for i in range(12)]
    result = _validate(str(_write(tmp_path, lines)), "--json")
    assert result.returncode == 1
    assert [e["code"] for e in json.loads(result.stdout)["errors"]] == ["format_not_supported"]
