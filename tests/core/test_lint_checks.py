"""Each rule check on small made-up objects: what it flags, what it leaves alone, and its fix."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.coco import dumps_project
from pixelproof.core.lint import LintOptions, RulesError, lint_project, parse_rules, shapes
from pixelproof.core.lint.apply import FixError, fix_edit
from pixelproof.core.lint.fixes import describe, fingerprint
from pixelproof.core.lint.shapes import mask_pieces, polygon_defect, self_intersects
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa_objects import annotation_placed
from tests.core.lint_scenes import jagged

W, H = 200, 100


def project(*anns: Annotation, status: str | None = None) -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", W, H))
    p.add_image(ImageRecord(2, "b.png", W, H))
    p.add_category(Category(1, "cat"))
    p.add_category(Category(2, "dog"))
    for a in anns:
        p.add_annotation(a)
    if status:
        p.set_image_status(2, status)
    return p


def cats_only(p: Project) -> Project:
    """``p`` without its class dog (none of its objects are dogs): many cats and no dog is ``empty_class``."""
    p.remove_category(2)
    return p


def box(aid: int, bbox: list[float], cid: int = 1, image: int = 1) -> Annotation:
    return Annotation(aid, image, cid, [float(v) for v in bbox], None, bbox[2] * bbox[3])


def poly(aid: int, points: list[float], cid: int = 1) -> Annotation:
    seg = [[float(v) for v in points]]
    return Annotation(aid, 1, cid, masks.polygons_bbox(seg), seg, masks.segmentation_area(seg, [0] * 4, H, W))


def mask(aid: int, m: np.ndarray, cid: int = 1) -> Annotation:
    return Annotation(aid, 1, cid, masks.bbox(m), masks.encode(m), float(m.sum()))


def rect(y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def stamp_of(p: Project, aid: int) -> str:
    """The fingerprint a fix carries of the object it changes, as lint saw it."""
    return fingerprint(p.annotations[aid])


def kinds(p: Project, rules: dict | None = None, **opts) -> list[tuple[str, int | None]]:
    result = lint_project(p, parse_rules(rules), options=LintOptions(**opts))
    return [(x.kind, x.annotation_id) for x in result.problems]


def fixed(p: Project, kind: str, rules: dict | None = None) -> Project:
    (problem,) = [x for x in lint_project(p, parse_rules(rules)).problems if x.kind == kind]
    fix_edit(p, problem.fix).apply(p)
    return p


# ------------------------------------------------------------------------------------------------
# shapes


@pytest.mark.parametrize(
    ("points", "defect"),
    [
        ([0, 0, 10, 0, 10, 10, 0, 10], None),
        ([0, 0, 10, 10, 10, 0, 0, 10], "self-intersecting"),  # bow tie
        ([0, 0, 10, 0, 5, 5, 10, 10, 0, 10, 5, 5], "self-intersecting"),  # two triangles touching at a vertex
        ([0, 0, 10, 0, 10, 10, 10, 5, 10, 12, 0, 10], "self-intersecting"),  # an edge doubling back (spike)
        ([0, 0, 10, 0, 10, 10, 0, 10, 0, 10, 0, 0], None),  # repeated points, closing point
        ([0, 0, 10, 0, 20, 0], "zero area"),
        ([3, 3, 3, 3, 3, 3, 4, 4], "fewer than 3 distinct points"),
        ([0, 0, 20, 0, 20, 20, 10, 5, 0, 20], None),  # concave, valid
    ],
)
def test_polygon_defects(points, defect) -> None:
    assert polygon_defect(points) == defect


def test_self_intersection_of_a_long_ring_is_found_in_chunks() -> None:
    t = np.linspace(0, 2 * np.pi, 1500, endpoint=False)
    ring = np.stack([100 + 50 * np.cos(t), 100 + 50 * np.sin(t)], axis=1)
    assert not self_intersects(ring)
    ring[[100, 1200]] = ring[[1200, 100]]
    assert self_intersects(ring)


def test_mask_pieces_gaps_and_holes() -> None:
    m = rect(10, 40, 10, 40)
    m[20:23, 20:23] = False  # a 9-px hole
    m[10:13, 60:63] = True  # an island 20 px right of the body
    pieces = mask_pieces(m[5:45, 5:70])
    assert sorted(pieces.areas) == [9, 900 - 9]
    assert pieces.hole_areas == [9]
    assert pieces.gaps[pieces.areas.index(9)] == pytest.approx(20 - 1 + 1)


# ------------------------------------------------------------------------------------------------
# rule checks


def test_clean_objects_are_not_flagged() -> None:
    p = project(
        box(1, [10, 10, 30, 20]), poly(2, [60, 10, 90, 10, 90, 40, 60, 40]), mask(3, rect(50, 90, 120, 170))
    )
    assert kinds(p) == []


def test_duplicates_and_class_conflicts() -> None:
    p = project(
        box(1, [10, 10, 40, 40]),
        box(2, [10.5, 10, 40, 40]),  # same class, IoU 0.9877
        box(3, [100, 10, 40, 40]),
        box(4, [100, 10, 40, 40], cid=2),  # other class, IoU 1
        box(5, [100, 50, 40, 40]),
        box(6, [104, 50, 40, 40]),  # IoU 0.818: not a duplicate
        mask(7, rect(60, 90, 10, 40)),
        mask(8, rect(60, 90, 10, 41)),  # pixel IoU 30/31
    )
    assert sorted(kinds(p)) == [("class_conflict", 4), ("duplicate", 2), ("duplicate", 8)]
    found = lint_project(p).problems
    dup = next(x for x in found if x.annotation_id == 2)
    assert dup.related_id == 1 and dup.fix == {
        "action": "delete",
        "annotation_id": 2,
        "expects": stamp_of(p, 2),
    }
    assert dup.score == pytest.approx(40 * 39.5 / (40 * 40.5))
    # a pair under a raised limit is a near duplicate now (one of a class only), not nothing
    raised = {"thresholds": {"duplicate_iou": 0.99}}
    assert sorted(kinds(p, raised)) == [("class_conflict", 4), ("near_duplicate", 2), ("near_duplicate", 8)]
    off = {"thresholds": {"duplicate_iou": 0.99, "near_duplicate_iou": 0.99}}
    assert kinds(p, off) == [("class_conflict", 4)]


def test_near_duplicates_between_near_duplicate_iou_and_duplicate_iou() -> None:
    """Two boxes or masks of one class at IoU 0.90..0.95 were not reported at all: below duplicate_iou
    (0.95) they are a near duplicate, scored under every duplicate, reported once with the pair's IoU."""
    p = project(
        box(1, [10, 10, 40, 40]),
        box(2, [12, 10, 40, 40]),  # box IoU 38/42 = 0.905
        box(3, [100, 10, 40, 40]),
        box(4, [106, 10, 40, 40], cid=2),  # another class at 0.739
        box(5, [100, 50, 40, 40]),
        box(6, [105, 50, 40, 40]),  # IoU 35/45 = 0.778 < 0.85: two objects
        mask(7, rect(60, 90, 10, 40)),
        mask(8, rect(60, 90, 12, 40)),  # pixel IoU 28/30 = 0.933
        box(9, [150, 60, 40, 30], cid=2),
        box(10, [152, 60, 40, 30], cid=1),  # two classes at 0.905: a class conflict, not a near duplicate
    )
    found = {x.annotation_id: x for x in lint_project(p).problems}
    assert sorted((x.kind, a) for a, x in found.items()) == [
        ("class_conflict", 10),
        ("near_duplicate", 2),
        ("near_duplicate", 8),
    ]
    near = found[2]
    assert near.related_id == 1 and near.figures["iou"] == pytest.approx(38 / 42)
    assert "IoU 0.905" in near.message and near.fix is not None and near.fix["action"] == "delete"
    assert found[8].figures["iou"] == pytest.approx(28 / 30)
    assert 0.5 < near.score < found[8].score < 0.95  # closer to a duplicate scores higher, under it
    assert near.to_dict()["figures"]["iou"] == pytest.approx(38 / 42)
    # a class may set its own; the stronger kind wins: at duplicate_iou 0.9 the pair is a duplicate only
    near_only = frozenset({"duplicate", "near_duplicate"})
    assert kinds(p, {"classes": {"cat": {"near_duplicate_iou": 0.92}}}, kinds=near_only) == [
        ("near_duplicate", 8)
    ]
    lower = sorted(kinds(p, {"thresholds": {"duplicate_iou": 0.9}}))
    assert lower == [("class_conflict", 10), ("duplicate", 2), ("duplicate", 8)]
    assert kinds(p, kinds=frozenset({"duplicate"})) == []
    assert sorted(kinds(p, kinds=frozenset({"near_duplicate"}))) == [
        ("near_duplicate", 2),
        ("near_duplicate", 8),
    ]
    with pytest.raises(RulesError, match=r"thresholds.near_duplicate_iou: expected a number in 0..1"):
        parse_rules({"thresholds": {"near_duplicate_iou": 1.5}})


