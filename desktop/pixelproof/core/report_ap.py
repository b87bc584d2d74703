"""How a QA report shows the model's figures (``qa_ap``): COCO AP and the class confusion matrix as
terminal lines (``pixelproof qa``) and HTML tables, from the report's ``ap`` and ``confusion`` sections,
so the CLI and the HTML file say the same."""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from typing import Any

from pixelproof.core import safe_csv
from pixelproof.core.atomic import atomic_output
from pixelproof.core.keypoint_oks import KEYPOINT_STATS
from pixelproof.core.names import shown_name
from pixelproof.core.qa_ap import IOU_TYPES, STAT_NAMES
from pixelproof.core.report_columns import with_reasons
from pixelproof.core.report_html import html_name
from pixelproof.core.wording import plural

SUMMARY_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100")
CLASS_NAMES = ("AP", "AP50", "AP75", "AR100")
TYPE_NAMES = {"bbox": "boxes", "segm": "masks"}
TERMINAL_LABELS = 16  # a larger confusion matrix is left to the JSON and HTML reports


def figure(v: float | None) -> str:
    """An AP figure as the reports print it: 3 decimals, "-" where COCOeval says -1 (no reference object)."""
    return "-" if v is None else f"{v:.3f}"


def iou_types(ap: dict[str, Any]) -> list[str]:
    """The IoU types the ``ap`` section has figures for (boxes always, masks unless all are boxes)."""
    return [t for t in IOU_TYPES if ap.get(t)]


def map_text(ap: dict[str, Any]) -> str:
    """One line: mAP of each IoU type, or why AP was not computed."""
    if not ap or not ap.get("computed"):
        return f"COCO AP not computed: {ap.get('reason') or 'no object scores'}"
    text = "  ".join(f"mAP {TYPE_NAMES[t]} {figure(ap[t]['summary']['AP'])}" for t in iou_types(ap))
    return f"{text} ({ap['note']})" if ap.get("note") else text


def score_threshold_line(data: dict[str, Any]) -> str | None:
    """What ``qa --score-threshold`` left out, for the terminal and the HTML report alike: their precision
    and recall are the model's at that score, not at every detection. None without a threshold."""
    threshold = data["options"].get("score_threshold")
    if threshold is None:
        return None
    return (
        f"score threshold {threshold}: "
        f"{plural(data['options']['below_score_threshold'], 'candidate object')} "
        "scoring under it left out of the matching, precision, recall and F1; AP below is on every scored "
        "object"
    )


def ap_lines(data: dict[str, Any], width: int = 80) -> list[str]:
    """The terminal lines: COCO AP per IoU type and class, then the confusion matrix when it is small
    (``width``: the terminal's columns)."""
    ap = data.get("ap") or {}
    if not ap.get("computed"):
        out = [map_text(ap)]
    else:
        out = [f"COCO AP: {ap['note']}"] if ap.get("note") else []
        for t in iou_types(ap):
            s = ap[t]["summary"]
            out.append(
                f"COCO AP, {TYPE_NAMES[t]} ({t}): " + "  ".join(f"{n} {figure(s[n])}" for n in SUMMARY_NAMES)
            )
        types = iou_types(ap)
        head = "".join(f"{f'{n} {TYPE_NAMES[t]}':>14}" for t in types for n in ("AP", "AP50"))
        out.append(f"{'category':<20}{'reference':>10}{head}")
        rows = zip(*(ap[t]["per_class"] for t in types), strict=True)
        for per_type in rows:
            cells = "".join(f"{figure(r[n]):>14}" for r in per_type for n in ("AP", "AP50"))
            out.append(
                f"{shown_name(per_type[0]['category'], 18):<20}{per_type[0]['n_reference']:>10}{cells}"
            )
    out += keypoint_lines(data.get("keypoints"))
    out += confusion_lines(data.get("confusion") or {}, width)
    return out


KEYPOINT_SUMMARY = ("AP", "AP50", "AP75", "APm", "APl", "AR")  # the terminal's; the JSON has all ten


def _oks_text(row: dict[str, Any]) -> str:
    return f"mean OKS {figure(row['mean_oks'])} over {plural(row['pairs'], 'matched pair')}"


