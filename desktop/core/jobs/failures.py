"""Why did a job fail? The service's error translated into what happened and what to do.

Known errors are recognised by their code first and by words of their message second (the
services word them differently). When a message names a line of the training file ("line 7",
"Line 7:", "example 7"), the line number is returned so the UI can open it in the Datasets tab.
Errors the app does not recognise still get a plain explanation with the service's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from desktop.core.types import FineTuningJob, JobError, JobStatus

__all__ = ["FailureExplanation", "explain_failure", "line_in_message"]

_LINE = re.compile(r"\b(?:line|example|row)s?\s*(?:#|no\.?|number)?\s*(\d+)\b", re.IGNORECASE)
_TRAINING = "training_file"
_VALIDATION = "validation_file"


@dataclass(frozen=True, slots=True)
class FailureExplanation:
    """A failed job's error in plain words.

    ``line`` is the line of the file named by ``file_param`` (``"training_file"`` or
    ``"validation_file"``) the error points at, when it names one. ``technical`` is the
    service's own code and message, for the "Details" part and for support.
    """

    what: str
    what_to_do: str
    line: int | None
    file_param: str | None
    technical: str

    @property
    def can_open_line(self) -> bool:
        """Whether the UI can offer to open the line in the Datasets tab."""
        return self.line is not None and self.file_param is not None


def line_in_message(message: str) -> int | None:
    """The line (or example) number a message names, e.g. ``"Line 7: ..."`` → 7.

    Args:
        message: the service's error message.

    Returns:
        The first number after "line", "example" or "row" (1 or more), or None.
    """
    match = _LINE.search(message)
    if match is None:
        return None
    number = int(match.group(1))
    return number if number >= 1 else None


def _has(text: str, *words: str) -> bool:
    return any(word in text for word in words)


def _is_quota(code: str, text: str) -> bool:
    return _has(code, "quota", "billing", "payment") or _has(
        text,
        "quota",
        "billing",
        "spending limit",
        "insufficient credit",
        "out of credit",
        "payment",
    )


def _is_unavailable(code: str, text: str) -> bool:
    if _has(code, "fine_tuning_not_available", "fine_tuning_disabled", "model_not_available"):
        return True
    about = _has(text, "fine-tun", "fine tun", "finetun", "this model", "base model")
    return about and _has(
        text,
        "not available",
        "unavailable",
        "no longer",
        "not allowed",
        "not supported",
        "disabled",
        "winding down",
        "deprecated",
        "retired",
        "does not support",
    )


def _is_moderation(code: str, text: str) -> bool:
    return _has(code, "moderation", "safety", "policy") or _has(
        text,
        "moderation",
        "safety",
        "usage polic",
        "content polic",
        "flagged",
        "unsafe",
    )


def _is_too_big(code: str, text: str) -> bool:
    return _has(code, "too_large", "file_size", "too_many_tokens", "token_limit", "max_tokens") or (
        _has(
            text,
            "too large",
            "too big",
            "too many tokens",
            "token limit",
            "maximum number of tokens",
            "exceeds the maximum",
            "exceeds the limit",
            "too long",
            "context length",
            "max file size",
        )
    )


def _is_server(code: str, text: str) -> bool:
    return _has(code, "server_error", "internal", "unavailable", "timeout") or _has(
        text,
        "internal error",
        "server error",
        "unexpected error",
        "on our side",
        "on our end",
    )


def _file_param(error: JobError, text: str) -> str | None:
    for candidate in (error.param or "", error.code.lower()):
        if _VALIDATION.split("_")[0] in candidate:
            return _VALIDATION
        if _TRAINING.split("_")[0] in candidate:
            return _TRAINING
    if "validation file" in text:
        return _VALIDATION
    if "training file" in text:
        return _TRAINING
    return None


def _file_words(param: str | None) -> str:
    return "validation file" if param == _VALIDATION else "training file"


def _at_line(line: int | None) -> str:
    return f" at line {line}" if line is not None else ""


def _quota(_: int | None, __: str | None) -> tuple[str, str]:
    return (
        "The account has run out of credit or reached its spending limit, so the job could "
        "not run.",
        "Add credit or raise the limit on the provider's billing page, then start the job again.",
    )


def _unavailable(_: int | None, __: str | None) -> tuple[str, str]:
    return (
        "This connection cannot fine-tune this model any more: the account is not allowed to "
        "start fine-tuning jobs, or the base model was retired. (OpenAI is winding down "
        "self-serve fine-tuning.)",
        "Use “Train again on…” to start the same job on another connection, for example "
        "Azure OpenAI, or choose another base model. Your datasets stay yours.",
    )


def _moderation(line: int | None, param: str | None) -> tuple[str, str]:
    return (
        "The service's safety checks stopped the job: it judged some of the "
        f"{_file_words(param)}'s content{_at_line(line)} to be against its usage policies.",
        "Look through the examples for harmful, hateful, sexual or personal content, remove or "
        "rewrite them in the Datasets tab, and start a new job. The provider's usage policies "
        "say what is allowed.",
    )


def _too_big(line: int | None, param: str | None) -> tuple[str, str]:
    where = f"the example at line {line}" if line is not None else f"the {_file_words(param)}"
    return (
        f"The job was too big for the service: {where} has more tokens or bytes than this "
        "model allows.",
        "In the Datasets tab, shorten or remove the examples marked as over the model's limit "
        "(or split the file into smaller ones), check it again and start a new job.",
    )


def _bad_file(line: int | None, param: str | None) -> tuple[str, str]:
    words = _file_words(param)
    go_to = f", go to line {line}" if line is not None else ""
    return (
        f"The service could not use the {words}: something in it{_at_line(line)} is not in "
        "the form fine-tuning expects.",
        f"Open the {words} in the Datasets tab{go_to}, fix the problem shown there, check the "
        "file again and start a new job.",
    )


def _server(_: int | None, __: str | None) -> tuple[str, str]:
    return (
        "The service had a problem on its side while working on the job; your data was not "
        "the cause.",
        "Start the job again with the same settings (“Train again on…” this connection). If it "
        "keeps failing, try later or contact the provider's support with the job id.",
    )


def _is_bad_file(code: str, text: str) -> bool:
    return _has(code, "invalid_training_file", "invalid_validation_file", "invalid_file") or (
        _has(text, "invalid training file", "invalid validation file", "invalid file")
    )


_Explainer = Callable[[int | None, str | None], tuple[str, str]]
_Rule = tuple[Callable[[str, str], bool], _Explainer, bool]
# (recognises, explains, is about the file's content) in order of precedence.
_RULES: Sequence[_Rule] = (
    (_is_quota, _quota, False),
    (_is_unavailable, _unavailable, False),
    (_is_moderation, _moderation, True),
    (_is_too_big, _too_big, True),
    (_is_bad_file, _bad_file, True),
    (_is_server, _server, False),
)


def _ordered_rules(code: str, text: str) -> Iterator[_Rule]:
    """The rules that match: specific codes first, then the message's words, then the
    broad "invalid file" codes (whose message usually says more precisely what is wrong)."""
    for rule in _RULES:
        if rule[1] is not _bad_file and rule[0](code, ""):
            yield rule
    for rule in _RULES:
        if rule[0]("", text):
            yield rule
    for rule in _RULES:
        if rule[1] is _bad_file and rule[0](code, ""):
            yield rule


def explain_failure(job: FineTuningJob) -> FailureExplanation | None:
    """Explain why a job failed.

    Args:
        job: the job as the connection reported it.

    Returns:
        The explanation, or None when the job neither failed nor carries an error.
    """
    error = job.error
    if error is None:
        if job.status != JobStatus.FAILED:
            return None
        return FailureExplanation(
            what="The job failed, but the service did not say why.",
            what_to_do=(
                "Start the job again. If it fails again, contact the provider's support with "
                f"the job id {job.id}."
            ),
            line=None,
            file_param=None,
            technical="(no error details)",
        )
    code = error.code.lower()
    text = error.message.lower()
    technical = f"{error.code}: {error.message}" if error.code else error.message
    if error.param:
        technical += f" (field: {error.param})"
    param = _file_param(error, text)
    line = line_in_message(error.message)
    if line is not None and param is None:
        param = _TRAINING  # a line number without a file name refers to the training file
    rule = next(_ordered_rules(code, text), None)
    if rule is not None:
        _, explain, about_file = rule
        what, what_to_do = explain(line, param)
        if not about_file:
            return FailureExplanation(what, what_to_do, None, None, technical)
        return FailureExplanation(what, what_to_do, line, param, technical)
    reason = error.message.strip() or error.code or "no reason given"
    return FailureExplanation(
        what=f"The job failed. The service gave this reason: “{reason}”",
        what_to_do=(
            "If the reason mentions your data, fix the file in the Datasets tab and start a new "
            "job; otherwise start the job again later. If it keeps failing, contact the "
            f"provider's support with the job id {job.id}."
        ),
        line=line,
        file_param=param,
        technical=technical,
    )
