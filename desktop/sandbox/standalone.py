"""Run the emulator as a program (``finetune-studio sandbox``): serve until Ctrl+C or SIGTERM."""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

from desktop.core import tokens
from desktop.resources import tokenizer_dir
from desktop.sandbox.emulator import Emulator
from desktop.sandbox.faults import faults_from_env

__all__ = ["serve"]


def serve(*, port: int = 0, fast: bool = False, state_dir: Path | None = None) -> int:
    """Serve the simulated OpenAI API on 127.0.0.1 until interrupted.

    Faults come from ``FINETUNE_SANDBOX_<FIELD>`` environment variables (see ``Faults``).
    The first line printed is the URL to use as the API base URL.

    Args:
        port: TCP port; 0 picks a free one.
        fast: jobs take seconds instead of about a minute.
        state_dir: folder to keep files and jobs in between runs, or None for memory only.

    Returns:
        The exit code: 0 after a clean stop.

    Raises:
        ValueError: a ``FINETUNE_SANDBOX_*`` variable holds an invalid value.
        OSError: the port cannot be bound.
    """
    cache = Path(tempfile.gettempdir()) / "finetune-studio-tiktoken"
    tokens.configure_offline_vocabularies(tokenizer_dir(), cache)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    emulator = Emulator(port=port, fast=fast, state_dir=state_dir, faults=faults_from_env())
    emulator.start()
    try:
        print(
            f"Finetune Studio emulator (simulated OpenAI API) serving at {emulator.base_url} "
            "— use any API key. Ctrl+C to stop.",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        signal.signal(signal.SIGTERM, previous)
    print("Emulator stopped.", file=sys.stderr, flush=True)
    return 0
