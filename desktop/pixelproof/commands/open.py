"""``pixelproof open PATH``: the app on a project .json or a folder of images. The unambiguous form of
``pixelproof PATH``, which takes a first word that names a subcommand (a folder called ``validate``) as
that subcommand. Options Qt understands (``-platform offscreen``) are passed on to it."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "open",
        help="open the app on a project .json or a folder of images (its saved project, else a new one)",
        description="Open the app on PATH: a project .json file, or a folder of images (the project saved "
        "in it, FOLDER/project.json, else a new, unsaved project). Same as `pixelproof PATH`, but PATH may "
        "be named like a subcommand.",
    )
    p.add_argument(
        "path", help="project .json file, or a folder of images (its saved project.json, else a new project)"
    )
    p.add_argument("--reset-layout", action="store_true", help="forget the saved window layout")
    p.add_argument(
        "--categories",
        metavar="A,B,...",
        help="categories of a new project over a folder of images (without it, the app asks; not used "
        "when the folder has a saved project.json: that opens)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.cli import run_gui

    argv = ["--", args.path] if args.path.startswith("-") else [args.path]
    if args.reset_layout:
        argv.insert(0, "--reset-layout")
    if args.categories is not None:
        argv[:0] = ["--categories", args.categories]
    if getattr(args, "max_pixels", None):
        argv[:0] = ["--max-pixels", str(args.max_pixels)]
    return run_gui(argv + list(getattr(args, "qt_args", [])))
