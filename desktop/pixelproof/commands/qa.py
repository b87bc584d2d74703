"""``pixelproof qa REFERENCE CANDIDATE``: score labels against a reference; reports as JSON/CSV/HTML."""

from __future__ import annotations

import argparse
import math
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from pixelproof.commands._batch import add_batch_arguments, announce, batch_options, check_path_map, feed_bar
from pixelproof.commands._common import (
    ProgressBar,
    add_examples,
    add_iou_threshold,
    bad_iou_threshold,
    error,
    print_capped,
    print_problems,
    refuse_image_outputs,
    refuse_outputs,
    shown,
    warn,
)
from pixelproof.commands._format_options import add_option_flags, given_options
from pixelproof.core.errors import error_text
from pixelproof.core.wording import plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    from pixelproof.interop.formats import readable

    p = sub.add_parser("qa", help="score a candidate (a project or any readable dataset) against a reference")
    p.add_argument(
        "reference", help="reference: a project .json, a folder of PNG masks or any readable dataset"
    )
    p.add_argument(
        "candidate",
        help="candidate: a project .json or any readable dataset, as the reference (a tracker's MOT results "
        ".txt is read on the frames of the reference's sequence)",
    )
    p.add_argument(
        "--ref-format",
        choices=[f.name for f in readable()],
        metavar="FMT",
        help=f"format of the reference: {', '.join(f.name for f in readable())} (default: detected from "
        "its layout; see README)",
    )
    p.add_argument(
        "--cand-format",
        choices=[f.name for f in readable()],
        metavar="FMT",
        help=f"format of the candidate: {', '.join(f.name for f in readable())} (default: a project for a "
        ".json that is one, else detected from its layout)",
    )
    reader = p.add_argument_group(
        "reference reader options",
        "convert's options of the reference's reader, spelt as convert spells them (a candidate that is no "
        "project is read with its reader's defaults)",
    )
    add_option_flags(reader, ("read",))
    add_iou_threshold(p, "pairs count")
    p.add_argument(
        "--nsd-tau",
        type=float,
        metavar="TAU",
        help="NSD tolerance in the image's unit: mm with a pixel spacing, else px (default: 2 mm; 2 µm on a "
        "pixel under 0.01 mm, a slide's; 2 px without a spacing)",
    )
    p.add_argument(
        "--both-empty-as-one",
        action="store_true",
        help="count a class both sides left empty as Dice = IoU = 1 (clDice and the boundary figures "
        "stay n/a: see README)",
    )
    p.add_argument(
        "--versions",
        choices=("agreed", "all"),
        default="agreed",
        metavar="agreed|all",
        help="on a merged project's images holding several annotators' versions side by side: agreed: "
        "score the consensus objects only (pixelproof consensus; an image without one yet is left out, "
        "named) - each defect counted once (the default); all: score every version, each copy an extra "
        "object",
    )
    p.add_argument(
        "--score-threshold",
        type=float,
        metavar="S",
        help="leave candidate objects scoring under S out of the matching and the per-class figures "
        "(precision, recall, F1 at S); AP stays computed on every scored object (default: all kept)",
    )
    p.add_argument(
        "--fail-under",
        action="append",
        default=[],
        metavar="METRIC[:CLASS]=V",
        help="exit 3 (after writing the reports) when the summary's METRIC (or CLASS's, split at the first "
        "':' and the last '=') is under V or n/a: a CI gate; METRIC one of dice, iou, nsd, boundary_iou, "
        "cldice, precision, recall, f1, pq, sq, rq, mean_matched_iou, mean_matched_dice, or, with keypoints, "
        "oks (mean OKS), kp_ap, kp_ap50, kp_ap75, kp_ar (COCO keypoint AP); repeat for several",
    )
    p.add_argument(
        "--fail-over",
        action="append",
        default=[],
        metavar="METRIC[:CLASS]=V",
        help="exit 3 as --fail-under does, when a figure where lower is better is over V or n/a: hd, hd95, "
        "hd95_pooled, hd95_mean, assd, masd (V in the rows' unit; 5mm or 5px asks that unit), fp, fn, "
        "wrong_class",
    )
    p.add_argument("--json", metavar="FILE", help="write the full result as JSON (documented in README)")
    p.add_argument(
        "--csv",
        metavar="FILE",
        help="write the per image and class table as CSV (UTF-8 with a BOM, for Excel)",
    )
    p.add_argument(
        "--images-csv",
        metavar="FILE",
        help="write one row per image as CSV (the review view's Images table: mean Dice, PQ, FP, FN, ..., "
        "and whether it has a problem): the images to relabel (UTF-8 with a BOM, for Excel)",
    )
    p.add_argument(
        "--class-csv",
        metavar="FILE",
        help="write the per-class table (with COCO AP per IoU type, and mean OKS and keypoint AP when both "
        "sides have keypoints) as CSV (UTF-8 with a BOM, for Excel)",
    )
    p.add_argument(
        "--objects-csv",
        metavar="FILE",
        help="write one row per matched, missed (fn) and extra (fp) object as CSV (ids, classes, IoU, "
        "score; UTF-8 with a BOM, for Excel)",
    )
    p.add_argument(
        "--tracks-csv",
        metavar="FILE",
        help="write the tracking figures (MOTA, IDF1, ID switches, ...) as CSV, a row per frame sequence and "
        "an (all) row, when both projects have objects on tracks (UTF-8 with a BOM, for Excel)",
    )
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    add_batch_arguments(p)
    add_examples(
        p,
        "pixelproof qa reference.json candidate.json --json qa.json --html qa.html \\\n"
        "    --fail-under dice=0.9 --fail-under recall=0.8 \\\n"
        "    --fail-under 'dice:red blood cell=0.8' --fail-over hd95=5",
        "pixelproof qa masks/ candidate.json --ref-format masks --csv rows.csv",
        "pixelproof qa VOC/ candidate.json --ref-format voc --one-based no",
        "pixelproof qa MOT17-02/ results/MOT17-02.txt --tracks-csv tracks.csv",
    )
    p.set_defaults(run=run)


