"""Fill Between Slices (core.slice_fill): shape-based interpolation of a class's masks between a volume's
key slices - sizes and centres interpolated, slices with an object of the class and slices outside the keys
left alone, all new objects one edit that one revert takes back; a second fill recomputes the masks of an
earlier one nobody touched (a painted slice corrected since) and keeps a mask edited by hand as a key;
slices weighted by their position in mm when every slice has one (a lost slice)."""

from __future__ import annotations

import math

import numpy as np

from pixelproof.core import mask_edit, masks
from pixelproof.core.coco import new_project
from pixelproof.core.edits import PaintMask, ReplaceAnnotations
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.slice_fill import BETWEEN, SOURCE, fill_between_slices, fill_label, volume_slices

H = W = 64


def volume(n: int = 8) -> Project:
    """Slices ``ct.nii.gz#z=000``.. (image ids 1..n, listed out of order) and a plain image 99; classes
    liver (1) and spleen (2)."""
    p = new_project(["liver", "spleen"])
    for k in reversed(range(n)):  # the order of the records is not the slice order
        p.add_image(ImageRecord(k + 1, f"ct.nii.gz#z={k:03d}", W, H))
    p.add_image(ImageRecord(99, "photo.png", W, H))
    return p


def disc(cy: float, cx: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r


def add_mask(p: Project, slice_index: int, m: np.ndarray, category_id: int = 1, **kw: object) -> int:
    ann_id = max(p.annotations, default=0) + 1
    rle = masks.encode(m)
    p.add_annotation(
        Annotation(ann_id, slice_index + 1, category_id, masks.bbox(m), rle, float(m.sum()), **kw)
    )
    return ann_id


def added(p: Project, slice_index: int) -> list[Annotation]:
    return [a for a in p.annotations_of(slice_index + 1) if a.source == SOURCE]


def centre(m: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(m)
    return float(ys.mean()), float(xs.mean())


def test_discs_of_radius_10_and_20_give_the_radii_between_on_the_slices_between() -> None:
    p = volume()
    add_mask(p, 0, disc(32, 32, 10))
    add_mask(p, 4, disc(32, 32, 20))
    ids = volume_slices(p, 3)
    assert ids == list(range(1, 9))
    done = fill_between_slices(p, ids, [1])
    assert done.edit is not None and (done.filled, done.keys) == (3, 2)
    done.edit.apply(p)
    for k, r in ((1, 12.5), (2, 15.0), (3, 17.5)):
        (a,) = added(p, k)
        m = a.mask(H, W)
        assert abs(m.sum() / (math.pi * r * r) - 1) < 0.04, (k, m.sum())
        assert centre(m) == (32.0, 32.0)
        assert a.category_id == 1 and a.kind == "mask" and a.area == m.sum()
        assert a.app_extra[BETWEEN] == [0, 4]  # the slice indexes of the keys it came from
    for k in (5, 6, 7):  # after the last key: not filled
        assert p.annotations_of(k + 1) == []


def test_shifted_keys_give_centres_moved_in_proportion() -> None:
    p = volume()
    add_mask(p, 2, disc(30, 20, 14))
    add_mask(p, 6, disc(30, 32, 14))
    done = fill_between_slices(p, volume_slices(p, 1), [1])
    assert done.edit is not None and done.filled == 3
    done.edit.apply(p)
    for k, cx in ((3, 23.0), (4, 26.0), (5, 29.0)):
        (a,) = added(p, k)
        cy, x = centre(a.mask(H, W))
        assert abs(cy - 30) < 0.3 and abs(x - cx) < 0.5, (k, cy, x)
    for k in (0, 1, 7):  # before the first key and after the last: untouched
        assert p.annotations_of(k + 1) == []


def test_slices_with_an_object_of_the_class_are_left_as_they_are_and_other_classes_do_not_count() -> None:
    p = volume()
    add_mask(p, 0, disc(32, 32, 10))
    small = add_mask(p, 2, disc(30, 30, 4))  # drawn by hand: the key of its own
    add_mask(p, 3, disc(32, 32, 8), category_id=2)  # a spleen: slice 3 still gets a liver
    box = max(p.annotations) + 1
    p.add_annotation(Annotation(box, 6, 1, [5.0, 5.0, 4.0, 4.0], area=16.0))  # slice 5: a liver box
    add_mask(p, 7, disc(32, 32, 10))
    rejected = add_mask(p, 4, disc(32, 32, 25), review="rejected")  # no key; its slice is not filled
    before = {i: p.annotations[i].mask(H, W).copy() for i in (small, box, rejected)}
    done = fill_between_slices(p, volume_slices(p, 1), [1])
    assert done.edit is not None
    done.edit.apply(p)
    assert [k for k in range(8) if added(p, k)] == [1, 3, 6]  # 2, 4, 5 hold a liver already
    for i, m in before.items():
        assert np.array_equal(p.annotations[i].mask(H, W), m)
    assert len(p.annotations_of(3)) == 1 and len(p.annotations_of(5)) == 1 and len(p.annotations_of(6)) == 1
    assert [a.category_id for a in p.annotations_of(4)] == [2, 1]  # the spleen kept, a liver added


def test_keys_that_do_not_overlap_make_no_object_and_nothing_to_fill_makes_no_edit() -> None:
    p = volume()
    add_mask(p, 0, disc(10, 10, 5))
    add_mask(p, 2, disc(50, 50, 5))
    done = fill_between_slices(p, volume_slices(p, 1), [1])
    assert done.edit is None and done.empty == 1 and done.keys == 2
    assert fill_between_slices(p, volume_slices(p, 1), [2]).edit is None  # no spleen anywhere
    assert volume_slices(p, 99) is None  # a photo is no slice


def test_one_revert_takes_every_new_object_back_exactly() -> None:
    p = volume()
    add_mask(p, 1, disc(32, 32, 10), category_id=2)
    add_mask(p, 5, disc(32, 40, 20), category_id=2)
    add_mask(p, 0, disc(20, 20, 6))
    add_mask(p, 3, disc(24, 24, 9))
    before = p.snapshot()
    done = fill_between_slices(p, volume_slices(p, 1), [1, 2])
    assert done.edit is not None and done.filled == 5  # liver on 1, 2; spleen on 2, 3, 4
    ids = [a.id for a in done.edit.annotations]
    assert min(ids) > max(before.annotations) and len(set(ids)) == 5
    done.edit.apply(p)
    assert len(p.annotations) == len(before.annotations) + 5
    done.edit.revert(p)
    assert p == before


def fill(p: Project, category_id: int = 1):  # type: ignore[no-untyped-def]
    done = fill_between_slices(p, volume_slices(p, 1), [category_id])
    if done.edit is not None:
        done.edit.apply(p)
    return done


def radius(a: Annotation) -> float:
    return math.sqrt(a.mask(H, W).sum() / math.pi)


def reshape(p: Project, ann_id: int, m: np.ndarray) -> None:
    """Give object ``ann_id`` the pixels ``m`` as a brush would: same source and marks, new pixels."""
    a = p.annotations[ann_id]
    PaintMask(a, mask_edit.make_patch((0, 0, W, H), a.mask(H, W), m)).apply(p)


def test_a_painted_slice_corrected_then_filled_again_gives_the_new_interpolation_between() -> None:
    p = volume()
    add_mask(p, 0, disc(32, 32, 10))
    top = add_mask(p, 4, disc(32, 32, 20))
    done = fill(p)
    assert done.filled == 3 and done.edit.label == "Fill Between Slices (3 slices of liver)"
    first = {k: added(p, k)[0].id for k in (1, 2, 3)}
    before = p.snapshot()
    corrected = p.annotations[top]  # the painted slice 4 corrected to a radius of 10 (not by a brush)
    m = disc(32, 32, 10)
    after = Annotation(top, corrected.image_id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
    ReplaceAnnotations([after]).apply(p)
    corrected_state = p.snapshot()
    done = fill(p)
    assert done.edit is not None and (done.filled, done.replaced, done.keys) == (3, 3, 2)
    assert done.edit.label == "Fill Between Slices (3 slices of liver, 3 filled again)"  # Ctrl+Z's item
    assert sorted(done.removed) == sorted(first.values())
    for k in (1, 2, 3):  # one mask each, the new interpolation: a radius of 10 throughout
        (a,) = p.annotations_of(k + 1)
        assert a.source == SOURCE and a.id not in first.values() and abs(radius(a) - 10) < 0.5, (k, radius(a))
    done.edit.revert(p)  # one revert puts the earlier masks back exactly
    assert p == corrected_state
    done.edit.apply(p)
    again = fill(p)  # nothing changed since: nothing to do
    assert again.edit is None and again.unchanged == 3
    assert before != corrected_state


def test_an_interpolated_mask_edited_by_hand_is_kept_and_is_a_key_of_the_next_fill() -> None:
    p = volume()
    add_mask(p, 0, disc(32, 32, 10))
    top = add_mask(p, 4, disc(32, 32, 20))
    fill(p)
    (middle,) = added(p, 2)
    reshape(p, middle.id, disc(32, 32, 24))  # the brush keeps its source: its pixels say it was edited
    assert p.annotations[middle.id].source == SOURCE
    kept = p.annotations[middle.id].mask(H, W).copy()
    reshape(p, top, disc(32, 32, 16))
    done = fill(p)
    assert done.edit is not None and (done.replaced, done.keys) == (2, 3)
    assert done.edit.label == "Fill Between Slices (2 slices of liver, 2 filled again)"
    assert middle.id not in done.removed and np.array_equal(p.annotations[middle.id].mask(H, W), kept)
    (below,), (above,) = added(p, 1), added(p, 3)
    assert below.app_extra[BETWEEN] == [0, 2] and above.app_extra[BETWEEN] == [2, 4]
    assert abs(radius(below) - 17) < 0.6 and abs(radius(above) - 20) < 0.6, (radius(below), radius(above))


def test_a_refill_that_leaves_nothing_between_names_the_earlier_fills_it_removes() -> None:
    p = volume()
    add_mask(p, 0, disc(10, 10, 6))
    top = add_mask(p, 2, disc(12, 12, 6))
    assert fill(p).filled == 1
    reshape(p, top, disc(50, 50, 6))  # the painted slice 2 moved away: the keys no longer overlap
    done = fill(p)
    assert (done.filled, done.replaced, done.empty) == (0, 1, 1) and added(p, 1) == []
    assert done.edit.label == "Fill Between Slices (liver, 1 earlier fill removed)"
    assert fill_label(3, "liver, spleen", 1, 2) == (
        "Fill Between Slices (3 slices of liver, spleen, 1 filled again, 2 earlier fills removed)"
    )


def test_slices_are_weighted_by_their_position_in_mm_when_every_one_has_one() -> None:
    p = new_project(["liver"])
    for k, mm in enumerate((0.0, 1.0, 2.0, 4.0)):  # the slice between 2 and 4 mm was lost
        p.add_image(ImageRecord(k + 1, f"ct.nii.gz#z={k:03d}", W, H, extra={"slice_position": mm}))
    add_mask(p, 0, disc(32, 32, 10))
    add_mask(p, 3, disc(32, 32, 26))
    done = fill(p)
    assert done.filled == 2
    (a1,), (a2,) = added(p, 1), added(p, 2)
    assert abs(radius(a1) - 14) < 0.5 and abs(radius(a2) - 18) < 0.5, (radius(a1), radius(a2))  # 1/4, 2/4
    done.edit.revert(p)
    del p.images[2].extra["slice_position"]  # one slice without a position: by the slices' order
    fill(p)
    (a1,), (a2,) = added(p, 1), added(p, 2)
    assert abs(radius(a1) - 15.33) < 0.5 and abs(radius(a2) - 20.67) < 0.5, (radius(a1), radius(a2))
