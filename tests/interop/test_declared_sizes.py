"""An image size a dataset declares (CVAT, VOC, COCO, LabelMe, Cityscapes) against its file's header: a
file resized after labelling, turned by EXIF, or from the wrong folder is reported by the import, which
keeps the declared size (the frame the objects were drawn in). Real exports from tests/data, with their
image replaced in a tmp copy; EXIF-rotated JPEGs made with Pillow."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.interop.formats import FORMATS

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro"
CVAT_TASK = DATA / "cvat_dataset" / "for_images" / "export_task"
VOC1 = DATA / "voc_dataset" / "voc_dataset1"


def _picture(width: int, height: int) -> Image.Image:
    yy, xx = np.mgrid[0:height, 0:width]
    return Image.fromarray(np.dstack([xx * 7 % 256, yy * 5 % 256, (xx + yy) % 256]).astype(np.uint8))


def _save_turned(path: Path, stored: tuple[int, int], orientation: int) -> None:
    """A JPEG of ``stored`` (width, height) pixels whose EXIF orientation says how to turn them."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    _picture(*stored).save(path, exif=exif.tobytes())


def _size_lines(problems: list[str]) -> list[str]:
    return [p for p in problems if " px but " in p]


def test_cvat_export_with_its_image_resized_is_reported_and_keeps_the_xml_size(tmp_path: Path) -> None:
    task = shutil.copytree(CVAT_TASK, tmp_path / "task")
    img1 = task / "images" / "img1.jpg"  # the XML says 10x10
    Image.open(img1).convert("RGB").resize((20, 20)).save(img1)
    result = FORMATS["cvat"].read(task)
    (line,) = _size_lines(result.problems)
    assert line.startswith(f"{img1}: ")
    assert "20x20" in line and "10x10" in line and "2x" in line and "resized" in line
    sizes = {im.file_name: (im.width, im.height) for im in result.project.images.values()}
    assert sizes == {"images/img0.jpg": (8, 8), "images/img1.jpg": (10, 10)}


def test_real_exports_whose_images_match_report_nothing() -> None:
    assert _size_lines(FORMATS["cvat"].read(CVAT_TASK).problems) == []
    assert FORMATS["voc"].read(VOC1).problems == []


def test_voc_labelled_on_stored_pixels_of_an_exif_turned_photo(tmp_path: Path) -> None:
    """LabelImg reads pixels as stored: its <size> is 20x10 while the photo is shown 10x20."""
    voc = shutil.copytree(VOC1, tmp_path / "voc")
    photo = voc / "JPEGImages" / "2007_000001.jpg"
    _save_turned(photo, (20, 10), 6)
    result = FORMATS["voc"].read(voc)
    (line,) = _size_lines(result.problems)
    assert line.startswith(f"{photo}: ") and "10x20" in line and "20x10" in line
    assert "EXIF orientation 6" in line and "stored pixels" in line
    image = next(im for im in result.project.images.values() if im.file_name.endswith("2007_000001.jpg"))
    assert (image.width, image.height) == (20, 10)


def _labelme(folder: Path, width: int, height: int) -> Path:
    folder.mkdir(exist_ok=True)
    doc = {
        "version": "5.4.1",
        "flags": {},
        "shapes": [
            {
                "label": "cat",
                "points": [[1, 1], [5, 5]],
                "shape_type": "rectangle",
                "group_id": None,
                "flags": {},
            }
        ],
        "imagePath": "phone.jpg",
        "imageData": None,
        "imageWidth": width,
        "imageHeight": height,
    }
    (folder / "phone.json").write_text(json.dumps(doc))
    return folder


def test_labelme_declares_the_shown_size_of_an_exif_turned_photo(tmp_path: Path) -> None:
    """LabelMe (as CVAT) labels the photo turned as EXIF says: its 30x40 is the shown size, no mismatch;
    a file declaring the stored 40x30 is a swap the report puts down to EXIF."""
    _save_turned(tmp_path / "phone.jpg", (40, 30), 8)
    ok = FORMATS["labelme"].read(_labelme(tmp_path, 30, 40))
    assert _size_lines(ok.problems) == []
    stored = FORMATS["labelme"].read(_labelme(tmp_path, 40, 30))
    (line,) = _size_lines(stored.problems)
    assert "30x40" in line and "40x30" in line and "EXIF orientation 8" in line
    (image,) = stored.project.images.values()
    assert (image.width, image.height) == (40, 30)


