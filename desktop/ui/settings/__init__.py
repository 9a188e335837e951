"""Settings: connection profiles (OpenAI, Azure OpenAI, compatible servers) and their keys."""

from __future__ import annotations

from desktop.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
