"""Copy / paste of annotations (core.clipboard): copies land at the same pixel position, cut to the target
image, with known pixels (pycocotools decodes the pasted RLE), and as new manual objects."""

from __future__ import annotations

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from pixelproof.core import masks
from pixelproof.core.clipboard import PasteRefused, copy_annotations, paste
from pixelproof.core.coco import new_project
from pixelproof.core.edits import AddAnnotations, RemoveCategory
from pixelproof.core.geometry import clone
from pixelproof.core.limits import RLE_ORIGIN
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY

H, W = 100, 120  # the source image


def ring_and_square() -> np.ndarray:
    """Two parts, one with a hole: a ring around (40, 50) and a square at the bottom right."""
    yy, xx = np.mgrid[:H, :W]
    d2 = (yy - 50) ** 2 + (xx - 40) ** 2
    m = (d2 <= 30**2) & (d2 > 10**2)
    m[70:95, 90:115] = True
    return m


def project_with(*sizes: tuple[int, int]) -> Project:
    """Images 1.. of the given (h, w) sizes; categories cat (1) and dog (2)."""
    p = new_project(["cat", "dog"])
    for i, (h, w) in enumerate(sizes, start=1):
        p.add_image(ImageRecord(i, f"img{i}.png", w, h))
    return p


def add_mask(p: Project, aid: int, image_id: int, m: np.ndarray, cid: int = 1, **kw: object) -> Annotation:
    a = Annotation(aid, image_id, cid, masks.bbox(m), masks.encode(m), float(m.sum()), **kw)  # type: ignore[arg-type]
    p.add_annotation(a)
    return a


def decoded(a: Annotation, h: int, w: int) -> np.ndarray:
    rle = dict(a.segmentation)  # type: ignore[arg-type]
    assert [int(v) for v in rle["size"]] == [h, w]
    rle["counts"] = rle["counts"].encode() if isinstance(rle["counts"], str) else rle["counts"]
    return mask_utils.decode(rle).astype(bool)


@pytest.mark.parametrize("target", [(60, 80), (H, W), (150, 200), (40, 300)])
def test_mask_with_hole_and_two_parts_lands_cropped_to_the_target(target: tuple[int, int]) -> None:
    m = ring_and_square()
    p = project_with((H, W), target)
    add_mask(p, 7, 1, m)
    clip = copy_annotations(p, 1, [7])
    got = paste(clip, p, 2)
    th, tw = target
    want = np.zeros(target, bool)
    want[: min(H, th), : min(W, tw)] = m[:th, :tw]
    assert got.left_out == 0 and len(got.annotations) == 1
    a = got.annotations[0]
    assert np.array_equal(decoded(a, th, tw), want)
    assert a.area == want.sum() and a.bbox == masks.bbox(want)


def test_an_object_with_no_pixel_inside_is_left_out_and_counted() -> None:
    p = project_with((H, W), (50, 50))
    square = np.zeros((H, W), bool)
    square[70:95, 90:115] = True  # wholly outside a 50x50 image
    add_mask(p, 1, 1, square)
    p.add_annotation(Annotation(2, 1, 1, [60.0, 10.0, 20.0, 20.0], area=400.0))  # box right of x=50
    p.add_annotation(Annotation(3, 1, 2, [10.0, 10.0, 20.0, 20.0], area=400.0))  # box inside
    poly = [[55.0, 55.0, 90.0, 55.0, 90.0, 90.0]]  # polygon below-right of the image
    p.add_annotation(Annotation(4, 1, 1, [55.0, 55.0, 35.0, 35.0], poly, area=600.0))
    got = paste(copy_annotations(p, 1, [1, 2, 3, 4]), p, 2)
    assert got.left_out == 3
    assert [a.bbox for a in got.annotations] == [[10.0, 10.0, 20.0, 20.0]]
    assert got.annotations[0].category_id == 2


