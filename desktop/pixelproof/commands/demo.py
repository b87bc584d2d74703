"""``pixelproof demo``: copy the bundled demo project to a writable folder and open the app on it."""

from __future__ import annotations

import argparse

from pixelproof.commands._common import error
from pixelproof.core.errors import error_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="open the app on the bundled demo project (copied to your data folder)")
    p.add_argument(
        "--fresh", action="store_true", help="start again from the original demo (drops your edits)"
    )
    p.add_argument(
        "--dir",
        default=None,
        help="copy the demo here instead of the user data folder (a DIR holding other files than a demo "
        "copy is refused; nothing in it is removed)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.demo import install_demo

    try:
        project = install_demo(args.dir, fresh=args.fresh)
    except OSError as e:
        error(f"cannot copy the demo project: {error_text(e)}")
        return 1
    print(f"demo project: {project}")
    from pixelproof.cli import run_gui

    limit = ["--max-pixels", str(args.max_pixels)] if getattr(args, "max_pixels", None) else []
    return run_gui([str(project), *limit])
