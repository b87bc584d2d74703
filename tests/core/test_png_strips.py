"""core/png_strips.py: a PNG decoded strip by strip equals read_image's whole decode (OpenCV), for PNGs
written by libpng through OpenCV (adaptive filters: Sub, Up, Average, Paeth) and by Pillow; other layouts
and damaged data are left to the whole decode."""

from __future__ import annotations

import itertools
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pixelproof.core.imageio import ImageReadError, read_image
from pixelproof.core.png_strips import read_png_in_strips


def _pixels(shape: tuple[int, ...], dtype: type, seed: int = 0) -> np.ndarray:
    """Smooth gradients plus noise: every PNG filter type gets chosen somewhere."""
    rng = np.random.default_rng(seed)
    h, w = shape[:2]
    top = np.iinfo(dtype).max
    ramp = (np.add.outer(np.arange(h), np.arange(w)) * (top // (h + w))).astype(np.int64)
    if len(shape) == 3:
        ramp = np.repeat(ramp[:, :, None], shape[2], axis=2) + np.arange(shape[2]) * 7
    noise = rng.integers(0, top // 16, shape)
    return np.clip(ramp + noise * (rng.random(shape) < 0.3), 0, top).astype(dtype)


def _strips(path: Path, strip_rows: int) -> tuple[np.ndarray | None, list[tuple[int, int]]]:
    seen: list[tuple[int, int]] = []

    def on_strip(image: np.ndarray, y0: int, y1: int) -> None:
        seen.append((y0, y1))

    return read_png_in_strips(path, on_strip, strip_rows), seen


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [((61, 47, 3), np.uint8), ((61, 47, 4), np.uint8), ((61, 47), np.uint8), ((33, 20, 3), np.uint16)],
)
def test_opencv_written_png_in_strips_equals_the_whole_decode(tmp_path: Path, shape, dtype) -> None:
    path = tmp_path / "a.png"
    rgb = _pixels(shape, dtype)
    bgr = rgb[:, :, [2, 1, 0, 3][: shape[2]]] if len(shape) == 3 else rgb
    assert cv2.imwrite(str(path), bgr, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    image, seen = _strips(path, strip_rows=8)
    whole = read_image(path)
    assert image is not None and image.dtype == whole.dtype
    np.testing.assert_array_equal(image, whole)
    np.testing.assert_array_equal(whole, rgb)
    assert image.flags.c_contiguous and whole.flags.c_contiguous  # RGB order without a planar copy
    # strips in order, 8 rows each, the last one shorter, covering every row once
    assert seen[0] == (0, 8) and seen[-1][1] == shape[0]
    assert all(b[0] == a[1] for a, b in itertools.pairwise(seen))


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "I;16"])
def test_pillow_written_png_in_strips_equals_the_whole_decode(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "b.png"
    if mode == "I;16":
        Image.fromarray(_pixels((40, 37), np.uint16)).save(path)
    else:
        Image.fromarray(_pixels((40, 37, len(mode)) if len(mode) > 1 else (40, 37), np.uint8)).save(path)
    image, seen = _strips(path, strip_rows=16)
    assert image is not None and len(seen) == 3
    np.testing.assert_array_equal(image, read_image(path))


def test_a_strip_sees_its_rows_final_before_the_next_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "c.png"
    rgb = _pixels((50, 30, 3), np.uint8)
    cv2.imwrite(str(path), rgb[:, :, ::-1])
    copies: list[np.ndarray] = []
    read_png_in_strips(path, lambda image, y0, y1: copies.append(image[:y1].copy()), strip_rows=20)
    assert [len(c) for c in copies] == [20, 40, 50]
    for c in copies:
        np.testing.assert_array_equal(c, rgb[: len(c)])


def test_layouts_it_does_not_handle_are_left_to_the_whole_decode(tmp_path: Path) -> None:
    palette = tmp_path / "p.png"
    Image.fromarray(_pixels((20, 20), np.uint8)).convert("P").save(palette)
    interlaced = tmp_path / "i.png"
    Image.fromarray(_pixels((20, 20, 3), np.uint8)).save(interlaced, interlace=1)  # Pillow may ignore it
    jpeg = tmp_path / "j.jpg"
    cv2.imwrite(str(jpeg), _pixels((20, 20, 3), np.uint8))
    for path in (palette, jpeg):
        assert _strips(path, 8) == (None, [])
    image, _ = _strips(interlaced, 8)
    assert image is None or np.array_equal(image, read_image(interlaced))


def test_damaged_data_is_left_to_the_whole_decode_which_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "d.png"
    cv2.imwrite(str(path), _pixels((64, 64, 3), np.uint8))
    data = bytearray(path.read_bytes())
    idat = data.index(b"IDAT")
    cut = tmp_path / "cut.png"
    cut.write_bytes(bytes(data[: idat + 200]))  # truncated inside the pixel data
    assert _strips(cut, 8)[0] is None
    with pytest.raises(ImageReadError, match=r"cut\.png"):
        read_image(cut)
    garbled = tmp_path / "garbled.png"
    data[idat + 30 : idat + 60] = b"\xff" * 30
    garbled.write_bytes(bytes(data))
    image, _ = _strips(garbled, 8)  # zlib or OpenCV refuses it somewhere: nothing half-decoded comes back
    assert image is None


def test_a_stream_inflating_past_the_rows_stops_at_the_image_height(tmp_path: Path) -> None:
    rows = b"".join(b"\x00" + bytes(range(12)) for _ in range(4)) + b"\x00" * 5_000_000  # 4 rows + junk
    ihdr = (4).to_bytes(4, "big") + (4).to_bytes(4, "big") + bytes((8, 2, 0, 0, 0))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    path = tmp_path / "long.png"
    sig = b"\x89PNG\r\n\x1a\n"
    path.write_bytes(
        sig + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    )
    image, seen = _strips(path, 8)
    assert seen == [(0, 4)]
    assert image is not None and image.shape == (4, 4, 3)
    assert image[0].reshape(-1).tolist() == list(range(12))


def test_pixel_data_in_many_chunks_with_a_smaller_first_strip(tmp_path: Path) -> None:
    """The IDAT chunks are walked as they are read (nothing scans the file first): data split over many
    small chunks, a text chunk after them, and a first strip smaller than the others."""
    rgb = _pixels((70, 41, 3), np.uint8, seed=3)
    ok, encoded = cv2.imencode(".png", rgb[:, :, ::-1])
    assert ok
    data = encoded.tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    pos, parts, pixels = 8, [], b""
    while pos < len(data):
        length, kind = int.from_bytes(data[pos : pos + 4], "big"), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IDAT":
            pixels += body
        elif kind == b"IEND":
            parts += [chunk(b"IDAT", pixels[k : k + 97]) for k in range(0, len(pixels), 97)]
            parts += [chunk(b"tEXt", b"Comment\x00after the pixels"), chunk(b"IEND", b"")]
        else:
            parts.append(chunk(kind, body))
        pos += 12 + length
    path = tmp_path / "many.png"
    path.write_bytes(data[:8] + b"".join(parts))
    seen: list[tuple[int, int]] = []
    image = read_png_in_strips(path, lambda image, y0, y1: seen.append((y0, y1)), strip_rows=16, first_rows=3)
    assert seen == [(0, 3), (3, 19), (19, 35), (35, 51), (51, 67), (67, 70)]
    np.testing.assert_array_equal(image, rgb)
    np.testing.assert_array_equal(image, read_image(path))
