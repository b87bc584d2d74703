"""``pixelproof prelabel --tile SIZE --overlap F``: a large TIFF read region by region, objects cut by
seams come back whole and once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.masks import decode
from pixelproof.core.model import ImageRecord
from tests.cli.test_prelabel_cli import run


def discs(h: int, w: int, centres: list[tuple[int, int]], r: int) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    out = np.zeros((h, w), bool)
    for cy, cx in centres:
        out |= (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    return out


def write_pyramid(path: Path, pixels: np.ndarray, tile: int = 128) -> None:
    """A whole-slide-style TIFF: tiled, LZW, with two halved levels as sub-IFDs (as bfconvert and
    vips write OME/SVS pyramids)."""
    import tifffile

    with tifffile.TiffWriter(path) as tw:
        tw.write(pixels, tile=(tile, tile), compression="lzw", subifds=2)
        for k in (2, 4):
            tw.write(
                np.ascontiguousarray(pixels[::k, ::k]), tile=(tile, tile), compression="lzw", subfiletype=1
            )


@pytest.mark.parametrize("layout", ["plain", "pyramid"])
def test_tiled_prelabel_joins_objects_across_seams(capsys, tmp_path: Path, layout: str) -> None:
    """The same objects from a plain TIFF (memory-mapped) and from a pyramid read through its
    full-resolution level's tiles (``core.pyramid``), never decoded whole."""
    tifffile = pytest.importorskip("tifffile")
    h, w = 420, 700
    centres = [(60, 60), (60, 250), (200, 200), (210, 470), (350, 640), (330, 330)]  # several on seams
    fg = discs(h, w, centres, 28)
    pixels = np.where(fg, 220, 30).astype(np.uint8)
    if layout == "pyramid":
        from pixelproof.core.pyramid import open_pyramid
        from pixelproof.inference.tiling import LevelRegions, open_regions

        write_pyramid(tmp_path / "scene.tif", pixels)
        assert isinstance(open_regions(tmp_path / "scene.tif"), LevelRegions)
        assert len(open_pyramid(tmp_path / "scene.tif").levels) == 3
    else:
        tifffile.imwrite(tmp_path / "scene.tif", pixels)
    project = new_project([])
    project.add_image(ImageRecord(1, "scene.tif", w, h))
    project_file = save_project(project, tmp_path / "project.json")
    code, out, err = run(
        capsys, "prelabel", project_file, "--backend", "threshold", "--tile", "160", "--overlap", "0.45",
        "--option", "split=false",
    )  # fmt: skip
    assert code == 0, err
    anns = list(load_project(project_file).annotations.values())
    assert len(anns) == len(centres), out
    got = sorted(
        (decode(a.segmentation).astype(bool) for a in anns), key=lambda m: np.argwhere(m)[0].tolist()
    )
    want = sorted((discs(h, w, [c], 28) for c in centres), key=lambda m: np.argwhere(m)[0].tolist())
    for g, m in zip(got, want, strict=True):
        assert np.array_equal(g, m)
    if layout == "pyramid":  # read region by region: the level's file tiles, each decoded once at most
        stats = open_pyramid(tmp_path / "scene.tif").stats
        assert stats.decoded == 4 * 6  # each of the level's 128^2 file tiles once, though regions overlap
    code, _, err = run(
        capsys, "prelabel", project_file, "--backend", "threshold", "--tile", "160", "--overlap", "1.5"
    )
    assert code == 2 and "--overlap must be in 0..0.9" in err


def test_boxes_wider_than_the_overlap_cut_by_tile_edges_are_warned_once(
    capsys, tmp_path: Path, shared_models: Path
) -> None:
    """yolo11n in 256-px tiles overlapping by 0.1 (26 px) on the astronaut: no tile sees her whole, and
    nothing said the overlap was too small for the objects. A warning after the run says how wide the
    cut boxes were and what to use. Masks are joined by their pixels in the band whatever their size:
    no warning for them (the discs above, the bars here)."""
    pytest.importorskip("onnxruntime")
    import tifffile
    from skimage import data

    from tests.cli.test_prelabel_cli import make_project

    project_file = make_project(tmp_path / "p", {"astronaut.png": data.astronaut()})
    model = shared_models / "yolo11n.onnx"
    args = ["prelabel", project_file, "--backend", "yolo-onnx", "--model", model, "--tile", "256"]
    code, _, err = run(capsys, *args, "--overlap", "0.1", "--score-threshold", "0.5")
    assert code == 0, err
    assert err.count("cut by tile edges") == 1, err
    assert "cut by tile edges; an overlap of 0.1*256 = 26 px is smaller: use " in err
    assert "--tile " in err.split("cut by tile edges")[1]

    h, w = 200, 700
    pixels = np.full((h, w), 30, np.uint8)
    pixels[40:60, 70:220] = 220  # across the seam at x = 128..160
    tifffile.imwrite(tmp_path / "bars.tif", pixels)
    project = new_project([])
    project.add_image(ImageRecord(1, "bars.tif", w, h))
    bars = save_project(project, tmp_path / "bars.json")
    code, _, err = run(
        capsys, "prelabel", bars, "--backend", "threshold", "--tile", "160", "--overlap", "0.2"
    )
    assert code == 0 and "cut by tile edges" not in err, err
