"""``pixelproof predictions PROJECT accept|reject [--min-score S] [--below S] [--category NAME ...]
[--images GLOB] [-o OUT]``: decide a model's pending predictions in bulk, as the app's Model panel does
(Accept All Predictions in Project, Reject Below), so a pipeline can pre-label, keep what scores above a
cut and drop a class the model should not have proposed without opening the app. Exit 0 done (or nothing
to decide), 1 on errors (a project that cannot be read or saved, no such images), 2 on a category the
project lacks or a score out of 0..1."""

from __future__ import annotations

import argparse

from pixelproof.commands._common import (
    add_examples,
    apply_and_save,
    category_ids_or_report,
    error,
    image_ids_or_report,
    load_or_report,
    refuse_outputs,
)
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predictions",
        help="accept or reject a model's pending predictions in bulk (by score, category, image)",
    )
    p.add_argument("project", help="project .json")
    p.add_argument(
        "action",
        choices=("accept", "reject"),
        help="accept (a mask made from a box replaces the box, keeping its id) or reject (delete)",
    )
    p.add_argument("--min-score", type=float, metavar="S", help="only predictions scoring S or more")
    p.add_argument("--below", type=float, metavar="S", help="only predictions scoring under S")
    p.add_argument(
        "--category",
        action="append",
        metavar="NAME",
        help="only predictions of this category (repeat for several; default: every category)",
    )
    p.add_argument(
        "--images",
        metavar="GLOB",
        help="only on these images: an exact file name (or base name), else a glob on either",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    p.add_argument("--author", metavar="NAME", help="who decides (history; default: the user identity)")
    add_examples(
        p,
        "pixelproof predictions shelf.json reject --category 'dining table'",
        "pixelproof predictions shelf.json accept --min-score 0.6",
        "pixelproof predictions shelf.json reject --below 0.3 -o cleaned.json",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.edits.box_masks import linked_box
    from pixelproof.core.edits.prediction_review import (
        accept_predictions,
        pending_predictions,
        reject_predictions,
    )

    for flag, value in (("--min-score", args.min_score), ("--below", args.below)):
        if value is not None and not 0.0 <= value <= 1.0:
            error(f"{flag} {value}: a score is between 0 and 1")
            return 2
    if refuse_outputs(args.output, projects=True):  # before the project is read
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    category_ids = category_ids_or_report(project, args.project, args.category)
    if category_ids is False:
        return 2
    image_ids = image_ids_or_report(project, args.project, args.images)
    if image_ids is False:
        return 1
    chosen = pending_predictions(
        project, min_score=args.min_score, below=args.below, category_ids=category_ids, image_ids=image_ids
    )
    what = plural(len(chosen), "prediction")
    into_boxes = len({b.id for a in chosen if a.kind != "box" and (b := linked_box(project, a)) is not None})
    edit = None
    if chosen:
        verb = "Accept" if args.action == "accept" else "Reject"
        label = f"{verb} {what}"
        edit = (
            accept_predictions(project, chosen, label)
            if args.action == "accept"
            else reject_predictions(chosen, label)
        )
    saved = apply_and_save(project, edit, tool="predictions", author=args.author, output=args.output)
    if saved is None:
        return 1
    images = len({a.image_id for a in chosen})
    done = "accepted" if args.action == "accept" else "rejected (deleted)"
    left = len(pending_predictions(project))  # after the edit: what the project still has to decide
    tail = f"; {plural(left, 'prediction')} still pending in the project" if left else ""
    if not chosen:
        print(
            f"{args.output or args.project}: no pending prediction matches; nothing {done.split()[0]}{tail}"
        )
    else:
        boxes = ""
        if args.action == "accept" and into_boxes:
            boxes = f" ({plural(into_boxes, 'mask')} made from boxes took the box's place, its id kept)"
        print(f"{args.output or args.project}: {what} {done} on {plural(images, 'image')}{boxes}{tail}")
    return 0
