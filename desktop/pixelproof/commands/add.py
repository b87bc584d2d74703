"""``pixelproof add PROJECT PATH... [-o OUT]``: add images (files, folders searched as ``new`` does) to a
project; images it has already are counted, not added again. A 3D Slicer segmentation comes in as its
volume's masks, as ``new`` reads it (``interop.slicer_seg_folder``). One logged edit, as the app's Add
Images."""

from __future__ import annotations

import argparse

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
    p = sub.add_parser("add", help="add images (files or folders) to a project")
    p.add_argument("project", help="project .json")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files and folders (searched recursively)")
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    p.add_argument(
        "--author", metavar="NAME", help="who makes the change (history; default: the user identity)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when images were added or the images given are all there already (files skipped, a note
    beside them, are warned about), 1 when no image could be added."""
    from pixelproof.core.export_mark import exports_note
    from pixelproof.interop.slicer_seg_folder import images_and_segmentations_to_add

    if refuse_outputs(args.output, projects=True):
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    skipped: list[str] = []
    read: list[str] = []  # 3D Slicer segmentations read onto their volumes, said after the bar
    with ProgressBar("reading image sizes") as bar:

        def skip(message: str) -> None:
            skipped.append(message)
            warn(message, bar)

        found, edit = images_and_segmentations_to_add(
            project, args.paths, skip, on_read=read.append, progress=bar
        )
    for path in found.already:
        print(f"already there: {shown(path)}")
    if (edit is not None or found.already) and apply_and_save(
        project, edit, tool="add", author=args.author, output=args.output
    ) is None:
        return 1
    for im in found.images:  # as saved: relative to OUT's folder
        print(f"added {shown(project.images[im.id].file_name)} ({im.width}x{im.height})")
    for line in read:
        print(shown(line))
    others = len(skipped) - len(found.exports)  # an export left out is one message, said after the counts
    tail = exports_note(found.exports)
    print(f"{len(found.images)} added, {len(found.already)} already there, {others} skipped{tail}")
    if not (edit is not None or found.already):
        error(f"{', '.join(args.paths)}: no images found{tail}")  # as `new` says it
        return 1
    return 0
