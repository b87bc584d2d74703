"""Write a ``QAResult`` as JSON, CSV or one self-contained HTML file (fields documented in README).

NaN and +inf are not JSON: they are written as ``null`` with a ``<field>_reason`` next to them ("both
empty", "one mask empty", ...), so a reader never mistakes "not applicable" for 0.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pixelproof.core import qa, qa_difference, report_images, safe_csv
from pixelproof.core.atomic import atomic_output
from pixelproof.core.limits import LimitError, cut_note
from pixelproof.core.metrics import MaskComparison
from pixelproof.core.names import short_file_name
from pixelproof.core.qa import (
    COUNT_FIELDS,
    FIGURE_FIELDS,
    INSTANCE_FIELDS,
    ImageClassRow,
    ObjectRow,
    QAResult,
)
from pixelproof.core.qa_nsd_tau import tau_applied
from pixelproof.core.qa_objects import finest_pixel_mm, pair_spacing
from pixelproof.core.qa_tables import (
    CLASS_ONLY_FIELDS,
    UNIT_FIELDS,
    Spool,
    SpoolView,
    image_counts,
)
from pixelproof.core.qa_tracks import COUNTS, FIGURES, tracks_heading
from pixelproof.core.qa_volumes import VOLUME_FIELDS, VolumeRow, drawn_classes, drawn_row_dicts
from pixelproof.core.report_ap import (
    ap_html,
    missed_note,
    options_html,
    reading_options,
    score_threshold_line,
)
from pixelproof.core.report_cards import objects_caption, worst_heading
from pixelproof.core.report_columns import with_reasons
from pixelproof.core.report_html import (
    REPORT_CSS,
    html_table,
    html_text,
    svg_bars,
    svg_histogram,
    unit_rows,
)
from pixelproof.core.report_numbers import both_empty_text, figure_text
from pixelproof.core.wording import plural

CONVENTIONS = {
    "dice_iou": "per class and image on the union of the class's masks; both empty = n/a (NaN, left out of "
    "means, counted in n_both_empty) unless both_empty_as_one; one empty = 0",
    "boundary": "mask pixels with a 4-neighbour outside the mask (the image border counts as outside); "
    "Euclidean distance between pixel centres, in mm when the image has a pixel_spacing, else px",
    "units": "every distance and NSD (through its tolerance) is in its image's unit, mm with a "
    "pixel_spacing, else px (unit); means never mix the two: an aggregate over both has unit 'mixed', "
    "those figures null and one mean per unit in by_unit",
    "hd": "max of the two directed Hausdorff distances",
    "hd95": "max of the two directed 95th percentiles (linear interpolation; MONAI / Metrics Reloaded)",
    "hd95_pooled": "95th percentile of both directed distance sets pooled (MedPy)",
    "hd95_mean": "mean of the two directed 95th percentiles (Plastimatch / SlicerRT)",
    "assd": "mean of both directed distance sets pooled",
    "masd": "mean of the two directed means",
    "nsd": "boundary pixels of each mask within tau (d <= tau) of the other, over all boundary pixels",
    "boundary_iou": "Cheng et al. 2021: band of width d = max(1, round(0.02 x image diagonal)) px inside "
    "each mask (1-px zero padding, d erosions with a 3x3 kernel), IoU of the bands",
    "cldice": "Shit et al. 2021, per class and image (not per object): Tprec = |S_P & V_L| / |S_P|, Tsens = "
    "|S_L & V_P| / |S_L|, S = skimage skeletonize (Zhang) of mask V, clDice = 2 Tprec Tsens / (Tprec + "
    "Tsens); both empty n/a, one empty 0, neither centreline inside the other mask 0; not computed (n/a, "
    "one side empty or not) for boxes, masks a 33 x 33 px square fits in (no thin structure) or thinning "
    "over 300 M pixel-passes",
    "empty": "one mask empty: distances are +inf (null, reason 'one mask empty'), replaced by the image "
    "diagonal in means (counted in <field>_inf_replaced); both empty: n/a",
    "instances": "per class, Hungarian assignment on 1 - IoU, a pair counts when IoU > iou_threshold; "
    "leftovers matched across classes are 'wrong_class' (FN of the reference class, FP of the candidate "
    "class); box-only annotations use box IoU; PQ = SQ x RQ, SQ = mean matched IoU, RQ = F1",
    "crowd": "as COCO's evaluation: crowd regions (iscrowd 1) take no part in object matching; a reference "
    "one is never FN (crowd_regions), a candidate one never FP (cand_crowd_regions); a candidate left "
    "unmatched with intersection / its own area > iou_threshold in a reference crowd region of its class "
    "is ignored (ignored_in_crowd: neither TP nor FP, not in the wrong_class pass); pixel figures count "
    "crowd pixels as their class's",
    "void": "void pixels (value 255 in reference mask PNGs) are removed from both masks before any count",
    "volumes": "per volume (slices named like ct.nii.gz#z=012, stacked by index): 3D Dice/IoU from voxel "
    "counts; boundary = voxels with a 6-neighbour outside the mask; distances between voxel centres in mm "
    "with the slice spacing taken from the slices' positions (slice_position), else in voxel units (unit "
    "'voxel'); same HD95, ASSD, MASD, NSD definitions; Boundary IoU and object figures are 2D only",
}


# ------------------------------------------------------------------------------------------------
# JSON-ready dicts


def _put(out: dict[str, Any], name: str, value: float, reason: str | None) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        out[name] = None
        out[f"{name}_reason"] = reason or ("one mask empty" if math.isinf(value) else "n/a")
    else:
        out[name] = value


def _pixel_counts(c: MaskComparison) -> dict[str, int]:
    """A comparison's pixel counts under their JSON names: one list for a row of an image and of a volume."""
    return {
        "tp_px": c.tp,
        "fp_px": c.fp,
        "fn_px": c.fn,
        "boundary_px_ref": c.n_boundary_ref,
        "boundary_px_cand": c.n_boundary_cand,
    }


