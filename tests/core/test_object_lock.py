"""Locked objects (core.object_lock): the flag round-trips through the project file (pycocotools still reads
it), and every edit that would move, reshape, repaint, reclassify or delete a locked object is refused at the
edit layer before it changes anything, while unlocking and the lock-free fields (note, review) go through."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pixelproof.core import edits, mask_edit, masks
from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.edits import Compound, RemoveAnnotations, ReplaceAnnotations, SetCategory
from pixelproof.core.edits.taxonomy import RemoveCategory
from pixelproof.core.geometry import clone, translated
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.object_lock import LockedError, is_locked, locked_among, with_locked

H, W = 30, 40


def project() -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", W, H))
    p.add_category(Category(1, "cat"))
    p.add_category(Category(2, "dog"))
    p.add_annotation(Annotation(1, 1, 1, [2.0, 2.0, 5.0, 5.0], None, 25.0))
    m = np.zeros((H, W), bool)
    m[10:20, 10:20] = True
    p.add_annotation(Annotation(2, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    return p


def lock(p: Project, *ids: int) -> edits.Edit:
    edit = ReplaceAnnotations([with_locked(p.annotations[i], True) for i in ids], "Lock", touch=False)
    edit.apply(p)
    return edit


def test_lock_is_saved_under_pixelproof_and_read_back(tmp_path) -> None:
    p = project()
    plain = dumps_project(p)
    edit = lock(p, 1)
    edit.revert(p)  # undo of the lock: the file as before, byte for byte
    assert dumps_project(p) == plain
    edit.apply(p)
    path = tmp_path / "p.json"
    save_project(p, path)
    raw = json.loads(path.read_text())
    assert raw["annotations"][0]["pixelproof"] == {"locked": True}
    assert "locked" not in raw["annotations"][0]  # pycocotools sees a plain COCO annotation
    back = load_project(path)
    assert is_locked(back.annotations[1]) and not is_locked(back.annotations[2])
    pytest.importorskip("pycocotools")
    from pycocotools.coco import COCO

    assert len(COCO(str(path)).getAnnIds()) == 2


def test_file_without_the_flag_loads_unlocked_and_unlock_removes_the_key(tmp_path) -> None:
    p = project()
    lock(p, 1)
    ReplaceAnnotations([with_locked(p.annotations[1], False)], "Unlock", touch=False).apply(p)
    assert dumps_project(p) == dumps_project(project())
    assert not is_locked(p.annotations[1])
    odd = clone(p.annotations[1])
    odd.app_extra["locked"] = 1  # only true locks, as "void"
    assert not is_locked(odd)


def test_move_resize_reclassify_and_delete_of_a_locked_object_are_refused_untouched() -> None:
    p = project()
    lock(p, 1)
    before = dumps_project(p)
    a = p.annotations[1]
    refused = [
        ReplaceAnnotations([translated(a, 3, 0, W, H)], "Move"),
        RemoveAnnotations([2, 1]),
        SetCategory([1], 2),
        RemoveCategory(1),  # deleting the class deletes its objects
        Compound([ReplaceAnnotations([clone(p.annotations[2])]), RemoveAnnotations([1])]),
    ]
    for edit in refused:
        with pytest.raises(LockedError, match="annotation 1 is locked") as e:
            edit.apply(p)
        assert e.value.annotation_id == 1
        assert dumps_project(p) == before, type(edit).__name__


def test_unlocking_and_lock_free_fields_go_through_but_not_unlock_and_move_at_once() -> None:
    p = project()
    lock(p, 1)
    noted = clone(p.annotations[1])
    noted.note = "checked"
    ReplaceAnnotations([noted], "Note").apply(p)
    assert p.annotations[1].note == "checked" and is_locked(p.annotations[1])
    sneaky = translated(with_locked(p.annotations[1], False), 1, 0, W, H)
    with pytest.raises(LockedError):
        ReplaceAnnotations([sneaky]).apply(p)
    ReplaceAnnotations([with_locked(p.annotations[1], False)], "Unlock").apply(p)
    ReplaceAnnotations([translated(p.annotations[1], 1, 0, W, H)], "Move").apply(p)
    assert p.annotations[1].bbox[0] == 3.0


def test_painting_a_locked_mask_is_refused_and_a_new_mask_over_it_leaves_it_alone() -> None:
    p = project()
    lock(p, 2)
    locked_pixels = p.annotations[2].segmentation
    rect = (18, 18, 6, 6)  # half on the locked square
    before = np.zeros((6, 6), bool)
    before[:2, :2] = True
    stroke = edits.PaintMask(p.annotations[2], mask_edit.Patch(rect, before, np.ones((6, 6), bool)), "Paint")
    with pytest.raises(LockedError, match="to paint it"):
        stroke.apply(p)
    erase = edits.paint_edit(p.annotations[2], mask_edit.Patch(rect, before, np.zeros((6, 6), bool)), "Erase")
    with pytest.raises(LockedError):
        erase.apply(p)
    # masks overlap freely: a new object painted over it takes pixels of its own, none of the locked one's
    new = edits.new_mask_annotation(p, 1, 2)
    edits.PaintMask(
        new, mask_edit.Patch(rect, np.zeros((6, 6), bool), np.ones((6, 6), bool)), is_new=True
    ).apply(p)
    assert p.annotations[new.id].area == 36
    assert p.annotations[2].segmentation == locked_pixels
    assert locked_among(p, [1, 2, new.id]) == [2]
