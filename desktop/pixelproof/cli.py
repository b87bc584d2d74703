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
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pixelproof",
        description="Label images and review label quality, offline. "
        "Without a subcommand, opens the app on PATH (a project .json or a folder of images).",
    )
    parser.add_argument("--version", action="version", version=f"pixelproof {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        importlib.import_module(f"pixelproof.commands.{module}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if (argv and argv[0] not in COMMANDS and not argv[0].startswith("-")) or not argv:
        return _run_gui(argv)
    args = parser.parse_args(argv)
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