def _f(v: Any, reason: str | None = None) -> str:
    from pixelproof.core.report_numbers import figure_text

    if v is None:
        return "inf" if reason == "one mask empty" else "n/a"
    if isinstance(v, float):
        return figure_text(v) if math.isfinite(v) else str(v)
    return str(v)


def run(args: argparse.Namespace) -> int:
    from pixelproof.core.batch import BatchSetupError
    from pixelproof.core.limits import LimitError, check_output_not_input
    from pixelproof.core.qa import QAOptions, run_qa
    from pixelproof.core.qa_batch import SECONDS_PER_PAIR
    from pixelproof.core.qa_gate import class_names, parse_bound, unknown_classes

    batch = batch_options(args)
    if bad_iou_threshold(args.iou_threshold):
        return 2
    if args.nsd_tau is not None and not (
        math.isfinite(args.nsd_tau) and args.nsd_tau >= 0
    ):  # inf would be no distance in the report
        error(f"--nsd-tau must be a finite number >= 0, got {args.nsd_tau}")
        return 2
    if args.score_threshold is not None and not math.isfinite(args.score_threshold):
        error(f"--score-threshold must be a finite number, got {args.score_threshold}")
        return 2
    try:
        args.bounds = [parse_bound(text) for text in args.fail_under]
        args.bounds += [parse_bound(text, under=False) for text in args.fail_over]
    except ValueError as e:
        error(str(e))
        return 2
    try:  # a report never writes over what it scores
        for option in ("json", "csv", "images_csv", "class_csv", "objects_csv", "tracks_csv", "html"):
            if getattr(args, option):
                said = f"--{option.replace('_', '-')}"
                check_output_not_input(getattr(args, option), [args.reference, args.candidate], said)
    except LimitError as e:
        error(str(e))
        return 2
    if refuse_outputs(
        args.json, args.csv, args.images_csv, args.class_csv, args.objects_csv, args.tracks_csv, args.html
    ):  # before the run, not after it
        return 2
    loaded = _load_pair(args)
    if loaded is None:
        return 1
    reference, candidate = loaded
    if unknown := unknown_classes(args.bounds, class_names(reference.project, candidate)):
        error(unknown)  # before scoring: a typo costs no run
        return 2
    outputs = [args.json, args.csv, args.images_csv, args.class_csv, args.objects_csv, args.tracks_csv]
    outputs.append(args.html)
    if refuse_image_outputs(outputs, [candidate, reference.project]):
        return 2
    options = QAOptions(
        iou_threshold=args.iou_threshold,
        nsd_tau=args.nsd_tau,
        both_empty_as_one=args.both_empty_as_one,
        score_threshold=args.score_threshold,
        versions=args.versions,
    )
    try:
        executor = batch.executor(len(candidate.images), SECONDS_PER_PAIR)
    except BatchSetupError as e:
        error(str(e))
        return 1
    announce(executor)
    check_path_map(
        batch,
        (),
        no_files="qa's workers read no files (this process reads both sides and sends them the objects)",
    )
    try:  # rows go to disk as they come, beside the reports; only the aggregates stay in memory
        stream = _stream(args)
    except OSError as e:
        executor.close()
        error(f"cannot write the report: {error_text(e)}")
        return 1
    with stream:
        with executor, ProgressBar("scoring") as bar:
            result = run_qa(
                reference, candidate, options, executor=executor, on_progress=feed_bar(bar), stream=stream
            )
        return _report(args, result, candidate)


