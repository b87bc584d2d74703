"""Lint on small constructed cases with known answers: where a model's view meets overlap-image versions,
crowd regions, per-class thresholds and shapes whose stored box is stale."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.lint import LintOptions, lint_project, parse_rules
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY

W, H = 400, 200


def project(*anns: Annotation) -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", W, H))
    p.add_category(Category(1, "cat"))
    p.add_category(Category(2, "dog"))
    for a in anns:
        p.add_annotation(a)
    return p


def box(aid: int, bbox: list[float], cid: int = 1, **kw) -> Annotation:
    return Annotation(aid, 1, cid, [float(v) for v in bbox], None, float(bbox[2] * bbox[3]), **kw)


def tagged(a: Annotation, who: str) -> Annotation:
    a.app_extra[ANNOTATOR_KEY] = who
    return a


def found(p: Project, predictions=None, rules: dict | None = None) -> list[tuple[str, int | None]]:
    result = lint_project(p, parse_rules(rules), predictions, LintOptions(min_score=0.5))
    return sorted((x.kind, x.annotation_id) for x in result.problems)


def test_a_wrong_class_in_one_annotators_version_is_not_hidden_by_the_others_version() -> None:
    """ann drew a cat, bob a dog on the same object of an overlap image; the model sees a cat. Alone,
    bob's dog is a wrong_class; ObjectLab's check for a label of another class on the same box (a class
    conflict) must not see across versions, or bob's error vanishes (score 1.0 -> not listed)."""
    preds = {1: [box(100, [50, 20, 40, 40], 1, score=0.99), box(101, [150, 20, 10, 10], 1, score=0.3)]}
    bob = tagged(box(2, [50, 20, 40, 40], 2), "bob")
    assert found(project(bob), preds) == [("wrong_class", 2)]
    both = project(tagged(box(1, [50, 20, 40, 40], 1), "ann"), tagged(box(2, [50, 20, 40, 40], 2), "bob"))
    assert found(both, preds) == [("wrong_class", 2)]
    # within one version (or untagged) the twin labels are a class conflict, as in cleanlab
    one = project(box(1, [50, 20, 40, 40], 1), box(2, [50, 20, 40, 40], 2))
    assert found(one, preds) == [("class_conflict", 2)]


def test_predictions_under_a_crowd_region_are_not_missing_objects() -> None:
    """A crowd region (``iscrowd: 1``) is a label: the people the model finds inside it overlap a label,
    so they are not ``missing_object`` ("a confident prediction that overlaps no label"); one outside is."""
    crowd = box(1, [10, 10, 150, 80], 1, iscrowd=1)
    inside = [box(100, [20, 20, 20, 20], 1, score=0.99), box(101, [60, 20, 20, 20], 2, score=0.99)]
    outside = box(102, [300, 100, 20, 20], 1, score=0.99)
    result = lint_project(project(crowd), None, {1: [*inside, outside]}, LintOptions(min_score=0.5))
    assert [(x.kind, x.bbox) for x in result.problems] == [("missing_object", [300.0, 100.0, 20.0, 20.0])]
    over = result.image_scores[1].overlooked
    assert np.isnan(over[:2]).all() and not np.isnan(over[2])  # the image score agrees with the list


