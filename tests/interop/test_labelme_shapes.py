"""LabelMe shapes read as LabelMe itself paints them (``labelme._utils.shape.shapes_to_label`` of LabelMe
7): oriented rectangles (and X-AnyLabeling's ``rotation``) are 4-corner polygons, and a ``mask`` shape's
PNG sits at its rounded first corner, cut to its points box when the corners are whole pixels."""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.imageio import image_size
from pixelproof.core.model import ImageRecord
from pixelproof.interop.labelme import read_labelme
from pixelproof.interop.labelme_writer import write_labelme

DICOM = Path(__file__).resolve().parents[1] / "data" / "pydicom-data" / "JPEG-LL.dcm"
CORNERS = [[20.0, 10.0], [40.0, 20.0], [35.0, 30.0], [15.0, 20.0]]  # a turned rectangle


def _png(mask: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _read(tmp_path: Path, shapes: list[dict], size: int = 100):
    doc = {"version": "7.1.0", "flags": {}, "shapes": shapes, "imagePath": "a.jpg", "imageData": None}
    (tmp_path / "a.json").write_text(json.dumps({**doc, "imageHeight": size, "imageWidth": size}))
    return read_labelme(tmp_path / "a.json")


@pytest.mark.parametrize("kind", ["oriented_rectangle", "rotation"])
def test_turned_rectangles_are_their_four_corners(tmp_path: Path, kind: str) -> None:
    shape = {"label": "car", "points": CORNERS, "shape_type": kind, "group_id": None, "flags": {}}
    result = _read(tmp_path, [shape])
    (a,) = result.project.annotations.values()
    assert a.kind == "polygon"
    assert a.segmentation == [np.asarray(CORNERS).reshape(-1).tolist()]
    assert a.bbox == [15.0, 10.0, 25.0, 20.0]  # not the axis-aligned box of two of its corners
    assert not result.skipped


def test_a_turned_rectangle_without_four_corners_is_reported_by_index(tmp_path: Path) -> None:
    shapes = [{"label": "car", "points": CORNERS[:3], "shape_type": "oriented_rectangle"}]
    result = _read(tmp_path, shapes)
    assert not result.project.annotations
    where = "a.json: shapes[0] (car, oriented_rectangle): expected 4 points, got 3"
    assert any(where in p for p in result.problems)


@pytest.mark.parametrize(
    "corners",
    [
        [[7, 26], [143, 26], [143, 125], [7, 125]],  # X-AnyLabeling: clockwise from the first corner drawn
        [[143, 125], [7, 125], [7, 26], [143, 26]],  # drawn from the bottom right
    ],
)
def test_an_x_anylabeling_rectangle_of_four_corners_is_a_box(tmp_path: Path, corners: list) -> None:
    """X-AnyLabeling saves every rectangle as its 4 corners (LabelMe as 2): each of them was skipped."""
    shape = {"label": "cat", "points": corners, "shape_type": "rectangle", "score": None, "difficult": False}
    result = _read(tmp_path, [shape], size=200)
    (a,) = result.project.annotations.values()
    assert (a.kind, a.bbox) == ("box", [7.0, 26.0, 136.0, 99.0])
    assert not result.skipped


def test_x_anylabelings_attributes_difficult_flag_and_score_are_kept_and_written_back(tmp_path: Path) -> None:
    """X-AnyLabeling gives each shape ``attributes``, ``difficult`` and a model's ``score``: they were
    dropped without a word. Kept as the CVAT reader keeps attributes and the VOC reader ``difficult``, and
    written back where X-AnyLabeling reads them."""
    shape = {
        "label": "cat",
        "points": [[10, 10], [50, 10], [50, 40], [10, 40]],
        "shape_type": "rectangle",
        "score": 0.87,
        "difficult": True,
        "attributes": {"color": "red", "occluded": "yes"},
        "kie_linking": [],
    }
    plain = {"label": "cat", "points": [[60, 60], [70, 70]], "shape_type": "rectangle", "difficult": False}
    result = _read(tmp_path, [shape, plain])
    a, b = sorted(result.project.annotations.values(), key=lambda x: x.id)
    assert a.app_extra["attributes"] == {"color": "red", "occluded": "yes"}
    assert (a.app_extra["difficult"], b.app_extra["difficult"]) == (1, 0)  # as VOC's <difficult> reads
    assert (a.score, b.score) == (0.87, None)
    result.project.path = tmp_path / "p.json"
    write_labelme(result.project, tmp_path / "out")
    (doc,) = [json.loads(f.read_text()) for f in (tmp_path / "out").glob("*.json")]
    first, second = doc["shapes"]
    assert first["attributes"] == {"color": "red", "occluded": "yes"}
    assert (first["difficult"], first["score"]) == (True, 0.87)
    assert second["difficult"] is False and "attributes" not in second
    back = sorted(read_labelme(tmp_path / "out").project.annotations.values(), key=lambda x: x.id)
    assert [(x.app_extra, x.score) for x in back] == [(x.app_extra, x.score) for x in (a, b)]


def test_a_rectangle_of_four_points_that_is_no_upright_box_is_their_polygon(tmp_path: Path) -> None:
    shape = {"label": "car", "points": CORNERS, "shape_type": "rectangle"}
    result = _read(tmp_path, [shape])
    (a,) = result.project.annotations.values()
    assert a.segmentation == [np.asarray(CORNERS).reshape(-1).tolist()]
    assert not result.skipped


def test_a_mask_png_is_cut_to_its_whole_pixel_points_box(tmp_path: Path) -> None:
    big = _png(np.ones((20, 20)))  # a 20 x 20 PNG for a 10 x 5 box
    shape = {"label": "m", "points": [[40, 40], [49, 44]], "shape_type": "mask", "mask": big}
    (a,) = _read(tmp_path, [shape]).project.annotations.values()
    expected = np.zeros((100, 100), bool)
    expected[40:45, 40:50] = True  # LabelMe paints points[0]..points[1], both inclusive
    assert np.array_equal(a.mask(100, 100), expected)


def test_a_mask_at_fractional_corners_sits_at_the_rounded_corner(tmp_path: Path) -> None:
    patch = np.zeros((5, 6), bool)
    patch[0, 0] = patch[4, 5] = True
    shape = {"label": "m", "points": [[60.6, 30.4], [65.6, 34.4]], "shape_type": "mask", "mask": _png(patch)}
    (a,) = _read(tmp_path, [shape]).project.annotations.values()
    expected = np.zeros((100, 100), bool)
    expected[30, 61] = expected[34, 66] = True  # (round(60.6), round(30.4)), the PNG's own extent
    assert np.array_equal(a.mask(100, 100), expected)


def test_embedded_image_data_is_the_picture_the_json_describes(tmp_path: Path) -> None:
    """LabelMe takes ``imageData`` as it is (no EXIF turn) and refuses a file whose pixels are not
    ``imageWidth`` x ``imageHeight``: a JPEG with an EXIF orientation was embedded as stored (60 x 40)
    under the turned size (40 x 60) the shapes are drawn on."""
    src = tmp_path / "src"
    src.mkdir()
    ys, xs = np.mgrid[0:40, 0:60]
    pixels = np.stack([xs * 4, ys * 6, np.full_like(xs, 128)], axis=2).astype(
        np.uint8
    )  # smooth: JPEG keeps it
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise: 40 wide, 60 high
    Image.fromarray(pixels).save(src / "a.jpg", exif=exif)
    shape = {"label": "c", "points": [[1, 1], [10, 20]], "shape_type": "rectangle"}
    doc = {"shapes": [shape], "imagePath": "a.jpg", "imageData": None, "imageHeight": 60, "imageWidth": 40}
    (src / "a.json").write_text(json.dumps(doc))
    write_labelme(read_labelme(src).project, tmp_path / "out", image_data=True)
    written = json.loads((tmp_path / "out" / "a.json").read_text())
    embedded = Image.open(io.BytesIO(base64.b64decode(written["imageData"])))
    assert embedded.size == (written["imageWidth"], written["imageHeight"]) == (40, 60)
    assert embedded.getexif().get(0x0112, 1) == 1
    turned = np.rot90(pixels, k=-1)  # what the EXIF tag shows
    assert np.abs(np.asarray(embedded.convert("RGB"), dtype=int) - turned).mean() < 8  # JPEG re-encoded


def test_an_embedded_dicom_image_is_a_png_of_its_size(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    """LabelMe cannot open DICOM bytes as ``imageData``: the image is embedded as a copy holds it, an 8-bit
    PNG (and without OpenCV's warning on stderr about a JPEG quality given for a PNG)."""
    shutil.copy(DICOM, tmp_path / "ct.dcm")
    project = new_project(["c"])
    width, height = image_size(tmp_path / "ct.dcm")
    project.add_image(ImageRecord(1, "ct.dcm", width, height))
    save_project(project, tmp_path / "project.json")
    write_labelme(project, tmp_path / "out", image_data=True)
    written = json.loads((tmp_path / "out" / "ct.json").read_text())
    embedded = Image.open(io.BytesIO(base64.b64decode(written["imageData"])))
    assert embedded.format == "PNG" and embedded.size == (width, height)
    assert "unsupported key" not in capfd.readouterr().err


def test_a_file_with_a_bom_and_a_nan_point_keeps_its_other_shapes(tmp_path: Path) -> None:
    """LabelMe writes with Python's json (NaN as ``NaN``), and a Windows editor adds a BOM: orjson
    refused both, so the whole file was skipped; now only the shape with the NaN is."""
    good = {"label": "car", "points": [[10, 10], [30, 40]], "shape_type": "rectangle"}
    bad = {"label": "dog", "points": [[float("nan"), 5], [20, 20]], "shape_type": "rectangle"}
    doc = {"version": "5.4.1", "shapes": [good, bad], "imagePath": "a.jpg", "imageData": None}
    text = json.dumps({**doc, "imageHeight": 100, "imageWidth": 100})  # writes NaN, as LabelMe would
    assert "NaN" in text
    (tmp_path / "a.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = read_labelme(tmp_path / "a.json")
    (a,) = result.project.annotations.values()
    assert a.bbox == [10.0, 10.0, 20.0, 30.0]
    assert any("a.json: shapes[1] (dog, rectangle)" in p for p in result.problems), result.problems
