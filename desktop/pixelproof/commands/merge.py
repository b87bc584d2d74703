"""``pixelproof merge SHARD... -o PROJECT [--into BASE]``: merge shards back, conflicts typed (issue 16).

Exit 0 when merged without conflicts, 3 when merged and conflicts were reported (the project and the
report are written either way), 1 on errors.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from pixelproof.commands._batch import add_batch_arguments, announce, batch_options, check_path_map
from pixelproof.commands._common import (
    ProgressBar,
    error,
    load_or_report,
    missing_option_file,
    print_problems,
    refuse_outputs,
    shown,
    warn,
)
from pixelproof.core.errors import error_text
from pixelproof.core.model import IdsExhausted
from pixelproof.core.wording import plural

EXIT_CONFLICTS = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "merge",
        help="merge project shards (from split or batch jobs) into one project; conflicts are reported",
    )
    p.add_argument("shards", nargs="+", metavar="SHARD", help="shard project files")
    p.add_argument("-o", "--output", required=True, metavar="PROJECT", help="merged project to write")
    p.add_argument("--into", metavar="BASE", help="merge into this project (e.g. the one that was split)")
    p.add_argument(
        "--manifest", metavar="FILE", help="the lead's manifest from split: honeypots are left out"
    )
    p.add_argument("--report", metavar="FILE", help="write the conflict report as JSON")
    p.add_argument("--author", metavar="NAME", help="who merges (history; default: the user identity)")
    add_batch_arguments(p, light=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core import history
    from pixelproof.core.atomic import atomic_output
    from pixelproof.core.batch import BatchSetupError
    from pixelproof.core.coco import (
        ProjectConflictError,
        ProjectFormatError,
        ProjectSaveError,
        read_json,
        save_project,
    )
    from pixelproof.core.limits import same_file
    from pixelproof.core.merge import Shard, merge_shards, relocated_lines, renamed_text
    from pixelproof.core.merge_checks import MergeError, check_distinct, check_lineage, check_split
    from pixelproof.core.merge_decisions import dropped_text
    from pixelproof.core.merge_geometry import geometry_lines
    from pixelproof.core.merge_lines import conflicts_side_by_side, left_out_report_path, merged_by_object
    from pixelproof.core.merge_tracks import tracks_text
    from pixelproof.core.run_ids import run_dropped_text

    batch = batch_options(args)
    if missing_option_file(
        "--into", args.into, "the project to merge the shards into"
    ) or missing_option_file("--manifest", args.manifest, "the lead's manifest from split"):
        return 2
    if refuse_outputs(args.output, projects=True) or refuse_outputs(args.report):
        return 1  # the project is not written when the report cannot be
    projects = []
    with ProgressBar("reading shards", unit="files") as bar:
        for path in bar.iterate(args.shards, len(args.shards)):
            p = load_or_report(path)
            if p is None:
                return 1
            projects.append(p)
    base = None
    if args.into:
        base = load_or_report(args.into)
        if base is None:
            return 1
    manifest = None
    if args.manifest:
        try:
            manifest = read_json(args.manifest)
        except Exception as e:  # ProjectFormatError: says file and position
            if isinstance(e, ProjectFormatError):
                print_problems(e)
            else:
                error(str(e))
            return 1
        if not isinstance(manifest, dict) or "pixelproof_split" not in manifest:
            error(f"{args.manifest}: not a split manifest (no 'pixelproof_split' key)")
            return 1
    # one file by any name (links, a case-insensitive disk); -o may be the --into project (merge in place)
    inputs = [Path(s) for s in [*args.shards, args.manifest] if s]
    out = Path(args.output)
    if any(same_file(out, src) for src in inputs):
        error(f"{args.output}: would overwrite an input; choose another -o")
        return 1
    others = [*inputs, *([Path(args.into)] if args.into else []), out]
    if args.report and any(same_file(Path(args.report), src) for src in others):
        error(f"{args.report}: would overwrite an input or the merged project; choose another --report")
        return 1
    shards = [Shard.of(p, Path(path).stem) for path, p in zip(args.shards, projects, strict=True)]
    try:
        check_distinct(shards, args.shards)
        check_split(shards, manifest, args.shards, args.manifest)  # its overlap images: another split's
        check_lineage(shards, base, args.shards, args.into)  # a base renumbered since the split
    except MergeError as e:
        error(str(e))
        return 1
    try:
        executor = batch.executor(sum(len(p.images) for p in projects), 0.002, light=True)
    except BatchSetupError as e:
        error(str(e))
        return 1
    announce(executor)
    check_path_map(batch, (), no_files="merge's workers read no files (they are sent the shards' objects)")
    with executor:
        try:
            result = merge_shards(shards, base=base, manifest=manifest, executor=executor)
        except IdsExhausted as e:
            if base is not None or any(s.project.app.get("shard") for s in shards):
                raise  # names the base (or a shard), as other commands do
            error(_no_ids_left(e, [str(p) for p in args.shards], str(out)))
            return 2
    if base is not None:
        result.project.history = base.history  # the log records what the merge changed in the base
        if same_file(out, Path(args.into)):
            # merged in place: the save refuses if the project changed meanwhile (another merge, the
            # app), rather than replacing that work with this merge's copy of the project as read
            result.project.file_state = base.file_state
    history.note(
        result.project, tool="merge", author=history.current_author(args.author), edit=result.label()
    )
    report_path = args.report
    try:
        if not report_path and result.left_out:  # else the objects it left out would be nowhere
            report_path = str(left_out_report_path(out, others))
        save_project(result.project, out)
        if report_path:
            with atomic_output(report_path, text=True) as fh:  # whole or not at all, as every report
                fh.write(json.dumps(result.report(), indent=1, ensure_ascii=False) + "\n")
    except ProjectConflictError as e:
        error(f"{error_text(e)}: nothing merged; merge the shards into it again")
        return 1
    except (ProjectSaveError, OSError) as e:
        error(error_text(e))
        return 1
    for c in result.conflicts:
        print(shown(f"conflict [{c.type}] {c.message}"), file=sys.stderr)
    s = result.stats
    print(
        f"{shown(out)}: {plural(s['images'], 'image')}, {plural(s['annotations'], 'annotation')}, "
        f"{plural(s['categories'], 'category')} from {plural(s['shards'], 'shard')}; "
        f"{plural(s['overlap_images'], 'overlap image')} kept side by side, "
        + (f"{two}, " if (two := conflicts_side_by_side(s)) else "")
        + (f"{joined}, " if (joined := merged_by_object(s)) else "")
        + f"{plural(s['honeypots_left_out'], 'honeypot')} left out, {plural(s['conflicts'], 'conflict')}"
    )
    for old, new, who in result.renamed_files:
        print(shown(renamed_text(old, new, who)))
    for line in relocated_lines(result.report()["relocated_files"]):
        print(shown(line))
    for line in geometry_lines(
        result.geometry_differs, base_given=bool(args.into)
    ):  # the base's geometry kept: one side is wrong
        warn(shown(line))
    if result.left_out and not args.report:
        print(
            shown(
                f"{plural(len(result.left_out), 'object')} the merged project does not hold (replaced "
                f"base objects, a mis-sized copy's) kept in {report_path} under left_out_objects "
                f"(no --report given); `pixelproof restore {out} {report_path}` brings them back"
            ),
            file=sys.stderr,
        )
    if dropped := dropped_text(s["dismissed_dropped"]):
        print(dropped)
    if runs := run_dropped_text(s["prelabel_runs_dropped"]):
        print(runs)
    if tracks := tracks_text(result.report()["renumbered_tracks"]):
        print(tracks)
    if manifest is None and any(s.split for s in shards):
        print(
            "note: without --manifest, honeypot images (if any) are merged like overlap images",
            file=sys.stderr,
        )
    return EXIT_CONFLICTS if result.conflicts else 0


def _no_ids_left(e: IdsExhausted, inputs: list[str], out: str) -> str:
    """A merge without a base that needs an id past ``ID_MAX``: renumbering one input (the hint of
    ``IdsExhausted``, which named the first) leaves the others where they are. Renumbering each (none is a
    shard, which renumber refuses) and merging those fits: merge pairs images by path and classes by name,
    and without a base checks no lineage."""
    renumbered = [str(Path(p).with_suffix("")) + ".renumbered.json" for p in inputs]
    steps = [
        f"`pixelproof renumber {shlex.quote(p)} -o {shlex.quote(r)}`"
        for p, r in zip(inputs, renumbered, strict=True)
    ]
    steps.append(f"`pixelproof merge {' '.join(map(shlex.quote, renumbered))} -o {shlex.quote(out)}`")
    return (
        f"merging {', '.join(inputs)} into {out}: {e.problem}; to go on, renumber each input from 1 and "
        f"merge those: {', '.join(steps[:-1])}, then {steps[-1]}"
    )