def test_objectlab_thresholds_set_for_a_class_apply_to_its_predictions_and_labels() -> None:
    """Class entries "may override any threshold" (README, Rules): ``confident`` and
    ``min_prediction_score`` of a prediction's class judge that prediction, ``cover`` of a label's class
    that label. They were read and silently ignored (only the dataset-wide thresholds counted)."""
    cat = box(1, [10, 10, 40, 40], 1)
    preds = {1: [box(100, [10, 10, 40, 40], 2, score=0.7), box(101, [200, 100, 40, 40], 1, score=0.7)]}
    assert found(project(cat), preds) == []
    assert found(project(cat), preds, {"thresholds": {"confident": 0.6}}) == [
        ("missing_object", None),
        ("wrong_class", 1),
    ]
    assert found(project(cat), preds, {"classes": {"cat": {"confident": 0.6}}}) == [("missing_object", None)]
    assert found(project(cat), preds, {"classes": {"dog": {"confident": 0.6}}}) == [("wrong_class", 1)]
    # a cat box of half the predicted cat's width: partial; the cat's own min score 0.8 leaves the 0.7
    # prediction out of location judgements; the cat's own cover decides partial or shifted
    half = box(1, [200, 100, 20, 40], 1)
    located = {1: [box(101, [200, 100, 40, 40], 1, score=0.7)]}
    assert found(project(half), located) == [("partial_box", 1)]
    assert found(project(half), located, {"classes": {"cat": {"min_prediction_score": 0.8}}}) == []
    assert found(project(half), located, {"classes": {"dog": {"min_prediction_score": 0.8}}}) == [
        ("partial_box", 1)
    ]
    shifted = box(1, [199, 100, 20, 40], 1)  # 95% of it inside the prediction
    assert found(project(shifted), located) == [("partial_box", 1)]
    assert found(project(shifted), located, {"classes": {"cat": {"cover": 0.96}}}) == [("bad_location", 1)]
    assert found(project(shifted), located, {"classes": {"dog": {"cover": 0.96}}}) == [("partial_box", 1)]


def test_a_shape_drawn_twice_is_a_duplicate_even_when_one_stored_box_is_stale() -> None:
    """Duplicates of shapes are judged by pixel IoU; the pairs were looked for with the stored boxes, so a
    copy whose bbox was not updated (itself a box_mask_mismatch) was never compared: pixel IoU 1.0 and no
    duplicate. Pairs are now found by where the pixels are."""
    m = np.zeros((H, W), bool)
    m[20:60, 30:90] = True
    seg = masks.encode(m)
    first = Annotation(1, 1, 1, masks.bbox(m), seg, float(m.sum()))
    stale = Annotation(2, 1, 1, [250.0, 120.0, 10.0, 10.0], dict(seg), float(m.sum()))
    assert found(project(first, stale)) == [("box_mask_mismatch", 2), ("duplicate", 2)]
    points = [30.0, 20.0, 90.0, 20.0, 90.0, 60.0, 30.0, 60.0]
    poly = Annotation(3, 1, 2, masks.polygons_bbox([points]), [points], 2400.0)
    moved = Annotation(4, 1, 2, [300.0, 20.0, 60.0, 40.0], [list(points)], 2400.0)
    assert found(project(poly, moved)) == [("box_mask_mismatch", 4), ("duplicate", 4)]
    # a box against a shape stays a box IoU of the stored boxes
    assert found(project(box(5, [250, 120, 10, 10]), stale)) == [("box_mask_mismatch", 2), ("duplicate", 5)]


def test_a_prediction_lying_wholly_in_a_void_region_is_not_a_missing_object() -> None:
    """Void regions (KITTI DontCare, Cityscapes ignore) mark where nothing is to be labelled: QA does not
    score a detection lying wholly in void, and lint told to add one as a label (score 0.99). One that
    lies partly outside the void region is still a missing object."""
    p = project()
    p.add_category(Category(3, "dont care", app_extra={"void": True}))
    p.add_annotation(box(1, [90, 0, 60, 60], 3))
    inside = box(100, [100, 10, 20, 20], 1, score=0.99)
    partly = box(101, [140, 10, 20, 20], 1, score=0.99)
    result = lint_project(p, None, {1: [inside, partly]}, LintOptions(min_score=0.5))
    assert [(x.kind, x.bbox) for x in result.problems] == [("missing_object", [140.0, 10.0, 20.0, 20.0])]
    assert np.isnan(result.image_scores[1].overlooked[0])


