"""AddImages reports what it did to the image list as its own change kinds (a viewer lists new images)."""

from __future__ import annotations

from pixelproof.core import edits
from pixelproof.core.coco import new_project
from pixelproof.core.edits.images import AddImages, SetTimeSpent
from pixelproof.core.model import ImageRecord


def test_add_images_reports_image_added_and_its_revert_image_removed() -> None:
    project = new_project(["cat"])
    project.add_image(ImageRecord(1, "a.png", 10, 10))
    edit = AddImages([ImageRecord(2, "b.png", 10, 10), ImageRecord(3, "c.png", 10, 10)])
    changes = edit.apply(project)
    assert [(c.kind, c.image_id) for c in changes] == [(edits.IMAGE_ADDED, 2), (edits.IMAGE_ADDED, 3)]
    assert changes.image_ids == [2, 3]
    changes = edit.revert(project)
    assert [(c.kind, c.image_id) for c in changes] == [(edits.IMAGE_REMOVED, 3), (edits.IMAGE_REMOVED, 2)]
    assert list(project.images) == [1]
    # what changes an image's state (not the list) stays an "image" change
    assert {c.kind for c in SetTimeSpent({1: {"ann": 3.0}}).apply(project)} == {edits.IMAGE}


def test_time_edits_revert_to_the_table_and_key_order_they_found() -> None:
    import copy

    from pixelproof.core.edits.images import RecordTime

    project = new_project(["cat"])
    for iid in (1, 2):
        project.add_image(ImageRecord(iid, f"{iid}.png", 10, 10))
    project.app["status"] = {}  # a key before the table the edits add
    for edit in (RecordTime(1, "ann", 4.0), SetTimeSpent({2: {"bob": 3.0}})):
        before = copy.deepcopy(project.app)
        edit.apply(project)
        assert project.app != before
        edit.revert(project)
        assert project.app == before and list(project.app) == list(before)
    RecordTime(1, "ann", 4.0).apply(project)  # now a table exists: reverting keeps the older figures
    before = copy.deepcopy(project.app)
    edit = RecordTime(1, "ann", 2.5)
    edit.apply(project)
    assert project.app["time_spent"]["1"] == {"ann": 6.5}
    edit.revert(project)
    assert project.app == before
