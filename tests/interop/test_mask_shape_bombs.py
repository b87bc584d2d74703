"""Mask shapes on a huge declared image (hostile-input probe): CVAT ``<mask>`` elements and LabelMe
``shape_type: "mask"`` shapes used to become full-size boolean images one by one, so a 22 KB file declaring
16384 x 16384 with 300 one-pixel masks took minutes and most of a gigabyte. They are now encoded from
their crops; masks crossing the image's edge are still cut to it as before."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import masks
from pixelproof.interop.cvat import read_cvat
from pixelproof.interop.labelme import read_labelme

REPO = Path(__file__).resolve().parents[2]
SIDE = 16384
N_MASKS = 300


def _png_b64(pixels: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8) * 255).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _cvat_bomb(folder: Path) -> None:
    folder.mkdir()
    shapes = "".join(
        f'<mask label="a" rle="0, 1" left="{i}" top="{i}" width="1" height="1"></mask>'
        for i in range(N_MASKS)
    )
    (folder / "annotations.xml").write_text(
        f'<annotations><image id="0" name="x.png" width="{SIDE}" height="{SIDE}">{shapes}</image>'
        "</annotations>"
    )


def _labelme_bomb(folder: Path) -> None:
    folder.mkdir()
    one = _png_b64(np.ones((1, 1), bool))
    shapes = [
        {"label": "a", "shape_type": "mask", "points": [[i, i], [i, i]], "mask": one, "group_id": None}
        for i in range(N_MASKS)
    ]
    doc = {"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": "x.png", "imageData": None}
    (folder / "x.json").write_text(json.dumps({**doc, "imageHeight": SIDE, "imageWidth": SIDE}))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="address-space limit (RLIMIT_AS)")
@pytest.mark.parametrize(("fmt", "make"), [("cvat", _cvat_bomb), ("labelme", _labelme_bomb)])
def test_tiny_masks_on_a_huge_image_convert_in_a_small_process(tmp_path: Path, fmt: str, make) -> None:  # type: ignore[no-untyped-def]
    import resource

    make(tmp_path / "in")
    out = tmp_path / "out" / "out.json"

    def small() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))

    done = subprocess.run(
        [sys.executable, "-m", "pixelproof", "convert", "--from", fmt, "--to", "coco", str(tmp_path / "in"),
         str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=60, preexec_fn=small,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    coco = json.loads(out.read_text())
    anns = coco["annotations"]
    assert len(anns) == N_MASKS
    assert sorted(tuple(a["bbox"]) for a in anns) == [(i, i, 1, 1) for i in range(N_MASKS)]
    assert all(a["area"] == 1 for a in anns)
    for a in anns[:5]:  # the RLE itself holds that one pixel
        m = masks.decode(a["segmentation"])
        x, y = int(a["bbox"][0]), int(a["bbox"][1])
        assert m.shape == (SIDE, SIDE) and m[y, x] and int(m.sum()) == 1
        del m


# -- masks crossing the image's edge: cut to it, exactly as the full-size mask was -------------------


H, W = 13, 17
# (left, top) of a 6 x 5 mask: inside, over each edge, over corners, bigger overhangs, wholly outside
PLACES = [(3, 4), (-2, 5), (14, 2), (4, -3), (6, 10), (-4, -2), (13, 9), (-5, 11), (16, 12), (30, 2), (2, -9)]


def _pattern(seed: int) -> np.ndarray:
    m = np.random.default_rng(seed).random((5, 6)) > 0.45
    m[0, 0] = m[-1, -1] = True
    return m


def _expected(left: int, top: int, crop: np.ndarray) -> np.ndarray:
    """What the old reader made: a full-size array with the crop pasted in, cut at the image's edges."""
    big = np.zeros((H + 40, W + 40), bool)
    big[top + 20 : top + 20 + crop.shape[0], left + 20 : left + 20 + crop.shape[1]] = crop
    return big[20 : 20 + H, 20 : 20 + W]


def _runs(crop: np.ndarray) -> str:
    flat = crop.reshape(-1)
    edges = np.r_[0, np.flatnonzero(flat[1:] != flat[:-1]) + 1, flat.size]
    runs = np.diff(edges).tolist()
    return ", ".join(map(str, [0, *runs] if flat[0] else runs))


def _check(ann, expected: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    assert ann.segmentation == masks.encode(expected)
    assert ann.bbox == masks.bbox(expected)
    assert ann.area == float(expected.sum())
    assert np.array_equal(ann.mask(H, W), expected)


def test_cvat_mask_over_the_edge_is_cut_as_before(tmp_path: Path) -> None:
    shapes = []
    for k, (left, top) in enumerate(PLACES):
        crop = _pattern(k)
        shapes.append(
            ET.Element(
                "mask", label=f"m{k}", rle=_runs(crop), left=str(left), top=str(top), width="6", height="5"
            )
        )
    image = ET.Element("image", id="0", name="a.png", width=str(W), height=str(H))
    image.extend(shapes)
    root = ET.Element("annotations")
    root.append(image)
    xml = tmp_path / "annotations.xml"
    ET.ElementTree(root).write(xml)
    result = read_cvat(xml)
    anns = {result.project.categories[a.category_id].name: a for a in result.project.annotations.values()}
    for k, (left, top) in enumerate(PLACES):
        expected = _expected(left, top, _pattern(k))
        if not expected.any():
            assert f"m{k}" not in anns
            assert any(
                f"(m{k}): the mask has no pixel inside the image; skipped" in p for p in result.problems
            )
        else:
            _check(anns[f"m{k}"], expected)
    assert len(anns) == sum(_expected(x, y, _pattern(k)).any() for k, (x, y) in enumerate(PLACES))


def test_labelme_mask_over_the_edge_is_cut_as_before(tmp_path: Path) -> None:
    shapes = [
        {
            "label": f"m{k}",
            "shape_type": "mask",
            "points": [[x, y], [x + 5, y + 4]],
            "mask": _png_b64(_pattern(k)),
        }
        for k, (x, y) in enumerate(PLACES)
    ]
    # one object of two mask pieces and a rectangle (a group): their union, cut to the image
    group = {"label": "g", "group_id": 1}
    shapes += [
        {**group, "shape_type": "mask", "points": [[-2, -1], [3, 3]], "mask": _png_b64(_pattern(50))},
        {**group, "shape_type": "mask", "points": [[12, 9], [17, 13]], "mask": _png_b64(_pattern(51))},
        {**group, "shape_type": "rectangle", "points": [[5.5, 2.0], [9.0, 7.5]]},
    ]
    doc = {"shapes": shapes, "imagePath": "a.png", "imageHeight": H, "imageWidth": W, "imageData": None}
    file = tmp_path / "a.json"
    file.write_text(json.dumps(doc))
    result = read_labelme(file)
    anns = {result.project.categories[a.category_id].name: a for a in result.project.annotations.values()}
    for k, (left, top) in enumerate(PLACES):
        # a mask wholly outside stays an (empty) object, as the full-size path made it
        _check(anns[f"m{k}"], _expected(left, top, _pattern(k)))
    union = _expected(-2, -1, _pattern(50)) | _expected(12, 9, _pattern(51))
    union |= masks.box_to_mask([5.5, 2.0, 3.5, 5.5], H, W)
    _check(anns["g"], union)
    assert len(anns) == len(PLACES) + 1
