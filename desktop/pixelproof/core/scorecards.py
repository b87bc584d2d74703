"""Honeypot scorecards: each annotator scored against the reference on the hidden images (issue 16).

Uses QA as it is (``run_qa``) on the honeypot images only, so a scorecard's Dice, HD95 and F1 mean exactly
what they mean in a QA report; time per image comes from what the app recorded in the shard.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pixelproof.core.model import Project
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.qa_categories import category_pairing
from pixelproof.core.qa_objects import ImagePair, one_sided_warning, spacing_warning
from pixelproof.core.split import image_key, manifest_keys, subset


def _aligned_subset(project: Project, keys: dict[str, str]) -> Project:
    """The images of ``project`` whose key is in ``keys``, renamed to the reference's file names so QA pairs
    them by name whatever folder each project sits in."""
    ids = [im.id for im in project.images.values() if image_key(project, im) in keys]
    out = subset(project, ids)
    for im in out.images.values():
        im.file_name = keys[image_key(project, im)]
    return out


def seconds_per_image(project: Project, image_ids: list[int]) -> float:
    """Mean recorded labelling time over the images that have one (all authors summed); NaN if none."""
    spent = project.app.get("time_spent")
    if not isinstance(spent, dict):
        return math.nan
    totals = []
    for i in image_ids:
        per_author = spent.get(str(i))
        if isinstance(per_author, dict):
            values = [float(v) for v in per_author.values() if isinstance(v, int | float) and v >= 0]
            if values:
                totals.append(sum(values))
    return sum(totals) / len(totals) if totals else math.nan


def time_reason(project: Project, scored: list[int], merged: bool = False) -> str | None:
    """Why a scorecard has no time per image (``seconds_per_image`` NaN), as a report's ``<field>_reason``
    says why a figure is n/a; None when it has one. ``project`` is the annotator's whole shard (a merged
    project's versions, ``merged``, carry no time of their own); ``scored`` its honeypots' ids."""
    if not math.isnan(seconds_per_image(project, scored)):
        return None
    if not scored:
        return "no honeypot scored"
    if merged:
        return "no time read from a merged project: score the shards for it"
    spent = project.app.get("time_spent")
    if not (isinstance(spent, dict) and spent):
        return "no time recorded: shard edited outside PixelProof"
    return "no time recorded on its honeypots (not opened in PixelProof)"


def near_names(reference: Project, labelled: Sequence[tuple[str, Project]]) -> list[str]:
    """One line per reference class an annotator spells otherwise only in case, spaces, ``_`` or ``-``
    ('Person ' and 'person'), with the reference's file: the scorecards pair classes as QA does
    (``qa_categories``), so the line says whether the two are scored as one class or, spellings that
    cannot be paired one to one, as different ones (each object a miss and a false positive)."""
    ref = {c.name for c in reference.categories.values() if not c.void}
    paired: dict[tuple[str, str], list[str]] = {}
    unpaired: dict[tuple[str, ...], list[str]] = {}
    for who, project in labelled:
        theirs = {c.name for c in project.categories.values() if not c.void}
        renamed, ambiguous = category_pairing(ref, theirs)
        for r, n in renamed.items():
            paired.setdefault((r, n), []).append(who)
        for names in ambiguous:
            unpaired.setdefault(tuple(names), []).append(who)
    where = reference.path if reference.path is not None else "the reference"
    lines = [
        f"{where}: the honeypots' reference has class {r!r} where {', '.join(who)} have {n!r} (they differ "
        "only in case, spaces, '_' or '-'): scored as the same class, as QA does"
        for (r, n), who in paired.items()
    ]
    lines += [
        f"{where}: the honeypots' reference and {', '.join(who)} spell one class "
        f"{', '.join(repr(n) for n in names)} (they differ only in case, spaces, '_' or '-'), which cannot "
        "be paired one to one: scored as different classes; rename one "
        "(pixelproof taxonomy rename PROJECT OLD NEW)"
        for names, who in unpaired.items()
    ]
    return lines


def geometry_warning(pairs: list[ImagePair], annotator: str) -> list[str]:
    """qa's lines (``spacing_warning``, ``one_sided_warning``) for the honeypots (or honeypot volumes) whose
    pixel_spacing, slice_position or slice_offset the reference and ``annotator`` give otherwise, or only
    the annotator gives: the scorecard's HD95 is then in the reference's, or in the annotator's."""
    taken = "the honeypot distances use {}'s"
    both = spacing_warning(
        pairs, sides=("reference", annotator), taken=taken.format("the reference"), volumes=True
    )
    return both + one_sided_warning(
        pairs, sides=("reference", f"labels of {annotator}"), taken=taken.format(annotator)
    )