def _load_pair(args: argparse.Namespace) -> tuple[Any, Any] | None:
    """The reference and the candidate as read (None after the errors, each naming its file): a candidate
    project first, its classes naming a mask folder's values; a candidate dataset after the reference,
    read as it is (``interop.candidates``), a tracker's results file on the reference's frames."""
    from dataclasses import replace

    from pixelproof.interop.references import ReferenceLoadError, load_reference

    project = _candidate_project(args)
    if project is False:
        return None
    try:
        reference = load_reference(args.reference, project, args.ref_format, options=given_options(args))
    except ReferenceLoadError as e:
        _say_unreadable(e, args.reference)
        return None
    from pixelproof.interop.candidates import load_candidate, same_as_reference

    if project is not None:
        same = same_as_reference(args.candidate, reference)
        return (
            reference if same is None else replace(reference, problems=[*reference.problems, same])
        ), project

    try:
        candidate, lines = load_candidate(args.candidate, reference, args.cand_format)
    except ReferenceLoadError as e:
        _say_unreadable(e, args.candidate)
        if Path(args.candidate).is_dir() and str(args.reference).lower().endswith(".json"):
            print(  # the order swapped, as tools taking the prediction first have it
                shown(
                    "pixelproof: qa takes the reference first and the candidate second: pixelproof qa "
                    f"{shlex.quote(args.candidate)} {shlex.quote(args.reference)}, if the folder is the "
                    "reference"
                ),
                file=sys.stderr,
            )
        return None
    # the candidate's reader problems and a class renamed: warned and in the reports' problems, as the
    # reference's are (each line names its file)
    return replace(reference, problems=[*reference.problems, *lines]), candidate


def _candidate_project(args: argparse.Namespace) -> Any:
    """The candidate as a project (a .json that is one, --cand-format not given), None when it is to be
    read as a dataset (a .json of another format too), False after its problems are said."""
    from pixelproof.core.coco import load_project
    from pixelproof.core.project_json import ProjectFormatError
    from pixelproof.interop.candidates import candidate_format

    path = Path(args.candidate)
    if args.cand_format is not None or path.suffix.lower() != ".json" or path.is_dir():
        return None
    try:
        return load_project(path)
    except ProjectFormatError as e:
        if candidate_format(path) not in (None, "coco"):  # a LabelMe, Label Studio ... file
            return None
        print_problems(e)
        return False


def _say_unreadable(e: Any, path: str) -> None:
    """A file that cannot be read: its problems, the last (the conclusion) never capped away."""
    print_capped(e.problems[:-1])
    print(shown(e.problems[-1]), file=sys.stderr)
    pictures = sum("looks like a photo" in p or "RGB mask and no colour map" in p for p in e.problems)
    if pictures:
        error(f"{path}: does not look like a folder of label masks ({plural(pictures, 'picture')})")