def keypoint_heading(section: dict[str, Any]) -> list[str]:
    """The ``keypoints`` section's first two lines: the sigmas and the mean OKS, then the keypoint AP
    summary or why it was not computed; the terminal's and the review view's dialog's one wording."""
    s = section["summary"]
    out = [f"keypoints (OKS, sigmas: {section['sigmas']}): {_oks_text(s)}"]
    if not section["computed"]:
        return [*out, f"COCO keypoint AP not computed: {section['reason']}"]
    return [
        *out,
        "COCO AP, keypoints (keypoints): " + "  ".join(f"{n} {figure(s[n])}" for n in KEYPOINT_SUMMARY),
    ]


def keypoint_lines(section: dict[str, Any] | None) -> list[str]:
    """The terminal lines of the ``keypoints`` section (``ApCollector.keypoints``): mean OKS of the
    matched pairs and COCO keypoint AP, overall then per class; nothing without keypoints."""
    if not section:
        return []
    out = keypoint_heading(section)
    head = f"{'AP':>8}{'AP50':>8}" if section["computed"] else ""
    out.append(f"{'category':<20}{'reference':>10}{'pairs':>8}{'mean OKS':>10}{head}")
    for r in section["per_class"]:
        cells = f"{figure(r['AP']):>8}{figure(r['AP50']):>8}" if section["computed"] else ""
        n_ref = r.get("n_reference", "")
        out.append(
            f"{shown_name(r['category'], 18):<20}{n_ref:>10}{r['pairs']:>8}{figure(r['mean_oks']):>10}{cells}"
        )
    return out


def keypoints_html(section: dict[str, Any] | None) -> list[str]:
    """The HTML report's keypoint table: what ``keypoint_lines`` says, every figure of the JSON."""
    if not section:
        return []
    names = KEYPOINT_STATS if section["computed"] else ()
    parts = [f"<h3>Keypoints: OKS and COCO keypoint AP</h3><p>Sigmas: {html.escape(section['sigmas'])}. "]
    parts.append(html.escape(_oks_text(section["summary"])))
    if not section["computed"]:
        parts.append(f"; COCO keypoint AP not computed: {html.escape(str(section['reason']))}")
    parts.append(".</p><table><tr><th>category</th><th>reference</th><th>pairs</th><th>mean OKS</th>")
    parts.append("".join(f"<th>{n}</th>" for n in names) + "</tr>")
    for r in [*section["per_class"], {**section["summary"], "category": "(all)", "n_reference": ""}]:
        cells = "".join(f"<td>{figure(r.get(n))}</td>" for n in names)
        parts.append(
            f"<tr><td>{html_name(r['category'])}</td><td>{r.get('n_reference', '')}</td><td>{r['pairs']}</td>"
            f"<td>{figure(r['mean_oks'])}</td>{cells}</tr>"
        )
    parts.append("</table>")
    return parts


def confusion_lines(confusion: dict[str, Any], width: int = 80) -> list[str]:
    """The confusion matrix as text (rows: reference class, columns: candidate class), or where to find it.
    Every class is named whole: over its column when the matrix fits in ``width`` columns, else the columns
    are numbered as the rows (``1 cat``), a row's name cut only when even that is too wide, then named
    whole below; "motorcycl…" and "backgroun…" told a lead nothing."""
    labels = confusion.get("labels") or []
    if len(labels) < 2 or not any(map(any, confusion["matrix"])):
        return []
    if len(labels) > TERMINAL_LABELS:
        return [f"confusion matrix: {len(labels)} x {len(labels)} classes, in the --json and --html reports"]
    names = [shown_name(n, len(n)) for n in labels]  # whole, control characters escaped
    digits = max(len(str(v)) for row in confusion["matrix"] for v in row)
    longest = max(map(len, names))
    column = max(digits, longest) + 2
    title = "confusion matrix (rows: reference, columns: candidate{}; background: missed / extra):"
    if longest + 2 + column * len(labels) <= width:
        out = [title.format(""), " " * (longest + 2) + "".join(f"{n:>{column}}" for n in names)]
        for name, row in zip(names, confusion["matrix"], strict=True):
            out.append(f"{name:<{longest + 2}}" + "".join(f"{v:>{column}}" for v in row))
        return out
    number = len(str(len(labels)))
    column = max(digits, number) + 2
    room = max(width - column * len(labels) - number - 3, 6)  # a row's name: cut, named below, if longer
    shown = [n if len(n) <= room else shown_name(n, room - 1) for n in names]
    lead = number + 1 + max(map(len, shown)) + 2
    out = [title.format(", numbered as the rows")]
    out.append(" " * lead + "".join(f"{k:>{column}}" for k in range(1, len(labels) + 1)))
    for k, (name, row) in enumerate(zip(shown, confusion["matrix"], strict=True), 1):
        out.append(f"{f'{k:>{number}} {name}':<{lead}}" + "".join(f"{v:>{column}}" for v in row))
    cut = [f"{k:>{number}} {n}" for k, (n, c) in enumerate(zip(names, shown, strict=True), 1) if n != c]
    return out + (["whole names:", *cut] if cut else [])


