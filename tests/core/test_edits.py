"""Qt-free edits (core/edits): every edit's apply and revert, exact restore (bytes of the saved file,
mask pixels, timestamps, file order), the ids each reports, and refusal without side effects."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import annotation_pixels, edits, mask_edit, masks
from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.edits import (
    ANNOTATION_ADDED,
    ANNOTATION_CHANGED,
    ANNOTATION_REMOVED,
    CATEGORY,
    IMAGE,
    REFERENCE,
)
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

H, W = 40, 60


def disc(cy: int, cx: int, r: int) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2


def make_project() -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", W, H))
    p.add_image(ImageRecord(2, "b.png", W, H, extra={"license": 3}))
    p.add_category(Category(1, "cat", color="#ff0000", shortcut="1"))
    p.add_category(Category(2, "dog", color="#00ff00", extra={"keep": True}))
    p.add_category(Category(3, "bird"))
    m = disc(20, 20, 8)
    m[18:22, 18:22] = False  # a hole
    p.add_annotation(Annotation(7, 1, 1, [5.0, 5.0, 10.0, 10.0], None, 100.0, source="manual", updated="t0"))
    p.add_annotation(
        Annotation(3, 1, 2, masks.bbox(m), masks.encode(m), float(m.sum()), note="n", updated="t1")
    )
    poly = [[30.0, 5.0, 50.0, 5.0, 50.0, 25.0]]
    p.add_annotation(Annotation(5, 2, 1, masks.polygons_bbox(poly), poly, 200.0, extra={"x": [1]}))
    # a mask written by another tool: uncompressed counts, area as that tool counted
    raw = {"size": [H, W], "counts": [100, 30, H * W - 130]}
    p.add_annotation(Annotation(9, 2, 3, [1.0, 2.0, 1.0, 30.0], raw, 30.0, review="pending", updated="t2"))
    p.set_image_status(1, "in_progress")
    p.app["image_review"] = {"2": {"review": "accepted", "updated": "t3"}}
    p.reference = "ref.json"
    return p


def round_trip(project: Project, edit: edits.Edit) -> edits.Changes:
    """apply, revert, apply again, revert: each state is exactly the one before (saved bytes equal)."""
    before = dumps_project(project)
    changes = edit.apply(project)
    after = dumps_project(project)
    assert after != before, "the edit changed nothing"
    undone = edit.revert(project)
    assert dumps_project(project) == before
    assert edit.apply(project) == changes  # redo reports the same
    assert dumps_project(project) == after
    assert edit.revert(project) == undone
    assert dumps_project(project) == before
    edit.apply(project)
    return changes


def test_add_annotations_reports_ids_and_reverts() -> None:
    p = make_project()
    new = [Annotation(20, 2, 3, [1.0, 1.0, 2.0, 2.0], None, 4.0), Annotation(21, 1, 1, [0, 0, 1, 1], None, 1)]
    edit = edits.AddAnnotations(new, "Draw box")
    changes = round_trip(p, edit)
    assert [(c.kind, c.image_id, c.annotation_id) for c in changes] == [
        (ANNOTATION_ADDED, 2, 20),
        (ANNOTATION_ADDED, 1, 21),
    ]
    assert edit.focus == [20, 21] and edit.label == "Draw box"
    assert list(p.annotations)[-2:] == [20, 21]
    new[0].bbox[0] = 99.0  # the caller's objects are not the edit's
    p.annotations[20].bbox[1] = 77.0  # nor are the project's
    edit.revert(p)
    edit.apply(p)
    assert p.annotations[20].bbox == [1.0, 1.0, 2.0, 2.0]


def test_remove_annotations_restores_pixels_and_file_order() -> None:
    p = make_project()
    order = list(p.annotations)
    pixels = p.annotations[3].mask(H, W).copy()
    edit = edits.RemoveAnnotations([9, 3])
    assert edit.label == "Delete 2 annotations"
    changes = round_trip(p, edit)
    assert changes.annotation_ids(ANNOTATION_REMOVED) == [3, 9]  # file order, not the order asked
    assert edit.focus is None and edit.revert_focus == [3, 9]  # a viewer selects what comes back
    assert changes.image_ids == [1, 2]
    edit.revert(p)
    assert list(p.annotations) == order
    assert np.array_equal(p.annotations[3].mask(H, W), pixels)
    assert p.annotations[9].segmentation == {"size": [H, W], "counts": [100, 30, H * W - 130]}


def test_replace_annotations_keeps_place_and_stamps_time() -> None:
    p = make_project()
    after = clone(p.annotations[3])
    after.category_id, after.review = 3, "rejected"
    edit = edits.ReplaceAnnotations([after], "Reject")
    changes = round_trip(p, edit)
    assert changes == [edits.Change(ANNOTATION_CHANGED, image_id=1, annotation_id=3)]
    assert list(p.annotations) == [7, 3, 5, 9]  # in place, not moved to the end
    assert p.annotations[3].updated != "t1" and p.annotations[3].category_id == 3
    edit.revert(p)
    assert p.annotations[3].updated == "t1" and p.annotations[3].review is None
    untouched = edits.ReplaceAnnotations([clone(p.annotations[7])], touch=False)
    assert untouched.apply(p) and p.annotations[7].updated == "t0"


def test_replace_annotations_merge_keeps_first_before() -> None:
    p = make_project()
    first, second = clone(p.annotations[7]), clone(p.annotations[7])
    first.bbox[0] += 1
    second.bbox[0] += 2
    a, b = edits.ReplaceAnnotations([first]), edits.ReplaceAnnotations([second])
    a.apply(p)
    b.apply(p)
    assert a.merge_with(b)
    a.revert(p)
    assert p.annotations[7].bbox[0] == 5.0
    a.apply(p)
    assert p.annotations[7].bbox[0] == 7.0
    other = edits.ReplaceAnnotations([clone(p.annotations[3])])
    assert not a.merge_with(other)


def test_set_category_only_changes_what_differs() -> None:
    p = make_project()
    assert edits.set_category(p, [7], 1) is None
    edit = edits.set_category(p, [7, 3], 1)
    assert edit.label == "Set category to cat" and edit.focus == [3]
    round_trip(p, edit)
    assert p.annotations[3].category_id == 1


def test_categories_left_names_where_each_moved_object_was() -> None:
    """A class merge (a Compound) says, after its apply and after its revert, the category each object
    it moved left: what a viewer needs for objects it does not draw."""
    from pixelproof.core.taxonomy import merge_categories

    p = make_project()
    merge = merge_categories(p, "cat", "bird")  # 7 (image 1) and 5 (image 2) are cats
    merge.apply(p)
    assert edits.categories_left(merge) == {7: 1, 5: 1}
    assert p.annotations[7].category_id == p.annotations[5].category_id == 3
    merge.revert(p)
    assert edits.categories_left(merge, reverted=True) == {7: 3, 5: 3}
    assert p.annotations[7].category_id == p.annotations[5].category_id == 1
    assert edits.categories_left(edits.RemoveAnnotations([3])) == {}  # moves nothing to another class


def test_category_add_replace_reorder() -> None:
    p = make_project()
    add = edits.AddCategory(Category(8, "fish", color="#0000ff"), position=1)
    assert round_trip(p, add) == [edits.Change(CATEGORY, category_id=8)]
    assert list(p.categories) == [1, 8, 2, 3]
    renamed = Category(2, "hound", color="#00ff00", extra={"keep": True})
    changes = round_trip(p, edits.ReplaceCategory(renamed))
    # the annotations drawn in its colour are reported too
    assert changes.category_ids == [2] and changes.annotation_ids(ANNOTATION_CHANGED) == [3]
    assert list(p.categories) == [1, 8, 2, 3] and p.categories[2].name == "hound"
    reorder = edits.ReorderCategories([3, 2, 1, 8])
    round_trip(p, reorder)
    assert list(p.categories) == [3, 2, 1, 8]
    reorder.revert(p)
    assert list(p.categories) == [1, 8, 2, 3]


def test_remove_category_takes_its_annotations_and_puts_both_back() -> None:
    p = make_project()
    edit = edits.RemoveCategory(1)
    changes = round_trip(p, edit)
    assert [c.kind for c in changes] == [ANNOTATION_REMOVED, ANNOTATION_REMOVED, CATEGORY]
    assert edit.revert_focus == [7, 5] and 1 not in p.categories
    undone = edit.revert(p)
    assert [c.kind for c in undone] == [CATEGORY, ANNOTATION_ADDED, ANNOTATION_ADDED]  # category first
    assert list(p.categories) == [1, 2, 3] and list(p.annotations) == [7, 3, 5, 9]


def test_image_status_review_and_reference() -> None:
    p = make_project()
    assert round_trip(p, edits.SetImageStatus(2, "done")) == [edits.Change(IMAGE, image_id=2)]
    assert p.image_status(2) == "done"
    forget = edits.SetImageStatus(1, None)
    round_trip(p, forget)
    assert "1" not in p.image_status_map()
    forget.revert(p)
    assert p.image_status(1) == "in_progress"
    round_trip(p, edits.SetImageReview(2, None))
    assert "image_review" not in p.app  # the empty map goes too
    round_trip(p, edits.SetImageReview(1, {"review": "rejected", "note": "blurry"}))
    assert p.app["image_review"]["1"]["note"] == "blurry"
    shown = {"names": ["DAPI", "FITC"], "shown": [True, False], "ranges": {"0": [0.0, 2500.0]}, "gamma": 1.0}
    assert round_trip(p, edits.SetChannelDisplay({1: shown, 2: shown})) == [
        edits.Change(IMAGE, image_id=1),
        edits.Change(IMAGE, image_id=2),
    ]
    round_trip(p, edits.SetChannelDisplay({1: None, 2: None}))
    assert "channel_display" not in p.app  # display settings of no image: the map goes
    assert round_trip(p, edits.SetReference("other.json")) == [edits.Change(REFERENCE)]
    round_trip(p, edits.SetReference(None))
    assert p.reference is None
    round_trip(p, edits.SetReference("gtFine_dir", "cityscapes"))
    assert (p.reference, p.app["reference_format"]) == ("gtFine_dir", "cityscapes")
    later = edits.SetReference("masks_dir")  # a detected format is not stored
    later.apply(p)
    assert p.reference == "masks_dir" and "reference_format" not in p.app
    later.revert(p)
    assert p.app["reference_format"] == "cityscapes"


def test_review_decision_on_objects_and_on_a_whole_image() -> None:
    p = make_project()
    p.annotations[5].review = "rejected"  # an explicit object decision outlives the image's
    whole = edits.ReviewDecision(p, 2, "accepted", "fine")
    assert whole.label == "Accept image" and whole.focus == [9]
    changes = round_trip(p, whole)
    assert changes.image_ids == [2] and changes.annotation_ids() == [9]
    assert p.annotations[5].review == "rejected" and p.annotations[9].review == "accepted"
    assert p.annotations[9].note is None  # an image note stays on the image
    assert p.image_status(2) == "reviewed" and p.app["image_review"]["2"]["note"] == "fine"
    objects = edits.ReviewDecision(p, 1, "rejected", "wrong", ann_ids=[3])
    assert objects.label == "Reject object"
    round_trip(p, objects)
    assert p.annotations[3].note == "wrong" and p.image_status(1) == "in_progress"
    with pytest.raises(ValueError, match="decision"):
        edits.ReviewDecision(p, 1, "maybe")


def test_add_predictions_adds_categories_then_annotations() -> None:
    p = make_project()
    cats = [Category(4, "car", color="#123456")]
    anns = [Annotation(30, 1, 4, [0, 0, 3, 3], None, 9.0, score=0.9, source="model:x", review="pending")]
    edit = edits.AddPredictions(cats, anns, "Pre-label x (1)")
    changes = round_trip(p, edit)
    assert [c.kind for c in changes] == [CATEGORY, ANNOTATION_ADDED] and edit.focus is None
    assert p.annotations[30].category_id == 4 and p.categories[4].name == "car"


def test_paint_mask_patch_on_existing_new_and_foreign_rle() -> None:
    p = make_project()
    ann = p.annotations[3]
    before_pixels = ann.mask(H, W).copy()
    target = before_pixels.copy()
    target[0:5, 0:10] = True
    patch = mask_edit.make_patch((0, 0, W, H), before_pixels, target)
    edit = edits.PaintMask(ann, patch, "Brush")
    round_trip(p, edit)
    assert np.array_equal(p.annotations[3].mask(H, W), target) and edit.focus == [3]
    # a mask from another tool (uncompressed counts): revert gives back the very same dict
    foreign = p.annotations[9]
    old = annotation_pixels.editable_mask(foreign, H, W)
    new = old.copy()
    new[30:35, 40:50] = True
    edit = edits.PaintMask(foreign, mask_edit.make_patch((0, 0, W, H), old, new), "Brush")
    round_trip(p, edit)
    edit.revert(p)
    assert p.annotations[9].segmentation == {"size": [H, W], "counts": [100, 30, H * W - 130]}
    assert p.annotations[9].area == 30.0 and p.annotations[9].updated == "t2"
    # a new mask annotation made by its first stroke
    fresh = edits.new_mask_annotation(p, 2, 2)
    blob = disc(10, 40, 5)
    edit = edits.PaintMask(fresh, mask_edit.make_patch((0, 0, W, H), np.zeros_like(blob), blob), is_new=True)
    changes = round_trip(p, edit)
    assert changes == [edits.Change(ANNOTATION_ADDED, image_id=2, annotation_id=fresh.id)]
    assert np.array_equal(p.annotations[fresh.id].mask(H, W), blob)


def test_paint_mask_uses_a_prepared_rle_once() -> None:
    p = make_project()
    ann = p.annotations[3]
    old = ann.mask(H, W).copy()
    new = old.copy()
    new[0, 0] = True
    patch = mask_edit.make_patch((0, 0, W, H), old, new)
    prepared = mask_edit.patch_rle(ann.segmentation, patch)
    edit = edits.PaintMask(ann, patch, after_rle=prepared)
    edit.apply(p)
    assert p.annotations[3].segmentation is prepared  # the worker's splice, not a second one
    edit.revert(p)
    edit.apply(p)
    assert p.annotations[3].segmentation is not prepared and p.annotations[3].segmentation == prepared
    edit.revert(p)
    round_trip(p, edit)


def test_conversions_merge_split_fill_holes() -> None:
    p = make_project()
    to_mask = edits.to_mask(p, [7, 3, 5])
    assert to_mask.label == "Convert 2 to mask" and to_mask.focus == [7, 5]  # 3 is a mask already
    round_trip(p, to_mask)
    assert p.annotations[7].kind == "mask" and p.annotations[5].kind == "mask"
    polygon = [[30.0, 5.0, 50.0, 5.0, 50.0, 25.0]]
    assert np.array_equal(p.annotations[5].mask(H, W), masks.polygons_to_mask(polygon, H, W))
    assert np.array_equal(p.annotations[7].mask(H, W), masks.box_to_mask([5.0, 5.0, 10.0, 10.0], H, W))
    to_mask.revert(p)
    # two blobs in one mask: split makes two objects, the largest keeps the id
    two = disc(10, 10, 6) | disc(30, 45, 4)
    p.add_annotation(Annotation(40, 1, 2, masks.bbox(two), masks.encode(two), float(two.sum())))
    split = edits.split_mask(p, 40)
    assert split.label == "Split mask into 2" and split.focus == [40, 41]
    round_trip(p, split)
    assert np.array_equal(p.annotations[40].mask(H, W) | p.annotations[41].mask(H, W), two)
    merge = edits.merge_masks(p, [40, 41])
    round_trip(p, merge)
    assert 41 not in p.annotations and np.array_equal(p.annotations[40].mask(H, W), two)
    with pytest.raises(ValueError, match="one category"):
        edits.merge_masks(p, [40, 7])
    fill = edits.fill_holes(p, 3)
    round_trip(p, fill)
    assert p.annotations[3].mask(H, W).sum() == disc(20, 20, 8).sum()
    assert edits.fill_holes(p, 3) is None and edits.fill_holes(p, 7) is None


def test_to_polygons_asks_before_losing_detail() -> None:
    p = make_project()
    asked = []

    def choose(ann: Annotation, conv: mask_edit.PolygonConversion) -> str:
        asked.append(ann.id)
        return "cancel"

    assert edits.to_polygons(p, [3], choose) is None and asked == [3]  # a hole: not lossless
    square = np.zeros((H, W), bool)
    square[5:15, 30:45] = True
    p.add_annotation(Annotation(50, 1, 1, masks.bbox(square), masks.encode(square), float(square.sum())))
    edit = edits.to_polygons(p, [50, 7], choose)
    assert asked == [3] and edit.focus == [50]  # lossless: no question; boxes are skipped
    round_trip(p, edit)
    assert p.annotations[50].kind == "polygon"
    assert np.array_equal(masks.polygons_to_mask(p.annotations[50].segmentation, H, W), square)


def test_a_refused_edit_leaves_the_project_untouched() -> None:
    p = make_project()
    before = dumps_project(p)
    bad = [
        edits.AddAnnotations([Annotation(60, 1, 1, [0, 0, 1, 1]), Annotation(7, 1, 1, [0, 0, 1, 1])]),
        edits.AddAnnotations([Annotation(61, 99, 1, [0, 0, 1, 1])]),
        edits.RemoveAnnotations([7, 404]),
        edits.ReplaceAnnotations([Annotation(7, 2, 1, [0, 0, 1, 1])]),  # another image
        edits.AddCategory(Category(1, "again")),
        edits.RemoveCategory(404),
        edits.ReorderCategories([1, 2]),
        edits.SetImageStatus(404, "done"),
        edits.AddPredictions([], [Annotation(62, 1, 404, [0, 0, 1, 1])]),
        edits.Compound([edits.SetImageStatus(1, "done"), edits.RemoveAnnotations([404])]),
    ]
    for edit in bad:
        with pytest.raises(ValueError):
            edit.apply(p)
        assert dumps_project(p) == before, edit
    with pytest.raises(ValueError, match="status"):
        edits.SetImageStatus(1, "finished")
    with pytest.raises(RuntimeError, match="before apply"):
        edits.RemoveAnnotations([7]).revert(p)


def test_saved_file_after_apply_and_revert_is_byte_identical(tmp_path) -> None:
    p = make_project()
    path = save_project(p, tmp_path / "p.json")
    original = path.read_bytes()
    project = load_project(path)
    steps = [
        edits.RemoveCategory(2),
        edits.AddAnnotations([Annotation(70, 1, 1, [0, 0, 4, 4], None, 16.0)]),
        edits.ReviewDecision(project, 2, "rejected"),
    ]
    for s in steps:
        s.apply(project)
    for s in reversed(steps):
        s.revert(project)
    save_project(project)
    assert path.read_bytes() == original


def test_clone_shares_nothing_mutable() -> None:
    """clone copies JSON-like fields itself (deepcopy was the cost of pre-labeling thousands of masks)."""
    import numpy as np

    from pixelproof.core.model import Annotation

    a = Annotation(
        1, 2, 3, [1.0, 2.0, 3.0, 4.0], {"size": [5, 6], "counts": "abc"}, 7.0, score=0.5, note="n",
        extra={"attributes": {"occluded": [True, {"x": 1}]}, "arr": np.arange(3)}, app_extra={"k": ["v"]},
    )  # fmt: skip
    b = clone(a)
    for name in Annotation.__slots__:
        if name != "extra":
            assert getattr(b, name) == getattr(a, name), name
    assert b.bbox is not a.bbox and b.segmentation["size"] is not a.segmentation["size"]
    assert b.app_extra["k"] is not a.app_extra["k"]
    b.extra["attributes"]["occluded"][1]["x"] = 2
    b.extra["arr"][0] = 9
    assert a.extra["attributes"]["occluded"][1]["x"] == 1 and a.extra["arr"][0] == 0
    polygons = [[0.0, 0.0, 1.0, 0.0, 1.0, 1.0]]
    c = clone(Annotation(2, 2, 3, [0.0, 0.0, 1.0, 1.0], polygons))
    assert c.segmentation == polygons and c.segmentation[0] is not polygons[0]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Annotation(7, 1, 1, [1.0, 1.0, 2.0, 2.0]), "annotation id 7 already exists"),
        (Annotation(20, 4, 1, [1.0, 1.0, 2.0, 2.0]), "annotation 20: image 4 does not exist"),
        (Annotation(20, 1, 8, [1.0, 1.0, 2.0, 2.0]), "annotation 20: category 8 does not exist"),
    ],
)
def test_adding_refuses_a_taken_id_or_an_unknown_image_or_category_without_side_effects(
    bad: Annotation, message: str
) -> None:
    """One bad object among many: the whole add is refused, naming it, and the project is untouched
    (also when it comes with new categories, as pre-labeling adds them)."""
    p = make_project()
    before = dumps_project(p)
    good = [Annotation(100 + i, 2, 2, [1.0, 1.0, 2.0, 2.0]) for i in range(50)]
    for edit in (
        edits.AddAnnotations([*good, bad]),
        edits.AddPredictions([Category(9, "fox")], [*good[:25], bad, *good[25:]]),
    ):
        with pytest.raises(ValueError, match=message):
            edit.apply(p)
        assert dumps_project(p) == before
    edits.AddPredictions([Category(8, "fox")], [*good, Annotation(20, 1, 8, [1.0, 1.0, 2.0, 2.0])]).apply(p)
    assert p.annotations[20].category_id == 8 and p.categories[8].name == "fox"


def many_boxes(n: int) -> Project:
    p = Project()
    p.add_category(Category(1, "a"))
    p.add_image(ImageRecord(1, "a.png", W, H))
    p.add_image(ImageRecord(2, "b.png", W, H))
    for i in range(1, n + 1):
        p.add_annotation(Annotation(i * 3, 1 + i % 2, 1, [float(i % 50), 1.0, 2.0, 2.0], None, 4.0))
    return p


def test_a_deletion_keeps_what_it_removed_not_the_order_of_the_whole_project() -> None:
    """The undo record of deleting one object does not grow with the project (it held a copy of every id:
    8 MB per deletion of one object in a project of a million, and its undo sorted them all)."""
    import gc
    import tracemalloc

    held = []
    for n in (2_000, 20_000):
        p = many_boxes(n)
        target = list(p.annotations)[n // 2]
        gc.collect()
        tracemalloc.start()
        edit = edits.RemoveAnnotations([target])
        edit.apply(p)
        gc.collect()
        held.append(tracemalloc.get_traced_memory()[0])
        tracemalloc.stop()
        order = list(p.annotations)
        edit.revert(p)
        assert list(p.annotations)[n // 2] == target and len(p.annotations) == n
        edit.apply(p)
        assert list(p.annotations) == order
    assert held[1] < 20_000 and held[1] < 2 * held[0] + 2_000, held


def test_deleting_runs_scattered_first_and_last_objects_undoes_to_the_file_order() -> None:
    p = many_boxes(30)
    order = list(p.annotations)
    for pick in ([0], [29], [0, 1, 2], [27, 28, 29], [3, 4, 10, 29, 0], list(range(30)), [15, 5]):
        edit = edits.RemoveAnnotations([order[k] for k in pick])
        round_trip(p, edit)
        assert [a.id for a in p.annotations.values()] == [a for k, a in enumerate(order) if k not in pick]
        assert edit.revert_focus == [order[k] for k in sorted(pick)]  # file order
        edit.revert(p)
        assert list(p.annotations) == order


def test_undoing_a_deletion_restores_each_images_own_order_too() -> None:
    """``annotations_of`` (the Annotations panel's rows, the canvas's stacking) lists a restored object where
    it stood, not last: only the file order was restored, the image's list kept it at its end."""
    p = many_boxes(30)
    of_image = {i: [a.id for a in p.annotations_of(i)] for i in (1, 2)}
    order = list(p.annotations)
    for pick in ([15], [0, 1, 2], [3, 4, 10, 29, 0], [27, 28]):
        edit = edits.RemoveAnnotations([order[k] for k in pick])
        round_trip(p, edit)
        edit.revert(p)
        assert {i: [a.id for a in p.annotations_of(i)] for i in (1, 2)} == of_image, pick
        assert list(p.annotations) == order


