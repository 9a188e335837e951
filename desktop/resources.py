"""Find files under ``resources/`` wherever the app runs.

Three layouts are supported, checked in this order:
1. a frozen PyInstaller bundle: ``sys._MEIPASS/resources``;
2. an installed wheel: ``desktop/_resources`` (the wheel maps ``resources/`` there);
3. a source checkout or editable install: ``<repo>/resources``.

Nothing here depends on the current working directory.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    """The folder holding the app's resources.

    Raises:
        FileNotFoundError: no resources folder in any known layout (a broken install).
    """
    candidates: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates.append(_PACKAGE_DIR / "_resources")
    candidates.append(_PACKAGE_DIR.parent / "resources")
    for candidate in candidates:
        if (candidate / "tokenizers").is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"Finetune Studio's resources folder is missing (looked in {searched})")


def resource_path(*parts: str) -> Path:
    """Path of a file under ``resources/``, e.g. ``resource_path("models.json")``."""
    return resources_dir().joinpath(*parts)


def tokenizer_dir() -> Path:
    """Folder with the gzipped tiktoken vocabularies (``<encoding>.tiktoken.gz``)."""
    return resource_path("tokenizers")
