"""The agreement report as one self-contained HTML page (tables and bar charts, no scripts), from the
data ``core.agreement.AgreementResult`` gives. Split out of ``core.agreement``, which computes it.
"""

from __future__ import annotations

import os
from typing import Any

from pixelproof.core.atomic import atomic_output


def _hd95_per_unit(card: dict[str, Any]) -> dict[str, Any]:
    """A scorecard over honeypots in mm and in px shows its HD95 once per unit ('2.1000 mm | 4.0000 px');
    in one unit the table writes the figure with it as every distance."""
    from pixelproof.core.scorecards import hd95_shown

    return {**card, "hd95": hd95_shown(card, 4), "hd95_reason": None} if card.get("hd95_by_unit") else card


def write_html(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """The agreement report as one self-contained HTML page (tables and bar charts, no scripts)."""
    from pixelproof.core.agreement_annotators import per_annotator_html
    from pixelproof.core.agreement_images import differing_html
    from pixelproof.core.report_html import REPORT_CSS, html_table, html_text, svg_bars

    s = data["summary"]
    pairs = [{**p, "pair": f"{p['a']} / {p['b']}"} for p in data["pairs"]]
    staple_rows = [
        {"category": c["category"], "annotator": who, **v}
        for c in data["per_class"]
        for who, v in c["staple"].items()
    ]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>PixelProof agreement report</title>",
        f"<style>{REPORT_CSS}</style></head><body><h1>Agreement between annotators</h1>",
        f"<p>Annotators: {', '.join(map(html_text, data['raters']))}; overlap images: {data['images']}; "
        f"objects matched when IoU &gt; {data['iou_threshold']}</p>",
        "<h2>Summary</h2>",
        html_table(
            [s], ["dice", "iou", "f1", "fleiss_kappa", "krippendorff_alpha", "units", "units_one_rater"]
        ),
        "<h2>Pairs of annotators</h2>",
        html_table(
            pairs,
            [
                "pair",
                "images",
                "n_both_empty",
                "rows",
                "dice",
                "iou",
                "f1",
                "tp",
                "fp",
                "fn",
                "units_both",
                "cohen_kappa",
            ],
        ),
        svg_bars("Mean Dice per pair", [p["pair"] for p in pairs], [p["dice"] for p in pairs], 1.0),
        *per_annotator_html(data),
        *differing_html(data),
        "<h2>Per class</h2>",
        html_table(data["per_class"], ["category", "dice", "iou", "f1", "tp", "fp", "fn"]),
        "<h2>STAPLE: each annotator against the estimated truth</h2>",
        html_table(staple_rows, ["category", "annotator", "sensitivity", "specificity"]),
    ]
    if data.get("honeypots"):
        parts += [
            "<h2>Honeypot scorecards</h2>",
            html_table(
                [_hd95_per_unit(card) for card in data["honeypots"]],
                ["annotator", "images", "dice", "hd95", "f1", "precision", "recall", "seconds_per_image"],
            ),
        ]
    if data["problems"]:
        parts.append(
            "<h2>Problems</h2><ul>" + "".join(f"<li>{html_text(p)}</li>" for p in data["problems"]) + "</ul>"
        )
    parts.append(
        "<h2>Conventions</h2><p>Dice/IoU per image, class and pair on the union of each annotator's "
        "class masks; an image both annotators of a pair left empty counts as agreement, Dice = IoU = 1 "
        "(n_both_empty; F1 is pooled over objects, so it has none to count). F1 from same-class Hungarian "
        "matching (as QA). Kappa and alpha on objects matched "
        "across annotators whatever their class: Cohen per pair, Fleiss on objects every annotator of the "
        "image drew, Krippendorff (nominal) on all, an annotator without the object being a missing "
        "label.</p></body></html>"
    )
    with atomic_output(path, text=True) as fh:  # as every report: whole or not at all (Ctrl+C)
        fh.write("\n".join(parts))
