"""``pixelproof validate PROJECT``: exit 0 valid, 1 invalid (one problem per line), 2 usage."""

from __future__ import annotations

import argparse

from pixelproof.commands._common import load_or_report
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a project file; list every problem with its location")
    p.add_argument("project", help="project .json file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    project = load_or_report(args.project)
    if project is None:
        return 1
    n = len(project.annotations)
    print(f"{args.project}: valid ({plural(len(project.images), 'image')}, {plural(n, 'annotation')})")
    return 0
