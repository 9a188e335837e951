"""Format detection and whether a model accepts a format."""

from __future__ import annotations

import pytest

from desktop.core.catalog import ModelCatalog
from desktop.core.dataset import DatasetFormat, IssueCode, detect_line_format, model_format_issue


@pytest.mark.parametrize(
    ("record", "fmt"),
    [
        ({"messages": []}, DatasetFormat.CHAT),
        ({"input": {}, "preferred_output": []}, DatasetFormat.DPO),
        ({"prompt": "a", "completion": "b"}, DatasetFormat.PROMPT_COMPLETION),
        ({"text": "a"}, DatasetFormat.UNKNOWN),
    ],
)
def test_line_format_is_detected_when_keys_are_present(
    record: dict[str, object], fmt: DatasetFormat
) -> None:
    assert detect_line_format(record) is fmt


@pytest.mark.parametrize(
    ("fmt", "model_id", "accepted"),
    [
        (DatasetFormat.CHAT, "gpt-4o-mini", True),
        (DatasetFormat.DPO, "gpt-4o-mini", False),
        (DatasetFormat.DPO, "gpt-4.1-mini", True),
        (DatasetFormat.PROMPT_COMPLETION, "gpt-4o-mini", False),
        (DatasetFormat.PROMPT_COMPLETION, "babbage-002", True),
        (DatasetFormat.CHAT, "davinci-002", False),
    ],
)
def test_model_accepts_format_when_catalog_says_so(
    catalog: ModelCatalog, fmt: DatasetFormat, model_id: str, accepted: bool
) -> None:
    model = catalog.get(model_id)
    assert model is not None
    issue = model_format_issue(fmt, model)
    assert (issue is None) == accepted
    if issue is not None:
        assert (issue.code, issue.line) == (IssueCode.FORMAT_NOT_SUPPORTED, 0)