def ap_html(data: dict[str, Any]) -> list[str]:
    """The HTML report's section: AP tables per IoU type and the confusion matrix."""
    ap = data.get("ap") or {}
    parts = ["<h2>Model: COCO AP and class confusion</h2>"]
    if not ap.get("computed"):
        parts.append(f"<p>{html.escape(map_text(ap))}</p>")
    elif ap.get("note"):
        parts.append(f"<p>{html.escape(str(ap['note']))}</p>")
    for t in iou_types(ap) if ap.get("computed") else []:
        s = ap[t]["summary"]
        parts.append(f"<h3>COCO AP, {TYPE_NAMES[t]} ({t})</h3><table><tr><th>category</th><th>reference</th>")
        parts.append("".join(f"<th>{n}</th>" for n in SUMMARY_NAMES) + "</tr>")
        rows = [*ap[t]["per_class"], {**s, "category": "(all: mAP)", "n_reference": ""}]
        for r in rows:
            cells = "".join(f"<td>{figure(r.get(n))}</td>" for n in SUMMARY_NAMES)
            parts.append(f"<tr><td>{html_name(r['category'])}</td><td>{r['n_reference']}</td>{cells}</tr>")
        parts.append("</table>")
        parts += pr_curves_html(ap, t)
    parts += keypoints_html(data.get("keypoints"))
    confusion = data.get("confusion") or {}
    labels = confusion.get("labels") or []
    if len(labels) >= 2:
        parts.append(
            "<h3>Confusion matrix</h3><p>Rows: reference class; columns: candidate class; background: "
            "reference objects missed (column) and candidate objects extra (row).</p>"
        )
        head = "".join(f"<th>{html_name(n)}</th>" for n in labels)
        parts.append(f"<table><tr><th></th>{head}</tr>")
        for name, row in zip(labels, confusion["matrix"], strict=True):
            cells = "".join(f"<td>{v}</td>" for v in row)
            parts.append(f"<tr><th>{html_name(name)}</th>{cells}</tr>")
        parts.append("</table>")
    return parts


CURVE_W, CURVE_H, CURVE_PAD = 200, 140, 30  # a class's precision-recall chart: plot size, margin
CURVE_RECALLS = (0.5, 0.8, 0.9)  # the operating points listed under a chart, with the last recall reached


def _operating_points(recalls: list[float], precision: list[float], score: list[float]) -> list[str]:
    """Lines "recall 0.50: precision 0.83 at score ≥ 0.478" at ``CURVE_RECALLS`` and the last recall the
    curve reaches (its precision above 0): where to set a score threshold for that recall."""
    reached = [i for i, p in enumerate(precision) if p > 0]
    if not reached:
        return ["no detection matched"]
    wanted = [min(range(len(recalls)), key=lambda i: abs(recalls[i] - r)) for r in CURVE_RECALLS]
    points = sorted({i for i in wanted if i <= reached[-1]} | {reached[-1]})
    points = [
        i for i, j in zip(points, [*points[1:], None], strict=True) if j is None or score[i] != score[j]
    ]  # one per score
    return [
        f"recall {recalls[i]:.2f}: precision {precision[i]:.2f} at score ≥ {score[i]:.3g}" for i in points
    ]


