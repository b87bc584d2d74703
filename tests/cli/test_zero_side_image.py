"""An image whose header gives a side of 0 is damaged, not large: the reader said a TIFF of width 0 was
over the size limit ("width must be a positive integer"), so ``validate --images`` counted it as too
large to check and the app offered to raise the limit for it. It is now unreadable, by name."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.imageio import ImageReadError, ImageTooLargeError, image_size, read_image


def _tiff_of_side_zero(path: Path, tag: str) -> Path:
    import tifffile

    tifffile.imwrite(path, np.zeros((3, 4), np.uint8))
    with tifffile.TiffFile(path, mode="r+b") as tif:
        tif.pages.first.tags[tag].overwrite(0)
    return path


def _png_of_width_zero(path: Path) -> Path:
    Image.fromarray(np.zeros((3, 4), np.uint8)).save(path)
    data = bytearray(path.read_bytes())
    data[16:20] = struct.pack(">I", 0)  # IHDR width, then its CRC made right: only the size is off
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("tag", ["ImageWidth", "ImageLength"])
def test_a_tiff_with_a_side_of_zero_is_damaged_not_too_large(tmp_path: Path, tag: str) -> None:
    path = _tiff_of_side_zero(tmp_path / "zero.tif", tag)
    for read in (image_size, read_image):
        with pytest.raises(ImageReadError) as info:
            read(path)
        assert not isinstance(info.value, ImageTooLargeError)
        message = str(info.value)
        assert message.startswith(f"{path}: ") and "limit" not in message


def test_a_png_with_a_width_of_zero_is_unreadable(tmp_path: Path) -> None:
    path = _png_of_width_zero(tmp_path / "zero.png")
    with pytest.raises(ImageReadError) as info:
        image_size(path)
    assert not isinstance(info.value, ImageTooLargeError) and str(path) in str(info.value)


def test_validate_images_reports_a_zero_width_tiff_as_unreadable(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "imgs"
    folder.mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(folder / "ok.png")
    project = tmp_path / "p.json"
    assert main(["new", str(folder), "-o", str(project)]) == 0
    capsys.readouterr()
    _tiff_of_side_zero(folder / "zero.tif", "ImageWidth")
    doc = json.loads(project.read_text())
    doc["images"].append({**doc["images"][0], "id": 2, "file_name": "imgs/zero.tif", "width": 4, "height": 3})
    project.write_text(json.dumps(doc))
    assert main(["validate", str(project), "--images"]) == 1
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert f"{folder / 'zero.tif'}" in out and "damaged" in out
    assert "limit" not in out