def _stream(args: argparse.Namespace) -> Any:
    """Where a run keeps its rows: spooled in the first report's folder (none without a report); the
    object rows only for the reports that show them (the JSON's per_object, the HTML's Review decisions),
    the image rows for --images-csv and the JSON's images."""
    from pathlib import Path

    from pixelproof.core.qa_tables import StreamedRows

    reports = (args.json, args.csv, args.images_csv, args.class_csv, args.objects_csv, args.html)
    outputs = [f for f in reports if f]
    folder = Path(outputs[0]).absolute().parent if outputs else None
    objects = bool(args.json or args.html or args.objects_csv)
    return StreamedRows(folder, objects=objects, images=bool(args.images_csv or args.json))


def _report(args: argparse.Namespace, result: Any, candidate: Any) -> int:
    from pixelproof.core import qa_tracks
    from pixelproof.core.qa_gate import with_keypoints
    from pixelproof.core.report_files import KINDS, nothing_to_report, write_reports

    print_capped([f"pixelproof: warning: {p}" for p in result.problems])
    if (nothing := nothing_to_report(result)) is not None:
        error(nothing)
        return 1
    outputs = {kind: getattr(args, kind) for kind in KINDS}
    try:
        data = write_reports(result, candidate, outputs, str(args.reference), str(args.candidate))
    except OSError as e:
        error(f"cannot write the report: {error_text(e)}")
        return 1
    from pixelproof.core.qa_objects import finest_pixel_mm

    _print_summary(data, finest_pixel_mm(result.pairs))
    if data["tracks"]:
        for line in qa_tracks.tracks_text(data["tracks"]):
            print(shown(line))
    elif args.tracks_csv:
        warn(
            f"{shown(args.tracks_csv)}: header only, no tracking figures "
            "(both projects need objects on tracks)"
        )
    _print_worst(result)
    return _gate(args.bounds, *with_keypoints(data["summary"], data["per_class"], data["keypoints"]))


def _gate(bounds: list[Any], summary: dict[str, Any], per_class: list[dict[str, Any]]) -> int:
    """``--fail-under``, ``--fail-over``: 3 when a figure misses a bound, each miss on its own stderr
    line."""
    from pixelproof.core.qa_gate import OPTION, unmet

    if not bounds:
        return 0
    missed = unmet(bounds, summary, per_class)
    for message in missed:
        error(message)
    if missed:
        return 3
    options = ", ".join(dict.fromkeys(OPTION[b.under] for b in bounds))
    met = ", ".join(b.met_text(summary, per_class) for b in bounds)
    print(f"{options}: every bound met: {met}")
    return 0


def _cells(row: dict[str, Any], cols: list[str], pixel_mm: float | None = None) -> list[str]:
    """A summary line's figures: distances with their unit and a * when a mean counts an ∞ (one mask empty)
    as the image diagonal; "by unit" for a mean of rows in mm and px (their own lines follow). A slide's
    distance under 1 mm in µm, as the review view writes it (``measure.distance_unit``; ``pixel_mm``: the
    run's finest pixel)."""
    from pixelproof.core.measure import distance_unit
    from pixelproof.core.qa_tables import DISTANCE_FIELDS, DISTANCE_UNITS

    out = []
    for c in cols:
        v, reason = row.get(c), row.get(f"{c}_reason")
        if c not in row:
            text = ""
        elif reason and reason.startswith("mixed units"):
            text = "by unit"
        elif c in DISTANCE_FIELDS and isinstance(v, float) and row.get("unit") in DISTANCE_UNITS:
            shown_v, unit = distance_unit(v, row["unit"], pixel_mm)
            text = f"{_f(shown_v)} {unit}" + ("*" if row.get(f"{c}_inf_replaced") else "")
        else:
            text = _f(v, reason)
        out.append(text)
    return out


