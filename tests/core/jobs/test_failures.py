"""A failed job's error reads as what happened and what to do, with the line when named."""

from __future__ import annotations

import pytest

from desktop.core.jobs.failures import explain_failure, line_in_message
from desktop.core.types import FineTuningJob, JobError


def failed(code: str, message: str, param: str | None = None) -> FineTuningJob:
    return FineTuningJob(
        id="ftjob-9",
        model="m",
        status="failed",
        created_at=0,
        training_file="f",
        error=JobError(code=code, message=message, param=param),
    )


def test_explains_nothing_when_job_succeeded() -> None:
    job = FineTuningJob(id="j", model="m", status="succeeded", created_at=0, training_file="f")
    assert explain_failure(job) is None


def test_explains_generically_when_failed_job_has_no_error() -> None:
    job = FineTuningJob(id="j", model="m", status="failed", created_at=0, training_file="f")
    explanation = explain_failure(job)
    assert explanation is not None
    assert "did not say why" in explanation.what


def test_points_at_line_when_training_file_is_invalid() -> None:
    explanation = explain_failure(
        failed(
            "invalid_training_file",
            "The job failed due to an invalid training file. Invalid file format. Line 7: "
            "The line is not valid JSON.",
            "training_file",
        )
    )
    assert explanation is not None
    assert explanation.line == 7
    assert explanation.file_param == "training_file"
    assert explanation.can_open_line
    assert "training file" in explanation.what
    assert "go to line 7" in explanation.what_to_do
    assert "Line 7: The line is not valid JSON." in explanation.technical


def test_names_validation_file_when_it_is_invalid() -> None:
    explanation = explain_failure(
        failed(
            "invalid_validation_file",
            "The job failed due to an invalid validation file. Line 3: bad role.",
            "validation_file",
        )
    )
    assert explanation is not None
    assert explanation.file_param == "validation_file"
    assert explanation.line == 3
    assert "validation file" in explanation.what_to_do


def test_says_file_is_too_big_when_it_has_too_many_tokens() -> None:
    explanation = explain_failure(
        failed(
            "invalid_training_file",
            "Training file has too many tokens: example 12 exceeds the maximum of 65536.",
            "training_file",
        )
    )
    assert explanation is not None
    assert "too big" in explanation.what
    assert "line 12" in explanation.what
    assert explanation.line == 12


def test_says_to_add_credit_when_quota_is_exhausted() -> None:
    explanation = explain_failure(
        failed("insufficient_quota", "You exceeded your current quota, please check billing.")
    )
    assert explanation is not None
    assert "credit" in explanation.what
    assert "billing" in explanation.what_to_do
    assert not explanation.can_open_line


def test_says_service_was_at_fault_when_server_error() -> None:
    explanation = explain_failure(
        failed(
            "server_error",
            "Fine-tuning failed at step 3 of 10 because of an internal error on our side. "
            "Please try again.",
        )
    )
    assert explanation is not None
    assert "not the cause" in explanation.what
    assert "again" in explanation.what_to_do


def test_trusts_server_error_code_when_message_mentions_unavailability() -> None:
    explanation = explain_failure(
        failed("server_error", "The fine-tuning service is temporarily unavailable.")
    )
    assert explanation is not None
    assert "on its side" in explanation.what


def test_explains_safety_rejection_when_moderation_flags_data() -> None:
    explanation = explain_failure(
        failed(
            "invalid_training_file",
            "The job failed because the training file was flagged by our moderation system "
            "for violating our usage policies.",
        )
    )
    assert explanation is not None
    assert "safety" in explanation.what
    assert "usage policies" in explanation.what_to_do


def test_suggests_another_connection_when_fine_tuning_is_unavailable() -> None:
    explanation = explain_failure(
        failed("permission_denied", "Fine-tuning is no longer available for this organization.")
    )
    assert explanation is not None
    assert "Train again on" in explanation.what_to_do
    assert "Azure" in explanation.what_to_do


def test_quotes_the_reason_when_error_is_unknown() -> None:
    explanation = explain_failure(failed("weird_thing", "The flux capacitor overheated."))
    assert explanation is not None
    assert "The flux capacitor overheated." in explanation.what
    assert "ftjob-9" in explanation.what_to_do
    assert explanation.technical == "weird_thing: The flux capacitor overheated."
    assert explanation.line is None


def test_keeps_line_when_unknown_error_names_one() -> None:
    explanation = explain_failure(failed("odd", "Something odd on line 4."))
    assert explanation is not None
    assert (explanation.line, explanation.file_param) == (4, "training_file")


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("Invalid file format. line 7", 7),
        ("Line 7: missing messages", 7),
        ("Example 7 has an unknown role", 7),
        ("error on line 7 of the file", 7),
        ("Row #12 is empty", 12),
        ("Something went wrong", None),
        ("Line 0: nothing", None),
    ],
)
def test_line_in_message_finds_number_when_named(message: str, line: int | None) -> None:
    assert line_in_message(message) == line
