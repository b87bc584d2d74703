"""``pixelproof lock|unlock PROJECT [--ids 3,5] [--images GLOB] [--category NAME ...] [--status S ...]
[-o OUT]``: lock the
objects a lead has checked (``core.object_lock``), or unlock them, without the app - before a ``split``, so
every annotator's shard carries the locks, or from a script after an automated check. The objects are those
every selector given names (ids, images as ``predictions --images`` and ``set-split --images`` take them,
categories as ``predictions --category``, images by their status: ``--status reviewed`` locks every object of
the images a lead approved); the change is one logged edit, as the app's Edit > Lock (Alt+L),
keeping each object's ``updated`` time. Exit 0 done (or nothing to change), 1 on errors (a project that
cannot be read or saved, ids or images it lacks), 2 on usage errors (no selector, a category it lacks)."""

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
from pixelproof.core.model import IMAGE_STATES
from pixelproof.core.wording import plural

SHOWN_IDS = 10  # ids named in the summary line; the rest counted


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_lock_parser(sub, locked=True)


def add_lock_parser(sub: argparse._SubParsersAction, *, locked: bool) -> None:
    """``lock`` or (``locked`` False) ``unlock``: the same options, the same selection."""
    verb = "lock" if locked else "unlock"
    p = sub.add_parser(
        verb,
        help=(
            "lock objects against moving, reshaping, reclassifying and deleting (as the app's Alt+L)"
            if locked
            else "unlock locked objects (as the app's Alt+L on locked objects)"
        ),
    )
    p.add_argument("project", help="project .json")
    p.add_argument(
        "--ids",
        action="append",
        type=_ids,
        metavar="ID,ID,...",
        help="these objects (annotation ids; repeat or give a comma list)",
    )
    p.add_argument(
        "--images",
        metavar="GLOB",
        help="the objects on these images: an exact file name (or base name), else a glob on either",
    )
    p.add_argument(
        "--category",
        action="append",
        metavar="NAME",
        help="the objects of this category (repeat for several)",
    )
    p.add_argument(
        "--status",
        action="append",
        choices=IMAGE_STATES,
        metavar="STATUS",
        help=f"the objects on images of this status ({', '.join(IMAGE_STATES)}; repeat for several)",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    p.add_argument("--author", metavar="NAME", help=f"who {verb}s (history; default: the user identity)")
    add_examples(
        p,
        f"pixelproof {verb} project.json --ids 3,5",
        f"pixelproof {verb} project.json --images 'night/*' --category car",
        f"pixelproof {verb} project.json --images '*' -o checked.json",
        f"pixelproof {verb} project.json --status reviewed",
    )
    p.set_defaults(run=run, locked=locked)


def _ids(text: str) -> list[int]:
    """argparse ``type`` of ``--ids``: whole numbers separated by commas, else a usage error."""
    try:
        ids = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected annotation ids like 3,5, got {text!r}") from None
    if not ids:
        raise argparse.ArgumentTypeError(f"expected annotation ids like 3,5, got {text!r}")
    return ids


def id_list(ids: list[int]) -> str:
    """``#3, #5``, the first ``SHOWN_IDS`` of ``ids`` and how many more."""
    more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
    return ", ".join(f"#{i}" for i in ids[:SHOWN_IDS]) + more


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.edits import ReplaceAnnotations
    from pixelproof.core.object_lock import is_locked, with_locked

    verb = "lock" if args.locked else "unlock"
    if not (args.ids or args.images or args.category or args.status):
        error(f"{verb}: say which objects: --ids, --images, --category or --status (--images '*' for all)")
        return 2
    if refuse_outputs(args.output, projects=True):  # before the project is read
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    category_ids = category_ids_or_report(project, args.project, args.category)
    if category_ids is False:
        return 2
    anns = project.annotations
    wanted_ids = list(dict.fromkeys(i for ids in args.ids or () for i in ids))
    missing = [i for i in wanted_ids if i not in anns]
    if missing:
        error(f"{args.project}: no annotation {id_list(missing)}; nothing changed")
        return 1
    image_ids = image_ids_or_report(project, args.project, args.images)
    if image_ids is False:
        return 1
    if args.status:  # the images of these statuses (among those --images names, when given)
        of_status = {i for i in project.images if project.image_status(i) in args.status}
        image_ids = of_status if image_ids is None else image_ids & of_status
    pool = [anns[i] for i in wanted_ids] if args.ids else anns.values()
    chosen = [
        a
        for a in pool
        if (image_ids is None or a.image_id in image_ids)
        and (category_ids is None or a.category_id in category_ids)
    ]
    changed = [b for a in chosen if (b := with_locked(a, args.locked)) is not None]
    edit = None
    if changed:
        label = f"{verb.capitalize()} {plural(len(changed), 'object')}"
        edit = ReplaceAnnotations(changed, label, touch=False)
    saved = apply_and_save(project, edit, tool=verb, author=args.author, output=args.output)
    if saved is None:
        return 1
    done = f"{verb}ed"
    already = [a.id for a in chosen if is_locked(a) == args.locked]
    aside = [i for i in wanted_ids if i not in {a.id for a in chosen}]
    notes = []
    if already:
        notes.append(f"{plural(len(already), 'object')} {done} already ({id_list(already)})")
    if aside:
        were = "they were" if len(aside) > 1 else "it was"
        notes.append(f"{id_list(aside)} not on the images or of the categories asked: left as {were}")
    tail = f"; {'; '.join(notes)}" if notes else ""
    named = args.output or args.project  # named as typed, as set-split and predictions name it
    if (
        not changed
    ):  # -o OUT asked for OUT: it is written all the same (the project as it is); in place, nothing
        copy = "; written, the project as it is" if args.output else ""
        print(f"{named}: nothing {done}{' (no object matches)' if not chosen else ''}{tail}{copy}")
    else:
        images = len({b.image_id for b in changed})
        print(
            f"{named}: {done} {plural(len(changed), 'object')} ({id_list([b.id for b in changed])}) "
            f"on {plural(images, 'image')}{tail}"
        )
    return 0
