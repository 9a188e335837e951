"""The spec checker itself: it must catch bad answers and allow the documented deviations."""

from __future__ import annotations

from desktop.sandbox import RecordedRequest
from tests.helpers.contract import check_exchanges


def _answer(method: str, path: str, status: int, body: object) -> RecordedRequest:
    return RecordedRequest(
        method=method,
        path=path,
        query={},
        headers={},
        body=b"",
        status=status,
        response_json=body,
        response_content_type="application/json",
    )


def test_reports_missing_field_when_model_lacks_owner() -> None:
    record = _answer(
        "GET", "/v1/models/gpt-x", 200, {"id": "gpt-x", "object": "model", "created": 1}
    )

    (problem,) = check_exchanges([record])

    assert "owned_by" in problem and "/v1/models/gpt-x" in problem


def test_reports_bad_envelope_when_error_lacks_code() -> None:
    record = _answer("GET", "/v1/files", 500, {"error": {"message": "x", "type": "server_error"}})

    assert check_exchanges([record])


def test_reports_unknown_operation_when_path_is_not_in_spec() -> None:
    record = _answer("GET", "/v1/assistants", 200, {"object": "list"})

    assert check_exchanges([record])


def test_accepts_paused_status_when_job_is_paused() -> None:
    job = {
        "object": "fine_tuning.job",
        "id": "ftjob-1",
        "created_at": 1,
        "error": None,
        "fine_tuned_model": None,
        "finished_at": None,
        "hyperparameters": {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.8},
        "model": "gpt-4o-mini-2024-07-18",
        "organization_id": "org-demo",
        "result_files": [],
        "status": "paused",
        "trained_tokens": None,
        "training_file": "file-1",
        "validation_file": None,
        "seed": 1,
    }

    assert check_exchanges([_answer("POST", "/v1/fine_tuning/jobs/ftjob-1/pause", 200, job)]) == []


def test_checks_each_chunk_when_chat_was_streamed() -> None:
    record = RecordedRequest(
        method="POST",
        path="/v1/chat/completions",
        query={},
        headers={},
        body=b"",
        status=200,
        response_json=None,
        response_content_type="text/event-stream",
        stream_events=[{"object": "chat.completion.chunk", "choices": []}],
    )

    problems = check_exchanges([record])

    assert problems and all("chunk 0" in p for p in problems)
