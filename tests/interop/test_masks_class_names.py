"""Category names that look like numbers survive a mask-folder round trip."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop.masks_folder import read_masks, write_masks


def test_instance_class_names_made_of_digits_are_names_not_class_values(tmp_path: Path) -> None:
    """instances.json maps instance -> class; a class written as a digit string is read as a class
    value (a line of classes.txt), so categories named "0", "1" (a YOLO dataset without names) came back
    shifted by one line or as class_<n>, and a name "²" (a digit to ``str.isdigit``) stopped the reader."""
    names = ["0", "1", "255", "²", "cat"]
    project = new_project(names)
    project.path = tmp_path / "project.json"
    Image.new("RGB", (30, 10)).save(tmp_path / "x.png")
    project.add_image(ImageRecord(1, "x.png", 30, 10))
    for k, cat in enumerate(project.categories.values()):
        project.add_annotation(Annotation(k + 1, 1, cat.id, [k * 6.0, 0.0, 5.0, 5.0], None, 25.0))
    write_masks(project, tmp_path / "m", mode="instance")
    result = read_masks(tmp_path / "m", mode="instance")
    assert result.problems == []
    back = result.project
    got = sorted((a.bbox[0], back.categories[a.category_id].name) for a in back.annotations.values())
    assert got == [(k * 6.0, name) for k, name in enumerate(names)]
