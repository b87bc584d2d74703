"""``pixelproof checkout PROJECT --at TAG -o OUT``: write a tagged version to a new file (issue 16)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pixelproof.commands._common import error, load_or_report, print_problems, refuse_outputs
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("checkout", help="write a tagged version of a project to a file")
    p.add_argument("project", help="project .json")
    p.add_argument("--at", required=True, metavar="TAG", help="the tag to check out")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="file to write (not the project)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.coco import ProjectFormatError, ProjectSaveError, save_project
    from pixelproof.core.versions import VersionError, checkout, list_tags

    out = Path(args.output)
    if out.resolve() == Path(args.project).resolve():
        error(f"{args.output}: would overwrite the project; check out to another file")
        return 1
    if refuse_outputs(args.output, projects=True):
        return 1
    try:
        # a tag recovers a project file damaged since; without that tag, a file that is no project is
        # said to be so (not "no tag 'v1'")
        if all(t.name != args.at for t in list_tags(args.project)) and load_or_report(args.project) is None:
            return 1
        project = checkout(args.project, args.at)
        save_project(project, out)
    except (VersionError, ProjectSaveError) as e:
        error(str(e))
        return 1
    except ProjectFormatError as e:
        print_problems(e, f"{args.project}@{args.at}")
        return 1
    print(
        f"{out}: {args.at} of {args.project} "
        f"({plural(len(project.images), 'image')}, {plural(len(project.annotations), 'annotation')})"
    )
    return 0
