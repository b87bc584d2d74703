"""A LabelMe folder imported and saved as ``project.json`` in it (what ``pixelproof FOLDER`` > Import >
Ctrl+S does) holds a PixelProof project among its LabelMe files: the LabelMe reader and its detector do
not count it as a LabelMe file nor skip it with a note, and a LabelMe file with a label named "images" is
still one."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from pixelproof.core.coco import save_project
from pixelproof.interop.labelme import labelme_files, looks_like_labelme, read_labelme


def labelme_folder(folder: Path, labels: list[str]) -> Path:
    """One 40x30 picture and one LabelMe file per label (a box named after it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, label in enumerate(labels):
        cv2.imwrite(str(folder / f"p{i}.png"), np.zeros((30, 40, 3), np.uint8))
        shape = {"label": label, "points": [[2, 2], [20, 15]], "shape_type": "rectangle", "group_id": None}
        doc = {"version": "5.4.1", "flags": {}, "shapes": [shape], "imagePath": f"p{i}.png"}
        doc.update(imageData=None, imageHeight=30, imageWidth=40)
        (folder / f"p{i}.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def test_the_project_saved_in_the_folder_is_no_labelme_file(tmp_path: Path) -> None:
    folder = labelme_folder(tmp_path / "pics", ["cat", "images"])  # a label named like COCO's list
    result = read_labelme(folder)
    save_project(result.project, folder / "project.json")
    assert (folder / "project.json").is_file()
    assert labelme_files(folder) == [folder / "p0.json", folder / "p1.json"]
    again = read_labelme(folder)
    assert not any("project.json" in str(m) for m in [*again.problems, *again.skipped])
    assert len(again.project.images) == 2 and len(again.project.annotations) == 2


def test_a_folder_whose_first_json_is_its_project_is_still_a_labelme_folder(tmp_path: Path) -> None:
    folder = labelme_folder(tmp_path / "pics", ["cat"])
    save_project(read_labelme(folder).project, folder / "a_project.json")  # sorted before p0.json
    (folder / "b_project.json").write_bytes((folder / "a_project.json").read_bytes())
    (folder / "c_project.json").write_bytes((folder / "a_project.json").read_bytes())
    assert looks_like_labelme(folder)
    assert labelme_files(folder) == [folder / "p0.json"]
