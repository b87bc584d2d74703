"""``pixelproof diff OLD NEW [--json]`` or ``pixelproof diff PROJECT --at TAG``: what changed (issue 16)."""

from __future__ import annotations

import argparse
import json

from pixelproof.commands._common import (
    ProgressBar,
    add_iou_threshold,
    bad_iou_threshold,
    error,
    load_or_report,
    print_problems,
    shown,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="objects added, removed and changed between two versions of a project")
    p.add_argument("old", metavar="OLD", help="older project (or the project, with --at)")
    p.add_argument("new", metavar="NEW", nargs="?", help="newer project")
    p.add_argument("--at", metavar="TAG", help="compare the tagged version of OLD with its current state")
    add_iou_threshold(p, "re-created objects match")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.set_defaults(run=run)


def load_versions(args: argparse.Namespace) -> tuple[object, object] | None:
    """(old, new) projects from ``OLD NEW`` or ``PROJECT --at TAG`` (one of the two, checked by ``run``);
    None after printing the error."""
    from pixelproof.core.coco import ProjectFormatError
    from pixelproof.core.versions import checkout

    new = load_or_report(args.new or args.old)
    if new is None:
        return None
    if args.at is None:
        old = load_or_report(args.old)
        return None if old is None else (old, new)
    try:
        return checkout(args.old, args.at), new
    except Exception as e:  # VersionError or ProjectFormatError: both say file and reason
        if isinstance(e, ProjectFormatError):
            print_problems(e, f"{args.old}@{args.at}")
        else:
            error(str(e))
        return None


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.diff import diff_projects

    if bad_iou_threshold(args.iou_threshold):
        return 2
    if (args.at is None) == (args.new is None):  # a usage error, as argparse's own
        error("give OLD and NEW, or one PROJECT with --at TAG")
        return 2
    versions = load_versions(args)
    if versions is None:
        return 1
    old, new = versions
    with ProgressBar("comparing") as bar:
        result = diff_projects(old, new, args.iou_threshold, progress=bar.iterate)
    data = result.to_dict()
    if args.json:
        print(json.dumps(data, indent=1, ensure_ascii=False))
        return 0
    for row in data["per_image"]:
        print(f"{shown(row['file_name'])}: +{row['added']} -{row['removed']} ~{row['changed']}")
    for name in data["images_added"]:
        print(f"{shown(name)}: new image")
    for name in data["images_removed"]:
        print(f"{shown(name)}: image removed")
    cats = data["categories"]
    for kind in ("added", "removed"):
        if cats[kind]:
            print(f"categories {kind}: {', '.join(map(shown, cats[kind]))}")
    for r in cats["renamed"]:
        print(f"category renamed: {shown(r['old'])} -> {shown(r['new'])}")
    print(f"{'category':<24}{'added':>8}{'removed':>8}{'changed':>8}")
    for row in data["per_class"]:
        print(f"{shown(row['category'])[:23]:<24}{row['added']:>8}{row['removed']:>8}{row['changed']:>8}")
    t = data["totals"]
    print(
        f"total: {t['added']} added, {t['removed']} removed, {t['changed']} changed, "
        f"{t['unchanged']} unchanged objects; {len(data['images_added'])} new and "
        f"{len(data['images_removed'])} removed images"
    )
    return 0
