"""Command-line entry points.

``finetune-studio`` opens the window; subcommands serve power users and automation:
``finetune-studio sandbox`` runs the built-in emulator of the OpenAI API on its own, and
``finetune-studio --self-test`` checks an installation. Only ``argparse`` is imported here so the
window starts fast; everything else is imported by the branch that needs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop import APP_NAME, __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finetune-studio",
        description=f"{APP_NAME}: fine-tune language models from your own examples.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (window, tokenizer, keychain, emulator round trip), "
        "print a JSON report and exit 0 only if everything passes",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sandbox = sub.add_parser(
        "sandbox",
        help="run the built-in emulator of the OpenAI API (simulated, offline)",
        description="Serve a simulated OpenAI API on this computer until Ctrl+C. "
        "Point any OpenAI SDK at the printed base URL, with any API key.",
    )
    sandbox.add_argument("--port", type=int, default=0, help="port to listen on (default: free)")
    sandbox.add_argument(
        "--fast", action="store_true", help="finish fine-tuning jobs in seconds instead of a minute"
    )
    sandbox.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="keep files and jobs in this folder between runs (default: in memory only)",
    )
    validate = sub.add_parser(
        "validate",
        help="check a training file (JSONL) and estimate its tokens and cost",
        description="Check a fine-tuning file the way the service will, and print every "
        "problem with its line and a fix, plus statistics and an estimated cost. Exit code 0 "
        "when the file has no errors, 1 when it has, 2 for usage errors.",
    )
    validate.add_argument("file", type=Path, help="the JSONL training file")
    validate.add_argument(
        "--model", default=None, help="model to check against (default: gpt-4o-mini-2024-07-18)"
    )
    validate.add_argument(
        "--json", dest="as_json", action="store_true", help="print one JSON object"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args_list = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args, qt_args = parser.parse_known_args(args_list)
    if args.command == "sandbox":
        if qt_args:
            parser.error(f"unrecognized arguments: {' '.join(qt_args)}")
        if not 0 <= args.port <= 65535:
            parser.error("--port must be between 0 and 65535")
        from desktop.sandbox.standalone import serve

        return serve(port=args.port, fast=args.fast, state_dir=args.state_dir)
    if args.command == "validate":
        if qt_args:
            parser.error(f"unrecognized arguments: {' '.join(qt_args)}")
        from desktop.validate_command import run_validate

        return run_validate(args.file, model_id=args.model, as_json=args.as_json)
    if args.self_test:
        from desktop.selftest import run_self_test

        return run_self_test()
    from desktop.app import run_gui

    return run_gui([sys.argv[0], *qt_args])


def main_gui() -> int:
    """Entry point of the GUI launcher (no console window on Windows)."""
    return main()
