"""A project over a folder of microscopy stacks (tifffile-written OME z-stack with channels, TZYX time
series, TYX movie): ``new`` lists every plane, ``info`` names their volumes, exports write each plane's
mask and image under the per-slice stem (``cells_z002``, ``live_t001_z002``) as for DICOM, and QA scores
z-stacks in 3D but not the frames of a time series."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.imageio import read_image
from pixelproof.core.model import Annotation


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    root = tmp_path / "scope"
    root.mkdir()
    cells = np.zeros((4, 2, 12, 16), np.uint16)  # Z C Y X
    cells[:, 0, :, 8:] = 900
    cells[:, 1, 6:, :] = 500
    meta = {"axes": "ZCYX", "PhysicalSizeX": 0.2, "PhysicalSizeY": 0.2, "PhysicalSizeZ": 1.0}
    tifffile.imwrite(root / "cells.ome.tif", cells, photometric="minisblack", metadata=meta)
    live = np.arange(2 * 3, dtype=np.uint8).repeat(12 * 16).reshape(2, 3, 12, 16) * 40
    tifffile.imwrite(root / "live.tif", live, photometric="minisblack", metadata={"axes": "TZYX"})
    tifffile.imwrite(root / "movie.tif", live[:, 0], photometric="minisblack", metadata={"axes": "TYX"})
    return root


def test_new_lists_the_planes_and_exports_name_each_slice(stacks: Path, tmp_path: Path, capsys) -> None:
    base = tmp_path / "p.json"
    assert main(["new", str(stacks), "-o", str(base), "--categories", "cell"]) == 0
    project = load_project(base)
    names = sorted(im.file_name for im in project.images.values())
    assert names == sorted(
        [f"scope/cells.ome.tif#z={z:03d}" for z in range(4)]
        + [f"scope/live.tif#t={t:03d}&z={z:03d}" for t in range(2) for z in range(3)]
        + [f"scope/movie.tif#t={t:03d}" for t in range(2)]
    )
    for image in project.images.values():  # one mask each, a slice's own rectangle
        m = np.zeros((image.height, image.width), bool)
        m[1 : 2 + image.id % 5, 2:9] = True
        project.add_annotation(
            Annotation(image.id, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
        )
    save_project(project, base)
    capsys.readouterr()
    assert main(["info", str(base), "--json"]) == 0
    rows = {r["file_name"]: r for r in json.loads(capsys.readouterr().out)["per_image"]}
    row = rows["scope/live.tif#t=001&z=002"]
    assert row["volume"] == "scope/live.tif#t=001" and (row["slice_axis"], row["slice_index"]) == ("z", 2)
    assert rows["scope/movie.tif#t=001"]["volume"] == "scope/movie.tif#axis=t"
    assert rows["scope/cells.ome.tif#z=003"]["pixel_spacing"] == [0.0002, 0.0002]
    assert rows["scope/cells.ome.tif#z=003"]["slice_position"] == pytest.approx(0.003)

    out = tmp_path / "masks"
    assert main(["convert", str(base), str(out), "--from", "coco", "--to", "masks", "--images", "copy"]) == 0
    stems = {p.stem for p in (out / "images").iterdir()}
    assert {"cells_z002", "live_t001_z002", "movie_t001"} <= stems and len(stems) == len(names)
    by_name = {im.file_name: im for im in project.images.values()}
    image = by_name["scope/live.tif#t=001&z=002"]
    (mask,) = [p for p in (out / "masks").rglob("*.png") if p.stem.startswith("live_t001_z002")]
    drawn = cv2.imread(str(mask), cv2.IMREAD_UNCHANGED).reshape(image.height, image.width, -1).any(axis=-1)
    expected = masks.decode(project.annotations[image.id].segmentation)
    np.testing.assert_array_equal(drawn, expected)
    shown = cv2.imread(str(out / "images" / "live_t001_z002.png"), cv2.IMREAD_UNCHANGED)
    assert int(shown[0, 0]) == int(read_image(stacks / "live.tif#t=001&z=002")[0, 0]) == (3 + 2) * 40
    colour = cv2.cvtColor(cv2.imread(str(out / "images" / "cells_z002.png")), cv2.COLOR_BGR2RGB)
    np.testing.assert_array_equal(colour, read_image(stacks / "cells.ome.tif#z=002"))

    coco = tmp_path / "coco" / "data.json"
    assert main(["convert", str(base), str(coco), "--from", "coco", "--to", "coco"]) == 0
    listed = {im["file_name"] for im in json.loads(coco.read_text())["images"]}
    assert any(n.endswith("live.tif#t=001&z=002") for n in listed)

    report = tmp_path / "qa.json"
    assert main(["qa", str(base), str(base), "--json", str(report)]) == 0
    volumes = {r["volume"] for r in json.loads(report.read_text())["per_volume"]}
    assert volumes == {"scope/cells.ome.tif", "scope/live.tif#t=000", "scope/live.tif#t=001"}


def test_new_lists_every_plane_of_a_stack_whose_later_plane_is_tiled_otherwise(tmp_path: Path) -> None:
    """tifffile refuses such a stack's series ('incompatible keyframe'): ``new`` listed it as one image,
    its first plane, and said nothing. Each plane is listed, and exported as stored."""
    from tests.core.test_stack_tiling import planes, write_ome

    root = tmp_path / "scope"
    root.mkdir()
    data = planes(3)
    write_ome(root / "cells.ome.tif", list(data), [(128, 128), (64, 64), (128, 128)])
    base = tmp_path / "p.json"
    assert main(["new", str(root), "-o", str(base)]) == 0
    images = sorted(load_project(base).images.values(), key=lambda im: im.file_name)
    assert [im.file_name for im in images] == [f"scope/cells.ome.tif#z={z:03d}" for z in range(3)]
    assert all((im.width, im.height) == (512, 512) for im in images)
    out = tmp_path / "masks"
    assert main(["convert", str(base), str(out), "--from", "coco", "--to", "masks", "--images", "copy"]) == 0
    for z in range(3):
        shown = cv2.imread(str(out / "images" / f"cells_z{z:03d}.png"), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(shown, data[z])
