"""Where the app keeps its files: per-user folders from ``platformdirs``.

Setting ``FINETUNE_STUDIO_HOME`` puts everything under that one folder instead (tests set it per
test; a portable install can set it too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop.core.errors import StorageError

__all__ = ["APP_NAME", "HOME_ENV_VAR", "AppPaths", "app_paths"]

APP_NAME = "FinetuneStudio"
HOME_ENV_VAR = "FINETUNE_STUDIO_HOME"
_DB_FILE_NAME = "finetune-studio.sqlite3"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The app's folders and files. Nothing is created until :meth:`ensure` is called.

    ``demo_dir`` holds the built-in emulator's own state, apart from real connections' data.
    """

    data_dir: Path
    cache_dir: Path
    log_dir: Path
    db_path: Path
    demo_dir: Path
    tokenizer_cache_dir: Path

    @classmethod
    def under(cls, data_dir: Path, cache_dir: Path, log_dir: Path) -> AppPaths:
        """Build the layout from its three root folders.

        Args:
            data_dir: long-lived data (database, demo state).
            cache_dir: files the app can rebuild (tokenizer cache).
            log_dir: log files.

        Returns:
            The paths.
        """
        return cls(
            data_dir=data_dir,
            cache_dir=cache_dir,
            log_dir=log_dir,
            db_path=data_dir / _DB_FILE_NAME,
            demo_dir=data_dir / "demo",
            tokenizer_cache_dir=cache_dir / "tiktoken",
        )

    def ensure(self) -> AppPaths:
        """Create every folder that does not exist yet.

        Returns:
            ``self``, for chaining (``app_paths().ensure()``).

        Raises:
            StorageError: a folder cannot be created (permissions, disk full).
        """
        for folder in (
            self.data_dir,
            self.cache_dir,
            self.log_dir,
            self.demo_dir,
            self.tokenizer_cache_dir,
        ):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create {folder}: {exc}",
                    user_message=(
                        f"Could not create the folder {folder}. Check that you may write there "
                        "and that the disk is not full."
                    ),
                ) from exc
        return self


def app_paths() -> AppPaths:
    """The app's paths for the current user, or under ``$FINETUNE_STUDIO_HOME`` when set.

    Returns:
        The paths (folders not created; call :meth:`AppPaths.ensure`).
    """
    home = os.environ.get(HOME_ENV_VAR, "").strip()
    if home:
        root = Path(home).expanduser()
        return AppPaths.under(root / "data", root / "cache", root / "logs")
    return AppPaths.under(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
