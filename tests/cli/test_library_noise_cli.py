"""``new``, ``validate --images`` and ``prelabel`` over TIFFs that made the image libraries talk print
PixelProof's own lines only, naming the file: tifffile logged ``<tifffile.TiffFile 'x.tif'> shaped
series shape does not match page shape`` for a file it reads anyway, and OpenCV, tried first, printed
libtiff's ``[ERROR:0@…]`` lines for damaged tiles and decoded them black (then pre-labelled). tifffile
now decodes a plain grey or RGB TIFF first and says the damage; the libraries' lines are kept quiet."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main

PIXELS = np.random.default_rng(0).integers(1, 255, (256, 512, 3), dtype=np.uint8)


def _slides(folder: Path) -> None:
    import tifffile

    folder.mkdir()
    shaped = folder / "shaped.tif"  # readable; its description's shape is not its page's
    tifffile.imwrite(shaped, PIXELS, photometric="rgb", tile=(128, 128))
    with tifffile.TiffFile(shaped, mode="r+b") as tif:
        tif.pages.first.tags["ImageDescription"].overwrite(json.dumps({"shape": [7, 7]}))
    damaged = folder / "damaged.tif"  # every tile's zlib stream starts with zeros
    tifffile.imwrite(damaged, PIXELS, photometric="rgb", compression="zlib", tile=(128, 128))
    with tifffile.TiffFile(damaged) as tif:
        offsets = [int(o) for o in tif.pages.first.dataoffsets]
    data = bytearray(damaged.read_bytes())
    for o in offsets:
        data[o : o + 20] = bytes(20)
    damaged.write_bytes(bytes(data))


def test_only_located_lines_on_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "slides"
    _slides(folder)
    project, out = tmp_path / "p.json", tmp_path / "out.json"
    caplog.set_level(logging.DEBUG, logger="tifffile")
    assert main(["new", str(folder), "-o", str(project), "--categories", "nucleus"]) == 0
    assert main(["validate", str(project), "--images"]) == 0
    main(["prelabel", str(project), "--backend", "threshold", "-o", str(out)])
    captured = capfd.readouterr()
    err = captured.err
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("tifffile")]
    assert "[ERROR:" not in err and "[ WARN:" not in err and "imdecode" not in err, err
    assert "damaged.tif: its image data does not decode (DeflateError" in err, err  # not decoded black
    assert "1/2 images pre-labeled" in captured.out and "1 failed" in captured.out, captured.out


def test_pillow_tiff_plugin_lines_kept_quiet(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A TIFF of 200 samples a pixel: Pillow's TIFF plugin logged ``More samples per pixel than can be
    decoded: 200`` (no file named) on every ``new`` and ``validate --images``; prelabel's refusal names it."""
    import tifffile

    folder = tmp_path / "bands"
    folder.mkdir()
    tifffile.imwrite(
        folder / "cube.tif", np.zeros((8, 8, 200), np.uint8), photometric="minisblack", planarconfig="contig"
    )
    project, out = tmp_path / "p.json", tmp_path / "out.json"
    caplog.set_level(logging.DEBUG, logger="PIL")
    assert main(["new", str(folder), "-o", str(project)]) == 0
    assert main(["validate", str(project), "--images"]) == 0
    main(["prelabel", str(project), "--backend", "threshold", "-o", str(out)])
    err = capfd.readouterr().err
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("PIL.Tiff")]
    assert "More samples" not in err, err
    assert "cube.tif: 200 samples a pixel" in err, err