def test_class_conflicts_from_class_conflict_iou_under_duplicate_iou() -> None:
    """Two objects of different classes at IoU 0.85..0.95 (one object labelled twice, once with each class)
    were not reported at all: class_conflict fired only from duplicate_iou, and a near duplicate is of one
    class. From class_conflict_iou (0.85) they are a class conflict, scored as a near duplicate under
    duplicate_iou; a class that overlaps others by design raises its own value."""
    p = project(
        box(1, [10, 10, 40, 40]),
        box(2, [12, 10, 40, 40], cid=2),  # box IoU 38/42 = 0.905
        box(3, [100, 10, 40, 40]),
        box(4, [105, 10, 40, 40], cid=2),  # IoU 35/45 = 0.778: two objects side by side
        mask(5, rect(60, 90, 10, 40)),
        mask(6, rect(60, 90, 12, 40), cid=2),  # pixel IoU 28/30 = 0.933
        box(7, [150, 10, 40, 40]),
        box(8, [150, 10, 40, 40], cid=2),  # IoU 1: scored its IoU, as before
    )
    found = {x.annotation_id: x for x in lint_project(p).problems}
    assert sorted((x.kind, a) for a, x in found.items()) == [
        ("class_conflict", 2),
        ("class_conflict", 6),
        ("class_conflict", 8),
    ]
    conflict = found[2]
    assert conflict.related_id == 1 and conflict.figures["iou"] == pytest.approx(38 / 42)
    assert conflict.score == pytest.approx(0.5 + 0.45 * (38 / 42 - 0.85) / 0.10)
    assert "dog and" in conflict.message and "IoU 0.905" in conflict.message
    assert conflict.fix is not None and conflict.fix["action"] == "delete"
    assert found[6].figures["iou"] == pytest.approx(28 / 30)
    assert 0.5 < conflict.score < found[6].score < 0.95 < found[8].score == pytest.approx(1.0)
    # the kind alone, and not another kind's: a near duplicate is of one class
    assert len(kinds(p, kinds=frozenset({"class_conflict"}))) == 3
    assert kinds(p, kinds=frozenset({"near_duplicate", "duplicate"})) == []
    # configurable: at duplicate_iou, only from there (as before); either class's own value raises it
    assert kinds(p, {"thresholds": {"class_conflict_iou": 0.95}}) == [("class_conflict", 8)]
    assert sorted(kinds(p, {"classes": {"dog": {"class_conflict_iou": 0.92}}})) == [
        ("class_conflict", 6),
        ("class_conflict", 8),
    ]
    assert kinds(p, {"classes": {"cat": {"class_conflict_iou": 1.0}}}) == [("class_conflict", 8)]
    assert ("class_conflict", 4) in kinds(p, {"thresholds": {"class_conflict_iou": 0.7}})
    with pytest.raises(RulesError, match=r"thresholds.class_conflict_iou: expected a number in 0..1"):
        parse_rules({"thresholds": {"class_conflict_iou": 2}})


