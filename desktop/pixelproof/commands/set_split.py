"""``pixelproof set-split PROJECT SPLIT [--images GLOB] [-o OUT]``: the dataset split (train / val / test,
or none) of some images, as the app's Images panel sets it; every export then writes them into that split.
Exit 0 done (or nothing to change), 1 on errors (no such images, a project that cannot be read or saved),
2 on an unknown split."""

from __future__ import annotations

import argparse

from pixelproof.commands._common import add_examples, apply_and_save, error, load_or_report, refuse_outputs
from pixelproof.core.image_glob import GLOB_FORMS
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "set-split",
        help="set the dataset split (train, val, test or none) of images; exports write them into it",
    )
    p.add_argument("project", help="project .json")
    p.add_argument("split", help="train, val, test (training, valid, validation, testing too) or none")
    p.add_argument(
        "--images",
        metavar="GLOB",
        help="only these images: an exact file name (or base name), else a glob on either, e.g. 'night/*' "
        "(default: every image)",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    p.add_argument("--author", metavar="NAME", help="who sets it (history; default: the user identity)")
    add_examples(
        p,
        "pixelproof set-split project.json val --images 'site_b/*'",
        "pixelproof set-split project.json none -o unsplit.json",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.edits import SetImageSplit
    from pixelproof.core.edits.image_split import split_name
    from pixelproof.core.split_names import split_of
    from pixelproof.inference.apply import select_images

    try:
        split = split_name(args.split)
    except ValueError as e:
        error(str(e))
        return 2
    if refuse_outputs(args.output, projects=True):  # before the project is read
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    images = select_images(project, args.images)
    if not images:
        said = (
            f"no image matches {args.images!r} (--images takes {GLOB_FORMS})"
            if args.images
            else "has no images"
        )
        error(f"{args.project}: {said}")
        return 1
    ids = [im.id for im in images if split_of(im) != split or (split is None and _stored(im))]
    edit = SetImageSplit(ids, split) if ids else None
    saved = apply_and_save(project, edit, tool="set-split", author=args.author, output=args.output)
    if saved is None:
        return 1
    what = "no split" if split is None else split
    same = len(images) - len(ids)
    print(
        f"{args.output or args.project}: {plural(len(ids), 'image')} set to {what}"
        + (f" ({same} already {'without one' if split is None else 'there'})" if same else "")
    )
    return 0


def _stored(image: object) -> bool:
    """Whether the image holds a split entry at all (one no reader knows still counts as set)."""
    app = getattr(image, "extra", {}).get("pixelproof")
    return isinstance(app, dict) and "split" in app
