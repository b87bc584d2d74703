"""Reading a YOLO dataset by the rules Ultralytics trains it by (``ultralytics/data/utils.py``,
``verify_image_label``): what it trains is read, what no dataset holds is refused before it fills memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.interop.yolo import read_yolo, write_yolo


def _dataset(root: Path, labels: dict[str, str], size: tuple[int, int] = (100, 50)) -> None:
    (root / "labels" / "train").mkdir(parents=True)
    (root / "images" / "train").mkdir(parents=True)
    for name, text in labels.items():
        Image.fromarray(np.zeros((size[1], size[0], 3), np.uint8)).save(
            root / "images" / "train" / f"{name}.png"
        )
        (root / "labels" / "train" / f"{name}.txt").write_text(text)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [a, b]\n")


def test_coordinates_within_ultralytics_one_percent_are_read_and_exported_clipped(tmp_path: Path) -> None:
    """Ultralytics trains coordinates from -0.01 to 1.01; such a line was dropped as broken, so a round
    trip lost objects the dataset trains on. Past the tolerance the line is still refused."""
    _dataset(
        tmp_path / "ds",
        {
            "x": (
                "0 0.5 0.5 1.005 0.2\n"  # a box 0.25 px wider than the image on each side
                "1 -0.005 0.1 0.5 0.1 0.5 0.6 -0.005 0.6\n"  # a polygon half a pixel left of it
                "0 0.5 0.5 1.02 0.2\n"  # over the 1%: broken, as Ultralytics says
            )
        },
    )
    result = read_yolo(tmp_path / "ds")
    assert result.skipped == {"lines": 1}
    assert result.problems == [
        f"{tmp_path / 'ds' / 'labels' / 'train' / 'x.txt'}:3: coordinates must be normalised to 0..1 "
        "(Ultralytics allows 1% over), got 1.02; line skipped"
    ]
    project = result.project
    got = {project.categories[a.category_id].name: a.bbox for a in project.annotations.values()}
    assert got["a"] == pytest.approx([-0.25, 20.0, 100.5, 10.0])
    assert got["b"] == pytest.approx([-0.5, 5.0, 50.5, 25.0])
    warnings = write_yolo(project, tmp_path / "out", task="segment")
    assert any("2 objects reaching outside the image clipped to it" in w for w in warnings)
    lines = (tmp_path / "out" / "labels" / "train" / "x.txt").read_text().splitlines()
    assert lines == [
        "0 0.000000 0.400000 1.000000 0.400000 1.000000 0.600000 0.000000 0.600000",
        "1 0.000000 0.100000 0.500000 0.100000 0.500000 0.600000 0.000000 0.600000",
    ]


def test_a_label_file_of_millions_of_lines_is_refused_before_its_objects_fill_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 100 MB label file (2.6 million boxes) took 9 GB and minutes to import into one 64 x 48 image.
    Over the cap the file is skipped whole, said with its count, and its image is left To do (not a
    background, so an export does not write it empty); the other images are read."""
    from pixelproof.interop import yolo

    monkeypatch.setattr(yolo, "MAX_OBJECTS_PER_FILE", 50)
    _dataset(tmp_path / "ds", {"big": "0 0.5 0.5 0.2 0.2\n\n" * 51, "ok": "1 0.5 0.5 0.2 0.2\n" * 50})
    result = read_yolo(tmp_path / "ds")
    big = tmp_path / "ds" / "labels" / "train" / "big.txt"
    assert result.problems == [
        f"{big}: 51 objects, more than one image is read with (at most 50 objects: a generated or broken "
        "file, not labels); skipped, its image is imported without labels"
    ]
    assert result.skipped == {"files": 1}
    project = result.project
    by_name = {im.file_name: im.id for im in project.images.values()}
    assert [project.categories[a.category_id].name for a in project.annotations.values()] == ["b"] * 50
    assert project.image_status(by_name["images/train/big.png"]) != "done"
    assert project.image_status(by_name["images/train/ok.png"]) == "done"


def test_a_label_file_over_the_byte_cap_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pixelproof.interop import yolo

    monkeypatch.setattr(yolo, "MAX_LABEL_BYTES", 1 << 10)
    _dataset(tmp_path / "ds", {"long": "0 " + "0.5 " * 400 + "\n"})
    result = read_yolo(tmp_path / "ds")
    assert result.problems == [
        f"{tmp_path / 'ds' / 'labels' / 'train' / 'long.txt'}: larger than 1,024 bytes, more than one image "
        "is read with (at most 100,000 objects: a generated or broken file, not labels); skipped, its image "
        "is imported without labels"
    ]
    assert result.project.annotations == {}


def test_box_lines_among_polygon_lines_are_read_as_boxes_and_said_as_ultralytics_misreads_them(
    tmp_path: Path,
) -> None:
    """Ultralytics takes a label file with any polygon line as polygons only: a box line ``c cx cy w h``
    becomes the 2 points (cx, cy), (w, h), another object. PixelProof reads the box it describes, says
    so once per file (a note, no problem), and the segment export writes it as 4 corners Ultralytics reads
    right. A file of boxes only, or of polygons only, says nothing."""
    _dataset(
        tmp_path / "ds",
        {
            "mixed": "0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.3 0.1 0.2 0.4\n0 0.2 0.2 0.1 0.1\n",
            "boxes": "0 0.5 0.5 0.2 0.2\n",
            "polygons": "1 0.1 0.1 0.3 0.1 0.2 0.4\n",
        },
    )
    result = read_yolo(tmp_path / "ds")
    assert result.problems == [] and result.skipped == {}
    assert result.notes == [
        f"{tmp_path / 'ds' / 'labels' / 'train' / 'mixed.txt'}:1: 2 box lines among polygon lines: "
        "Ultralytics reads a file with a polygon as polygons only, a box line as a polygon of 2 points "
        "(cx cy, w h: another object); read here as the boxes they describe, which a segment export writes "
        "as 4-corner polygons"
    ]
    write_yolo(result.project, tmp_path / "out", task="segment")
    lines = (tmp_path / "out" / "labels" / "train" / "mixed.txt").read_text().splitlines()
    assert lines[0] == "0 0.400000 0.400000 0.600000 0.400000 0.600000 0.600000 0.400000 0.600000"
