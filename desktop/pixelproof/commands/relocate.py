"""``pixelproof relocate PROJECT --to FOLDER [-o OUT] [--dry-run]``: point the images whose files are
missing at where they are now under FOLDER (``image_folder.find_moved``). One logged edit, as the app's
Locate Missing Images."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pixelproof.commands._common import (
    ProgressBar,
    apply_and_save,
    error,
    load_or_report,
    refuse_outputs,
    shown,
    warn,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("relocate", help="find images that were moved under a folder and update their paths")
    p.add_argument("project", help="project .json")
    p.add_argument(
        "--to", required=True, metavar="FOLDER", help="where the images are now (searched recursively)"
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.add_argument(
        "--author", metavar="NAME", help="who makes the change (history; default: the user identity)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when no image is missing any more, 3 when some still are (each one said on stderr)."""
    from pixelproof.core.edits.images import RelocateImages
    from pixelproof.core.image_folder import find_moved
    from pixelproof.core.shard_match import check_copies

    folder = Path(args.to)
    if not os.path.isdir(folder):  # False where Path.is_dir raises (a name too long)
        error(f"{folder}: not a folder")
        return 1
    if refuse_outputs(args.output, projects=True):
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    with ProgressBar("checking found images") as bar:
        found, problems = find_moved(project, folder, progress=bar)
        found, refused, warnings, copies = check_copies(project, found)  # a shard: each copy the picture?
    problems += refused
    old = {iid: project.images[iid].file_name for iid in found}
    if not args.dry_run:
        edit = RelocateImages(found, copies=copies) if found else None
        if apply_and_save(project, edit, tool="relocate", author=args.author, output=args.output) is None:
            return 1
        found = {iid: project.images[iid].file_name for iid in found}  # as saved (relative to OUT's folder)
    if not found and not problems:
        print(f"{args.project}: no missing images")
        return 0
    for iid, name in found.items():
        print(f"{shown(old[iid])} -> {shown(name)}")
    for line in warnings:
        warn(line)
    for problem in problems:
        error(str(problem))
    verb = "would be relocated" if args.dry_run else "relocated"
    print(f"{len(found)} {verb}, {len(problems)} still missing")
    return 3 if problems else 0
