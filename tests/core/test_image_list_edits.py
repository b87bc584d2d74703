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