def test_annotators_versions_of_an_overlap_image_are_not_duplicates_of_each_other() -> None:
    """A merged project keeps each annotator's version of an overlap image side by side (tagged with
    ``pixelproof.annotator``): the same object drawn by two annotators is agreement; within one version a
    duplicate or an overlap is still one."""

    def tagged(a: Annotation, who: str) -> Annotation:
        a.app_extra["annotator"] = who
        return a

    p = project(
        tagged(box(1, [10, 10, 40, 40]), "ann"),
        tagged(box(2, [10, 10, 40, 40]), "bob"),  # bob's version of ann's box
        tagged(box(3, [100, 10, 40, 40], cid=2), "bob"),
        tagged(box(4, [100, 10, 40, 40]), "ann"),  # another class in ann's: the annotators disagree
        tagged(mask(5, rect(60, 90, 10, 40)), "ann"),
        tagged(mask(6, rect(60, 90, 20, 50)), "bob"),  # overlaps ann's mask: two versions
        tagged(box(7, [150, 10, 40, 40]), "bob"),
        tagged(box(8, [150.5, 10, 40, 40]), "bob"),  # a duplicate within bob's version
        mask(9, rect(55, 75, 100, 130)),
        mask(10, rect(65, 85, 100, 130)),  # untagged objects overlapping: still checked
    )
    pairs = frozenset({"duplicate", "class_conflict", "unseparated_overlap"})
    countable = {"classes": {"cat": {"countable": True}}}
    assert sorted(kinds(p, countable, kinds=pairs)) == [("duplicate", 8), ("unseparated_overlap", 10)]


class _SizeRecorder:
    """numpy as a module sees it, recording the size of what its elementwise calls build."""

    def __init__(self) -> None:
        self.largest = 0

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        real = getattr(np, name)
        if name not in ("minimum", "maximum", "clip", "divide", "zeros_like"):
            return real

        def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
            out = real(*args, **kwargs)
            self.largest = max(self.largest, int(np.size(out)))
            return out

        return recorded


