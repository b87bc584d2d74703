"""``pixelproof validate PROJECT [--images]``: exit 0 valid, 1 invalid (one problem per line), 2 usage."""

from __future__ import annotations

import argparse
import sys

from pixelproof.commands._common import ProgressBar, load_or_report, shown
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a project file; list every problem with its location")
    p.add_argument("project", help="project .json file")
    p.add_argument(
        "--images",
        action="store_true",
        help="also read each image file's header: a file missing, unreadable, or not the size the project "
        "declares (resized after labelling, turned by EXIF, another picture) is a problem",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    project = load_or_report(args.project)
    if project is None:
        return 1
    n = len(project.annotations)
    counts = f"{plural(len(project.images), 'image')}, {plural(n, 'annotation')}"
    if args.images:
        from pixelproof.core.declared_size import check_sizes

        with ProgressBar("reading image headers") as bar:
            check = check_sizes(project, progress=bar)
        problems = [m.project_line() for m in check.mismatches]
        problems += [f"{path}: image file not found" for path in check.missing]
        problems += [f"{path}: {why}" for path, why in check.unreadable]
        for line in problems:
            print(shown(line), file=sys.stderr)
        if problems:
            return 1
        counts += f"; {plural(check.checked, 'image file')} as large as declared"
    print(f"{args.project}: valid ({counts})")
    return 0
