"""EXIF orientation, recorded per project (issue 11, item 15): a phone photo stored 60 x 30 with
Orientation=6 (turn 90 degrees clockwise) is seen 30 x 60 by a new project - sizes, pre-labeling and
``--images copy`` exports (rotated pixels, no tag) agree - while a project of format 1, labeled on the
stored pixels, keeps seeing them as stored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project

ORIENTATION = 0x0112


def _phone_photo(path: Path) -> None:
    """A JPEG as a phone writes it: pixels stored landscape, the EXIF tag saying how to turn them."""
    stored = np.zeros((30, 60, 3), dtype=np.uint8)
    stored[5:16, 5:16] = 255  # a bright square near the stored top-left corner
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(stored).save(path, exif=exif, quality=95)


def _prelabel_and_export(project_file: Path, out: Path) -> tuple[list[float], Image.Image]:
    argv = ["prelabel", str(project_file), "--backend", "threshold", "--option", "category=spot"]
    assert main([*argv, "--option", "polarity=bright", "--option", "min_area=20"]) == 0
    [ann] = load_project(project_file).annotations.values()
    convert = ["convert", str(project_file), str(out), "--from", "coco", "--to", "yolo"]
    assert main([*convert, "--images", "copy", "--pending", "keep"]) == 0  # the prediction as a label
    [copied] = (out / "images").rglob("phone.jpg")
    return ann.bbox, Image.open(copied)


def test_a_new_project_sees_the_photo_turned_everywhere(tmp_path: Path) -> None:
    _phone_photo(tmp_path / "photos" / "phone.jpg")
    project_file = tmp_path / "photos" / "project.json"
    assert main(["new", str(tmp_path / "photos"), "-o", str(project_file)]) == 0
    project = load_project(project_file)
    [image] = project.images.values()
    assert (image.width, image.height) == (30, 60) and project.applies_exif
    bbox, copied = _prelabel_and_export(project_file, tmp_path / "yolo")
    # stored x 5..15, y 5..15 -> turned clockwise: x = 29 - y (14..24), y = x (5..15)
    assert np.allclose(bbox, [14, 5, 11, 11], atol=1)
    assert copied.size == (30, 60) and copied.getexif().get(ORIENTATION, 1) == 1
    assert np.asarray(copied.convert("L"))[10, 19] > 200  # the square where the labels say


def test_a_format_1_project_keeps_the_stored_pixels(tmp_path: Path, capsys) -> None:
    _phone_photo(tmp_path / "old" / "phone.jpg")
    project_file = tmp_path / "old" / "project.json"
    doc = {
        "images": [{"id": 1, "file_name": "phone.jpg", "width": 60, "height": 30}],
        "annotations": [],
        "categories": [{"id": 1, "name": "spot"}],
        "pixelproof": {"format": 1},
    }
    project_file.write_text(json.dumps(doc))
    assert main(["info", str(project_file)]) == 0
    assert "format       1 (saved as 2); EXIF orientation not applied" in capsys.readouterr().out
    bbox, copied = _prelabel_and_export(project_file, tmp_path / "yolo")
    assert np.allclose(bbox, [5, 5, 11, 11], atol=1)
    saved = json.loads(project_file.read_text())["pixelproof"]
    assert saved["format"] == 2 and saved["exif_orientation"] == "ignore"  # the choice is recorded
    # no tag left to turn the copy: a loader that applies EXIF sees what the labels were made on
    assert copied.size == (60, 30) and copied.getexif().get(ORIENTATION, 1) == 1
    assert np.asarray(copied.convert("L"))[10, 10] > 200