def hd95_shown(card: dict[str, Any], digits: int) -> str:
    """A scorecard's HD95 with its unit ('2.100 mm'); over honeypots in mm and in px once per unit
    ('2.100 mm | 4.000 px'), as qa never writes one mean of both: the printed line and the page."""
    by_unit = card.get("hd95_by_unit")
    if not by_unit:
        v, unit = card.get("hd95"), card.get("unit")
        return f"{v:.{digits}f} {unit}" if isinstance(v, float) and unit else "n/a"
    return " | ".join(
        f"{v:.{digits}f} {u}" if isinstance(v, float) else f"n/a {u}" for u, v in by_unit.items()
    )


def honeypot_scorecards(
    labelled: Sequence[tuple[str, Project]],
    reference: Project,
    manifest: dict[str, Any],
    iou_threshold: float = 0.5,
    problems: list[str] | None = None,
    merged: bool = False,
) -> list[dict[str, Any]]:
    """One scorecard per (annotator, what they labelled: a shard, or their versions in a merged project,
    ``merged``): Dice, HD95, F1 (QA conventions), time per image (else ``seconds_per_image_reason``),
    images scored. ``problems`` gets qa's lines (``geometry_warning``) for honeypots an annotator gives
    another pixel spacing or slice geometry than the reference, or one the reference lacks."""
    wanted = manifest_keys(manifest, "honeypots")
    ref_keys = {image_key(reference, im): im.file_name for im in reference.images.values()}
    keys = {k: name for k, name in ref_keys.items() if k in wanted}
    ref = _aligned_subset(reference, keys)
    cards = []
    for name, project in labelled:
        mine = _aligned_subset(project, keys)
        # the honeypots this annotator has: one they lack is not theirs to miss (QA counts a reference
        # image the candidate lacks as every object missed, ``qa_unmatched``)
        theirs = {im.file_name for im in mine.images.values()}
        ref_mine = subset(ref, [i for i, im in ref.images.items() if im.file_name in theirs])
        result = run_qa(ref_mine, mine, QAOptions(iou_threshold=iou_threshold))
        if problems is not None:
            problems += geometry_warning(result.pairs, name)
        s = result.summary()
        card = {
            "annotator": name,
            "images": s["images"],
            "dice": s["dice"],
            "hd95": s["hd95"],  # null when the images are some in mm, some in px: then per unit
            "unit": s["unit"],
            "f1": s["f1"],
            "precision": s["precision"],
            "recall": s["recall"],
            "seconds_per_image": seconds_per_image(mine, list(mine.images)),
        }
        card = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in card.items()}
        scored = [i for i, im in project.images.items() if image_key(project, im) in keys]
        why = time_reason(project, scored, merged)
        if why is not None:
            card["seconds_per_image_reason"] = why
        if "by_unit" in s:  # QA's means per unit: HD95 in mm of the spaced honeypots, in px of the others
            card["hd95_by_unit"] = {
                u: g["hd95"] if math.isfinite(g["hd95"]) else None for u, g in s["by_unit"].items()
            }
            card["hd95_reason"] = f"mixed units ({' and '.join(sorted(s['by_unit']))}): see hd95_by_unit"
        cards.append(card)
    return cards
