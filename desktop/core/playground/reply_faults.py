"""What to tell the user when a Playground reply fails: a cut stream or a model that is gone.

The API layer's messages are general ("The item no longer exists on this connection"); a reply
knows more: which model was asked, what else the connection offers, and how to ask again
(Regenerate in the chat, Send in Compare). Pure functions: the UI shows the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeGuard

from desktop.core.catalog import base_model_id
from desktop.core.errors import FinetuneError, NotFoundError, StreamInterruptedError

__all__ = [
    "cut_off_message",
    "is_model_gone",
    "model_gone_message",
    "reply_problem",
    "suggest_model",
]


def is_model_gone(error: FinetuneError) -> TypeGuard[NotFoundError]:
    """Whether a chat request failed because the service no longer knows its model.

    A chat request names nothing else that can be missing, so any 404 (OpenAI's
    ``model_not_found``, a retired snapshot, a deleted Azure deployment) means the model.
    """
    return isinstance(error, NotFoundError)


def suggest_model(gone: str, available: Sequence[str]) -> str | None:
    """Another model to try instead of ``gone``.

    Prefers the model it was fine-tuned from, then another model fine-tuned from the same
    base, then the first model offered.

    Args:
        gone: the model the service no longer knows.
        available: the models the connection offers (retired ones left out), in list order.

    Returns:
        A model id, or None when nothing else is offered.
    """
    others = [model for model in available if model != gone]
    base = base_model_id(gone)
    if base != gone and base in others:
        return base
    siblings = [model for model in others if base_model_id(model) == base]
    if siblings:
        return siblings[0]
    return others[0] if others else None


def model_gone_message(model: str, *, available: Sequence[str]) -> str:
    """The plain message for a reply refused because ``model`` was retired or deleted."""
    text = (
        f"The model {model} no longer exists on this connection: it was retired or deleted. "
        "Choose another model"
    )
    suggestion = suggest_model(model, available)
    text += f", for example {suggestion}." if suggestion else "."
    return text + " Saved chats with it stay readable."


def cut_off_message(*, retry: str) -> str:
    """The plain message for a reply whose stream broke part-way.

    Args:
        retry: how to ask again, as an instruction ("Press Regenerate to ask again.").
    """
    return (
        "The connection dropped and the reply was cut off before it finished. The part "
        f"received is kept and marked as incomplete. {retry}"
    )


def reply_problem(
    error: FinetuneError, *, model: str, available: Sequence[str], retry: str
) -> FinetuneError:
    """``error`` with a message that fits a chat reply (itself when there is nothing to add).

    Args:
        error: what the request raised.
        model: the model asked.
        available: the models the connection offers (for a suggestion).
        retry: how to ask again after a cut stream.

    Returns:
        An error of the same class with the reply's message, or ``error`` itself.
    """
    if isinstance(error, StreamInterruptedError):
        return StreamInterruptedError(
            error.detail,
            user_message=cut_off_message(retry=retry),
            status_code=error.status_code,
            request_id=error.request_id,
            code=error.code,
        )
    if is_model_gone(error):
        return NotFoundError(
            error.detail,
            user_message=model_gone_message(model, available=available),
            status_code=error.status_code,
            request_id=error.request_id,
            code=error.code,
        )
    return error