def test_fixes_from_a_model_box_overshooting_the_image_stay_inside_it() -> None:
    """A model box reaching past the border (common in COCO results): the set_bbox and add fixes take
    the part inside the image, so applying them does not create out_of_bounds labels."""
    from pixelproof.core.lint.apply import fix_edit

    p = project(box(1, [340, 50, 40, 60]))
    predictions = {
        1: [
            box(100, [330, 50, 90, 60], score=0.99),  # the label covers part of it, right edge past 400
            box(101, [100, 150, 50, 80], cid=2, score=0.99),  # nothing covers it, bottom edge past 200
        ]
    }
    result = lint_project(p, parse_rules(None), predictions, LintOptions(min_score=0.5))
    fixes = {x.kind: x.fix for x in result.problems}
    assert fixes["partial_box"]["bbox"] == [330.0, 50.0, 70.0, 60.0]
    assert fixes["missing_object"]["annotation"]["bbox"] == [100.0, 150.0, 50.0, 50.0]
    assert fixes["missing_object"]["annotation"]["area"] == 2500.0
    for fix in fixes.values():
        fix_edit(p, fix).apply(p)
    assert "out_of_bounds" not in {k for k, _ in found(p, predictions)}


def test_adding_a_pending_prediction_accepts_it_instead_of_copying_it() -> None:
    """With the project's pending predictions as the model, a missing object's fix accepted nothing: it
    was refused as "applied already" (the proposal itself matched), or, at a model's unround coordinates,
    added a copy beside the still-pending proposal (a duplicate once that is accepted)."""
    from pixelproof.core.lint import pending_predictions
    from pixelproof.core.lint.apply import FixError, fix_edit

    for bbox in ([100, 60, 90, 70], [100.123, 60.456, 90.5, 70.25]):
        p = project(
            box(1, [10, 10, 30, 30]), box(5, bbox, cid=2, score=0.97, source="model:x@1", review="pending")
        )
        result = lint_project(p, parse_rules(None), pending_predictions(p)[0], LintOptions(min_score=0.5))
        (missing,) = [x for x in result.problems if x.kind == "missing_object"]
        edit = fix_edit(p, missing.fix)
        edit.apply(p)
        assert sorted(p.annotations) == [1, 5] and p.annotations[5].review == "accepted"
        assert p.annotations[5].bbox == [float(v) for v in bbox]
        edit.revert(p)
        assert p.annotations[5].review == "pending"
        p.annotations[5].review = "rejected"  # rejected since lint ran: the fix no longer fits
        with pytest.raises(FixError, match="already"):
            fix_edit(p, missing.fix)


def test_crowd_regions_are_not_judged_as_single_objects_of_their_class() -> None:
    """A crowd region (iscrowd: a group of persons, several islands) is not one person: the class's size
    kind and border rules and its own statistics do not apply (every COCO crowd region was a size and aspect
    outlier, and a fragmented mask to split), and it does not shift the class's figures. Its geometry is
    still checked."""
    p = project()
    for k in range(25):
        p.add_annotation(box(k + 1, [10.0 + 15 * k, 10.0, 8.0 + k % 3, 40.0]))
    group = np.zeros((H, W), bool)
    group[120:200, 0:150] = True
    group[120:200, 250:400] = True
    crowd = Annotation(
        90, 1, 1, [0.0, 120.0, 400.0, 80.0], masks.encode(group), float(group.sum()), iscrowd=1
    )
    p.add_annotation(crowd)
    rules = {"classes": {"cat": {"max_area": "5%", "kinds": ["box"], "border": False}}}
    assert [k for k, aid in found(p, rules=rules) if aid == 90] == []
    stale = Annotation(
        91, 1, 1, [0.0, 100.0, 400.0, 100.0], masks.encode(group), float(group.sum()), iscrowd=1
    )
    p.add_annotation(stale)
    assert ("box_mask_mismatch", 91) in found(p)


def coco_pixel_box(seg: list[list[float]]) -> list[float]:
    """The bbox pycocotools gives a polygon (the box of its rasterised pixels), as labelme2coco stores it."""
    from pycocotools import mask as coco_mask

    return [float(v) for v in coco_mask.toBbox(coco_mask.merge(coco_mask.frPyObjects(seg, H, W)))]


