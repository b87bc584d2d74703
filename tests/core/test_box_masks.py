"""Accepting a mask made from a box turns the box into the mask: id, author, category kept; exact undo."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from pixelproof.core import masks
from pixelproof.core.coco import new_project
from pixelproof.core.edits.box_masks import FROM_BOX, accept_into_boxes, linked_box
from pixelproof.core.model import Annotation, ImageRecord


def project_with_box_and_mask():
    project = new_project(["car", "dog"])
    project.add_image(ImageRecord(1, "a.png", 60, 40))
    box = Annotation(7, 1, 2, [10.0, 5.0, 30.0, 20.0], area=600.0, author="ann", source="manual")
    m = np.zeros((40, 60), bool)
    m[8:22, 12:38] = True
    pred = Annotation(
        9, 1, 2, masks.bbox(m), segmentation=masks.encode(m), area=float(m.sum()), score=0.8,
        source="model:grabcut/builtin@1", review="pending", app_extra={FROM_BOX: 7},
    )  # fmt: skip
    project.add_annotation(box)
    project.add_annotation(pred)
    return project, m


def test_accept_turns_the_box_into_the_mask_and_reverts_exactly() -> None:
    project, m = project_with_box_and_mask()
    before = copy.deepcopy(list(project.annotations.values()))
    assert linked_box(project, project.annotations[9]).id == 7
    edit = accept_into_boxes(project, [9])
    changes = edit.apply(project)
    assert list(project.annotations) == [7]
    box = project.annotations[7]
    assert box.kind == "mask" and np.array_equal(masks.decode(box.segmentation).astype(bool), m)
    assert (box.author, box.category_id, box.source, box.area) == ("ann", 2, "manual", float(m.sum()))
    assert box.bbox == [12.0, 8.0, 26.0, 14.0] and edit.focus == [7]
    assert set(changes.annotation_ids()) == {7, 9}
    edit.revert(project)
    assert list(project.annotations.values()) == before
    edit.apply(project)  # redo
    assert project.annotations[7].kind == "mask"


def test_refused_when_not_linked_or_box_gone() -> None:
    project, _ = project_with_box_and_mask()
    project.annotations[9].app_extra[FROM_BOX] = 8  # no such box
    with pytest.raises(ValueError, match="not a mask made from a box"):
        accept_into_boxes(project, [9])
    project, _ = project_with_box_and_mask()
    with pytest.raises(ValueError, match="not a mask made from a box"):
        accept_into_boxes(project, [7])  # the box itself


def test_a_mask_stored_cropped_keeps_its_place_in_the_box() -> None:
    """A mask stored cropped to its box (``rle_origin``: a huge image's mask, e.g. painted on before
    accepting) takes its origin into the box: without it the 26x14 crop lay at (0, 0), not the image."""
    from pixelproof.core.limits import RLE_ORIGIN

    project, m = project_with_box_and_mask()
    pred = project.annotations[9]
    pred.segmentation, origin = masks.encode_cropped(m)
    pred.app_extra[RLE_ORIGIN] = origin
    before = copy.deepcopy(list(project.annotations.values()))
    edit = accept_into_boxes(project, [9])
    edit.apply(project)
    box = project.annotations[7]
    assert box.app_extra[RLE_ORIGIN] == [12, 8]
    assert np.array_equal(masks.annotation_mask(box, 40, 60), m)
    edit.revert(project)
    assert list(project.annotations.values()) == before and RLE_ORIGIN not in project.annotations[7].app_extra
    # a whole-image mask into a box that has an origin from earlier (never kept: it would misplace it)
    project.annotations[7].app_extra[RLE_ORIGIN] = [3, 3]
    pred.segmentation = masks.encode(m)
    del pred.app_extra[RLE_ORIGIN]
    accept_into_boxes(project, [9]).apply(project)
    assert np.array_equal(masks.annotation_mask(project.annotations[7], 40, 60), m)