def test_boxes_and_polygons_are_clipped_to_the_smaller_image() -> None:
    p = project_with((H, W), (50, 60))
    p.add_annotation(Annotation(1, 1, 1, [40.0, 30.0, 50.0, 40.0], area=2000.0))
    # a rectangle crossing the right and bottom border, and a second part wholly outside
    polys = [[30.0, 20.0, 100.0, 20.0, 100.0, 80.0, 30.0, 80.0], [70.0, 60.0, 90.0, 60.0, 90.0, 70.0]]
    p.add_annotation(Annotation(2, 1, 2, masks.polygons_bbox(polys), polys, area=4300.0))
    box, poly = paste(copy_annotations(p, 1, [1, 2]), p, 2).annotations
    assert box.bbox == [40.0, 30.0, 20.0, 20.0] and box.area == 400.0 and box.segmentation is None
    assert poly.segmentation == [[30.0, 20.0, 60.0, 20.0, 60.0, 50.0, 30.0, 50.0]]
    assert poly.bbox == [30.0, 20.0, 30.0, 30.0]
    assert poly.area == masks.polygons_to_mask(poly.segmentation, 50, 60).sum()


def test_on_the_same_image_copies_lie_exactly_on_the_originals() -> None:
    p = project_with((H, W))
    m = ring_and_square()
    add_mask(p, 1, 1, m)
    polys = [[10.5, 10.25, 40.0, 12.0, 25.0, 33.75]]
    p.add_annotation(Annotation(2, 1, 2, masks.polygons_bbox(polys), polys, area=300.0))
    p.add_annotation(Annotation(3, 1, 1, [1.5, 2.0, 30.0, 40.0], area=1200.0))
    new = paste(copy_annotations(p, 1, [1, 2, 3]), p, 1).annotations
    assert np.array_equal(decoded(new[0], H, W), m)
    assert new[1].segmentation == polys and new[1].bbox == p.annotations[2].bbox
    assert new[2].bbox == [1.5, 2.0, 30.0, 40.0]


def test_a_copy_is_a_new_manual_object() -> None:
    p = project_with((H, W), (H, W))
    p.app["last_annotation_id"] = 40  # a removed object's id is never given again
    m = ring_and_square()
    add_mask(p, 5, 1, m, cid=2, score=0.8, source="model:yolo", review="accepted", note="occluded",
             author="ann", updated="2020-01-01T00:00:00Z", iscrowd=1, extra={"attributes": {"color": "red"}},
             app_extra={ANNOTATOR_KEY: "ann", "group_id": 3})  # fmt: skip
    add_mask(p, 6, 1, m)
    a, b = paste(copy_annotations(p, 1, [5, 6]), p, 2).annotations
    assert (a.id, b.id) == (41, 42) and a.image_id == b.image_id == 2
    assert (a.category_id, a.source, a.review, a.score, a.author) == (2, "manual", None, None, None)
    assert a.note == "occluded" and a.iscrowd == 1 and a.extra == {"attributes": {"color": "red"}}
    assert a.app_extra == {"group_id": 3}
    assert a.updated is not None and a.updated != "2020-01-01T00:00:00Z"
    original = p.annotations[5]  # untouched
    assert (original.source, original.review, original.app_extra[ANNOTATOR_KEY]) == (
        "model:yolo",
        "accepted",
        "ann",
    )


def test_the_clipboard_holds_the_objects_as_they_were_when_copied() -> None:
    p = project_with((H, W), (H, W))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 20.0, 20.0], area=400.0))
    clip = copy_annotations(p, 1, [1])
    changed = clone(p.annotations[1])
    changed.bbox[0] = 50.0
    p.replace_annotation(changed)
    p.remove_image(1)  # even the image it came from may go
    assert paste(clip, p, 2).annotations[0].bbox == [10.0, 10.0, 20.0, 20.0]


def test_only_objects_of_the_copied_image_are_taken() -> None:
    p = project_with((H, W), (H, W))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 20.0, 20.0], area=400.0))
    p.add_annotation(Annotation(2, 2, 1, [30.0, 10.0, 20.0, 20.0], area=400.0))
    assert [a.id for a in copy_annotations(p, 1, [1, 2]).annotations] == [1]


def test_a_deleted_category_refuses_the_paste_by_name() -> None:
    p = project_with((H, W))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 20.0, 20.0], area=400.0))
    p.add_annotation(Annotation(2, 1, 2, [30.0, 10.0, 20.0, 20.0], area=400.0))
    clip = copy_annotations(p, 1, [1, 2])
    p.remove_annotation(2)
    RemoveCategory(2).apply(p)
    with pytest.raises(PasteRefused, match="“dog” was deleted"):
        paste(clip, p, 1)