def test_forgetting_statuses_restores_each_in_its_place() -> None:
    """Entries deleted from the middle and the end of a map come back where they stood, in a file saved
    byte for byte as before (the edit keeps its own entries only, not a copy of the map)."""
    p = make_project()
    p.add_image(ImageRecord(3, "c.png", W, H))
    p.add_image(ImageRecord(4, "d.png", W, H))
    for i, s in ((3, "done"), (4, "todo"), (2, "reviewed")):
        p.set_image_status(i, s)
    p.app["image_review"] = {str(i): {"review": "accepted"} for i in (4, 1, 3, 2)}
    assert list(p.image_status_map()) == ["1", "3", "4", "2"]
    round_trip(p, edits.SetImageStatus(3, None))
    round_trip(p, edits.Compound([edits.SetImageStatus(i, None) for i in (2, 1, 4)]))
    forget = edits.SetOverlapAnnotators({4: None, 3: ["ann"], 2: None})
    p.app["overlap_annotators"] = {"2": ["a"], "4": ["b"], "1": ["c"]}
    round_trip(p, forget)
    round_trip(p, edits.SetConsensusMethod({1: "majority"}))
    review = edits.Compound([edits.SetImageReview(i, None) for i in (3, 4, 1, 2)])
    round_trip(p, review)  # leaves it applied
    assert "image_review" not in p.app
    review.revert(p)
    assert list(p.app["image_review"]) == ["4", "1", "3", "2"]


