"""The new dataset readers go through core.limits: over-limit images and masks are refused with the
limit in the message (checked from headers or declared sizes before anything is decoded)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import limits
from pixelproof.interop.cityscapes import read_cityscapes
from pixelproof.interop.cvat import read_cvat
from pixelproof.interop.kitti import read_kitti


@pytest.fixture
def small_limit():
    limits.set_max_pixels(400)
    yield
    limits.set_max_pixels(None)


def test_cityscapes_over_limit_refused(tmp_path: Path, small_limit) -> None:
    gt = tmp_path / "gtFine" / "val" / "c"
    gt.mkdir(parents=True)
    Image.fromarray(np.zeros((30, 30), np.uint8)).save(gt / "c_0_0_gtFine_instanceIds.png")
    doc = {"imgWidth": 100000, "imgHeight": 100000, "objects": []}
    (gt / "c_0_1_gtFine_polygons.json").write_text(json.dumps(doc))
    result = read_cityscapes(tmp_path)
    assert not result.project.images and result.skipped == {"frames": 2}
    assert all("over the limit" in p for p in result.problems if "skipped" in p)


def test_kitti_and_cvat_over_limit_refused(tmp_path: Path, small_limit) -> None:
    (tmp_path / "k" / "instance").mkdir(parents=True)
    Image.fromarray(np.zeros((30, 30), np.uint16)).save(tmp_path / "k" / "instance" / "x.png")
    result = read_kitti(tmp_path / "k")
    assert "over the limit of 400 pixels" in result.problems[0] and not result.project.annotations
    xml = tmp_path / "annotations.xml"
    mask = '<mask label="x" rle="0, 1" left="0" top="0" width="100000" height="100000"/>'
    xml.write_text(
        f'<annotations><image id="0" name="a.png" width="10" height="10">{mask}</image></annotations>'
    )
    result = read_cvat(xml)
    assert any("over the limit" in p for p in result.problems) and not result.project.annotations
