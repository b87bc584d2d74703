"""Bring to Front / Send to Back (core/edits/stacking): the stacking is the order of an image's objects,
back to front; the edit moves the chosen ones to an end of it, keeps the other images' objects where they
are in the file, is one undo step, and a saved file keeps the new stacking."""

from __future__ import annotations

import pytest

from pixelproof.core import edits
from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.edits import ANNOTATION_ORDER
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def interleaved() -> Project:
    """Image 1's objects 1, 3, 5 and image 2's 2, 4, in the file as 1 2 3 4 5."""
    p = Project()
    p.add_image(ImageRecord(1, "a.png", 20, 20))
    p.add_image(ImageRecord(2, "b.png", 20, 20))
    p.add_category(Category(1, "cell"))
    for i in range(1, 6):
        p.add_annotation(Annotation(i, 1 if i % 2 else 2, 1, [1.0, 1.0, 5.0, 5.0], None, 25.0, updated="t0"))
    return p


def test_bring_to_front_moves_the_objects_last_in_their_image_and_undo_puts_them_back() -> None:
    p = interleaved()
    before = dumps_project(p)
    edit = edits.restack(p, [1], front=True)
    assert edit is not None and edit.label == "Bring object to front" and edit.focus == [1]
    assert edit.apply(p) == [edits.Change(ANNOTATION_ORDER, image_id=1)]
    assert p.annotation_ids_of(1) == [3, 5, 1]
    assert list(p.annotations) == [3, 2, 5, 4, 1]  # image 1's places in the file, image 2's kept
    assert p.annotations[1].updated == "t0"  # the object itself is not touched
    edit.revert(p)
    assert p.annotation_ids_of(1) == [1, 3, 5] and dumps_project(p) == before
    edit.apply(p)  # redo
    assert p.annotation_ids_of(1) == [3, 5, 1]


def test_send_to_back_keeps_the_chosen_ones_in_their_order_and_a_saved_file_keeps_it(tmp_path) -> None:
    p = interleaved()
    edit = edits.restack(p, [5, 3], front=False)
    assert edit is not None and edit.label == "Send 2 objects to back"
    edit.apply(p)
    assert p.annotation_ids_of(1) == [3, 5, 1]
    back = load_project(save_project(p, tmp_path / "p.json"))
    assert back.annotation_ids_of(1) == [3, 5, 1] and back.annotation_ids_of(2) == [2, 4]


def test_nothing_to_do_where_they_are_already_and_an_unknown_id_is_refused() -> None:
    p = interleaved()
    assert edits.restack(p, [5], front=True) is None
    assert edits.restack(p, [1], front=False) is None
    assert edits.restack(p, [1, 3, 5], front=True) is None  # all of them: the order stays
    with pytest.raises(ValueError, match="does not exist"):
        edits.restack(p, [99], front=True)


def test_a_restack_refuses_when_the_image_has_other_objects_since() -> None:
    p = interleaved()
    edit = edits.restack(p, [1], front=True)
    assert edit is not None
    p.add_annotation(Annotation(6, 1, 1, [1.0, 1.0, 2.0, 2.0], None, 4.0))
    before = dumps_project(p)
    with pytest.raises(ValueError, match="changed since"):
        edit.apply(p)
    assert dumps_project(p) == before


def test_a_locked_object_is_restacked_as_the_lock_keeps_only_shape_class_and_existence() -> None:
    """README's Locked objects: Bring to Front / Send to Back move a locked object (its stacking is not
    what the lock keeps), one undo step as for any other."""
    p = interleaved()
    p.annotations[1].app_extra["locked"] = True
    edit = edits.restack(p, [1], front=True)
    assert edit is not None
    edit.apply(p)
    assert p.annotation_ids_of(1) == [3, 5, 1] and p.annotations[1].app_extra == {"locked": True}
    edit.revert(p)
    assert p.annotation_ids_of(1) == [1, 3, 5]