def pr_curves_html(ap: dict[str, Any], iou_type: str) -> list[str]:
    """Each class's precision-recall curve (``pr_curve``: COCOeval's interpolated precision at the 101
    recall points) as a small inline SVG, IoU 0.50 solid and 0.75 dashed, with the score thresholds that
    reach a few recalls: what FiftyOne's ``plot_pr_curves`` shows, offline."""
    recalls = ap.get("recall_points") or []
    rows = [r for r in ap[iou_type]["per_class"] if r.get("pr_curve")]
    if not rows or not recalls:
        return []
    out = [
        f"<h3>Precision-recall curves, {TYPE_NAMES[iou_type]}</h3><p>Interpolated precision (up) at each "
        "recall (across) as COCOeval reads it, IoU 0.50 solid, 0.75 dashed; under each chart the lowest "
        "score to keep for a recall at IoU 0.50.</p><div>"
    ]
    w, h, pad = CURVE_W, CURVE_H, CURVE_PAD
    for r in rows:
        curve = r["pr_curve"]
        name = html.escape(r["category"], quote=True)
        svg = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 2 * pad}" height="{h + 2 * pad}">',
            f'<rect x="{pad}" y="{pad}" width="{w}" height="{h}" fill="none" stroke="#999"/>',
            f'<text x="{pad}" y="{pad - 8}" font-size="12">{html_name(r["category"])}: AP50 '
            f"{figure(r.get('AP50'))}</text>",
            f'<text x="{pad + w / 2}" y="{h + 2 * pad - 6}" font-size="10" '
            'text-anchor="middle">recall</text>',
            f'<text x="{pad - 4}" y="{pad + 4}" font-size="10" text-anchor="end">1</text>',
            f'<text x="{pad - 4}" y="{pad + h}" font-size="10" text-anchor="end">0</text>',
        ]
        dashes = ("", ' stroke-dasharray="4 3"')
        for iou, precision, dash in zip(curve["iou"], curve["precision"], dashes, strict=True):
            pts = " ".join(
                f"{pad + rc * w:.1f},{pad + (1 - p) * h:.1f}"
                for rc, p in zip(recalls, precision, strict=True)
            )
            svg.append(
                f'<polyline data-category="{name}" data-iou="{iou:g}" points="{pts}" fill="none" '
                f'stroke="#1f77b4" stroke-width="1.5"{dash}/>'
            )
        svg.append("</svg>")
        lines = _operating_points(recalls, curve["precision"][0], curve["score"][0])
        caption = "<br>".join(html.escape(line) for line in lines)
        out.append(
            f'<figure style="display:inline-block;margin:4px;vertical-align:top">{"".join(svg)}'
            f'<figcaption style="font-size:11px">{caption}</figcaption></figure>'
        )
    out.append("</div>")
    return out


