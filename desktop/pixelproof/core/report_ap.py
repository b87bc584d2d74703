"""How a QA report shows the model's figures (``qa_ap``): COCO AP and the class confusion matrix as
terminal lines (``pixelproof qa``) and HTML tables, from the report's ``ap`` and ``confusion`` sections,
so the CLI and the HTML file say the same."""

from __future__ import annotations

import html
from typing import Any

from pixelproof.core.names import shown_name
from pixelproof.core.qa_ap import IOU_TYPES

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
    return "  ".join(f"mAP {TYPE_NAMES[t]} {figure(ap[t]['summary']['AP'])}" for t in iou_types(ap))


def ap_lines(data: dict[str, Any]) -> list[str]:
    """The terminal lines: COCO AP per IoU type and class, then the confusion matrix when it is small."""
    ap = data.get("ap") or {}
    if not ap.get("computed"):
        out = [map_text(ap)]
    else:
        out = []
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
    out += confusion_lines(data.get("confusion") or {})
    return out


def confusion_lines(confusion: dict[str, Any]) -> list[str]:
    """The confusion matrix as text (rows: reference class, columns: candidate class), or where to find it."""
    labels = confusion.get("labels") or []
    if len(labels) < 2 or not any(map(any, confusion["matrix"])):
        return []
    if len(labels) > TERMINAL_LABELS:
        return [f"confusion matrix: {len(labels)} x {len(labels)} classes, in the --json and --html reports"]
    width = max(7, *(min(len(n), 10) + 1 for n in labels))
    out = ["confusion matrix (rows: reference, columns: candidate; background: missed / extra):"]
    out.append(" " * 14 + "".join(f"{shown_name(n, width - 2):>{width}}" for n in labels))
    for name, row in zip(labels, confusion["matrix"], strict=True):
        out.append(f"{shown_name(name, 12):<14}" + "".join(f"{v:>{width}}" for v in row))
    return out


def ap_html(data: dict[str, Any]) -> list[str]:
    """The HTML report's section: AP tables per IoU type and the confusion matrix."""
    from pixelproof.core.report import html_name  # the report imports this module

    ap = data.get("ap") or {}
    parts = ["<h2>Model: COCO AP and class confusion</h2>"]
    if not ap.get("computed"):
        parts.append(f"<p>{html.escape(map_text(ap))}</p>")
    for t in iou_types(ap) if ap.get("computed") else []:
        s = ap[t]["summary"]
        parts.append(f"<h3>COCO AP, {TYPE_NAMES[t]} ({t})</h3><table><tr><th>category</th><th>reference</th>")
        parts.append("".join(f"<th>{n}</th>" for n in SUMMARY_NAMES) + "</tr>")
        rows = [*ap[t]["per_class"], {**s, "category": "(all: mAP)", "n_reference": ""}]
        for r in rows:
            cells = "".join(f"<td>{figure(r.get(n))}</td>" for n in SUMMARY_NAMES)
            parts.append(f"<tr><td>{html_name(r['category'])}</td><td>{r['n_reference']}</td>{cells}</tr>")
        parts.append("</table>")
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
