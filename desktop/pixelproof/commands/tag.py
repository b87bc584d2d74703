"""``pixelproof tag PROJECT NAME [-m MESSAGE]``: store a named version beside the project (issue 16)."""

from __future__ import annotations

import argparse

from pixelproof.commands._common import error, load_or_report, shown
from pixelproof.core.errors import error_text


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tag", help="name the saved state of a project (snapshot in <name>.versions/)")
    p.add_argument("project", help="project .json")
    p.add_argument("name", nargs="?", help="tag name (letters, digits, . _ -); without it, list the tags")
    p.add_argument("-m", "--message", default="", help="what this version is")
    p.add_argument("--force", action="store_true", help="move an existing tag to the current state")
    p.add_argument("--author", metavar="NAME", help="who tags (default: the user identity, else the OS user)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.coco import ProjectSaveError
    from pixelproof.core.history import current_author
    from pixelproof.core.versions import VersionError, list_tags, tag

    if load_or_report(args.project) is None:  # tags of a file that is no project: say what it is
        return 1
    try:
        if args.name is None:
            for t in list_tags(args.project):
                print("\t".join(shown(v) for v in (t.name, t.time, t.author or "", t.message)))
            return 0
        t = tag(args.project, args.name, args.message, current_author(args.author), force=args.force)
    except (VersionError, ProjectSaveError, OSError) as e:
        error(error_text(e))
        return 1
    print(f"{args.project}: tagged {t.name} ({t.time})")
    return 0
