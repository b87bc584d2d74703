"""The building blocks of PixelProof's HTML reports (QA, agreement, lint): user text escaped and isolated,
class and file names cut to fit a cell, tables whose null cells say why, inline SVG charts and the page's
CSS, so every page shows a name, a figure and a missing value the same way."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

from pixelproof.core.limits import NAME_SHOWN
from pixelproof.core.measure import distance_unit
from pixelproof.core.names import short_file_name
from pixelproof.core.qa_tables import DISTANCE_FIELDS, DISTANCE_UNITS
from pixelproof.core.report_numbers import figure_text

REPORT_CSS = """
body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;overflow-wrap:anywhere}th{background:#eee}
td:first-child{text-align:left}
.thumbs{display:flex;flex-wrap:wrap;gap:12px}.thumbs figure{margin:0;font-size:12px;max-width:260px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff}
"""


def html_text(value: Any) -> str:
    """User text (a name, a file name, a path, a message) for an HTML report: escaped, so markup shows as
    written, and isolated in ``<bdi>``, so a right-to-left override in it cannot reverse what follows."""
    return f"<bdi>{html.escape(str(value))}</bdi>"


def _fmt(v: Any, reason: str | None = None) -> str:
    if v is None:
        if reason == "one mask empty":
            return "∞ (one mask empty)"
        return f"n/a ({reason})" if reason else "n/a"
    if isinstance(v, float):
        return figure_text(v)  # as the printed summary
    return html_text(v) if isinstance(v, str) else html.escape(str(v))


_NAME_FIELDS = frozenset({"category", "cand_category", "volume_category"})  # cut to NAME_SHOWN in a cell


def html_name(name: str) -> str:
    """A class name in a table cell: a 10,000-character one made the table as wide, so it is cut, not
    escaped: isolated as written (``html_text``), as the lint and agreement pages show it."""
    return html_text(name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN] + "…")


def _cell(r: dict[str, Any], c: str, pixel_mm: float | None = None) -> str:
    """One cell: blank when the row has no such field (a by-unit row's unitless figures); a distance with
    its row's unit, a slide's under 1 mm in µm when ``pixel_mm`` (the run's finest pixel) is known, as the
    terminal and the review view write it (``measure.distance_unit``), and, in a mean, how many ∞ (one
    mask empty) it counts as the image diagonal."""
    if c not in r:
        return ""
    if c in _NAME_FIELDS and isinstance(r[c], str):
        return html_name(r[c])
    if c == "file_name" and isinstance(r[c], str):  # a 10,000-character name made it as wide too
        return html_text(short_file_name(r[c]))
    reason = r.get(f"{c}_reason")
    if reason and reason.startswith("mixed units ("):
        return f"n/a ({reason[len('mixed units (') : reason.find(')')]}: see the rows by unit)"
    text = _fmt(r[c], reason)
    if c in DISTANCE_FIELDS and isinstance(r[c], float) and r.get("unit") in DISTANCE_UNITS:
        v, unit = distance_unit(r[c], r["unit"], pixel_mm) if pixel_mm is not None else (r[c], r["unit"])
        text = f"{_fmt(v)} {unit}"
        if r.get(f"{c}_inf_replaced"):
            text += f" (incl. {r[f'{c}_inf_replaced']} ∞ as the image diagonal)"
    return text


def rows_in(unit: str, n: int) -> str:
    """The label of an aggregate's rows in one unit: "mm, 3 rows"."""
    return f"{unit}, {n} row{'' if n == 1 else 's'}"


def unit_rows(rows: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """Aggregate rows for a table, each of mixed units followed by one row per unit with its distances
    (``label``'s cell and the unitless figures left blank), so no cell averages mm with px."""
    out = []
    for r in rows:
        out.append(r)
        for unit, group in (r.get("by_unit") or {}).items():
            out.append({label: "", **group, "unit": unit, "unit_label": rows_in(unit, group["n_rows"])})
    return out


def html_table(rows: list[dict[str, Any]], columns: list[str], pixel_mm: float | None = None) -> str:
    """An HTML table of ``columns``; null values show their ``<column>_reason``, distances their unit
    (µm for a slide's, ``pixel_mm`` given: ``_cell``)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for r in rows:
        cells = "".join(
            "<td>"
            + (html_text(r["unit_label"]) if c == "unit" and "unit_label" in r else _cell(r, c, pixel_mm))
            + "</td>"
            for c in columns
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def svg_bars(title: str, labels: list[str], values: list[float | None], vmax: float | None = None) -> str:
    """A horizontal bar chart as inline SVG (no plotting dependency)."""
    finite = [v for v in values if v is not None]
    top = vmax if vmax is not None else (max(finite) if finite else 1.0) or 1.0
    row_h, label_w, bar_w = 18, 160, 300
    h = 24 + row_h * len(labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 80}" height="{h}">',
        f'<text x="0" y="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        y = 22 + i * row_h
        parts.append(f'<text x="0" y="{y + 12}" font-size="12">{html.escape(lab[:24])}</text>')
        if v is None:
            parts.append(f'<text x="{label_w}" y="{y + 12}" font-size="12" fill="#888">n/a</text>')
            continue
        w = max(0.0, min(1.0, v / top)) * bar_w
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" fill="#0072b2"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="12">{v:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_histogram(title: str, values: Iterable[float], bins: int = 20) -> str:
    """Histogram of values in [0, 1] as inline SVG (counted a chunk at a time: values may be many)."""
    counts = np.zeros(bins, np.int64)
    it = iter(values)
    while chunk := list(itertools.islice(it, 65536)):
        counts += np.histogram(np.asarray(chunk, dtype=float), bins=bins, range=(0.0, 1.0))[0]
    top = max(int(counts.max()) if counts.size else 0, 1)
    w, h, pad = 400, 140, 20
    bw = w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 2 * pad}" height="{h + 2 * pad + 10}">',
        f'<text x="{pad}" y="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, c in enumerate(counts):
        bh = c / top * h
        parts.append(
            f'<rect x="{pad + i * bw:.1f}" y="{pad + h - bh:.1f}" width="{bw - 1:.1f}" '
            f'height="{bh:.1f}" fill="#009e73"><title>{c}</title></rect>'
        )
    parts.append(f'<text x="{pad}" y="{h + 2 * pad + 4}" font-size="11">0</text>')
    parts.append(f'<text x="{pad + w - 8}" y="{h + 2 * pad + 4}" font-size="11">1</text>')
    parts.append("</svg>")
    return "".join(parts)