def test_not_a_problem_and_again_restore_the_stored_decisions_exactly() -> None:
    """X and its undo: the decisions list, its places and whatever else ``pixelproof.lint`` holds come back
    as they were, also from no lint state at all or one another tool wrote oddly."""
    p = make_project()
    round_trip(p, edits.DismissProblems(p, ["tiny|1|7", "tiny|1|3"]))
    assert p.app["lint"] == {"dismissed": ["tiny|1|7", "tiny|1|3"]}
    p.app["lint"] = {"dismissed": ["a", 5, "b", "c", "d"], "seen": 3}
    round_trip(p, edits.DismissProblems(p, ["d", "b", "x"], dismiss=False))
    assert p.app["lint"] == {"dismissed": ["a", 5, "c"], "seen": 3}
    p.app["lint"] = {"x": 1, "dismissed": ["a"]}
    round_trip(p, edits.DismissProblems(p, ["a"], dismiss=False))
    assert p.app["lint"] == {"x": 1}
    p.app["lint"] = {"dismissed": ["a"]}
    round_trip(p, edits.DismissProblems(p, ["a"], dismiss=False))
    assert "lint" not in p.app
    p.app["lint"] = {"dismissed": "a"}
    round_trip(p, edits.DismissProblems(p, ["b"]))
    assert p.app["lint"] == {"dismissed": ["b"]}


