"""Honeypot scorecards said a pixel_spacing both sides give otherwise (``spacing_warning``) but nothing when
only the annotator gives one (an old reference without a pixel_spacing, slice_position or slice_offset),
though the distances are then in the annotator's geometry and ``pixelproof qa`` says so
(``one_sided_warning``); nor two slice geometries of a honeypot volume. They now say qa's lines with the
annotator's name. And a scorecard's HD95 is written with its unit, as qa writes every distance."""

from __future__ import annotations

import numpy as np

from pixelproof.core import scorecards
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.scorecards import honeypot_scorecards
from tests.core.test_qa_units import IMAGES, SPACING, projects
from tests.core.test_qa_volumes import _with_geometry, box_volume, volume_project


def _said(ref, cand, images) -> list[str]:  # type: ignore[no-untyped-def]
    said: list[str] = []
    honeypot_scorecards([("ann", cand)], ref, {"honeypots": {"images": list(images)}}, problems=said)
    return said


def test_a_spacing_only_the_annotator_gives_is_said_as_qa_says_it() -> None:
    ref, cand = projects(())
    for name in ("mm.png", "px1.png"):
        cand.image_by_file_name(name).extra["pixel_spacing"] = list(SPACING)
    qa_line = next(p for p in run_qa(ref, cand).problems if p.startswith("pixel_spacing"))
    assert qa_line.startswith("pixel_spacing only in the candidate on 2 images (mm.png, px1.png)")
    assert _said(ref, cand, IMAGES) == [
        "pixel_spacing only in the labels of ann on 2 images (mm.png, px1.png); "
        "the honeypot distances use ann's"
    ]
    ref, cand = projects(("mm.png",))  # both sides give it, or neither: nothing to say
    assert _said(ref, cand, IMAGES) == []


def test_slice_geometry_one_sided_or_otherwise_on_a_honeypot_volume_is_said() -> None:
    vols = ["ct", "mr"]
    names = [f"{v}#z={k:03d}" for v in vols for k in range(10)]
    positions = [2.5 * k for _ in vols for k in range(10)]
    offsets = [[1.0 * k, 0.0] for _ in vols for k in range(10)]
    cand = _with_geometry(
        volume_project(names, np.concatenate([box_volume(4, 8)] * 2), None), positions, offsets
    )
    ref = _with_geometry(
        volume_project(names, np.concatenate([box_volume(2, 6)] * 2), None), positions, offsets
    )
    for image in ref.images.values():
        if image.file_name.startswith("ct#"):
            del image.extra["slice_offset"]  # predates slice_offset
        if image.file_name.startswith("mr#"):
            image.extra["slice_position"] *= 2  # spaced otherwise along z
    qa = [p for p in run_qa(ref, cand, QAOptions(nsd_tau=1.0)).problems if p.startswith("slice_")]
    assert len(qa) == 2
    said = _said(ref, cand, names)
    assert said == [
        "slice_position (spacing along z) differs: reference 5 mm, ann 2.5 mm on 1 volume (mr); "
        "the honeypot distances use the reference's",
        "slice_offset (shift per slice) only in the labels of ann on 1 volume (ct); "
        "the honeypot distances use ann's",
    ]


def test_a_scorecards_hd95_is_written_with_its_unit() -> None:
    """One unit: the figure and its unit; mm and px: one figure per unit, never one mean of both; the
    JSON's null hd95 says why, as qa's does."""
    ref, cand = projects(IMAGES)
    (card,) = honeypot_scorecards([("ann", cand)], ref, {"honeypots": {"images": list(IMAGES)}})
    assert card["unit"] == "mm" and scorecards.hd95_shown(card, 3) == f"{card['hd95']:.3f} mm"
    ref, cand = projects()
    (card,) = honeypot_scorecards([("ann", cand)], ref, {"honeypots": {"images": list(IMAGES)}})
    mm, px = card["hd95_by_unit"]["mm"], card["hd95_by_unit"]["px"]
    assert scorecards.hd95_shown(card, 3) == f"{mm:.3f} mm | {px:.3f} px"
    assert card["hd95"] is None and card["hd95_reason"] == "mixed units (mm and px): see hd95_by_unit"
