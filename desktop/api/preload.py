"""Load the SDK ahead of the first request (a leaf module: cheap to import at start-up)."""

from __future__ import annotations

import gc
import importlib


def preload_sdk() -> None:
    """Import the SDK and the parts of it the app uses, ahead of the first request.

    ``import openai`` and its response types take ~0.5 s. Call this in a worker thread (e.g.
    ``await asyncio.to_thread(preload_sdk)``) so that the first request does not freeze the window.
    Safe to call more than once and from any thread.

    Afterwards everything loaded so far (Qt, the SDK, the app's modules) is moved out of the
    garbage collector's reach with ``gc.freeze()``: these objects live as long as the process,
    and a full collection walking them all stalls the window for 20–60 ms.
    """
    for module in _SDK_MODULES:
        importlib.import_module(module)
    gc.freeze()


_SDK_MODULES = (
    "openai",
    "openai.resources.models",
    "openai.resources.files",
    "openai.resources.uploads",
    "openai.resources.fine_tuning",
    "openai.resources.chat",
    "openai.types.chat.chat_completion_chunk",
    "openai.types.fine_tuning",
    "openai.lib.azure",
)
