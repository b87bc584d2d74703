"""``pixelproof consensus PROJECT [--method staple|majority] [--ties pending|drop] [--accept | --decide-ties
accept|reject] [-o OUT]`` (issue 16).

On a merged project whose overlap images keep each annotator's version: add one pending consensus object
per object most annotators drew (and, with ``--ties pending``, per object exactly half of them drew, to
decide), or (``--accept``) accept the reviewed consensus (tie objects stay pending), or
(``--decide-ties``) accept or reject every tie object still pending at once.
"""

from __future__ import annotations

import argparse

from pixelproof.commands._common import (
    add_iou_threshold,
    apply_and_save,
    bad_iou_threshold,
    error,
    load_or_report,
    refuse_outputs,
    shown,
)
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("consensus", help="consensus objects on a merged project's overlap images")
    p.add_argument("project", help="merged project .json (overlap images with each annotator's version)")
    p.add_argument(
        "--method",
        choices=("staple", "majority"),
        default="staple",
        metavar="staple|majority",
        help="how masks are combined: staple (STAPLE's weighted vote, the default) or majority (the pixels "
        "more than half of the annotators put inside)",
    )
    p.add_argument(
        "--ties",
        choices=("pending", "drop"),
        default="pending",
        metavar="pending|drop",
        help="an object exactly half of the annotators drew (with two: one drew it alone): pending: propose "
        "it as a pending consensus object to decide, which --accept leaves pending (the default); drop: "
        "leave it out",
    )
    add_iou_threshold(p, "objects match")
    what = p.add_mutually_exclusive_group()
    what.add_argument(
        "--accept",
        action="store_true",
        help="accept the consensus: keep consensus objects not rejected, delete the annotators' versions",
    )
    what.add_argument(
        "--decide-ties",
        choices=("accept", "reject"),
        metavar="accept|reject",
        help="accept or reject every object drawn by exactly half of the annotators still pending (one "
        "logged edit), before or after --accept",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="write here (default: update PROJECT)")
    p.add_argument("--author", metavar="NAME", help="who does it (history; default: the user identity)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.consensus import (
        accept_consensus,
        consensus_edit,
        decide_ties,
        dropped_by_accept,
        dropped_text,
        has_consensus,
        summary_line,
        ties_advice,
        ties_left_pending,
        ties_text,
        waiting_note,
    )
    from pixelproof.core.overlap_versions import consensus_marks, versions_side_by_side

    if bad_iou_threshold(args.iou_threshold):
        return 2
    if refuse_outputs(args.output, projects=True):
        return 1
    project = load_or_report(args.project)
    if project is None:
        return 1
    dropped = pending = ""
    if args.decide_ties:
        decision = "accepted" if args.decide_ties == "accept" else "rejected"
        n = ties_left_pending(project)
        edit = decide_ties(project, decision)
        if edit is None:  # nothing to decide: say so, write nothing
            error(f"{args.project}: no pending object drawn by half of the annotators (a tie) to decide")
            return 1
        message = f"{plural(n, 'tie object')} {decision}"
    elif args.accept:
        dropped = dropped_text(project, dropped_by_accept(project))  # read before the edit deletes them
        pending = ties_text(ties_left_pending(project))
        edit = accept_consensus(project)
        if not edit.parts:  # nothing worked out yet (or all accepted): say so, write nothing
            held = len(versions_side_by_side(project))
            error(
                f"{args.project}: no consensus to accept: "
                + (
                    f"{held} images hold annotators' versions without one (run `pixelproof consensus` first)"
                    if held
                    else "no image holds annotators' versions"
                )
            )
            return 1
        marked, held = consensus_marks(project), versions_side_by_side(project)
        # an image accepted before whose tie objects still wait for a decision is not accepted again
        done = sum(has_consensus(project, i, marked) and (i in marked or i in held) for i in project.images)
        message = f"consensus accepted on {plural(done, 'image')}; {edit.counts_text()}"
    else:
        edit, summary = consensus_edit(project, args.method, args.iou_threshold, ties=args.ties)
        if summary["images"] == 0 and not summary["skipped"]:
            waiting = waiting_note(summary)
            error(
                f"{args.project}: no overlap image with two or more annotators' versions"
                + (f"; {waiting}" if waiting else "")
            )
            return 1
        message = summary_line(summary)
        decide_all = f"pixelproof consensus {args.output or args.project} --decide-ties accept|reject"
        pending = ties_advice(summary, decide_all, "--accept")  # the ties proposed: what to do with them
    saved = apply_and_save(project, edit, tool="consensus", author=args.author, output=args.output)
    if saved is None:
        return 1
    # each run's message counts what it changed, each count once (accepted and removed apart)
    print(shown(f"{args.output or args.project}: {message}"))  # named as typed
    for said in (dropped, pending):
        if said:
            print(shown(said))
    return 0
