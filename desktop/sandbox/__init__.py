"""A local emulator of OpenAI's REST API, for the offline demo and the tests.

``Emulator`` serves files, uploads, fine-tuning jobs (on a simulated clock), models and chat
completions on 127.0.0.1 closely enough for the official SDK; ``Faults`` injects failures.
"""

from __future__ import annotations

from desktop.sandbox.emulator import Emulator
from desktop.sandbox.faults import Faults
from desktop.sandbox.recording import RecordedRequest

__all__ = ["Emulator", "Faults", "RecordedRequest"]