def _agg_dict(agg: dict[str, Any], instance_scored: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in agg.items():
        if k == "by_unit":
            out[k] = {u: _agg_dict(group, instance_scored) for u, group in v.items()}
        elif isinstance(v, float) and not math.isfinite(v):
            if not instance_scored and (k in INSTANCE_FIELDS or k in COUNT_FIELDS):
                reason = "semantic reference"
            elif agg.get("unit") == "mixed" and k in UNIT_FIELDS:
                reason = f"mixed units ({' and '.join(sorted(agg.get('by_unit') or ()))}): see by_unit"
            else:
                reason = "no values (every row n/a)"
            _put(out, k, v, reason)
        else:
            out[k] = v
    return out


def image_row_dict(r: ImageClassRow) -> dict[str, Any]:
    c = r.comparison
    out: dict[str, Any] = {
        "file_name": r.file_name,
        "image_id": r.image_id,
        "category": r.category,
        "width": r.width,
        "height": r.height,
        "unit": c.unit,
        "status": c.status,
    }
    for name in FIGURE_FIELDS:
        _put(out, name, r.value(name), r.reason(name))
        if name in ("iou", "dice") and r.reason(name) and out.get(name) is not None:
            out[f"{name}_reason"] = r.reason(name)
    out.update(nsd_tau=c.nsd_tau, boundary_iou_d=c.biou_d, **_pixel_counts(c))
    for name in COUNT_FIELDS:
        v = r.value(name)
        _put(out, name, int(v) if math.isfinite(v) else v, r.reason(name))
    for name in INSTANCE_FIELDS:
        _put(out, name, r.value(name), r.reason(name))
    return out


def object_row_dict(r: ObjectRow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file_name": r.file_name,
        "image_id": r.image_id,
        "status": r.status,
        "category": r.category,
        "cand_category": r.cand_category,
        "ref_id": r.ref_id,
        "cand_id": r.cand_id,
        "score": r.score,
        "oks": r.oks,  # Object Keypoint Similarity of a pair both with keypoints (keypoint_oks)
        "bbox": r.bbox,
        "ref_bbox": r.ref_bbox,
        "cand_bbox": r.cand_bbox,
        "kind": r.kind,
        "unit": r.comparison.unit if r.comparison is not None else None,
        "best_iou": r.best_iou,
        "review": r.review,
        "note": r.note,
    }
    for name in FIGURE_FIELDS:
        if name not in CLASS_ONLY_FIELDS:
            _put(out, name, r.value(name), r.reason(name))
    return out


def volume_row_dict(r: VolumeRow) -> dict[str, Any]:
    c = r.comparison
    out: dict[str, Any] = {
        "volume": r.volume,
        "category": r.category,
        "slices": r.slices,
        "unit": c.unit,
        "spacing": list(r.spacing) if r.spacing is not None else None,
        "status": c.status,
    }
    for name in VOLUME_FIELDS:
        _put(out, name, r.value(name), r.reason(name))
    out.update(nsd_tau=c.nsd_tau, **_pixel_counts(c))
    return out


def volume_classes(result: QAResult) -> list[dict[str, Any]]:
    """Per category, the means of the 3D figures over volumes (same rules as per image)."""
    out = []
    for cat in result.categories:
        rows = [r for r in result.per_volume if r.category == cat]
        if rows:
            agg = qa.aggregate(rows, instance_scored=False)
            keep = {"n_rows", "n_both_empty", "n_one_empty", "unit", "by_unit", "tp_px", "fp_px", "fn_px"}
            keep |= set(VOLUME_FIELDS)
            keep |= {f"{n}_inf_replaced" for n in VOLUME_FIELDS}
            out.append({"category": cat, **_agg_dict({k: v for k, v in agg.items() if k in keep}, True)})
    return out


def to_dict(result: QAResult, reference: str = "", candidate: str = "") -> dict[str, Any]:
    """The whole result as JSON-ready data: summary, per_class, per_image, images, per_object, ..."""
    o = result.options
    return {
        "reference": reference,
        "candidate": candidate,
        "reference_kind": result.reference_kind,
        "options": {
            "iou_threshold": o.iou_threshold,
            "nsd_tau": o.nsd_tau if o.nsd_tau is not None else "auto",  # auto: by pixel size (qa_nsd_tau)
            "nsd_tau_applied": tau_applied(o.nsd_tau, [pair_spacing(p) for p in result.pairs]),
            "nsd_tau_by_class": dict(o.nsd_tau_by_class),
            "both_empty_as_one": o.both_empty_as_one,
            "boundary_iou_d": o.boundary_iou_d if o.boundary_iou_d is not None else "auto",
            "score_threshold": o.score_threshold,
            "versions": o.versions,  # a merged project's versions: the agreed ones or all (qa_team)
            "below_score_threshold": result.below_score,  # candidate objects it left out
            **reading_options(result.reference),
        },
        "conventions": CONVENTIONS,
        "summary": _agg_dict(result.summary(), result.instance_scored),
        "per_class": [_agg_dict(c, result.instance_scored) for c in result.per_class()],
        "per_image": _rows(result, "image"),  # per image and class: the name kept for readers of it
        "images": report_images.json_image_rows(result, result.image_reviews),  # one row per image
        "per_object": _rows(result, "object"),
        "per_volume": [volume_row_dict(r) for r in result.per_volume],
        "per_volume_class": volume_classes(result),
        "ap": result.ap,
        "confusion": result.confusion,
        "keypoints": result.keypoints,  # OKS and COCO keypoint AP (qa_ap); None unless both have keypoints
        "tracks": result.tracks,  # qa_tracks: MOTA, IDF1, ... per frame sequence; None without tracks
        "image_reviews": [dict(r) for r in result.image_reviews],
        "unmatched_images": {
            "reference": list(result.unmatched_reference),
            "candidate": list(result.unmatched_candidate),
        },
        "problems": list(result.problems),
    }


def _rows(result: QAResult, which: str) -> list[dict[str, Any]] | Spool:
    """The per-image or per-object rows as dicts: made now, or spooled on disk by a streamed run."""
    if result.streamed is not None:
        return result.streamed.image_rows if which == "image" else result.streamed.object_rows
    if which == "image":
        return [image_row_dict(r) for r in result.per_image]
    return [object_row_dict(r) for r in result.per_object]


def write_json(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """``json.dumps(data, indent=1)`` byte for byte, written as it goes: a top-level list may be a
    ``Spool`` or ``SpoolView`` (rows on disk), so a report of any size is never held in memory whole."""
    with atomic_output(path, text=True) as fh:
        fh.write("{")
        for i, (key, value) in enumerate(data.items()):
            fh.write(("\n " if i == 0 else ",\n ") + json.dumps(key) + ": ")
            if isinstance(value, Spool | SpoolView):
                for n, item in enumerate(value):
                    fh.write("[\n  " if n == 0 else ",\n  ")
                    fh.write(json.dumps(item, indent=1, allow_nan=False).replace("\n", "\n  "))
                fh.write("\n ]" if len(value) else "[]")
            else:
                fh.write(json.dumps(value, indent=1, allow_nan=False).replace("\n", "\n "))
        fh.write("\n}\n" if data else "}\n")


def write_csv(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """The per_image table (one row per image and category); empty cells for null values. The rows are
    read twice (a ``Spool`` from disk): the columns are every key any row has, ``report_columns``'s way."""
    decided = {r["image_id"]: r for r in data.get("image_reviews", [])}

    def rows() -> Iterator[dict[str, Any]]:  # each with its image's decision, if one was made
        for r in data["per_image"]:
            d = decided.get(r["image_id"], {})
            yield {**r, "image_review": d.get("review"), "image_review_note": d.get("note")}

    fields = with_reasons(k for r in rows() for k in r)  # the same columns on every run
    with atomic_output(path, text=True, newline="") as fh:
        header = fields or ["file_name", "category"]
        safe_csv.write_table(fh, header, ([r.get(k) for k in header] for r in rows()), bom=True)


# ------------------------------------------------------------------------------------------------
# HTML


def hd95_charts(per_class: list[dict[str, Any]]) -> list[str]:
    """Mean HD95 per class, one chart per unit (a bar in mm beside one in px would compare nothing)."""
    by_unit: dict[str, tuple[list[str], list[float | None]]] = {}
    for c in per_class:
        groups = c.get("by_unit") or ({c["unit"]: c} if c.get("unit") else {})
        for unit, g in groups.items():
            labels, values = by_unit.setdefault(unit, ([], []))
            labels.append(c["category"])
            values.append(g["hd95"])
    if not by_unit:
        return [svg_bars("Mean HD95 per class", [c["category"] for c in per_class], [None] * len(per_class))]
    said = {"mm": "mm, images with a pixel_spacing", "px": "px, images without a pixel_spacing"}
    many = len(by_unit) > 1
    return [
        svg_bars(f"Mean HD95 per class ({said.get(u, u) if many else u})", labels, values)
        for u, (labels, values) in sorted(by_unit.items())
    ]


_FIGS = ("dice", "iou", "hd", "hd95", "assd", "masd", "nsd", "boundary_iou", "cldice")
_CLASS_COLUMNS = ["category", "unit", "n_rows", "n_both_empty", "n_one_empty", *_FIGS, "precision", "recall"]
_CLASS_COLUMNS += ["f1", "pq", "tp", "fp", "fn", "wrong_class", "ignored_in_crowd", "crowd_regions"]
_SUMMARY_COLUMNS = ["unit", *_FIGS, "precision", "recall", "f1", "pq", "sq", "rq", "tp", "fp", "fn"]
_SUMMARY_COLUMNS += ["wrong_class", "ignored_in_crowd", "crowd_regions", "cand_crowd_regions"]


DECIDED_SHOWN = (
    500  # image decisions, and objects with a decision or note, listed on the page; all in the JSON
)


def decisions_html(data: dict[str, Any]) -> list[str]:
    """The reviewer's decisions: counts of the candidate objects by review state, the whole-image
    decisions and the objects accepted, rejected or with a note (the first ``DECIDED_SHOWN`` of each),
    each note cut at ``MAX_NOTE`` characters (``cut_note``; --json has it whole)."""
    counts: Counter[str] = Counter()
    decided = []
    for o in data["per_object"]:
        if o.get("cand_id") is None:
            continue
        counts[o.get("review") or "undecided"] += 1
        if o.get("review") in ("accepted", "rejected") or o.get("note"):
            decided.append(o)
    images = data.get("image_reviews", [])
    if not images and not decided:
        return []
    said = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    parts = ["<h2>Review decisions</h2>", f"<p>Candidate objects scored: {said or 'none'}.</p>"]
    if images:
        shown_images = [{**r, "note": cut_note(r.get("note") or "")} for r in images[:DECIDED_SHOWN]]
        parts.append(html_table(shown_images, ["file_name", "review", "note"]))
        if len(images) > DECIDED_SHOWN:
            parts.append(f"<p>… and {len(images) - DECIDED_SHOWN} more images (all are in --json).</p>")
    if decided:
        cols = ["file_name", "status", "category", "cand_id", "iou", "review", "note"]
        shown = [
            {**o, "review": o.get("review") or "", "note": cut_note(o.get("note") or "")}
            for o in decided[:DECIDED_SHOWN]
        ]
        parts.append(html_table(shown, cols))
        if len(decided) > DECIDED_SHOWN:
            parts.append(f"<p>… and {len(decided) - DECIDED_SHOWN} more objects (all are in --json).</p>")
    return parts


TRACK_COLUMNS = ["sequence", *FIGURES, *COUNTS]  # --tracks-csv's, a null's reason in its cell


def tracks_html(tracks: dict[str, Any] | None) -> list[str]:
    """The tracking figures (``qa_tracks``): a row per sequence and the ``(all)`` row, as --tracks-csv
    has them; nothing without tracks."""
    if not tracks:
        return []
    rows = [
        {**r, "sequence": short_file_name(r["sequence"])}
        for r in [*tracks["per_sequence"], tracks["overall"]]
    ]
    heading = tracks_heading(tracks)
    return ["<h2>Tracks</h2>", f"<p>{html.escape(heading)}</p>", html_table(rows, TRACK_COLUMNS)]


def write_html(
    data: dict[str, Any],
    path: str | os.PathLike[str],
    result: QAResult | None = None,
    reference: Any = None,
    candidate: Any = None,
    worst: int = 20,
) -> None:
    """One self-contained HTML file: summary, per-class table and plots, the worst images' overlays."""
    s = data["summary"]
    pixel_mm = finest_pixel_mm(result.pairs) if result is not None else None  # a slide's in µm
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>PixelProof QA report</title>",
        f"<style>{REPORT_CSS}</style></head><body><h1>PixelProof QA report</h1>",
        f"<p>Reference: {html_text(short_file_name(data['reference']))} "
        f"({html.escape(data['reference_kind'])})<br>"
        f"Candidate: {html_text(short_file_name(data['candidate']))}<br>"
        f"Images scored: {s['images']}; unmatched: {s['unmatched_reference']} reference, "
        f"{s['unmatched_candidate']} candidate{html.escape(missed_note(s))}</p>",
        options_html(data["options"]),
        "<h2>Summary</h2>",
        html_table(unit_rows([s], "unit"), _SUMMARY_COLUMNS, pixel_mm),
        f"<p>Rows (image x category): {s['n_rows']}; "
        f"{both_empty_text(s['n_both_empty'], data['options']['both_empty_as_one'])}; "
        f"one mask empty: {s['n_one_empty']}.</p>",
    ]
    if line := score_threshold_line(data):  # its precision and recall are the model's at that score
        parts.append(f"<p>{html.escape(line)}</p>")
    if s.get("hd_inf_replaced"):
        parts.append(
            f"<p><b>Note:</b> {plural(s['hd_inf_replaced'], 'distance value')} of +inf (one mask empty) "
            "replaced by the image diagonal in the means.</p>"
        )
    pc = data["per_class"]
    parts += [
        "<h2>Per class</h2>",
        html_table(unit_rows(pc, "category"), _CLASS_COLUMNS, pixel_mm),
        "<div>",
        svg_bars("Mean Dice per class", [c["category"] for c in pc], [c["dice"] for c in pc], 1.0),
        *hd95_charts(pc),
        svg_bars("PQ per class", [c["category"] for c in pc], [c.get("pq") for c in pc], 1.0),
        svg_histogram(
            "Per-image Dice (image x category rows)",
            (r["dice"] for r in data["per_image"] if r["dice"] is not None),
        ),
        "</div>",
    ]
    if data.get("per_volume"):  # the classes a side drew in a volume (the JSON has every class's row)
        cols = ["category", "unit", "n_rows", "n_both_empty", "n_one_empty", *VOLUME_FIELDS]
        classes = unit_rows(drawn_classes(data["per_volume_class"]), "category")
        parts += ["<h2>Per volume (3D)</h2>", html_table(classes, cols, pixel_mm)]
        rows = drawn_row_dicts(data["per_volume"])
        parts.append(html_table(rows, ["volume", "category", "slices", "unit", *VOLUME_FIELDS], pixel_mm))
    parts += tracks_html(data.get("tracks"))
    if result is not None and reference is not None and candidate is not None:
        legend = "".join(
            f"<span style='background:rgb{tuple(qa_difference.DIFF_COLORS[k][:3])}'>{html.escape(v)}</span>"
            for k, v in qa_difference.DIFF_NAMES.items()
            if k != qa_difference.DIFF_NONE
        )
        pairs = {p.file_name: p for p in result.pairs}
        cards = [row for row in result.worst_images(worst) if row["file_name"] in pairs]
        parts.append(worst_heading(len(cards), *image_counts(result), result.instance_scored))
        if cards:
            parts.append(
                f"<p class='legend'>{legend}</p><p>Under each: the "
                "objects that differ by annotation id, ref (the reference's) and cand (the candidate's, "
                "which the review view's decisions mark), a missed or extra one's best IoU with one of its "
                "class.</p><div class='thumbs'>"
            )
        objects: dict[str, list[dict[str, Any]]] = {}
        for o in data.get("per_object", []):
            objects.setdefault(o["file_name"], []).append(o)
        for row in cards:
            pair = pairs[row["file_name"]]
            dice = row["dice"]
            label = f"Dice {figure_text(dice)}" if math.isfinite(dice) else "Dice n/a (both empty)"
            label += objects_caption(objects.get(row["file_name"], []))
            try:
                png = base64.b64encode(qa_difference.thumbnail_png(pair, reference, candidate)).decode(
                    "ascii"
                )
                shown = f"<img src='data:image/png;base64,{png}' alt='difference'>"
            except LimitError as e:  # a whole slide: no image-sized difference
                shown = f"<p>no difference image: {html.escape(str(e))}</p>"
            parts.append(
                f"<figure>{shown}<figcaption>{html_text(short_file_name(row['file_name']))}<br>{label}</figcaption></figure>"
            )
        parts.append("</div>" if cards else "")
    parts += ap_html(data)
    parts += decisions_html(data)
    if data["unmatched_images"]["reference"] or data["unmatched_images"]["candidate"]:
        parts.append("<h2>Unmatched images</h2><ul>")
        for side in ("reference", "candidate"):
            for name in data["unmatched_images"][side]:
                parts.append(f"<li>{side}: {html_text(short_file_name(name))}</li>")
        parts.append("</ul>")
    if data["problems"]:
        parts.append("<h2>Problems</h2><ul>")
        parts += [f"<li>{html_text(p)}</li>" for p in data["problems"]]
        parts.append("</ul>")
    parts.append("<h2>Conventions</h2><ul>")
    parts += [f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in CONVENTIONS.items()]
    parts.append("</ul></body></html>")
    with atomic_output(path, text=True) as fh:
        fh.write("\n".join(parts))
