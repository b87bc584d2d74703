"""``pixelproof restore PROJECT REPORT [--image NAME_OR_GLOB ...] [--shard NAME ...] [--replace] [-o OUT]``:
bring back objects a merge left out (``core.merge_restore``): the report's ``left_out_objects``, into the
merged project, as one logged edit, as every command that edits a project in place (``lock``,
``predictions``). A command of its own rather than an option of ``merge``: merge reads shards and writes a
project, restore edits a project.

Exit 0 restored (or nothing to restore), 1 on errors (a report or project that cannot be read or saved,
another project's report, a selector matching no left-out object).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pixelproof.commands._common import (
    add_examples,
    apply_and_save,
    error,
    load_or_report,
    print_problems,
    refuse_outputs,
    shown,
    warn,
)
from pixelproof.commands.lock import id_list
from pixelproof.core.wording import plural

SHOWN_SKIPPED = 20  # skipped objects named one a line; the rest counted


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="bring back objects a merge left out (its report's left_out_objects)")
    p.add_argument("project", help="the merged project .json")
    p.add_argument("report", help="the merge's report (--report, or <project>.merge-report.json)")
    p.add_argument(
        "--image",
        action="append",
        metavar="NAME_OR_GLOB",
        help="only the objects of these images: a file name (or base name), else a glob (repeat for several)",
    )
    p.add_argument(
        "--shard", action="append", metavar="NAME", help="only those of this shard (or 'base'; repeat)"
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="each object restored takes the place of the object of its id on its image (locked ones stay)",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    p.add_argument("--author", metavar="NAME", help="who restores (history; default: the user identity)")
    add_examples(
        p,
        "pixelproof restore merged.json merged.merge-report.json",
        "pixelproof restore merged.json report.json --image street/0042.png --replace",
        "pixelproof restore merged.json report.json --shard base",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.errors import error_text
    from pixelproof.core.merge_restore import RestoreRefused, restore_left_out
    from pixelproof.core.model import IdsExhausted
    from pixelproof.core.project_json import ProjectFormatError, read_json

    if refuse_outputs(args.output, projects=True):  # before anything is read
        return 1
    try:
        report = read_json(args.report)
    except ProjectFormatError as e:
        print_problems(e)
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    try:
        done = restore_left_out(
            project,
            report,
            Path(args.report).name,
            images=args.image,
            shards=args.shard,
            replace=args.replace,
        )
    except RestoreRefused as e:
        error(f"{e}; nothing restored")
        return 1
    except IdsExhausted as e:
        error(f"{args.project}: {error_text(e)}; nothing restored")
        return 1
    for line in done.skipped[:SHOWN_SKIPPED]:
        warn(shown(f"skipped: {line}"))
    if len(done.skipped) > SHOWN_SKIPPED:
        warn(f"{len(done.skipped) - SHOWN_SKIPPED} more skipped")
    saved = apply_and_save(project, done.edit, tool="restore", author=args.author, output=args.output)
    if saved is None:
        return 1
    out = args.output or args.project  # named as typed, as the other editing commands name it
    if done.edit is None:
        print(shown(f"{args.report}: nothing restored into {out}"))
        return 0
    ids = [a.id for a in done.objects]
    print(shown(f"{out}: {done.edit.label}, as {id_list(ids)} (new ids)"))
    if done.created:
        print(shown(f"classes the project lacked, created: {', '.join(done.created)}"))
    if done.by_id:
        warn(
            f"{args.report}: {plural(len(done.by_id), 'object')} without a class name (a report of an "
            "earlier PixelProof): class taken by its category_id"
        )
    if done.removed:
        print(f"replaced: {id_list(done.removed)} removed")
    if done.locked:
        print(f"kept (locked: never removed): {id_list(done.locked)}; the restored objects are beside them")
    return 0