def _coco(folder: Path, width: int, height: int) -> Path:
    doc = {
        "images": [{"id": 7, "file_name": "a.png", "width": width, "height": height}],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 16, "iscrowd": 0}
        ],
    }
    (folder / "coco.json").write_text(json.dumps(doc))
    return folder / "coco.json"


def test_coco_from_another_tool_naming_another_picture(tmp_path: Path) -> None:
    _picture(64, 48).save(tmp_path / "a.png")
    result = FORMATS["coco"].read(_coco(tmp_path, 50, 40))
    (line,) = _size_lines(result.problems)
    assert line.startswith(f"{tmp_path / 'a.png'}: ") and "64x48" in line and "50x40" in line
    assert "another picture" in line
    assert (result.project.images[7].width, result.project.images[7].height) == (50, 40)
    # a QA reference (check_images off) needs only the annotations: its files are not opened
    assert _size_lines(FORMATS["coco"].read(tmp_path / "coco.json", check_images=False).problems) == []


def test_a_missing_or_unreadable_file_is_not_a_size_problem(tmp_path: Path) -> None:
    task = shutil.copytree(CVAT_TASK, tmp_path / "task")
    (task / "images" / "img1.jpg").unlink()
    (task / "images" / "img0.jpg").write_bytes(b"not a picture")
    result = FORMATS["cvat"].read(task)
    assert _size_lines(result.problems) == []
    assert any("img1.jpg" in p and "not found" in p for p in result.problems)
    assert f"{task / 'images' / 'img0.jpg'}: not a readable image" in "\n".join(result.problems)


def test_the_check_reports_progress_and_problems_as_they_come(tmp_path: Path) -> None:
    task = shutil.copytree(CVAT_TASK, tmp_path / "task")
    img0 = task / "images" / "img0.jpg"
    Image.open(img0).convert("RGB").resize((4, 4)).save(img0)
    seen: list[str] = []
    steps: list[tuple[int, int]] = []
    result = FORMATS["cvat"].read(task, on_problem=seen.append, progress=lambda d, t: steps.append((d, t)))
    assert seen == result.problems and len(_size_lines(seen)) == 1
    assert steps[-1] == (2, 2)


@pytest.mark.parametrize(
    ("declared", "actual", "orientation", "words"),
    [
        ((40, 30), (80, 60), 1, "a uniform 2x"),
        ((1000, 750), (333, 250), 1, "a uniform 0.333x"),  # rounded by the resize
        ((4000, 3000), (3000, 4000), 6, "EXIF orientation 6"),
        ((4000, 3000), (3000, 4000), 1, "turned a quarter"),
        ((4000, 3000), (300, 400), 1, "turned a quarter and scaled"),
        ((640, 480), (641, 480), 1, "a pixel off"),
        ((50, 40), (64, 48), 1, "another picture"),
    ],
)
def test_likely_causes(
    declared: tuple[int, int], actual: tuple[int, int], orientation: int, words: str
) -> None:
    from pixelproof.core.declared_size import size_cause

    assert words in size_cause(declared, actual, orientation, apply_exif=True)


def test_past_a_hundred_mismatches_one_line_counts_the_rest(tmp_path: Path) -> None:
    _picture(80, 60).save(tmp_path / "a.png")
    doc = {
        "images": [{"id": i, "file_name": "a.png", "width": 40, "height": 30} for i in range(1, 106)],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [],
    }
    (tmp_path / "coco.json").write_text(json.dumps(doc))
    problems = FORMATS["coco"].read(tmp_path / "coco.json").problems
    assert len(_size_lines(problems)) == 100
    assert problems[-1].startswith("5 more images whose file is not the size its annotations declare")
    assert "5 a uniform 2x" in problems[-1]
