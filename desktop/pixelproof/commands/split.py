"""``pixelproof split PROJECT --annotators a,b,c -o DIR``: one project file per annotator (issue 16)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pixelproof.commands._common import error, load_or_report, missing_option_file, refuse_outputs
from pixelproof.core.errors import error_text
from pixelproof.core.wording import first_few, plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "split",
        help="split a project into one project file per annotator (overlap images, hidden honeypots)",
        description="Every image goes to one annotator, except the overlap images (for agreement) and the "
        "honeypots (images of a reference project, given to everyone, listed only in the lead's manifest).",
    )
    p.add_argument("project", help="project .json to split")
    p.add_argument("--annotators", required=True, metavar="A,B,C", help="annotator names, comma-separated")
    p.add_argument(
        "--overlap",
        type=float,
        default=0.1,
        metavar="F",
        help="share of images labelled by several annotators (--overlap-copies)",
    )
    p.add_argument(
        "--overlap-copies", type=int, default=2, metavar="N", help="annotators per overlap image (default 2)"
    )
    p.add_argument("--honeypots", metavar="REFERENCE", help="reference project the honeypot images come from")
    p.add_argument("--honeypot-fraction", type=float, default=0.05, metavar="F", help="honeypots per shard")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same split)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for <annotator>.json files")
    p.add_argument(
        "--manifest",
        metavar="FILE",
        help="where the lead's manifest goes (default DIR/lead-manifest.json); do not hand it out",
    )
    p.add_argument("--author", metavar="NAME", help="who splits (history; default: the user identity)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core import history
    from pixelproof.core.coco import ProjectSaveError, atomic_write
    from pixelproof.core.split import SplitError, outputs_problem, save_shard, split_outputs, split_project

    if missing_option_file("--honeypots", args.honeypots, "the honeypot images with their reference labels"):
        return 2
    if refuse_outputs(args.manifest):  # not after the shards are written
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    reference = None
    if args.honeypots:
        reference = load_or_report(args.honeypots)
        if reference is None:
            return 1
    names = [n.strip() for n in args.annotators.split(",") if n.strip()]
    try:
        result = split_project(
            project,
            names,
            overlap=args.overlap,
            overlap_copies=args.overlap_copies,
            seed=args.seed,
            honeypots=reference,
            honeypot_fraction=args.honeypot_fraction,
        )
    except SplitError as e:
        error(str(e))
        return 2
    out = Path(args.output)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        error(f"{out}: cannot create the folder: {e.strerror or e}")
        return 1
    names = list(result.shards)
    *shard_files, manifest_path = split_outputs(names, out, Path(args.manifest) if args.manifest else None)
    targets = dict(zip(names, shard_files, strict=True))
    problem = outputs_problem(names, out, [args.project, args.honeypots or ""], manifest_path)
    if problem:
        error(f"{problem} (-o / --manifest)")
        return 1
    written: list[str] = []
    try:
        for name, shard in result.shards.items():
            save_shard(shard, targets[name], name, history.current_author(args.author))
            written.append(targets[name].name)
        data = json.dumps(result.manifest, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
        atomic_write(manifest_path, data)
    except (ProjectSaveError, OSError) as e:
        error(error_text(e) + _unfinished(written))
        return 1
    for name, shard in result.shards.items():
        print(f"{targets[name]}: {plural(len(shard.images), 'image')}")
    print(
        f"{plural(len(result.overlap), 'overlap image')} (each to {result.manifest['overlap_copies']} "
        f"annotators), {plural(len(result.honeypots), 'honeypot')}; "
        f"manifest (keep it, do not hand it out): {manifest_path}"
    )
    return 0


def _unfinished(written: list[str]) -> str:
    """What a split stopped part-way (a full disk) says after its error: the shards it wrote are no split to
    hand out without the rest and the manifest."""
    if not written:
        return ""
    return (
        f"; the split is not finished: {first_few(written)} written, the other shards and the manifest not "
        "(no manifest: do not hand them out); run the same command again to finish it (the same --seed "
        "deals the same shards)"
    )
