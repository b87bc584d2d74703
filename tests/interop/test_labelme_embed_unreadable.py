"""A LabelMe export with "Embed the images" embedded a corrupt JPEG (a good header, garbage after it) without
a word: the JSON then failed to open in LabelMe. Such an image is named in the export's warnings, as the app
names it ("not a readable image"), and not embedded; a readable one beside it still is."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import new_project
from pixelproof.core.model import ImageRecord
from pixelproof.interop.labelme_writer import write_labelme


def test_a_corrupt_jpeg_is_named_and_not_embedded(tmp_path: Path) -> None:
    pixels = np.random.default_rng(0).integers(0, 255, (40, 60, 3), np.uint8)
    good = cv2.imencode(".jpg", pixels)[1].tobytes()
    (tmp_path / "good.jpg").write_bytes(good)
    scan = good.index(b"\xff\xda")  # the header (its size: 60 x 40) is whole, the picture is not
    (tmp_path / "bad.jpg").write_bytes(good[:scan] + b"\x00" * 200)
    project = new_project(["c"])
    project.path = tmp_path / "project.json"
    project.add_image(ImageRecord(1, "good.jpg", 60, 40))
    project.add_image(ImageRecord(2, "bad.jpg", 60, 40))
    warnings = write_labelme(project, tmp_path / "out", image_data=True)
    said = [w for w in warnings if "bad.jpg" in w]
    assert len(said) == 1 and "not a readable image" in said[0] and "not embedded" in said[0], warnings
    assert not [w for w in warnings if "good.jpg" in w]
    bad = json.loads((tmp_path / "out" / "bad.json").read_text())
    assert bad["imageData"] is None
    written = json.loads((tmp_path / "out" / "good.json").read_text())
    assert base64.b64decode(written["imageData"]) == good