def _print_table(rows: list[dict[str, Any]], cols: list[str], pixel_mm: float | None = None) -> None:
    """Columns 13 wide, wider where a figure needs it, always a space apart: a distance of a wide image
    (``2752.3887 px*`` on an 8192 px line scan) ran into the column before it."""
    from pixelproof.core.report_html import unit_rows

    lines = [(row, _cells(row, cols, pixel_mm)) for row in unit_rows(rows, "category")]
    widths = [max([13, len(c) + 1] + [len(cells[i]) + 1 for _, cells in lines]) for i, c in enumerate(cols)]
    print(f"{'category':<20}{'unit':<12}" + "".join(f"{c:>{w}}" for c, w in zip(cols, widths, strict=True)))
    for row, cells in lines:
        unit = row.get("unit_label") or row.get("unit") or ""
        name = f"{shown(row['category'])[:19]:<20}" if row["category"] else " " * 20
        figures = "".join(f"{t:>{w}}" for t, w in zip(cells, widths, strict=True))
        print(f"{name}{unit:<12}{figures}".rstrip())


def _print_summary(data: dict[str, Any], pixel_mm: float | None = None) -> None:
    from pixelproof.core.qa_nsd_tau import tau_text
    from pixelproof.core.qa_volumes import drawn_classes
    from pixelproof.core.report_ap import missed_note
    from pixelproof.core.report_numbers import both_empty_text

    s = data["summary"]
    un = data["unmatched_images"]
    print(
        f"images {s['images']}  unmatched: reference {len(un['reference'])}, candidate {len(un['candidate'])}"
        + missed_note(s)
    )
    print(f"NSD tolerance: {tau_text(data['options']['nsd_tau_applied'])}")
    cols = ["dice", "iou", "hd95", "assd", "nsd", "boundary_iou", "cldice", "precision", "recall", "pq"]
    _print_table([*data["per_class"], {**s, "category": "(all)"}], cols, pixel_mm)
    both = both_empty_text(s["n_both_empty"], data["options"]["both_empty_as_one"])
    print(
        f"{both}; one mask empty: {s['n_one_empty']}"
        + (" (* +inf replaced by the image diagonal in means)" if s.get("hd_inf_replaced") else "")
    )
    if s.get("unit") == "mixed":
        print("distances: images with a pixel_spacing in mm, the others in px, averaged apart (by unit)")
    if data.get("per_volume_class"):
        vols = len({r["volume"] for r in data["per_volume"]})
        print(f"per volume (3D, {plural(vols, 'volume')}), means over volumes:")
        drawn = drawn_classes(data["per_volume_class"])  # the JSON has every class's means, n/a or not
        _print_table(drawn, ["dice", "iou", "hd", "hd95", "assd", "nsd"], pixel_mm)
    from pixelproof.core.report_ap import ap_lines, score_threshold_line

    if line := score_threshold_line(data):
        print(line)

    for line in ap_lines(data, shutil.get_terminal_size().columns):
        print(shown(line))


PRINTED_IMAGES = 10  # the 20 worst on the --html page, every image in --images-csv (and per class in --json)


def _print_worst(result: Any) -> None:
    """The images with a problem, worst first, as ``agreement`` lists where annotators differ: where a
    lead looks next (a perfect or n/a image is only counted)."""
    from pixelproof.core.names import short_file_name
    from pixelproof.core.qa_tables import image_counts, objects_text
    from pixelproof.core.report_cards import fine_text, problem_share

    scored, with_problem = image_counts(result)
    if not with_problem:
        print(f"no image with a problem ({fine_text(result.instance_scored)}, or n/a)")
        return
    print(f"{problem_share(with_problem, scored)}, worst first by mean Dice:")
    for row in result.worst_images(PRINTED_IMAGES):
        # a wrong-class object is also counted in fn and fp (COCO's way): said once here; NaN counts:
        # semantic labels (a label volume, a DICOM SEG) pair no objects, so none is counted
        objects = (objects_text(row) or "") if result.instance_scored else ""
        name = shown(short_file_name(row["file_name"], 60))
        dice = _f(row["dice"] if math.isfinite(row["dice"]) else None)
        print(f"  {name:<40} Dice {dice}  {objects}".rstrip())
    if with_problem > PRINTED_IMAGES:
        print(
            f"  … and {with_problem - PRINTED_IMAGES} more (the 20 worst on the --html page; all in "
            "--images-csv, its column problem)"
        )
