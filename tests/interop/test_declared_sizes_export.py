"""Exporting a project whose image files are not the size its records declare (reported when it came in):
a YOLO dataset of a LabelImg VOC on EXIF-turned photos had its copies turned while the labels stayed on
the stored pixels, every box in the wrong place, and no word of it at export."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.imageio import image_size
from pixelproof.interop.formats import FORMATS


def _voc_on_a_turned_photo(root: Path) -> None:
    """p.jpg: 80x40 stored pixels with a white spot at x 60..75, y 5..15, EXIF orientation 6 (shown
    turned, 40x80); its VOC file, as LabelImg writes it, on the stored pixels."""
    (root / "JPEGImages").mkdir(parents=True)
    (root / "Annotations").mkdir()
    pixels = np.zeros((40, 80, 3), np.uint8)
    pixels[5:15, 60:75] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(root / "JPEGImages" / "p.jpg", exif=exif.tobytes(), quality=95)
    (root / "Annotations" / "p.xml").write_text(
        "<annotation><filename>p.jpg</filename><size><width>80</width><height>40</height></size>"
        "<object><name>spot</name><bndbox><xmin>60</xmin><ymin>5</ymin><xmax>75</xmax><ymax>15</ymax>"
        "</bndbox></object></annotation>"
    )


def test_a_copy_is_written_in_the_frame_the_objects_were_drawn_on(tmp_path: Path) -> None:
    _voc_on_a_turned_photo(tmp_path / "voc")
    project = FORMATS["voc"].read(tmp_path / "voc").project
    out = tmp_path / "yolo"
    warnings = FORMATS["yolo"].write(project, out, images="copy")
    copy = out / "images" / "train" / "p.jpg"
    assert image_size(copy) == (80, 40)  # the stored pixels, the tag dropped
    back = FORMATS["yolo"].read(out).project
    (ann,) = back.annotations.values()
    x, y, w, h = ann.bbox
    spot = np.asarray(Image.open(copy).convert("L"))[int(y) + 2 : int(y + h) - 2, int(x) + 2 : int(x + w) - 2]
    assert spot.size and spot.min() > 200  # the box is on the white spot
    assert not [w for w in warnings if "not the size" in w]  # nothing left wrong


def test_an_export_says_which_files_are_not_the_size_the_project_declares(tmp_path: Path) -> None:
    _voc_on_a_turned_photo(tmp_path / "voc")
    project = FORMATS["voc"].read(tmp_path / "voc").project
    warnings = FORMATS["coco"].write(project, tmp_path / "out.json")
    (line,) = [w for w in warnings if "not the size" in w]
    assert "p.jpg" in line and "40x80" in line and "80x40" in line and "validate --images" in line


def test_a_conversion_reads_each_header_once_and_again_when_the_file_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Import checks the declared sizes, then the export checks them again: the second check reuses the
    headers read while the files stay as they were (a 20,000-file LabelMe conversion opened each twice);
    a file replaced in between (another size) is read again and said."""
    from pixelproof.core import declared_size

    _voc_on_a_turned_photo(tmp_path / "voc")
    photo = tmp_path / "voc" / "JPEGImages" / "p.jpg"
    os.utime(photo, (time.time() - 60, time.time() - 60))  # a dataset's file, not one written just now
    opened: list[str] = []
    real = declared_size.image_size
    monkeypatch.setattr(declared_size, "image_size", lambda p, *a: (opened.append(p), real(p, *a))[1])
    project = FORMATS["voc"].read(tmp_path / "voc").project
    (line,) = [w for w in FORMATS["coco"].write(project, tmp_path / "out.json") if "not the size" in w]
    assert len(opened) == 1 and "40x80" in line
    Image.fromarray(np.zeros((40, 80, 3), np.uint8)).save(photo)  # the size declared, no EXIF turn
    assert not [w for w in FORMATS["coco"].write(project, tmp_path / "out2.json") if "not the size" in w]
    assert len(opened) == 2
    FORMATS["coco"].write(project, tmp_path / "out3.json")  # just written: read each time, never trusted
    assert len(opened) == 3
