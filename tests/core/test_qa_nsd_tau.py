"""QA's NSD tolerance when none is given, decided by the image's pixel size (``core.qa_nsd_tau``): a CT's
2 mm stays, a slide's is 2 µm (2 mm on a 0.25 µm slide is 8,000 px: annotators a quarter of a millimetre
apart scored NSD 1.0), an explicit tau always wins, and a run mixing both says which tau each used."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.qa_nsd_tau import default_nsd_tau, tau_text
from pixelproof.core.report import to_dict, write_html
from tests.core.test_qa import make_project

SLIDE = (0.00025, 0.00025)  # mm: 0.25 µm, a slide at 40x
CT = (0.7, 0.7)
SHAPE = (300, 1400)


def region(x0: int, x1: int) -> np.ndarray:
    m = np.zeros(SHAPE, bool)
    m[100:200, x0:x1] = True
    return m


def pair(spacing: tuple[float, float] | None, reach: int, name: str = "a.png"):
    """A region, and the other annotator's drawn ``reach`` px further right (its right edge only)."""
    ref = make_project([(name, "tumor", region(100, 300))], images=(name,), cats=("tumor",), shape=SHAPE)
    cand = make_project(
        [(name, "tumor", region(100, 300 + reach))], images=(name,), cats=("tumor",), shape=SHAPE
    )
    if spacing is not None:
        for p in (ref, cand):
            for image in p.images.values():
                image.extra["pixel_spacing"] = list(spacing)
    return ref, cand


def test_a_slides_quarter_millimetre_offset_is_no_agreement_by_default() -> None:
    ref, cand = pair(SLIDE, 1000)  # 1000 px = 0.25 mm
    row = run_qa(ref, cand).per_image[0]
    assert row.comparison.unit == "mm" and row.comparison.nsd_tau == pytest.approx(0.002)
    assert row.value("nsd") < 0.7
    given = run_qa(ref, cand, QAOptions(nsd_tau=2.0)).per_image[0]  # an explicit tau always wins
    assert given.comparison.nsd_tau == 2.0 and given.value("nsd") == 1.0


def test_a_ct_keeps_two_mm() -> None:
    ref, cand = pair(CT, 2)  # 1.4 mm: within 2 mm
    row = run_qa(ref, cand).per_image[0]
    assert row.comparison.nsd_tau == 2.0 and row.value("nsd") == 1.0
    assert run_qa(*pair(None, 2)).per_image[0].comparison.nsd_tau == 2.0  # 2 px without a spacing


@pytest.mark.parametrize(
    ("spacing", "tau"),
    [(None, 2.0), ((0.7, 0.7), 2.0), ((0.07, 0.07), 2.0), ((0.0005, 0.0005), 0.002), ((0.02, 0.008), 0.002)],
)
def test_the_default_follows_the_finest_pixel_side(spacing, tau) -> None:
    assert default_nsd_tau(spacing) == tau  # a mammogram's 0.07 mm keeps radiology's 2 mm


def test_a_run_of_slides_and_ct_says_which_tau_each_used(tmp_path) -> None:
    slide_r, slide_c = pair(SLIDE, 1000, "slide.png")
    ct_r, ct_c = pair(CT, 2, "ct.png")
    for mine, other in ((slide_r, ct_r), (slide_c, ct_c)):
        image = other.images[1]
        mine.add_image(type(image)(2, image.file_name, image.width, image.height, extra=dict(image.extra)))
        for a in other.annotations.values():
            mine.add_annotation(type(a)(10 + a.id, 2, a.category_id, a.bbox, a.segmentation, a.area))
    result = run_qa(slide_r, slide_c)
    taus = {r.file_name: r.comparison.nsd_tau for r in result.per_image}
    assert taus == {"slide.png": 0.002, "ct.png": 2.0}
    options = to_dict(result)["options"]
    assert options["nsd_tau"] == "auto"
    assert options["nsd_tau_applied"] == [
        {"kind": "mm", "tau": 2.0, "unit": "mm", "images": 1},
        {"kind": "slide", "tau": 0.002, "unit": "mm", "images": 1},
    ]
    said = tau_text(options["nsd_tau_applied"])
    assert (
        said.startswith("2 mm on 1 image (default") and "2 µm on 1 image (default for a pixel under" in said
    )
    write_html(to_dict(result), tmp_path / "qa.html", result)
    assert "NSD tolerance used: 2 mm on 1 image" in (tmp_path / "qa.html").read_text(encoding="utf-8")
