"""Messages for failed Playground replies: a cut stream, a model that is gone."""

from __future__ import annotations

from desktop.core.errors import NotFoundError, ServerError, StreamInterruptedError
from desktop.core.playground.reply_faults import (
    model_gone_message,
    reply_problem,
    suggest_model,
)

TUNED = "ft:gpt-4o-mini-2024-07-18:acme:support:abc123"
OTHER_TUNED = "ft:gpt-4o-mini-2024-07-18:acme:sales:def456"
BASE = "gpt-4o-mini-2024-07-18"


def test_suggests_the_base_model_first_when_a_fine_tuned_model_is_gone() -> None:
    assert suggest_model(TUNED, [TUNED, OTHER_TUNED, "gpt-4o", BASE]) == BASE


def test_suggests_a_sibling_then_any_model_when_the_base_is_not_offered() -> None:
    assert suggest_model(TUNED, ["gpt-4o", OTHER_TUNED]) == OTHER_TUNED
    assert suggest_model(TUNED, ["gpt-4o"]) == "gpt-4o"
    assert suggest_model(TUNED, [TUNED]) is None


def test_gone_message_names_the_model_and_a_replacement() -> None:
    text = model_gone_message(TUNED, available=[BASE])

    assert TUNED in text and "retired or deleted" in text
    assert f"for example {BASE}" in text


def test_reply_problem_rewords_a_404_and_a_cut_stream_but_not_other_errors() -> None:
    gone = reply_problem(
        NotFoundError("HTTP 404", code="model_not_found", request_id="req_1"),
        model=TUNED,
        available=[BASE],
        retry="Press Regenerate to ask again.",
    )
    cut = reply_problem(
        StreamInterruptedError("stream interrupted"),
        model=BASE,
        available=[],
        retry="Press Regenerate to ask again.",
    )
    server = ServerError("HTTP 500")

    assert isinstance(gone, NotFoundError) and gone.request_id == "req_1"
    assert "no longer exists" in gone.user_message and gone.detail == "HTTP 404"
    assert isinstance(cut, StreamInterruptedError)
    assert "connection dropped" in cut.user_message and "Regenerate" in cut.user_message
    assert reply_problem(server, model=BASE, available=[], retry="") is server
