"""Bad input is reported with its file (and line) and the rest of the folder is still converted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.masks_folder import read_masks
from pixelproof.interop.voc import read_voc
from pixelproof.interop.yolo import read_yolo


def _image(path: Path, w: int = 40, h: int = 30) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((h, w, 3), 128, dtype=np.uint8)).save(path)


def _labelme(path: Path, image_path: str, shapes: list[dict]) -> None:
    doc = {
        "version": "5.5.0",
        "flags": {},
        "shapes": shapes,
        "imagePath": image_path,
        "imageData": None,
        "imageHeight": 30,
        "imageWidth": 40,
    }
    path.write_text(json.dumps(doc))


def _poly(label: str) -> dict:
    return {
        "label": label,
        "points": [[1, 1], [20, 2], [10, 15]],
        "group_id": None,
        "shape_type": "polygon",
        "flags": {},
    }


def test_labelme_missing_image_is_reported_and_still_imported(tmp_path: Path) -> None:
    _image(tmp_path / "ok.png")
    _labelme(tmp_path / "ok.json", "ok.png", [_poly("cat")])
    _labelme(tmp_path / "gone.json", "gone.png", [_poly("dog")])
    (tmp_path / "broken.json").write_text("{not json")
    result = read_labelme(tmp_path)
    assert len(result.problems) == 2
    gone = next(p for p in result.problems if "gone.json" in p)
    assert "gone.png not found" in gone and "no imageData" in gone
    assert any(p.startswith(str(tmp_path / "broken.json")) for p in result.problems)
    project = result.project
    assert sorted(im.file_name for im in project.images.values()) == ["gone.png", "ok.png"]
    assert sorted(c.name for c in project.categories.values()) == ["cat", "dog"]
    assert len(project.annotations) == 2
    assert result.skipped == {"files": 1}


def test_labelme_embedded_image_is_extracted(tmp_path: Path) -> None:
    import base64
    import io

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="PNG")
    src = tmp_path / "in"
    src.mkdir()
    _labelme(src / "x.json", "x.png", [_poly("cat")])
    doc = json.loads((src / "x.json").read_text())
    doc["imageData"] = base64.b64encode(buf.getvalue()).decode()
    (src / "x.json").write_text(json.dumps(doc))
    assert any("imageData was not extracted" in p for p in read_labelme(src).problems)
    result = read_labelme(src, extract_images=tmp_path / "extracted")
    assert result.problems == []
    image = next(iter(result.project.images.values()))
    assert result.project.image_path(image).resolve() == (tmp_path / "extracted" / "x.png").resolve()
    assert Image.open(tmp_path / "extracted" / "x.png").size == (40, 30)


def test_yolo_bad_lines_reported_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    for name in ("a", "b"):
        _image(tmp_path / "images" / f"{name}.png", 100, 50)
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "a.txt").write_text(
        "0 0.5 0.5 0.2 0.2\n"
        "1 0.5 0.5 0.2\n"  # 4 numbers
        "1 0.5 1.5 0.2 0.2\n"  # coordinate > 1
        "0 0.1 0.1 0.3 0.1 0.2 0.4\n"  # a triangle
        "7 0.5 0.5 0.1 0.1\n"  # unknown class
    )
    (tmp_path / "labels" / "b.txt").write_text("1 0.25 0.5 0.5 1.0\n")
    result = read_yolo(tmp_path)
    a_txt = tmp_path / "labels" / "a.txt"
    assert len(result.problems) == 3
    assert result.problems[0].startswith(f"{a_txt}:2: expected 5 numbers")
    assert result.problems[1].startswith(
        f"{a_txt}:3: coordinates must be normalised to 0..1 (Ultralytics allows 1% over), got 1.5"
    )
    assert result.problems[2].startswith(f"{a_txt}:5: class 7 is not in names")
    assert result.skipped == {"lines": 3}
    project = result.project
    boxes = sorted(
        (project.categories[a.category_id].name, a.kind, a.bbox) for a in project.annotations.values()
    )
    assert boxes == [
        ("cat", "box", [40.0, 20.0, 20.0, 10.0]),
        ("cat", "polygon", [10.0, 5.0, 20.0, 15.0]),
        ("dog", "box", [0.0, 0.0, 50.0, 50.0]),
    ]


def _two_images_one_mask(root: Path) -> np.ndarray:
    """images/a.jpg and b.jpg (40 x 30) and masks/a.png (a 5 x 10 object of class 1); returns the mask."""
    for name in ("a", "b"):
        _image(root / "images" / f"{name}.jpg")
    (root / "masks").mkdir()
    good = np.zeros((30, 40), dtype=np.uint8)
    good[5:10, 5:15] = 1
    Image.fromarray(good).save(root / "masks" / "a.png")
    return good


def test_mask_with_wrong_size_is_reported(tmp_path: Path) -> None:
    good = _two_images_one_mask(tmp_path)
    Image.fromarray(np.zeros((31, 40), dtype=np.uint8)).save(tmp_path / "masks" / "b.png")
    Image.fromarray(good).save(tmp_path / "masks" / "c.png")  # no image called c
    result = read_masks(tmp_path, mode="semantic")
    assert len(result.problems) == 2
    assert result.problems[0].startswith(str(tmp_path / "masks" / "b.png"))
    assert "mask is 40x31 but image b.jpg is 40x30" in result.problems[0]
    assert result.problems[1].startswith(str(tmp_path / "masks" / "c.png"))
    assert "kept under the mask's name" in result.problems[1]
    # the mask without an image stays (a QA reference needs none), under its own name and size
    assert [im.file_name for im in result.project.images.values()] == ["images/a.jpg", "masks/c.png"]
    assert [a.area for a in result.project.annotations.values()] == [50, 50]
    assert {c.name for c in result.project.categories.values()} == {"class_1"}


def test_voc_xml_without_size(tmp_path: Path) -> None:
    xml = (
        "<annotation><filename>{f}</filename>{size}<object><name>cat</name><bndbox><xmin>2</xmin>"
        "<ymin>3</ymin><xmax>10</xmax><ymax>12</ymax></bndbox><difficult>1</difficult></object></annotation>"
    )
    size = "<size><width>40</width><height>30</height><depth>3</depth></size>"
    (tmp_path / "Annotations").mkdir()
    _image(tmp_path / "JPEGImages" / "with_image.jpg")
    (tmp_path / "Annotations" / "good.xml").write_text(xml.format(f="good.jpg", size=size))
    (tmp_path / "Annotations" / "with_image.xml").write_text(xml.format(f="with_image.jpg", size=""))
    (tmp_path / "Annotations" / "nothing.xml").write_text(xml.format(f="nothing.jpg", size=""))
    result = read_voc(tmp_path)
    by_file = {Path(p.split(":")[0]).name: p for p in result.problems}
    assert set(by_file) == {"good.xml", "nothing.xml", "with_image.xml"}
    assert "image good.jpg not found" in by_file["good.xml"]
    assert "no <size> and the image cannot be found; skipped" in by_file["nothing.xml"]
    assert "no <size>; size 40x30 read from with_image.jpg" in by_file["with_image.xml"]
    project = result.project
    assert len(project.images) == 2 and len(project.annotations) == 2
    for a in project.annotations.values():
        assert a.bbox == [1.0, 2.0, 9.0, 10.0] and a.app_extra == {"difficult": 1}


def test_mask_folder_voc_pair(tmp_path: Path) -> None:
    _image(tmp_path / "JPEGImages" / "x.jpg")
    obj = np.zeros((30, 40), dtype=np.uint8)
    cls = np.zeros((30, 40), dtype=np.uint8)
    obj[2:10, 2:10], cls[2:10, 2:10] = 1, 15
    obj[12:20, 12:30], cls[12:20, 12:30] = 2, 7
    obj[11, :], cls[11, :] = 255, 255  # void border
    for name, arr in (("SegmentationObject", obj), ("SegmentationClass", cls)):
        (tmp_path / name).mkdir()
        Image.fromarray(arr).save(tmp_path / name / "x.png")
    result = read_masks(tmp_path)
    assert result.problems == []
    anns = sorted(result.project.annotations.values(), key=lambda a: a.id)
    assert [(result.project.categories[a.category_id].name, a.area) for a in anns] == [
        ("void", 40.0),  # the 255 border: a void region, not an object
        ("person", 64.0),
        ("car", 144.0),
    ]
    assert [c.void for c in result.project.categories.values() if c.name == "void"] == [True]
    assert result.project.object_count(1) == 2


def test_a_mask_damaged_inside_its_data_is_reported(tmp_path: Path) -> None:
    """A mask PNG whose IDAT length is off: Pillow's SyntaxError escaped ``read_masks`` (found by
    fuzzing); now the mask is reported and the others read."""
    from tests.bombs import short_idat_png

    good = _two_images_one_mask(tmp_path)
    (tmp_path / "masks" / "b.png").write_bytes(short_idat_png(good * 200 + 1))
    result = read_masks(tmp_path, mode="semantic")
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{tmp_path / 'masks' / 'b.png'}: not a readable PNG (damaged")
    assert [a.area for a in result.project.annotations.values()] == [50]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_broken_link_named_as_a_mask_is_said_and_never_opened(tmp_path: Path) -> None:
    """A FIFO or a dangling symlink named ``*.png`` in the masks folder was left out without a word; the
    FIFO must not be opened (reading one blocks for good)."""
    _two_images_one_mask(tmp_path)
    fifo, broken = tmp_path / "masks" / "b.png", tmp_path / "masks" / "c.png"
    os.mkfifo(fifo)
    broken.symlink_to(tmp_path / "gone.png")
    result = read_masks(tmp_path, mode="semantic")
    said = "not a regular file (a FIFO, device, socket or broken link); skipped"
    assert result.problems == [f"{fifo}: {said}", f"{broken}: {said}"]
    assert result.skipped == {"masks": 2}
    assert [a.area for a in result.project.annotations.values()] == [50]  # a.png still read


def test_a_mask_that_is_no_image_is_reported_in_plain_words(tmp_path: Path) -> None:
    """An empty mask file, or a symlink to a text file: Pillow's message named PixelProof's own reader
    object ("cannot identify image file <_CappedReader name=3>"); now it says what is wrong."""
    import os

    _two_images_one_mask(tmp_path)
    (tmp_path / "masks" / "b.png").write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("root:x:0:0\n")
    _image(tmp_path / "images" / "c.jpg")
    os.symlink(text, tmp_path / "masks" / "c.png")
    problems = read_masks(tmp_path, mode="semantic").problems
    assert problems == [
        f"{tmp_path / 'masks' / n}: not a readable PNG (unknown format or corrupt header); skipped"
        for n in ("b.png", "c.png")
    ]


def test_voc_digits_int_cannot_read_and_an_unusable_encoding_are_reported(tmp_path: Path) -> None:
    """``<difficult>²</difficult>`` ("²" is a digit to ``isdigit``, not to ``int``) and an XML declaration
    naming an encoding Python lacks escaped ``read_voc`` as ValueError / LookupError."""
    body = (
        "<annotation><filename>x.jpg</filename><size><width>40</width><height>30</height></size>"
        "<object><name>cat</name><bndbox><xmin>2</xmin><ymin>3</ymin><xmax>10</xmax><ymax>12</ymax>"
        "</bndbox><difficult>{d}</difficult></object></annotation>"
    )
    (tmp_path / "Annotations").mkdir()
    _image(tmp_path / "JPEGImages" / "x.jpg")
    (tmp_path / "Annotations" / "x.xml").write_text(body.format(d="²"), encoding="utf-8")
    codec = tmp_path / "Annotations" / "codec.xml"
    codec.write_text('<?xml version="1.0" encoding="no-such-codec"?>' + body.format(d=1))
    result = read_voc(tmp_path)
    assert result.problems == [f"{codec}: not readable XML (unknown encoding: no-such-codec); skipped"]
    [ann] = result.project.annotations.values()
    assert ann.app_extra == {"difficult": "²"}  # kept as written, as any flag that is no integer


def test_class_maps_saved_with_a_bom_name_their_first_class_cleanly(tmp_path: Path) -> None:
    """A class list or table saved by Excel or Notepad starts with a byte-order mark: it was read into the
    first class's name ("\\ufeffbackground") or made a CSV table's header unknown."""
    from pixelproof.interop.label_maps import read_class_map

    problems: list[str] = []
    listed = tmp_path / "classes.txt"
    listed.write_text("\ufeffbackground\ncat\n", "utf-8")
    assert read_class_map(tmp_path, listed, problems.append).names == {0: "background", 1: "cat"}
    table = tmp_path / "classes.csv"
    table.write_text("\ufeffid,class\n0,background\n3,dog\n", "utf-8")
    assert read_class_map(tmp_path, table, problems.append).names == {0: "background", 3: "dog"}
    assert problems == []


@pytest.mark.parametrize("name", ["labelme", "yolo", "voc", "masks", "coco"])
def test_reading_a_path_that_does_not_exist_says_so(tmp_path: Path, name: str) -> None:
    """Before: from Python, ``FORMATS["labelme"].read("typo")`` gave an empty project and no word (only
    the CLI checked the path first)."""
    from pixelproof.interop import FORMATS

    with pytest.raises(FileNotFoundError, match="typo: not found"):
        FORMATS[name].read(tmp_path / "typo")


def test_class_maps_nested_too_deeply_are_named_and_the_masks_still_read(tmp_path: Path) -> None:
    """A class map, per-file map or colour map of 100,000 nested lists raised a RecursionError out of
    ``json.loads``: a traceback instead of a line naming the file. A BOM'd JSON map still reads."""
    from pixelproof.interop.label_maps import read_class_map, read_color_map, sidecar_map

    deep = "[" * 100_000 + "]" * 100_000
    _two_images_one_mask(tmp_path)
    for name in ("classes.json", "instances.json", "dataset_meta.json", "masks/a.json"):
        (tmp_path / name).write_text(deep)
    problems: list[str] = []
    assert read_class_map(tmp_path, None, problems.append).names is None
    assert sidecar_map(tmp_path / "masks" / "a.png", problems.append) is None
    assert read_color_map(tmp_path, problems.append) is None
    assert [p.split(":")[0] for p in problems] == [
        str(tmp_path / "classes.json"),
        str(tmp_path / "instances.json"),
        str(tmp_path / "masks" / "a.json"),
        str(tmp_path),  # the colour map's line names the folder of its three candidates
    ]
    for name in ("instances.json", "masks/a.json", "dataset_meta.json"):
        (tmp_path / name).unlink()
    (tmp_path / "classes.json").write_text('\ufeff{"1": "cat"}', "utf-8")
    result = read_masks(tmp_path, on_problem=problems.append)
    assert [c.name for c in result.project.categories.values()] == ["cat"]
    assert len(result.project.annotations) == 1
