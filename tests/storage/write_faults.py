"""Faults for the tests of safe writing (temp file + rename): a folder that refuses the temp file,
and what is left of temp files afterwards."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest


def leftovers(folder: Path) -> list[str]:
    """The names of the temp (``.partial``) files left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def refuse_partial_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os.open`` refuses (EACCES) to create any ``.partial`` temp file; other files open."""
    real_open = os.open

    def refuse_partial(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith(".partial"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse_partial)