def test_a_polygon_stored_with_its_pixel_box_is_no_box_mask_mismatch() -> None:
    """A COCO polygon whose bbox is its pixels' box (pycocotools', labelme2coco's) lies less than a pixel
    from its vertices' box on every edge, yet its width is a whole pixel more: compared as [x, y, w, h],
    with float noise past 1.0, 5 of 13 objects of LabelMe's own COCO example were flagged."""
    segs = [
        [[170.936, 9.564, 308.936, 9.564, 308.936, 178.564, 170.936, 178.564]],
        [[12.5, 20.25, 90.75, 33.5, 60.2, 150.9, 14.1, 120.0]],
        [[300.4, 10.6, 399.2, 60.3, 350.7, 199.4]],
    ]
    anns = []
    for i, seg in enumerate(segs, 1):
        a = Annotation(i, 1, 1, coco_pixel_box(seg), seg, masks.segmentation_area(seg, [0] * 4, H, W))
        anns.append(a)
    assert found(project(*anns)) == []


def test_box_mask_mismatch_measures_how_far_an_edge_is_off() -> None:
    seg = [[100.0, 50.0, 140.0, 50.0, 140.0, 90.0, 100.0, 90.0]]
    area = masks.segmentation_area(seg, [0] * 4, H, W)
    inside = Annotation(1, 1, 1, [99.2, 49.2, 41.6, 41.6], seg, area)  # every edge 0.8 px out: within 1 px
    assert found(project(inside)) == []
    off = Annotation(1, 1, 1, [100.0, 50.0, 41.5, 40.0], seg, area)  # the right edge 1.5 px out
    (problem,) = lint_project(project(off), parse_rules(None), None, LintOptions(min_score=0.5)).problems
    assert problem.kind == "box_mask_mismatch" and "off by 1.5 px" in problem.message


def test_the_labelme_coco_example_has_no_box_mask_mismatch(shared_fixtures) -> None:
    from pixelproof.interop.coco_io import read_coco

    path = shared_fixtures / "labelme/instance_segmentation/data_dataset_coco/annotations.json"
    p = read_coco(path).project
    result = lint_project(p, parse_rules(None), None, LintOptions(min_score=0.0))
    assert [x.annotation_id for x in result.problems if x.kind == "box_mask_mismatch"] == []


def test_a_missing_object_says_where_it_is_and_is_listed_once_when_the_model_sees_it_twice() -> None:
    """A missing object names no label, so its line in the terminal, the CSV and the panel's detail must
    say where: it said "the model sees a cat here", and two missing cats of one image read the same. A
    results file without NMS (two cat boxes at IoU 0.9 on one cat) made one missing cat two problems, with
    two identical fixes; of another class, or apart, each is listed."""
    preds = {
        1: [
            box(100, [100, 20, 40, 40], 1, score=0.97),
            box(101, [101, 20, 40, 40], 1, score=0.99),  # the same cat again, box IoU 0.95
            box(102, [100, 20, 40, 40], 2, score=0.98),  # a dog on it: another class
            box(103, [300.4, 120, 40.2, 30], 1, score=0.96),  # a second cat
        ]
    }
    result = lint_project(project(box(1, [10, 10, 30, 30], 2)), None, preds, LintOptions(min_score=0.5))
    missing = sorted((x.category, x.message) for x in result.problems if x.kind == "missing_object")
    assert missing == [
        ("cat", "the model sees a cat at x 101..141, y 20..60 (score 0.99) that no label covers"),
        ("cat", "the model sees a cat at x 300..341, y 120..150 (score 0.96) that no label covers"),
        ("dog", "the model sees a dog at x 100..140, y 20..60 (score 0.98) that no label covers"),
    ]
    # ObjectLab's image score is cleanlab's still: both cat boxes count there
    assert (~np.isnan(result.image_scores[1].overlooked)).sum() == 4
    # a class's own near_duplicate_iou decides what is one object
    rules = parse_rules({"classes": {"cat": {"near_duplicate_iou": 0.99}}})
    again = lint_project(project(box(1, [10, 10, 30, 30], 2)), rules, preds, LintOptions(min_score=0.5))
    assert sum(x.kind == "missing_object" for x in again.problems) == 4
