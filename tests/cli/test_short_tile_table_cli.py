"""A TIFF whose tile table lists fewer tiles than its declared size needs (a slide declared 1,000,000 x
1,000,000 holding 64 tiles) is refused by ``new`` and ``validate --images``, naming the file and both
counts, with the check ``read_image`` makes (``tiff_guard.short_segment_table``): both took it, and it
failed only when pre-labelled, tile by tile. A pyramid so damaged is still a pyramid, not a plain TIFF."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main


def _short_tiff(path: Path, pyramid: bool) -> None:
    """64 tiles of 128 px written (1024 x 1024), the header then declaring a larger image."""
    import tifffile

    pixels = np.random.default_rng(0).integers(1, 255, (1024, 1024, 3), dtype=np.uint8)
    with tifffile.TiffWriter(path) as tif:
        tif.write(pixels, photometric="rgb", tile=(128, 128), compression="zlib", subifds=int(pyramid))
        if pyramid:
            tif.write(pixels[::2, ::2], photometric="rgb", tile=(128, 128), subfiletype=1)
    side = 1_000_000 if pyramid else 2048  # a plain TIFF that large is refused as over the pixel limit
    with tifffile.TiffFile(path, mode="r+b") as tif:
        tif.pages.first.tags["ImageWidth"].overwrite(side)
        tif.pages.first.tags["ImageLength"].overwrite(side)


@pytest.mark.parametrize("pyramid", [True, False])
def test_new_and_validate_refuse_a_short_tile_table(tmp_path: Path, capsys, pyramid: bool) -> None:
    folder = tmp_path / "slides"
    folder.mkdir()
    _short_tiff(folder / "slide.tif", pyramid)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(folder / "ok.png")
    needed = "61,042,969" if pyramid else "256"
    line = f"slide.tif: its tile table lists 64 of the {needed} tiles its"
    project = tmp_path / "p.json"
    assert main(["new", str(folder), "-o", str(project)]) == 0
    err = capsys.readouterr().err
    assert line in err and str(folder / "slide.tif") in err
    assert [im["file_name"] for im in json.loads(project.read_text())["images"]] == ["slides/ok.png"]

    doc = json.loads(project.read_text())  # a project made before: it lists the slide
    doc["images"].append(
        {**doc["images"][0], "id": 2, "file_name": "slides/slide.tif", "width": 9, "height": 9}
    )
    project.write_text(json.dumps(doc))
    assert main(["validate", str(project), "--images"]) == 1
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert f"{folder / 'slide.tif'}: its tile table lists 64 of the {needed} tiles" in out
