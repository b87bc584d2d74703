"""``pixelproof`` command line (DESIGN.md §7). Qt is imported only when a GUI command runs.

Each subcommand lives in ``pixelproof.commands.<name>`` with ``add_parser(subparsers)`` and
``run(args) -> int``; this module only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pixelproof import __version__

# subcommand name -> module in pixelproof.commands
COMMANDS = {
    "validate": "validate",
    "info": "info",
    "new": "new",
    "demo": "demo",
    "qa": "qa",
    "backends": "backends",
    "prelabel": "prelabel",
    "convert": "convert",
    "split": "split",
    "merge": "merge",
    "agreement": "agreement",
    "lint": "lint",
}


_TOP_LEVEL_FLAGS = ("-h", "--help", "--version", "--self-test")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (given ``command``) one with just that subcommand: each subcommand module
    imports what it needs, and loading all of them would add ~0.4 s to ``pixelproof demo``."""
    parser = argparse.ArgumentParser(
        prog="pixelproof",
        description="Label images and review label quality, offline. "
        "Without a subcommand, opens the app on PATH (a project .json or a folder of images).",
    )
    parser.add_argument("--version", action="version", version=f"pixelproof {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the app offscreen, draw, save, reload, run QA and a pre-label; exit 0 if all work",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = [command] if command in COMMANDS else list(COMMANDS)
    for module in (COMMANDS[n] for n in names):
        importlib.import_module(f"pixelproof.commands.{module}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in _TOP_LEVEL_FLAGS):
        return _run_gui(argv)  # PATH and GUI options; the subcommand parser is not even built
    args = build_parser(argv[0]).parse_args(argv)
    if args.self_test:
        from pixelproof.ui.self_test import run_self_test

        return run_self_test()
    if args.command is None:
        return _run_gui([])
    return int(args.run(args) or 0)


def _run_gui(argv: list[str]) -> int:
    try:
        from pixelproof.ui.app import run_app
    except ImportError as e:
        print(f"pixelproof: the GUI is not available: {e}", file=sys.stderr)
        return 1
    return run_app(argv)
