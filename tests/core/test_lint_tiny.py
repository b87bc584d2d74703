"""`tiny` judges what an object is, whichever way it lies: a 1-px scratch 300 px long is a real thin
defect (an inspection engineer's walkthrough found the one along a row flagged with a one-key delete,
the same scratch run diagonally not), a 2x2 speck (a 2 px brush click) is tiny by default, and a box
1 px wide is a degenerate box (README, Rules)."""

from __future__ import annotations

import cv2
import numpy as np

from pixelproof.core import masks
from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

W, H = 640, 480


def mask(aid: int, m: np.ndarray) -> Annotation:
    return Annotation(aid, aid, 1, masks.bbox(m), masks.encode(m), float(m.sum()))


def line(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """A 1-px-wide scratch from (x0, y0) to (x1, y1), as a brush of width 1 draws it."""
    m = np.zeros((H, W), np.uint8)
    cv2.line(m, (x0, y0), (x1, y1), 1, 1)
    return m.astype(bool)


def block(x: int, y: int, w: int, h: int) -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[y : y + h, x : x + w] = True
    return m


def poly(aid: int, pts: list[tuple[float, float]]) -> Annotation:
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    bbox = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    return Annotation(aid, aid, 1, bbox, [[v for p in pts for v in p]], 1.0)


def project(*anns: Annotation) -> Project:
    p = Project()
    p.add_category(Category(1, "scratch"))
    for a in anns:
        p.add_image(ImageRecord(a.image_id, f"{a.image_id}.png", W, H))
        p.add_annotation(a)
    return p


def tiny(p: Project, rules: dict | None = None) -> dict[int, str | None]:
    """annotation id -> the action of its `tiny` problem's fix (None: flagged, no fix)."""
    found = lint_project(p, parse_rules(rules)).problems
    return {x.annotation_id: x.fix and x.fix["action"] for x in found if x.kind == "tiny"}


def scratches() -> Project:
    """The same 1-px scratch, 300 px long, along a row (box 300x1) and diagonally (box 213x213), as masks
    and as polygons (a 1-px-wide strip)."""
    d = 300 / 2**0.5
    return project(
        mask(1, line(100, 200, 399, 200)),
        mask(2, line(100, 100, 312, 312)),
        poly(3, [(100, 200), (400, 200), (400, 201), (100, 201)]),
        poly(4, [(100, 100), (100 + d, 100 + d), (100 + d - 0.7, 100 + d + 0.7), (99.3, 100.7)]),
    )


def test_a_thin_scratch_is_not_tiny_whichever_way_it_runs() -> None:
    p = scratches()
    assert [p.annotations[i].bbox[2:] for i in (1, 2)] == [[300.0, 1.0], [213.0, 213.0]]
    assert tiny(p) == {}  # the built-in limits: 2 px wide and high, 4 px of area
    assert tiny(p, {"default": {"min_area": 16, "min_width": 5, "min_height": 5}}) == {}


def test_an_area_limit_above_a_scratchs_area_flags_both_alike_and_offers_no_delete() -> None:
    """A class of blobs (min_area 500): both scratches are under it, alike, and neither is a speck."""
    found = tiny(scratches(), {"default": {"min_area": 500}})
    assert found == {1: None, 2: None, 3: None, 4: None}
    messages = [
        x.message for x in lint_project(scratches(), parse_rules({"default": {"min_area": 500}})).problems
    ]
    assert all("no delete offered" in m for m in messages), messages


def test_a_speck_is_tiny_and_offered_for_deletion() -> None:
    """A 2x2 speck (one click of the 2 px brush), a single pixel and a 1x3 sliver are tiny with a delete
    fix under the built-in limits (min_area 5); a 3x2 blob (6 px) passes them unless the class says its
    smallest object is larger (min_area 16), and one that says its objects start at 2 px (`min_area: 1`)
    keeps the 2x2."""
    p = project(
        mask(1, block(300, 200, 2, 2)),
        mask(2, block(300, 200, 1, 1)),
        mask(3, block(300, 200, 1, 3)),
        mask(4, block(300, 200, 3, 2)),
    )
    assert tiny(p) == {1: "delete", 2: "delete", 3: "delete"}
    assert 1 not in tiny(p, {"default": {"min_area": 1}})
    assert tiny(p, {"default": {"min_area": 16}})[4] == "delete"


def test_a_box_one_pixel_wide_is_still_tiny() -> None:
    """A box's sides are the object: 1 px across is a click or a stray drag, however long; a 2x2 box is
    under the default area, a 3x2 one is not."""
    box = Annotation(1, 1, 1, [100.0, 200.0, 300.0, 1.0], None, 300.0)
    upright = Annotation(2, 2, 1, [100.0, 100.0, 1.0, 300.0], None, 300.0)
    speck = Annotation(3, 3, 1, [100.0, 100.0, 2.0, 2.0], None, 4.0)
    fine = Annotation(4, 4, 1, [100.0, 100.0, 3.0, 2.0], None, 6.0)
    assert tiny(project(box, upright, speck, fine)) == {
        1: "delete",
        2: "delete",
        3: "delete",
    }


def test_a_rules_files_height_limit_still_judges_shapes_by_their_length() -> None:
    """`min_height: "2%"` (9.6 px of 480) written for people: a shape shorter than that every way is tiny,
    one as long lying down is not (its box is 8 px high, as a scratch's is 1)."""
    small = poly(1, [(300, 200), (303, 200), (303, 208), (300, 208)])
    lying = poly(2, [(300, 200), (330, 200), (330, 208), (300, 208)])
    found = tiny(project(small, lying), {"classes": {"scratch": {"min_height": "2%"}}})
    assert list(found) == [1]