def test_duplicates_are_measured_only_on_pairs_whose_boxes_overlap(monkeypatch) -> None:
    """The box IoU of every pair was n x n matrices: a pre-labeled image of 10,000 objects built
    gigabytes for its duplicate check. Same problems as the pairwise definition, no n x n arrays."""
    from pixelproof.core.lint import pairs
    from pixelproof.core.metrics_overlap import box_iou, placed_iou

    anns = [box(k + 1, [10.0 * (k % 20), 10.0 * (k // 20), 4, 4]) for k in range(200)]
    anns += [box(300 + k, [10.0 * k + 0.05, 0, 4, 4]) for k in range(0, 20, 3)]  # duplicates
    anns += [box(400 + k, [10.0 * k, 20, 4, 4], cid=2) for k in range(1, 20, 4)]  # class conflicts
    anns += [box(500, [0, 0, 200, 100]), box(501, [5, 5, 4, 4])]  # covers all; a near miss
    anns += [mask(600, rect(60, 90, 12, 18)), mask(601, rect(60, 90, 12, 18))]  # pixel IoU 1
    p = project(*anns)
    want = []
    for i, a in enumerate(anns):
        for b in anns[i + 1 :]:
            if a.kind == "box" or b.kind == "box":
                iou = box_iou(a.bbox, b.bbox)
            else:
                iou = placed_iou(*(annotation_placed(x, H, W) for x in (a, b)))
            first, later = sorted((a, b), key=lambda x: x.id)
            if iou >= 0.95:
                same = a.category_id == b.category_id
                want.append(("duplicate" if same else "class_conflict", later.id, first.id))
    recorder = _SizeRecorder()
    monkeypatch.setattr(pairs, "np", recorder)
    found = lint_project(p, options=LintOptions(kinds=frozenset({"duplicate", "class_conflict"}))).problems
    assert sorted((x.kind, x.annotation_id, x.related_id) for x in found) == sorted(want)
    assert len(want) == 7 + 5 + 1
    assert 0 < recorder.largest <= len(anns)


def test_size_limits_in_pixels_and_percent() -> None:
    p = project(box(1, [10, 10, 1, 30]), box(2, [50, 10, 30, 30]), box(3, [0, 0, 150, 90], cid=2))
    assert kinds(p) == [("tiny", 1)]
    rules = {"classes": {"dog": {"max_area": "50%"}, "cat": {"min_width": "20%"}}}
    assert sorted(kinds(p, rules)) == [("box_too_large", 3), ("tiny", 1), ("tiny", 2)]
    # a built-in default can be switched off
    assert kinds(p, {"default": {"min_width": None}}) == []


def test_out_of_bounds_and_its_clip_fix() -> None:
    p = project(box(1, [-10, 10, 40, 20]), poly(2, [150, 50, 210, 50, 210, 90, 150, 90]))
    assert sorted(kinds(p)) == [("out_of_bounds", 1), ("out_of_bounds", 2)]
    for problem in lint_project(p).problems:
        fix_edit(p, problem.fix).apply(p)
    assert p.annotations[1].bbox == [0.0, 10.0, 30.0, 20.0]
    assert masks.polygons_bbox(p.annotations[2].segmentation) == [150.0, 50.0, 50.0, 40.0]
    assert kinds(p) == []


def test_a_shape_wholly_outside_the_image_is_out_of_bounds_not_also_tiny() -> None:
    """A QuPath export of another slide: its polygons lie off this image, so their pixels inside it are
    none; out_of_bounds says so with the delete fix, not also "tiny: length 0, area 0"."""
    p = project(
        poly(1, [250, 50, 290, 50, 290, 90, 250, 90]), poly(2, [-60, -50, -20, -50, -20, -10, -60, -10])
    )
    assert sorted(kinds(p)) == [("out_of_bounds", 1), ("out_of_bounds", 2)]
    p = project(poly(1, [198, 50, 240, 50, 240, 51, 198, 51]))  # a sliver partly inside: still tiny too
    assert sorted(kinds(p)) == [("out_of_bounds", 1), ("tiny", 1)]


def test_touching_the_border_only_where_forbidden() -> None:
    p = project(box(1, [0, 10, 40, 20]), box(2, [50, 10, 40, 20]), box(3, [0, 10, 40, 20], cid=2, image=2))
    assert kinds(p, {"classes": {"cat": {"border": False}}}) == [("touches_border", 1)]


def test_kind_not_allowed_converts_to_the_first_allowed_kind() -> None:
    p = project(box(1, [10, 10, 40, 20]), mask(2, rect(50, 90, 120, 170)))
    rules = {"default": {"kinds": ["polygon", "mask"]}}
    assert kinds(p, rules) == [("kind_not_allowed", 1)]
    fixed(p, "kind_not_allowed", rules)
    assert p.annotations[1].kind == "polygon" and p.annotations[1].bbox == [10, 10, 40, 20]
    rules = {"classes": {"cat": {"kinds": ["box"]}}}
    for problem in lint_project(p, parse_rules(rules)).problems:
        fix_edit(p, problem.fix).apply(p)
    assert [a.kind for a in p.annotations.values()] == ["box", "box"]
    assert p.annotations[2].bbox == [120.0, 50.0, 50.0, 40.0] and p.annotations[2].area == 2000.0


def test_box_mask_mismatch() -> None:
    a = mask(1, rect(10, 30, 10, 50))
    a.bbox = [10.0, 10.0, 40.0, 25.0]
    b = mask(2, rect(50, 90, 100, 140))
    b.bbox = [100.0, 50.0, 40.5, 40.0]  # within the 1 px tolerance
    p = project(a, b)
    assert kinds(p) == [("box_mask_mismatch", 1)]
    fixed(p, "box_mask_mismatch")
    assert p.annotations[1].bbox == [10.0, 10.0, 40.0, 20.0]


def cropped(aid: int, m: np.ndarray, cid: int = 1) -> Annotation:
    """A mask stored cropped to its box at ``pixelproof.rle_origin`` (docs/format.md)."""
    a = mask(aid, m, cid)
    a.segmentation, origin = masks.encode_cropped(m)
    a.app_extra["rle_origin"] = origin
    return a


def test_a_mask_stored_cropped_is_checked_where_it_lies() -> None:
    """A mask stored cropped (``rle_origin``) was measured in its crop's frame: its right bbox
    [40, 20, 20, 30] was flagged ``box_mask_mismatch`` (off by 40 px) with a fix that set it to
    [0, 0, 20, 30], and its exact copy stored whole was no ``duplicate``."""
    m = rect(20, 50, 40, 60)
    p = project(cropped(1, m))
    assert kinds(p) == []
    p = project(mask(1, m), cropped(2, m))
    assert kinds(p) == [("duplicate", 2)]


def test_invalid_polygon_fixes() -> None:
    p = project(poly(1, [10, 10, 50, 50, 50, 10, 10, 50]), poly(2, [60, 10, 70, 20, 80, 30]))
    assert sorted(kinds(p)) == [("invalid_polygon", 1), ("invalid_polygon", 2)]
    found = {x.annotation_id: x for x in lint_project(p).problems}
    assert found[2].fix == {"action": "delete", "annotation_id": 2, "expects": stamp_of(p, 2)}
    assert found[2].score > found[1].score
    pixels = p.annotations[1].mask(H, W)
    fix_edit(p, found[1].fix).apply(p)
    bowtie = p.annotations[1]
    assert all(polygon_defect(part) is None for part in bowtie.segmentation)
    assert np.array_equal(bowtie.mask(H, W), pixels)  # the outline of the pixels it covered
    assert [k for k in kinds(p) if k[1] == 1] == []


def test_speckle_and_pinholes() -> None:
    m = rect(10, 60, 10, 60)
    m[30:32, 30:32] = False  # pinhole
    m[62, 20] = True  # speck right below (not far)
    p = project(mask(1, m), mask(2, rect(10, 60, 100, 150)))
    assert kinds(p) == [("fragmented_mask", 1)]
    fixed(p, "fragmented_mask")
    assert np.array_equal(p.annotations[1].mask(H, W), rect(10, 60, 10, 60))
    # the box is the fixed mask's: it kept the speck's rows ([10, 10, 50, 53], a box_mask_mismatch next run)
    assert p.annotations[1].bbox == [10.0, 10.0, 50.0, 50.0] and kinds(p) == []


@pytest.mark.parametrize("huge", [False, True])
def test_the_fix_of_a_mask_stored_cropped_lands_where_the_mask_lies(monkeypatch, huge: bool) -> None:
    """A fix's shape is in the image's frame: the annotation it replaced kept its ``rle_origin``, so the
    fixed mask was placed that far off again (the speck's fix moved the square from x 10..60 to 20..70).
    The fix now carries the origin when the image needs masks stored cropped, and none otherwise."""
    from pixelproof.core import limits

    if huge:  # an image whose whole mask is past pycocotools' 32-bit runs: masks are stored cropped
        monkeypatch.setattr(limits, "RLE_MAX_PIXELS", H * W)
    m = rect(10, 60, 10, 60)
    m[62, 20] = True  # speck right below
    p = project(cropped(1, m), mask(2, rect(10, 60, 100, 150)))
    fixed(p, "fragmented_mask")
    ann = p.annotations[1]
    assert np.array_equal(ann.mask(H, W), rect(10, 60, 10, 60))
    assert ann.bbox == [10.0, 10.0, 50.0, 50.0]
    assert ann.app_extra.get("rle_origin") == ([10, 10] if huge else None)
    assert kinds(p) == []


def test_unseparated_overlap_only_for_countable_classes() -> None:
    p = project(mask(1, rect(10, 50, 10, 50)), mask(2, rect(10, 50, 45, 90)), mask(3, rect(10, 50, 90, 130)))
    assert kinds(p) == []
    rules = {"classes": {"cat": {"countable": True}}}
    found = lint_project(p, parse_rules(rules)).problems
    assert [(x.kind, x.annotation_id, x.related_id) for x in found] == [
        ("unseparated_overlap", 2, 1),  # overlap first
        ("unseparated_overlap", 3, 2),  # touching, no gap
    ]
    assert found[0].figures["overlap_px"] == 40 * 5 and found[1].figures["touch_px"] == 40
    for problem in found:
        fix_edit(p, problem.fix).apply(p)
    assert kinds(p, rules) == []
    assert not (p.annotations[1].mask(H, W) & p.annotations[2].mask(H, W)).any()


def test_unseparated_overlap_looks_only_at_masks_whose_boxes_are_near(monkeypatch) -> None:
    """Every pair of countable masks was compared in Python: minutes for 10,000 pre-labeled cells. The
    same problems as comparing every pair, with only the pairs whose boxes come near looked at."""
    from pixelproof.core.lint import pairs

    anns = [
        mask(k + 1, rect(10 * (k // 18), 10 * (k // 18) + 4, 10 * (k % 18), 10 * (k % 18) + 4))
        for k in range(90)
    ]
    anns += [
        mask(200, rect(0, 4, 3, 8)),  # overlaps 1
        mask(201, rect(10, 14, 4, 8)),  # touches 19 along its left edge
        mask(202, rect(20, 24, 5, 9)),  # one pixel apart from 37: near, not touching
        mask(203, rect(40, 90, 185, 200)),  # touches nothing
    ]
    p = project(*anns)
    rules = parse_rules({"classes": {"cat": {"countable": True}}})
    options = LintOptions(kinds=frozenset({"unseparated_overlap"}))
    calls = []
    near = pairs._boxes_near
    monkeypatch.setattr(pairs, "_boxes_near", lambda a, b: calls.append(1) or near(a, b))
    found = [
        (x.annotation_id, x.related_id, x.score) for x in lint_project(p, rules, options=options).problems
    ]
    every_pair = lambda a, b: ((i, np.arange(len(b))) for i in range(len(a)))  # noqa: E731
    monkeypatch.setattr(pairs, "overlapping", every_pair, raising=False)
    assert len(calls) < len(anns) ** 2 // 8
    calls.clear()
    want = [
        (x.annotation_id, x.related_id, x.score) for x in lint_project(p, rules, options=options).problems
    ]
    assert len(calls) == len(anns) * (len(anns) - 1) // 2
    assert found == want and sorted(x[:2] for x in want) == [(200, 1), (201, 19)]


def marked_done(labelled: int, empty: int, status: str = "done") -> Project:
    """``labelled`` images with one box, then ``empty`` images without objects, all marked ``status``."""
    p = cats_only(project())
    p.remove_image(2)
    for i in range(1, labelled + empty + 1):
        if i > 1:
            p.add_image(ImageRecord(i, f"{i}.png", W, H))
        if i <= labelled:
            p.add_annotation(box(i, [10, 10, 30, 20], image=i))
        p.set_image_status(i, status)
    return p


def test_unlabeled_image_only_when_done_or_reviewed() -> None:
    p = marked_done(40, 1, "reviewed")
    assert kinds(p) == [("unlabeled_image", None)]
    p.set_image_status(41, "in_progress")
    assert kinds(p) == []
    p.set_image_status(41, "reviewed")
    fixed(p, "unlabeled_image")
    assert p.image_status(41) == "todo"


def test_an_empty_done_image_is_suspect_when_rare_not_in_an_inspection_project() -> None:
    """Among hundreds of labelled Done images an empty one is likely a forgotten label; in an inspection
    project most Done images are defect-free parts: listing each buried the real problems."""
    (rare,) = lint_project(marked_done(199, 1)).problems
    assert rare.kind == "unlabeled_image" and rare.score > 0.65
    assert "1 of the 200 images marked done or reviewed have none (0.5%)" in rare.message
    assert (
        kinds(marked_done(20, 80), min_score=0.5) == []
    )  # 80 % of them: defect-free parts, normal (CLI default)
    few = lint_project(marked_done(20, 80)).problems
    assert len(few) == 80 and all(x.score < 0.5 for x in few)
    assert "80 of the 100 images marked done or reviewed have none (80%)" in few[0].message
    # a handful of Done images tells little: the only one is listed just above the threshold, two not
    (alone,) = lint_project(marked_done(0, 1)).problems
    assert 0.5 < alone.score < 0.55
    assert kinds(marked_done(0, 2), min_score=0.5) == []


def test_the_fix_of_an_empty_done_image_says_it_leaves_exports() -> None:
    (problem,) = lint_project(marked_done(199, 1)).problems
    assert "left out of exports" in describe(problem.fix)


def test_a_box_fix_says_the_box_as_the_properties_panel_does() -> None:
    """Was "set its box to [32.68, 31.13, 163.05, 177.59]": corners, or a size? Said as Properties says it."""
    fix = {"action": "set_bbox", "annotation_id": 1, "bbox": [32.68, 31.13, 163.05, 177.59]}
    assert describe(fix) == "set its box to x 32.7, y 31.1, 163.1 × 177.6 px"


def test_a_file_listed_twice_is_a_problem_of_the_later_record() -> None:
    """One picture under two image ids splits its labels over two records, and QA, agreement and diff
    (which pair images by file) see only one of them: found by fuzzing, where QA of such a project
    against itself scored Dice 0.67."""
    p = project(box(1, [10, 10, 30, 20]))
    p.add_image(ImageRecord(3, "a.png", W, H))
    p.add_annotation(box(2, [40, 10, 30, 20], image=3))
    result = lint_project(p, parse_rules(None))
    (problem,) = result.problems
    assert (problem.kind, problem.image_id, problem.annotation_id) == ("duplicate_image", 3, None)
    assert problem.message.startswith("a.png is listed again: image 1 is the same file")
    assert kinds(p, kinds=frozenset({"duplicate"})) == []  # a kind that is not asked for


def test_outliers_need_enough_objects_of_the_class() -> None:
    anns = [box(k, [5 * k % 180, 10, 10 + k % 3, 10], image=1) for k in range(1, 25)]
    anns.append(box(99, [10, 40, 60, 50]))  # 30x the area, aspect 1.2
    anns.append(box(98, [100, 70, 40, 4]))  # aspect 10
    p = cats_only(project(*anns))
    assert sorted(kinds(p)) == [("aspect_outlier", 98), ("size_outlier", 99)]
    assert kinds(p, {"thresholds": {"outlier_min_objects": 30}}) == []
    assert kinds(p, kinds=frozenset({"size_outlier"})) == [("size_outlier", 99)]


def test_jagged_contour_against_the_class() -> None:
    yy, xx = np.mgrid[:H, :W]
    anns = []
    for k in range(22):
        cx, cy, r = 12 + (k % 11) * 17, 25 + (k // 11) * 45, 7 + k % 3
        anns.append(mask(k + 1, (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r))
    p = cats_only(project(*anns))
    assert kinds(p) == []
    m = jagged(p.annotations[5].mask(H, W), amplitude=2)
    p.annotations[5].set_geometry(masks.encode(m), masks.bbox(m), float(m.sum()))
    assert ("jagged_contour", 5) in kinds(p)


def test_pending_predictions_are_not_labels() -> None:
    pending = box(2, [10, 10, 30, 20])
    pending.review, pending.source, pending.score = "pending", "model:yolo-onnx/x.onnx@1", 0.9
    p = project(box(1, [10, 10, 30, 20]), pending)
    assert kinds(p) == []  # no duplicate: the prediction is not a label


@pytest.mark.parametrize("source", ["consensus:staple", "manual"])
def test_every_pending_object_is_a_proposal_not_a_label(source: str) -> None:
    """A pending consensus object (or one a taxonomy split set to pending) is a proposal, as exports take
    it (``is_pending``): it duplicates no label. Lint counted only a model's as a proposal."""
    pending = box(2, [10, 10, 30, 20])
    pending.review, pending.source = "pending", source
    p = project(box(1, [10, 10, 30, 20]), pending)
    assert kinds(p) == []


def test_rejected_objects_are_not_labels() -> None:
    """An object a reviewer rejected is a label said to be wrong, as exports take it (``is_rejected``: left
    out by default): it duplicates no label, and conflicts with none in class; lint checked it as a label."""
    rejected = box(2, [10, 10, 30, 20], cid=2)
    rejected.review, rejected.note = "rejected", "a dog, not a cat? neither"
    p = project(box(1, [10, 10, 30, 20]), rejected)
    assert kinds(p) == []
    rejected.review = "accepted"
    assert kinds(p) != []  # (the same pair, both labels: a class conflict)
    done = marked_done(41, 0)
    assert kinds(done) == []
    done.annotations[41].review = "rejected"  # Done, its one object rejected: no label left, as exports say
    assert kinds(done) == [("unlabeled_image", None)]


def test_void_regions_are_not_objects() -> None:
    p = marked_done(40, 1)
    p.add_category(Category(2, "dog"))
    p.add_annotation(box(50, [10, 10, 30, 20], cid=2))
    p.add_annotation(box(51, [0, 0, 1, 1], cid=2, image=41))
    p.categories[2].app_extra["void"] = True
    assert kinds(p) == [("unlabeled_image", None)]  # no class conflict, no tiny void, image 41 has no object


def test_fix_of_a_deleted_object_is_refused_and_leaves_the_project_alone() -> None:
    p = project(box(1, [10, 10, 1, 30]))
    (problem,) = lint_project(p).problems
    p.remove_annotation(1)
    before = dumps_project(p)
    with pytest.raises(FixError):
        fix_edit(p, problem.fix)
    assert dumps_project(p) == before


def test_location_fixes_keep_the_label_kind() -> None:
    """A badly located box takes the model's box; a polygon takes the model's mask as a polygon, or no
    automatic fix when the model gives only a box (setting a polygon's bbox would break it)."""
    p = project(box(1, [10, 10, 20, 20]), poly(2, [100, 10, 130, 10, 130, 40, 100, 40]))
    pred_box = box(-1, [10, 10, 40, 40])
    pred_box.score = 0.9
    pred_mask = mask(-2, rect(10, 60, 100, 150))
    pred_mask.score = 0.9
    found = {
        x.annotation_id: x for x in lint_project(p, predictions={1: [pred_box, pred_mask], 2: []}).problems
    }
    assert found[1].kind == "partial_box" and found[1].fix == {
        "action": "set_bbox",
        "annotation_id": 1,
        "bbox": [10.0, 10.0, 40.0, 40.0],
        "expects": stamp_of(p, 1),
    }
    assert found[2].kind == "partial_box" and found[2].fix["action"] == "set_segmentation"
    fix_edit(p, found[2].fix).apply(p)
    assert p.annotations[2].kind == "polygon"
    assert np.array_equal(p.annotations[2].mask(H, W), rect(10, 60, 100, 150))
    only_boxes = project(poly(2, [100, 10, 130, 10, 130, 40, 100, 40]))
    pred = box(-1, [100, 10, 50, 50])
    pred.score = 0.9
    (problem,) = lint_project(only_boxes, predictions={1: [pred], 2: []}).problems
    assert problem.kind == "partial_box" and problem.fix is None


def test_a_fix_is_refused_when_its_object_changed_since_lint_ran() -> None:
    p = project(box(1, [10, 10, 40, 30]), box(2, [10, 10, 40, 30]))  # 2 duplicates 1: the fix deletes 2
    (dup,) = [x for x in lint_project(p).problems if x.kind == "duplicate"]
    moved = box(2, [120, 50, 40, 30])  # meanwhile the annotator moved 2 onto the object it should cover
    p.remove_annotation(2)
    p.add_annotation(moved)
    with pytest.raises(FixError, match="changed since"):
        fix_edit(p, dup.fix)
    assert 2 in p.annotations

    p = project(box(1, [190, 10, 40, 30]))  # out of bounds: clip to the image
    (oob,) = [x for x in lint_project(p).problems if x.kind == "out_of_bounds"]
    fix_edit(p, oob.fix).apply(p)
    redrawn = box(1, [20, 20, 30, 30], cid=2)  # then redrawn and re-classed by hand
    p.remove_annotation(1)
    p.add_annotation(redrawn)
    with pytest.raises(FixError, match="changed since"):
        fix_edit(p, oob.fix)  # would put the stale clipped box back over the new one
    assert p.annotations[1].bbox == [20.0, 20.0, 30.0, 30.0]


def test_a_fix_applied_twice_is_refused_the_second_time() -> None:
    p = project(box(1, [190, 10, 40, 30]))
    (oob,) = [x for x in lint_project(p).problems if x.kind == "out_of_bounds"]
    fix_edit(p, oob.fix).apply(p)
    with pytest.raises(FixError):
        fix_edit(p, oob.fix)
    add = {
        "action": "add",
        "annotation": {"image_id": 1, "category_id": 2, "bbox": [5, 5, 10, 10], "area": 100.0, "score": 0.9},
    }
    fix_edit(p, add).apply(p)
    assert len(p.annotations) == 2
    with pytest.raises(FixError, match="already"):
        fix_edit(p, add)  # a second identical object would be a duplicate


def _star(rng: np.random.Generator, n: int) -> np.ndarray:
    """A simple ring of n vertices (sorted angles, random radii): no edge crosses another."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False) + rng.uniform(0, 0.1 / n, n)
    r = rng.uniform(90, 100, n)
    return np.stack([200 + r * np.cos(t), 200 + r * np.sin(t)], axis=1)


def test_a_long_rings_sweep_finds_what_testing_every_pair_finds() -> None:
    rng = np.random.default_rng(7)
    found = []
    for k in range(12):
        ring = _star(rng, 1100 + k)
        if k % 3:  # swap a few vertices: some of these rings cross themselves, some still do not
            for _ in range(k % 4):
                i, j = rng.integers(0, len(ring), 2)
                ring[[i, j]] = ring[[j, i]]
        if k == 11:  # touching itself at one vertex, no crossing
            ring[600] = ring[10]
        a, b = ring, np.roll(ring, -1, axis=0)
        ii, jj = shapes._edge_pairs(len(ring))
        every_pair = shapes._pairs_meet(a, b, b - a, np.minimum(a, b), np.maximum(a, b), ii, jj)
        assert self_intersects(ring) == every_pair
        found.append(every_pair)
    assert any(found) and not all(found)


def test_a_slide_regions_million_vertices_are_not_paired_every_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A QuPath annotation of 2,000,000 vertices took 23 GB and minutes (the OOM killer ended lint):
    every edge was paired with every other. The sweep pairs an edge only with the edges its x range meets."""
    n = 20_000
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.stack([2000 + 1500 * np.cos(t), 2000 + 1500 * np.sin(t)], axis=1)
    tested = []
    pairs_meet = shapes._pairs_meet

    def counted(a, b, d, lo, hi, ii, jj):  # type: ignore[no-untyped-def]
        tested.append(len(ii))
        assert sum(tested) <= 20 * n, "paired far more edges than overlap"
        return pairs_meet(a, b, d, lo, hi, ii, jj)

    monkeypatch.setattr(shapes, "_pairs_meet", counted)
    assert not self_intersects(ring)
    ring[[100, 12_000]] = ring[[12_000, 100]]
    assert self_intersects(ring)
