"""The sample dataset the app ships (``resources/samples/``) is one a user could train on."""

from __future__ import annotations

import json

from desktop.core.dataset import check_file
from desktop.resources import resource_path

SAMPLE = resource_path("samples", "customer-support-sample.jsonl")
SIGN_OFF = "Warm wishes, the Lumen & Wick team"


def test_sample_has_60_to_80_examples_and_no_problems_when_checked() -> None:
    report = check_file(SAMPLE, encoding_name="o200k_base", context_limit=65536)

    assert 60 <= report.stats.examples <= 80
    assert report.error_count == 0 and report.warning_count == 0


def test_every_sample_reply_follows_the_same_three_parts_when_read() -> None:
    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]

    for record in records:
        messages = record["messages"]
        assert messages[0]["role"] == "system"
        assert messages[0]["content"] == records[0]["messages"][0]["content"]
        for reply in (m["content"] for m in messages if m["role"] == "assistant"):
            parts = reply.split("\n\n")
            assert len(parts) == 3 and parts[2] == SIGN_OFF, reply
