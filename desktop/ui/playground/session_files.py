"""Renaming, deleting and exporting a saved chat (the session list's buttons).

Each function asks the user what it needs (a name, a file, a confirmation), acts through the
store, and reports failures with ``show_error``. Call from plain slots on the GUI thread.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from desktop.core.errors import FinetuneError, StorageError
from desktop.core.files import write_via_temp
from desktop.core.playground.sessions import session_to_jsonl, session_to_markdown
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.playground.dialogs import ask_save_path, ask_text

if TYPE_CHECKING:
    from pathlib import Path

    from desktop.storage.playground_store import PlaygroundStore

EXPORT_FORMATS = {
    "jsonl": ("JSON Lines (*.jsonl)", ".jsonl"),
    "md": ("Markdown (*.md)", ".md"),
}


def _file_stem(title: str) -> str:
    stem = re.sub(r"[^\w\- ]+", "", title).strip().replace(" ", "-")
    return stem[:60] or "chat"


def rename_session(parent: QWidget, store: PlaygroundStore, session_id: str) -> bool:
    """Ask for a new title and save it. Returns whether the session was renamed."""
    session = store.session(session_id)
    if session is None:
        return False
    title = ask_text(parent, "Rename chat", "New name of the chat:", text=session.title)
    if title is None or not title.strip():
        return False
    try:
        return store.rename_session(session_id, title)
    except FinetuneError as exc:
        show_error(parent, exc)
        return False


def delete_session(parent: QWidget, store: PlaygroundStore, session_id: str) -> bool:
    """Ask, then forget the session. Returns whether it was deleted."""
    session = store.session(session_id)
    title = session.title if session is not None else "this chat"
    if not confirm(
        parent,
        "Delete chat",
        f"Delete the chat “{title}”? Its messages cannot be recovered.",
        action="Delete",
    ):
        return False
    try:
        return store.delete_session(session_id)
    except FinetuneError as exc:
        show_error(parent, exc)
        return False


def export_session(
    parent: QWidget, store: PlaygroundStore, session_id: str, kind: str
) -> Path | None:
    """Ask for a file and write the session there as JSONL (one training example) or Markdown.

    Args:
        parent: the widget asking.
        store: the Playground's store.
        session_id: the session to export.
        kind: ``"jsonl"`` or ``"md"``.

    Returns:
        The file written, or None (cancelled, missing session or failure shown).
    """
    session = store.session(session_id)
    if session is None:
        return None
    file_filter, suffix = EXPORT_FORMATS[kind]
    path = ask_save_path(
        parent,
        "Export chat",
        suggested=_file_stem(session.title) + suffix,
        file_filter=file_filter,
    )
    if path is None:
        return None
    if not path.suffix:
        path = path.with_suffix(suffix)
    text = session_to_jsonl(session) if kind == "jsonl" else session_to_markdown(session)
    try:
        write_via_temp(path, [text.encode("utf-8")])
    except OSError as exc:
        show_error(
            parent,
            StorageError(
                f"cannot write {path}: {exc}",
                user_message=f"The chat could not be saved to {path.name}. "
                "Choose another folder and try again.",
            ),
        )
        return None
    except FinetuneError as exc:
        show_error(parent, exc)
        return None
    return path
