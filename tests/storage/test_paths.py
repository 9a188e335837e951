"""App folders come from platformdirs, or all sit under FINETUNE_STUDIO_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.errors import StorageError
from desktop.storage.paths import app_paths


def test_puts_everything_under_home_when_env_var_set(isolated_home: Path) -> None:
    paths = app_paths()
    for path in (
        paths.data_dir,
        paths.cache_dir,
        paths.log_dir,
        paths.db_path,
        paths.demo_dir,
        paths.tokenizer_cache_dir,
    ):
        assert path.is_relative_to(isolated_home)
    assert paths.db_path.parent == paths.data_dir
    assert paths.demo_dir != paths.data_dir


def test_uses_platform_folders_when_env_var_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINETUNE_STUDIO_HOME")
    paths = app_paths()
    assert "FinetuneStudio" in str(paths.data_dir)
    assert "FinetuneStudio" in str(paths.cache_dir)


def test_creates_folders_when_ensured(isolated_home: Path) -> None:
    paths = app_paths().ensure()
    assert paths.data_dir.is_dir()
    assert paths.demo_dir.is_dir()
    assert paths.tokenizer_cache_dir.is_dir()
    assert paths.log_dir.is_dir()
    assert not paths.db_path.exists()
    assert paths.ensure() == paths


def test_raises_storage_error_when_folder_cannot_be_created(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = isolated_home / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(blocker))
    with pytest.raises(StorageError, match="cannot create"):
        app_paths().ensure()
