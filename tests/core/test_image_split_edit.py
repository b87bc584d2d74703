"""Setting images' dataset split: one edit (one undo step in the app), undone exactly, read by every
writer through ``split_of``; unknown split names are refused rather than made a folder of their own."""

from __future__ import annotations

import pytest

from pixelproof.core.coco_dump import dumps_project
from pixelproof.core.edits import SetImageSplit
from pixelproof.core.edits.image_split import split_name
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.split_names import split_of


def project() -> Project:
    p = Project()
    p.add_image(ImageRecord(1, "a.png", 8, 6))
    p.add_image(ImageRecord(2, "b.png", 8, 6, extra={"pixelproof": {"split": "train", "note": "x"}, "k": 1}))
    p.add_image(ImageRecord(3, "c.png", 8, 6))
    return p


def saved(p: Project) -> str:
    return dumps_project(p).decode()


def test_set_split_of_several_images_then_undo_restores_the_file_exactly() -> None:
    p = project()
    before = saved(p)
    edit = SetImageSplit([1, 2], "validation")
    changes = edit.apply(p)
    assert [split_of(p.images[i]) for i in (1, 2, 3)] == ["val", "val", None]
    assert p.images[2].extra == {"pixelproof": {"split": "val", "note": "x"}, "k": 1}
    assert sorted(c.image_id for c in changes) == [1, 2]
    assert edit.label == "Set 2 images to val"
    edit.revert(p)
    assert saved(p) == before
    edit.apply(p)  # redo
    assert split_of(p.images[1]) == "val"


def test_clearing_the_split_removes_only_it() -> None:
    p = project()
    SetImageSplit([2], "none").apply(p)
    assert p.images[2].extra == {"pixelproof": {"note": "x"}, "k": 1}
    SetImageSplit([1], None).apply(p)
    assert p.images[1].extra == {}
    p.images[3].extra["pixelproof"] = {"cvat": {"subset": "Train", "id": 4}}  # read from CVAT
    assert split_of(p.images[3]) == "train"
    SetImageSplit([3], None).apply(p)
    assert split_of(p.images[3]) is None and p.images[3].extra["pixelproof"] == {"cvat": {"id": 4}}


def test_unknown_split_and_missing_image_are_refused_untouched() -> None:
    with pytest.raises(ValueError, match="unknown split 'trian'"):
        split_name("trian")
    p = project()
    before = saved(p)
    with pytest.raises(ValueError, match="image 9 does not exist"):
        SetImageSplit([1, 9], "test").apply(p)
    assert saved(p) == before


def test_a_cvat_subset_default_read_before_splits_were_kept_is_no_split() -> None:
    """A project saved before the CVAT reader kept splits holds only the subset: ``default`` is CVAT's
    "no subset", not a split named default; Train is train."""
    none = ImageRecord(1, "a.png", 8, 6, extra={"pixelproof": {"cvat": {"subset": "default"}}})
    train = ImageRecord(2, "b.png", 8, 6, extra={"pixelproof": {"cvat": {"subset": "Train"}}})
    assert split_of(none) is None and split_of(train) == "train"