def test_a_renamed_category_still_matches_by_id_in_the_same_project() -> None:
    p = project_with((H, W))
    p.add_annotation(Annotation(1, 1, 2, [10.0, 10.0, 20.0, 20.0], area=400.0))
    clip = copy_annotations(p, 1, [1])
    p.categories[2].name = "hound"
    assert paste(clip, p, 1).annotations[0].category_id == 2


def test_another_project_matches_categories_by_name() -> None:
    src = project_with((H, W))
    src.add_annotation(Annotation(1, 1, 2, [10.0, 10.0, 20.0, 20.0], area=400.0))
    clip = copy_annotations(src, 1, [1])
    other = new_project(["dog", "bird"])  # dog is 1 there; 2 is bird
    other.add_image(ImageRecord(9, "x.png", 30, 30))
    assert other.categories[1].name == "dog"
    assert paste(clip, other, 9).annotations[0].category_id == 1
    src.add_annotation(Annotation(2, 1, 1, [10.0, 10.0, 20.0, 20.0], area=400.0))
    third = new_project(["dog"])
    third.add_image(ImageRecord(1, "y.png", 30, 30))
    with pytest.raises(PasteRefused, match="no category “cat”"):
        paste(copy_annotations(src, 1, [1, 2]), third, 1)


def test_cropped_masks_of_a_huge_image_paste_onto_a_small_one_and_back() -> None:
    big = (70000, 70000)  # past 2^32 pixels: masks are stored cropped at their rle_origin
    p = project_with(big, (100, 100))
    m = ring_and_square()[40:100, 60:120]  # 60 x 60 with part of the ring and the square
    found = masks.encode_cropped(m)
    assert found is not None
    rle, (ox, oy) = found
    x0, y0 = 69950 + ox, 30 + oy  # crosses the right border of a 100-wide image by far
    a = Annotation(1, 1, 1, [float(x0), float(y0), *map(float, rle["size"][::-1])], rle, float(m.sum()))
    a.app_extra[RLE_ORIGIN] = [x0, y0]
    p.add_annotation(a)
    assert paste(copy_annotations(p, 1, [1]), p, 2).left_out == 1  # 69950 is far right of 100
    near = clone(a)
    near.id, near.bbox = 2, [float(40 + ox), float(30 + oy), *map(float, rle["size"][::-1])]
    near.app_extra[RLE_ORIGIN] = [40 + ox, 30 + oy]
    p.add_annotation(near)
    small = paste(copy_annotations(p, 1, [2]), p, 2).annotations[0]
    want = np.zeros((100, 100), bool)
    want[30:90, 40:100] = m
    assert RLE_ORIGIN not in small.app_extra and np.array_equal(decoded(small, 100, 100), want)
    p.add_annotation(small)
    back = paste(copy_annotations(p, 2, [small.id]), p, 1).annotations[0]
    assert back.app_extra[RLE_ORIGIN] == [int(back.bbox[0]), int(back.bbox[1])]
    assert back.area == want.sum() and back.bbox == masks.bbox(want)


def test_a_paste_is_one_undoable_edit() -> None:
    p = project_with((H, W), (60, 80))
    add_mask(p, 1, 1, ring_and_square())
    before = {i: clone(a) for i, a in p.annotations.items()}
    got = paste(copy_annotations(p, 1, [1]), p, 2)
    edit = AddAnnotations(got.annotations, "Paste")
    edit.apply(p)
    assert set(p.annotations) == {1, got.annotations[0].id}
    edit.revert(p)
    assert p.annotations == before


def test_a_pasted_copy_of_a_locked_object_is_unlocked_and_the_original_stays_locked() -> None:
    """The lock says a reviewer checked that object where it is; its copy elsewhere is unchecked."""
    p = project_with((H, W), (H, W))
    p.add_annotation(Annotation(1, 1, 1, [10.0, 10.0, 20.0, 20.0], area=400.0, app_extra={"locked": True}))
    (copy,) = paste(copy_annotations(p, 1, [1]), p, 2).annotations
    assert "locked" not in copy.app_extra and p.annotations[1].app_extra == {"locked": True}