def write_class_csv(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """The per-class table, one row per class and an ``(all)`` row (the summary): QA's figures as
    ``per_class`` has them, then COCO AP per IoU type (``bbox_AP``, ``bbox_AP50`` ... ``segm_ARl`` and
    ``n_reference``), for a spreadsheet; a null is an empty cell (its ``<field>_reason`` column says why);
    the per-unit means of mixed units (``by_unit``) stay in the JSON. When both sides have keypoints (the
    ``keypoints`` section), ``keypoints_pairs``, ``keypoints_mean_oks`` and, when computed,
    ``keypoints_n_reference`` and keypoint AP (``keypoints_AP`` ... ``keypoints_ARl``) follow, empty for a
    class without keypoints."""
    ap = data.get("ap") or {}
    types = iou_types(ap) if ap.get("computed") else []
    by_type = {t: {r["category"]: r for r in ap[t]["per_class"]} for t in types}
    rows = []
    for r in [*data["per_class"], {**data["summary"], "category": "(all)"}]:
        row = {k: v for k, v in r.items() if not isinstance(v, dict | list)}  # by_unit: in the JSON
        for t in types:
            figures = by_type[t].get(r["category"], ap[t]["summary"] if r["category"] == "(all)" else {})
            if t == types[0]:
                row["n_reference"] = figures.get("n_reference", "")
            row.update({f"{t}_{n}": figures.get(n) for n in STAT_NAMES})
        row.update(keypoint_cells(data.get("keypoints"), r["category"]))
        rows.append(row)
    fields = with_reasons(["category", *(k for r in rows for k in r)])  # the same columns on every run
    with atomic_output(path, text=True, newline="") as fh:
        safe_csv.write_table(fh, fields, ([r.get(k) for k in fields] for r in rows), bom=True)


def keypoint_row(section: dict[str, Any] | None, category: str) -> dict[str, Any] | None:
    """Class ``category``'s row of the ``keypoints`` section (``(all)``: its summary); None without
    keypoints or when the class has none on either side."""
    if not section:
        return None
    if category == "(all)":
        return section["summary"]
    return next((r for r in section["per_class"] if r["category"] == category), None)


def keypoint_cells(section: dict[str, Any] | None, category: str) -> dict[str, Any]:
    """The class table's keypoint columns for ``category`` (none without a ``keypoints`` section; empty
    cells for a class without keypoints): ``keypoints_pairs``, ``keypoints_mean_oks`` and, when AP was
    computed, ``keypoints_n_reference`` and ``keypoints_<stat>`` for COCOeval's ten keypoint figures."""
    if not section:
        return {}
    row = keypoint_row(section, category) or {}
    names = ("n_reference", *KEYPOINT_STATS) if section["computed"] else ()
    return {f"keypoints_{n}": row.get(n) for n in ("pairs", "mean_oks", *names)}


# the columns of ``write_objects_csv``, first those a relabelling list needs
OBJECT_COLUMNS = (
    "file_name",
    "status",
    "category",
    "cand_category",
    "ref_id",
    "cand_id",
    "iou",
    "score",
    "oks",
)
OBJECT_MORE = ("image_id", "kind", "best_iou", "review", "note")


def write_objects_csv(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """One row per matched pair, wrong-class pair, missed (fn), extra (fp) or ignored object, as the JSON's
    ``per_object`` has them, for a spreadsheet: a model's false positives to relabel without parsing the
    JSON. ``bbox`` (around both objects) as ``x``, ``y``, ``w``, ``h``; a null is an empty cell."""
    header = [*OBJECT_COLUMNS, *OBJECT_MORE, "x", "y", "w", "h"]

    def rows() -> Iterator[list[Any]]:
        for r in data["per_object"]:  # a ``Spool`` read from disk, row by row
            yield [r.get(k) for k in (*OBJECT_COLUMNS, *OBJECT_MORE)] + list(r.get("bbox") or [None] * 4)

    with atomic_output(path, text=True, newline="") as fh:
        safe_csv.write_table(fh, header, rows(), bom=True)


def _flag_value(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def reading_options(reference: Any) -> dict[str, Any]:
    """How the reference was read (its format, its reader's options): they change figures too."""
    return {
        "ref_format": getattr(reference, "format", "") or None,
        "reader_options": {
            k: v if isinstance(v, bool | int | float | str) or v is None else str(v)
            for k, v in (getattr(reference, "reader_options", None) or {}).items()
        },
    }


def options_html(options: dict[str, Any]) -> str:
    """The run's options that change a figure, as the flags that set them (``--iou-threshold 0.5``),
    defaults too, from what the run recorded (the JSON's ``options``): every one but the count of objects
    ``--score-threshold`` left out (said under the summary). A reader option of the reference appears
    when given; ``nsd_tau_by_class`` (the Python API's) as ``NSD tolerance per class``."""
    from pixelproof.core.qa_nsd_tau import tau_text

    named = {"nsd_tau_by_class": "NSD tolerance per class", "boundary_iou_d": "boundary IoU band (px)"}
    said = []
    for key, v in options.items():
        if key == "below_score_threshold":
            continue
        if key == "nsd_tau_applied":  # what each kind of image was scored at: a slide's 2 µm, a CT's 2 mm
            said.append(f"NSD tolerance used: {tau_text(v)}")
            continue
        if key == "reader_options":
            said += [f"--{k.replace('_', '-')} {_flag_value(x)}" for k, x in v.items()]
        elif key == "nsd_tau_by_class":
            per = ", ".join(f"{c} {t}" for c, t in v.items()) or "none"
            said.append(f"{named[key]}: {per}")
        elif key in named:
            said.append(f"{named[key]}: {_flag_value(v)}")
        elif key == "ref_format":
            said.append(f"--ref-format {v}" if v else "reference given as a project (no format read)")
        else:
            said.append(f"--{key.replace('_', '-')} {_flag_value(v)}")
    return "<p class='options'>Options: " + "; ".join(f"<code>{html.escape(x)}</code>" for x in said) + "</p>"


def missed_note(summary: dict[str, Any]) -> str:
    """After the unmatched images, what their reference objects counted as (``qa_unmatched``), or nothing:
    the terminal's and the HTML page's one text."""
    n = summary.get("unmatched_reference_objects") or 0
    return f"; their {plural(n, 'reference object')} counted as missed (fn, AP)" if n else ""
