"""``pixelproof agreement SHARDS... [--json FILE] [--html FILE]``: inter-annotator agreement (issue 16)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from pixelproof.commands._batch import add_batch_arguments, announce, batch_options, check_path_map, feed_bar
from pixelproof.commands._common import (
    ProgressBar,
    add_iou_threshold,
    bad_iou_threshold,
    error,
    load_or_report,
    missing_option_file,
    print_problems,
    refuse_image_outputs,
    refuse_outputs,
    shown,
    warn,
)
from pixelproof.core.errors import error_text
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "agreement",
        help="agreement between annotators on overlap images (Dice/IoU, F1, kappa, alpha, STAPLE)",
        description="SHARDS are the annotators' project files, or one merged project whose overlap images "
        "keep each annotator's version. With --manifest and --reference, each annotator is also scored on "
        "the honeypot images.",
    )
    p.add_argument("shards", nargs="+", metavar="SHARD", help="annotator projects (or one merged project)")
    add_iou_threshold(p, "objects match")
    p.add_argument(
        "--manifest", metavar="FILE", help="the lead's manifest from split (for honeypot scorecards)"
    )
    p.add_argument(
        "--reference", metavar="FILE", help="reference project of the honeypots (default: manifest's)"
    )
    p.add_argument("--json", metavar="FILE", help="write the full result as JSON")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    add_batch_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core import report
    from pixelproof.core.agreement import raters_from_merged, raters_from_shards, run_agreement
    from pixelproof.core.batch import BatchSetupError

    batch = batch_options(args)
    from pixelproof.core.coco import ProjectFormatError, read_json
    from pixelproof.core.limits import same_file
    from pixelproof.core.merge import Shard
    from pixelproof.core.merge_checks import MergeError, check_distinct, check_split
    from pixelproof.core.scorecards import honeypot_scorecards, near_names
    from pixelproof.core.split import manifest_keys

    if bad_iou_threshold(args.iou_threshold):
        return 2
    if missing_option_file(
        "--manifest", args.manifest, "the lead's manifest from split, for the honeypot scorecards"
    ) or missing_option_file("--reference", args.reference, "the reference project of the honeypots"):
        return 2
    # the reports never overwrite what they are made from: shards, the lead's manifest, the reference
    # (a usage error, exit 2, as every other refused report path here and in qa and lint)
    inputs = [Path(s) for s in [*args.shards, args.manifest, args.reference] if s]
    for out in (args.json, args.html):
        if out and any(same_file(Path(out), src) for src in inputs):  # links, case-insensitive disks
            error(f"{out}: would overwrite an input; choose another file")
            return 2
    # a report path that cannot be written (a folder, a bad path, an image of a shard) is a usage error,
    # exit 2, as in qa and lint
    if refuse_outputs(args.json, args.html):
        return 2
    projects = []
    for path in args.shards:
        p = load_or_report(path)
        if p is None:
            return 1
        projects.append(p)
    if refuse_image_outputs([args.json, args.html], projects):
        return 2
    shards = [Shard.of(p, Path(path).stem) for path, p in zip(args.shards, projects, strict=True)]
    manifest = None
    if args.manifest:
        try:
            manifest = read_json(args.manifest)
            ref_path = args.reference or (manifest.get("honeypots") or {}).get("reference")
        except Exception as e:  # ProjectFormatError names the file and position
            if isinstance(e, ProjectFormatError):
                print_problems(e)
            else:
                error(str(e))
            return 1
    try:
        check_distinct(shards, args.shards)  # an annotator compared with itself would agree perfectly
        # as merge: another split's untouched copies of the manifest's overlap images are no ratings
        check_split(shards, manifest, args.shards, args.manifest, action="Compare")
    except MergeError as e:
        error(str(e))
        return 1
    raters = raters_from_merged(projects[0]) if len(projects) == 1 else raters_from_shards(shards)
    if len(raters) < 2:
        error("agreement needs two annotators: several shards, or a merged project with overlap images")
        return 1
    try:
        executor = batch.executor(len(raters[0].project.images) if raters else 0, 0.02)
    except BatchSetupError as e:
        error(str(e))
        return 1
    # the honeypots are in every shard but are no overlap images: scored on the scorecards instead
    honeypots = manifest_keys(manifest, "honeypots") if isinstance(manifest, dict) else set()
    announce(executor)
    check_path_map(
        batch, (), no_files="agreement's workers read no files (they are sent the shards' objects)"
    )
    with executor, ProgressBar("comparing annotators") as bar:
        result = run_agreement(
            raters, args.iou_threshold, executor=executor, on_progress=feed_bar(bar), leave_out=honeypots,
            named_from=None if len(projects) == 1 else _project_folder(manifest, projects),
        )  # fmt: skip
    for p in result.problems:
        warn(p)
    data = result.to_dict()
    if honeypots:  # a split made without --honeypots has no scorecards to make
        reference = load_or_report(ref_path) if ref_path else None
        if reference is None:
            error("honeypot scorecards need the reference project (--reference F)")
            return 1
        labelled = [(r.name, r.project) for r in raters]
        for line in near_names(reference, labelled):
            warn(line)
        said: list[str] = []
        data["honeypots"] = honeypot_scorecards(
            labelled, reference, manifest, args.iou_threshold, said, merged=len(projects) == 1
        )
        for line in said:
            warn(line)
        data["problems"] = [*data["problems"], *said]
        if len(projects) == 1 and not any(card["images"] for card in data["honeypots"]):
            warn(
                f"{args.shards[0]} holds no honeypot image (merge --manifest leaves them out): score the "
                "annotators on them with their shards (pixelproof agreement SHARD... --manifest FILE)"
            )
    if not result.images and not data.get("honeypots"):
        error("no image was labelled by two annotators: nothing to compare")
        return 1
    try:
        if args.json:
            report.write_json(data, args.json)
        if args.html:
            from pixelproof.core.agreement_html import write_html

            write_html(data, args.html)
    except OSError as e:
        error(f"cannot write the report: {error_text(e)}")
        return 1
    _print(data)
    return 0


def _project_folder(manifest: Any, shards: list[Any]) -> str | None:
    """The folder shards' images are named from, as the merged project names them (``images/a.png``, not a
    shard's ``../images/a.png``): the split project's (the manifest records it), else the current one when
    every image lies under it (the lead's commands run from the project's folder), else None: as the
    shards name them."""
    from pixelproof.core.split import image_key

    project = manifest.get("project") if isinstance(manifest, dict) else None
    if isinstance(project, str) and os.path.isabs(project):
        return os.path.dirname(project)
    here = os.path.join(os.path.normpath(os.getcwd()), "").replace("\\", "/")
    keys = (image_key(p, im) for p in shards for im in p.images.values())
    return os.getcwd() if all(k.startswith(here) for k in keys) else None


def _f(v: object) -> str:
    return "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def _print(data: dict) -> None:
    from pixelproof.core.scorecards import hd95_shown

    s = data["summary"]
    print(f"{plural(data['images'], 'overlap image')}, raters: {', '.join(map(shown, data['raters']))}")
    print(
        f"Dice {_f(s['dice'])}  IoU {_f(s['iou'])}  F1 {_f(s['f1'])}  Fleiss' kappa {_f(s['fleiss_kappa'])}  "
        f"Krippendorff's alpha {_f(s['krippendorff_alpha'])}  ({plural(s['units'], 'object')}, "
        f"{s['units_one_rater']} seen by one annotator only)"
    )
    print(f"{'pair':<24}{'images':>8}{'dice':>8}{'iou':>8}{'f1':>8}{'kappa':>8}")
    for p in data["pairs"]:
        name = f"{shown(p['a'])} / {shown(p['b'])}"[:23]
        print(
            f"{name:<24}{p['images']:>8}{_f(p['dice']):>8}{_f(p['iou']):>8}{_f(p['f1']):>8}{_f(p['cohen_kappa']):>8}"
        )
    if empty := s.get("n_both_empty"):
        print(
            f"{plural(empty, 'image')} a pair both left empty: counted as agreement (Dice = IoU = 1); F1, "
            "kappa and alpha measure objects, and there are none there"
        )
    _print_annotators(data)
    _print_images(data)
    for card in data.get("honeypots", []):
        print(
            f"honeypots {shown(card['annotator'])}: {card['images']} images, Dice {_f(card['dice'])}, "
            f"HD95 {hd95_shown(card, 3)}, F1 {_f(card['f1'])}, s/image {_f(card['seconds_per_image'])}"
            + (f" ({why})" if (why := card.get("seconds_per_image_reason")) else ""),
            file=sys.stdout,
        )


def _print_annotators(data: dict) -> None:
    """Each annotator against the others, worst first: the one who needs training on top."""
    rows = data.get("per_annotator") or []
    if len(rows) < 3:  # two annotators: both rows are the one pair's
        return
    print("per annotator, worst first (its pairs pooled; consensus: Dice with the others' pixel majority):")
    print(f"{'annotator':<24}{'images':>8}{'dice':>8}{'iou':>8}{'f1':>8}{'consensus':>11}")
    for a in rows:
        print(
            f"{shown(a['annotator'])[:23]:<24}{a['images']:>8}{_f(a['dice']):>8}{_f(a['iou']):>8}"
            f"{_f(a['f1']):>8}{_f(a['consensus_dice']):>11}"
        )


PRINTED_IMAGES = 10  # the rest are on the --html page and in --json's per_image


def _print_images(data: dict) -> None:
    """The images where the annotators differ, worst first: where a lead looks next."""
    from pixelproof.core.agreement_images import differing_images
    from pixelproof.core.names import short_file_name

    rows = differing_images(data.get("per_image", []))
    if not rows and data["images"]:
        print("no image where the annotators differ (Dice 1 in every class, every object matched)")
    if not rows:
        return
    print(
        f"{plural(len(rows), 'image')} where the annotators differ, worst first "
        "(mean Dice over the classes either drew; unmatched: objects with no object of their class on the "
        "other side):"
    )
    for r in rows[:PRINTED_IMAGES]:
        n = r["unmatched"]
        objects = f"{plural(n, 'object')} unmatched" if n else "objects matched"
        name, pair = shown(short_file_name(r["file_name"], 60)), shown(r["pair"])
        print(f"  {name:<40} {pair:<16} Dice {_f(r['dice'])}  {objects}; differ in: {shown(r['classes'])}")
    if len(rows) > PRINTED_IMAGES:
        print(f"  … and {len(rows) - PRINTED_IMAGES} more (all on the --html page and in --json per_image)")
