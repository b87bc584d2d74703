"""Category names that look like numbers survive a mask-folder round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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


def _mask_folder(root: Path) -> None:
    """masks/a.png (1: a square, 2: a bar) and its photo in pics/a.jpg (found through images.csv only)."""
    (root / "masks").mkdir(parents=True)
    (root / "pics").mkdir()
    Image.new("RGB", (30, 20)).save(root / "pics" / "a.jpg")
    mask = np.zeros((20, 30), np.uint8)
    mask[2:6, 2:6] = 1
    mask[10:12, 10:20] = 2
    Image.fromarray(mask).save(root / "masks" / "a.png")


def test_side_csvs_saved_by_excel_or_damaged_are_read_or_reported(tmp_path: Path) -> None:
    """images.csv and classes.csv with a BOM and CRLF (as Excel saves them) are read; one with a cell over
    the csv module's limit, or bytes that are not UTF-8, is reported with its file and line. The BOM made
    images.csv unread (masks kept under their own names, "no images.csv" said); the others stopped the
    import with a traceback, or an error naming neither file nor line."""
    _mask_folder(tmp_path / "excel")
    (tmp_path / "excel" / "images.csv").write_text("\ufeffmask,image\r\na.png,pics/a.jpg\r\n", newline="")
    (tmp_path / "excel" / "classes.csv").write_text("\ufeffvalue,class\r\n1,cat\r\n2,dog\r\n", newline="")
    result = read_masks(tmp_path / "excel")
    assert result.problems == []
    (image,) = result.project.images.values()
    assert image.file_name == "pics/a.jpg"
    got = sorted(
        (result.project.categories[a.category_id].name, a.bbox) for a in result.project.annotations.values()
    )
    assert got == [("cat", [2.0, 2.0, 4.0, 4.0]), ("dog", [10.0, 10.0, 10.0, 2.0])]

    huge = '"' + "x" * 200_000 + '"'
    for name, text in (
        ("images.csv", f"mask,image\na.png,{huge}\n"),
        ("classes.csv", f"value,class\n1,cat\n2,{huge}\n"),
        ("instances.csv", f"mask,instance,class\na.png,1,{huge}\n"),
    ):
        folder = tmp_path / name
        _mask_folder(folder)
        (folder / name).write_text(text)
        problems = read_masks(folder).problems
        line = 3 if name == "classes.csv" else 2
        assert any(p.startswith(f"{folder / name}:{line}: not a readable CSV row") for p in problems), (
            problems
        )
    _mask_folder(tmp_path / "latin1")
    (tmp_path / "latin1" / "images.csv").write_bytes(b"mask,image\na.png,pics/\xe9.jpg\n")
    result = read_masks(tmp_path / "latin1")
    assert any(str(tmp_path / "latin1" / "masks" / "a.png") in p for p in result.problems)
    assert result.skipped == {"masks": 1}  # its listed image is not there


def test_instances_the_class_map_lists_but_the_mask_lacks_are_reported(tmp_path: Path) -> None:
    """instances.json names instances 1, 2 and 3 of a.png, which holds 1 and 4: 4 was reported, 2 and 3
    (objects the map says exist, with no pixel) went unsaid."""
    (tmp_path / "masks").mkdir()
    mask = np.zeros((10, 10), np.uint8)
    mask[1:3, 1:3] = 1
    mask[5:7, 5:7] = 4
    Image.fromarray(mask).save(tmp_path / "masks" / "a.png")
    (tmp_path / "instances.json").write_text('{"a.png": {"1": "cat", "2": "dog", "3": "dog"}}')
    result = read_masks(tmp_path)
    (a,) = result.project.annotations.values()
    assert result.project.categories[a.category_id].name == "cat" and a.bbox == [1.0, 1.0, 2.0, 2.0]
    file = tmp_path / "masks" / "a.png"
    assert f"{file}: instance 4 has no class in the class map; skipped" in result.problems
    assert f"{file}: 2 instances of the class map (2, 3) without a pixel in the mask" in result.problems
