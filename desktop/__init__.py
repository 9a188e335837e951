"""Finetune Studio: fine-tune language models from your own examples."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "Finetune Studio"
APP_ID = "finetune-studio"