@pytest.mark.parametrize("kind", ["remove", "replace"])
def test_an_undo_record_holds_no_decoded_mask(kind: str) -> None:
    """An object whose mask was decoded (shown, brushed) kept its full-size pixels in the undo history:
    the record keeps the project's old object (and copies shared its cache). Counted with tracemalloc."""
    import gc
    import tracemalloc

    side = 2000  # a decoded mask is side * side bytes (4 MB); its RLE a few bytes

    def record() -> edits.Edit:
        p = Project()
        p.add_image(ImageRecord(1, "big.png", side, side))
        p.add_category(Category(1, "cat"))
        p.add_category(Category(2, "dog"))
        m = np.zeros((side, side), bool)
        m[100:1900, 100:1900] = True
        p.add_annotation(Annotation(1, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
        del m
        assert p.annotations[1].mask(side, side).sum() == 1800 * 1800  # decoded: cached on the object
        if kind == "remove":
            edit: edits.Edit = edits.RemoveAnnotations([1])
        else:
            changed = clone(p.annotations[1])
            changed.category_id = 2
            edit = edits.ReplaceAnnotations([changed])
        edit.apply(p)
        p.annotations[1].mask(side, side) if 1 in p.annotations else None  # the project's own, shown again
        return edit

    tracemalloc.start()
    try:
        kept = record()
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < side * side // 10, f"the undo record holds {held:,} bytes"
    assert kept is not None
