"""Propagate / Keep Previous Objects (core.propagate): copies of one image's objects on other images as one
edit - masks cut to a smaller image, new ids, unlocked, no duplicate of an object already there - undone
in one revert."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.clipboard import copy_annotations, paste
from pixelproof.core.coco import new_project
from pixelproof.core.geometry import clone
from pixelproof.core.limits import ID_MAX
from pixelproof.core.model import Annotation, IdsExhausted, ImageRecord, Project
from pixelproof.core.object_lock import is_locked
from pixelproof.core.propagate import following_images, keep_previous, kept_objects, propagate


def project_with(*sizes: tuple[int, int]) -> Project:
    """Images 1.. of the given (h, w) sizes; categories cat (1) and dog (2)."""
    p = new_project(["cat", "dog"])
    for i, (h, w) in enumerate(sizes, start=1):
        p.add_image(ImageRecord(i, f"img{i}.png", w, h))
    return p


def square(h: int, w: int) -> np.ndarray:
    m = np.zeros((h, w), bool)
    m[60:90, 70:110] = True  # crosses a 80 x 80 image's edges
    return m


def frames() -> Project:
    """Image 1 (100 x 120): a locked mask (#1), a box (#2), and a polygon (#3) by "ann"; images 2, 3 alike,
    image 4 smaller (80 x 80)."""
    p = project_with((100, 120), (100, 120), (100, 120), (80, 80))
    m = square(100, 120)
    p.add_annotation(
        Annotation(1, 1, 2, masks.bbox(m), masks.encode(m), float(m.sum()), app_extra={"locked": True})
    )
    p.add_annotation(Annotation(2, 1, 1, [10.0, 10.0, 20.0, 20.0], area=400.0, note="left edge"))
    poly = [[5.0, 50.0, 40.0, 50.0, 40.0, 90.0]]
    p.add_annotation(Annotation(3, 1, 1, [5.0, 50.0, 35.0, 40.0], poly, area=700.0, author="ann"))
    return p


def test_copies_reach_every_target_as_new_unlocked_manual_objects_and_one_revert_removes_them() -> None:
    p = frames()
    before = {i: clone(a) for i, a in p.annotations.items()}
    done = propagate(p, 1, [1, 2, 3], [2, 3])
    assert done.edit is not None and done.added == {2: 3, 3: 3}
    assert done.edit.label == "Propagate 3 objects to 2 images"
    done.edit.apply(p)
    for target in (2, 3):
        copies = [p.annotations[i] for i in p.annotation_ids_of(target)]
        assert [c.category_id for c in copies] == [2, 1, 1]
        assert [c.bbox for c in copies] == [p.annotations[i].bbox for i in (1, 2, 3)]
        assert all(c.id > 3 and c.source == "manual" and c.author is None for c in copies)
        assert not any(is_locked(c) for c in copies)  # the lock stays with the checked original
        assert copies[1].note == "left edge"
    assert is_locked(p.annotations[1])
    assert len({a.id for a in p.annotations.values()}) == 9
    done.edit.revert(p)
    assert p.annotations == before


def test_a_mask_is_cut_to_a_smaller_target_and_an_object_outside_it_is_left_out() -> None:
    p = frames()
    p.add_annotation(Annotation(4, 1, 1, [90.0, 5.0, 20.0, 10.0], area=200.0))  # right of x = 80
    done = propagate(p, 1, [1, 4], [4])
    assert done.left_out == 1 and done.added == {4: 1}
    done.edit.apply(p)
    (copy,) = [p.annotations[i] for i in p.annotation_ids_of(4)]
    want = square(100, 120)[:80, :80]
    assert copy.segmentation["size"] == [80, 80]
    assert np.array_equal(masks.decode(copy.segmentation), want)
    assert copy.area == want.sum() and copy.bbox == masks.bbox(want)


def test_an_object_already_on_the_target_is_not_copied_twice() -> None:
    p = frames()
    first = propagate(p, 1, [1, 2, 3], [2])
    first.edit.apply(p)
    again = propagate(p, 1, [1, 2, 3], [2, 3])
    assert again.identical == 3 and again.added == {3: 3}
    moved = propagate(p, 1, [2], [2])  # the target itself: skipped
    assert moved.edit is None and moved.added == {}
    p.annotations[2].category_id = 2  # the same box in another class is another object
    assert propagate(p, 1, [2], [2]).added == {2: 1}


def test_the_source_image_unknown_images_and_other_images_objects_are_skipped() -> None:
    p = frames()
    p.add_annotation(Annotation(9, 2, 1, [50.0, 50.0, 5.0, 5.0], area=25.0))
    done = propagate(p, 1, [2, 9], [1, 3, 3, 77])
    assert done.added == {3: 1}
    assert propagate(p, 1, [], [2]).edit is None


def test_no_id_left_for_every_copy_refuses_the_whole_propagation() -> None:
    p = frames()
    p.add_annotation(Annotation(ID_MAX - 1, 2, 1, [1.0, 1.0, 2.0, 2.0], area=4.0))  # room for one more
    with pytest.raises(IdsExhausted):
        propagate(p, 1, [1, 2, 3], [3])
    assert len(p.annotations) == 4


def test_the_copies_equal_what_paste_makes() -> None:
    p = frames()
    pasted = paste(copy_annotations(p, 1, [1, 2, 3]), p, 4)
    done = propagate(p, 1, [1, 2, 3], [4])
    got = done.edit.annotations
    assert [(a.bbox, a.segmentation, a.area, a.category_id) for a in got] == [
        (a.bbox, a.segmentation, a.area, a.category_id) for a in pasted.annotations
    ]


def test_following_images_walk_the_list_as_shown_and_stop_at_its_end() -> None:
    order = [1, 2, 3, 4, 5]
    assert following_images(order, order, 2, 2) == [3, 4]
    assert following_images(order, order, 4, 5) == [5]
    assert following_images(order, [5, 3, 1], 5, 3) == [3, 1]  # a filtered, sorted list
    assert following_images(order, order, 5, 3) == []
    assert following_images(order, order, 1, 0) == []


def test_keep_previous_fills_only_an_empty_unfinished_image_with_the_labelers_objects() -> None:
    p = frames()
    p.add_annotation(Annotation(5, 1, 1, [60.0, 5.0, 9.0, 9.0], area=81.0, source="model:yolo", score=0.4))
    p.add_annotation(Annotation(6, 1, 1, [70.0, 5.0, 9.0, 9.0], area=81.0, review="rejected"))
    assert kept_objects(p, 1) == [1, 2, 3]
    todo = {2, 4}.__contains__
    done = keep_previous(p, 1, 2, todo)
    assert done is not None and done.added == {2: 3} and done.edit.label == "Keep 3 previous objects"
    assert keep_previous(p, 1, 3, todo) is None  # marked done: empty on purpose
    done.edit.apply(p)
    assert keep_previous(p, 1, 2, todo) is None  # it has objects now
    assert keep_previous(p, 3, 4, todo) is None  # nothing to carry from an empty image


def test_a_video_objects_track_id_goes_with_its_copies_but_never_twice_on_one_frame() -> None:
    """Before: a copy kept ``track_id`` whatever the image, so Duplicate (or a Propagate onto a frame the
    track is on already, the object moved) put two objects of one track on a frame - a COCO video file
    no reader takes. Now the copy on another frame is the same object (it keeps the id), the copy beside
    an object of its track is a new object (no track id)."""
    p = project_with((100, 120), (100, 120), (100, 120))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 20.0, 20.0], area=400.0, extra={"track_id": 4}))
    p.add_annotation(Annotation(2, 3, 1, [60.0, 10.0, 20.0, 20.0], area=400.0, extra={"track_id": 4}))
    p.add_annotation(Annotation(3, 3, 1, [0.0, 0.0, 5.0, 5.0], area=25.0, extra={"track_id": [1]}))
    done = propagate(p, 1, [1], [2, 3])
    done.edit.apply(p)
    on = {a.image_id: a.extra for a in done.edit.annotations}
    assert on == {2: {"track_id": 4}, 3: {}}
    (dup,) = paste(copy_annotations(p, 1, [1]), p, 1).annotations  # Edit > Duplicate
    assert dup.extra == {}
    assert p.annotations[1].extra == {"track_id": 4}  # the original keeps it
