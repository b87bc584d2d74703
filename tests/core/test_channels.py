"""Multichannel fluorescence TIFFs (OME-TIFF CYX, pyramids of them, ImageJ hyperstacks, TIFFs of more than
4 samples) read as QuPath shows them: the composite of their coloured channels. Files are written with
tifffile as OME-TIFF writers do; the expected colours are worked out by hand or with a per-channel loop
over tifffile's own read of each level."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core.channels import PALETTE, CompositeLevel, ome_color
from pixelproof.core.imageio import ImageReadError, image_size, read_channels, read_image
from pixelproof.core.pyramid import open_pyramid
from pixelproof.inference.tiling import open_regions

BLUE, GREEN, RED = 0x0000FFFF, 0x00FF00FF, -16776961  # OME's signed RGBA integers
NAMES = ["DAPI", "FITC", "TRITC"]


def stripes(h: int, w: int, channels: int, high: int = 1000) -> np.ndarray:
    """C x H x W: 0 on the left half, ``high`` on the right: every channel's 0.5 / 99.5 percentiles are
    0 and ``high`` whatever a few pixels hold."""
    planes = np.zeros((channels, h, w), np.uint16)
    planes[:, :, w // 2 :] = high
    return planes


def write_ome(path: Path, planes: np.ndarray, colors: list[int] | None = None, **kw) -> None:
    channel = {"Name": NAMES[: planes.shape[0]]}
    if colors is not None:
        channel["Color"] = colors
    metadata = {"axes": "CYX", "Channel": channel}
    tifffile.imwrite(path, planes, photometric="minisblack", metadata=metadata, **kw)


def test_ome_colors_are_signed_rgba_integers() -> None:
    assert ome_color(-16776961) == (255, 0, 0)
    assert ome_color(16711935) == (0, 255, 0)
    assert ome_color(65535) == (0, 0, 255)
    assert ome_color(-1) == (255, 255, 255)
    assert ome_color("x") is None


def test_a_pixel_of_known_channel_values_reads_as_its_known_composite_colour(tmp_path: Path) -> None:
    planes = stripes(64, 64, 3)
    planes[:, 10, 40] = (200, 1000, 400)  # blue 0.2, green 1.0, red 0.4 of their ranges
    planes[:, 20, 40] = (1000, 1000, 1000)  # all three at full: white
    planes[:, 30, 50] = (0, 0, 1000)
    path = tmp_path / "cells.ome.tif"
    write_ome(path, planes, [BLUE, GREEN, RED])

    img = read_image(path)  # what models, thumbnails and exports see
    assert img.shape == (64, 64, 3) and img.dtype == np.uint8
    assert tuple(img[10, 40]) == (102, 255, 51)
    assert tuple(img[20, 40]) == (255, 255, 255)
    assert tuple(img[30, 50]) == (255, 0, 0)
    assert tuple(img[5, 5]) == (0, 0, 0)
    assert image_size(path) == (64, 64)

    got = read_channels(path)
    assert got is not None
    raw, composite = got
    assert raw.shape == (64, 64, 3) and tuple(raw[10, 40]) == (200, 1000, 400)
    assert [c.name for c in composite.channels] == NAMES
    assert [c.color for c in composite.channels] == [(0, 0, 255), (0, 255, 0), (255, 0, 0)]
    assert composite.ranges.tolist() == [[0, 1000]] * 3
    composite.visible[1] = False  # FITC hidden: its green drops out
    assert tuple(composite.render(raw)[10, 40]) == (102, 0, 51)
    composite.visible = [False] * 3
    assert not composite.render(raw).any()
    level = CompositeLevel(raw, composite)  # what the assist tool gives a model: every channel
    assert not level[:, :].any() and np.array_equal(level.full_composite(), img)


def test_channels_without_names_or_colours_take_the_default_palette_in_turn(tmp_path: Path) -> None:
    planes = stripes(32, 32, 8, high=100).astype(np.uint8)  # 8-bit channels get their own ranges too
    planes[:, 3, 20] = 50
    path = tmp_path / "stack.tif"
    tifffile.imwrite(path, planes, imagej=True, metadata={"axes": "CYX"})
    got = read_channels(path)
    assert got is not None
    raw, composite = got
    assert [c.color for c in composite.channels] == [*PALETTE, PALETTE[0]]  # blue ... white, blue again
    assert [c.name for c in composite.channels][:2] == ["Channel 1", "Channel 2"]
    composite.visible = [i in (0, 2) for i in range(8)]  # blue and red at half: (128, 0, 128)
    assert tuple(composite.render(raw)[3, 20]) == (128, 0, 128)
    assert tuple(read_image(path)[3, 20]) == (255, 255, 255)  # all eight at half: sums clip at 255


def test_more_than_four_samples_a_pixel_are_channels_and_rgb_grey_and_stacks_are_not(tmp_path: Path) -> None:
    five = np.zeros((40, 40, 5), np.uint16)
    five[:, 20:] = 1000
    five[7, 30] = (1000, 0, 0, 0, 0)
    path = tmp_path / "five.tif"
    tifffile.imwrite(path, five, photometric="minisblack", planarconfig="contig")
    assert tuple(read_image(path)[7, 30]) == (0, 0, 255)  # channel 1: blue
    assert read_channels(path) is not None

    rgb = np.full((16, 16, 3), 7, np.uint8)
    tifffile.imwrite(tmp_path / "rgb.tif", rgb, photometric="rgb")
    zstack = np.arange(3 * 16 * 16, dtype=np.uint16).reshape(3, 16, 16)
    tifffile.imwrite(tmp_path / "z.tif", zstack, photometric="minisblack", metadata={"axes": "ZYX"})
    tifffile.imwrite(tmp_path / "many.tif", np.zeros((17, 8, 8), np.uint16), metadata={"axes": "CYX"})
    for name in ("rgb.tif", "z.tif"):
        assert read_channels(tmp_path / name) is None, name
    with pytest.raises(ImageReadError, match="17 channels"):  # not its first channel shown as the image
        read_channels(tmp_path / "many.tif")
    assert np.array_equal(read_image(tmp_path / "rgb.tif"), rgb)
    assert np.array_equal(read_image(tmp_path / "z.tif"), zstack[0])  # its first plane, as before


def expected_composite(
    planes: np.ndarray, ranges: np.ndarray, colors: list[tuple[int, int, int]]
) -> np.ndarray:
    """C x H x W -> H x W x 3, one channel at a time in float64 (not the app's matrix product)."""
    out = np.zeros((*planes.shape[1:], 3), np.float64)
    for plane, (lo, hi), color in zip(planes, ranges, colors, strict=True):
        f = np.clip((plane.astype(np.float64) - lo) / (hi - lo), 0, 1)
        out += f[..., None] * np.array(color, np.float64)
    return np.rint(np.clip(out, 0, 255)).astype(np.uint8)


def write_ome_pyramid(path: Path, planes: np.ndarray, levels: int, tile: int, colors: list[int]) -> None:
    meta = {"axes": "CYX", "Channel": {"Name": NAMES[: planes.shape[0]], "Color": colors}}
    with tifffile.TiffWriter(path) as tw:
        tw.write(
            planes,
            subifds=levels - 1,
            tile=(tile, tile),
            photometric="minisblack",
            compression="zlib",
            metadata=meta,
        )
        for k in range(1, levels):
            small = planes[:, :: 2**k, :: 2**k]
            tw.write(small, subfiletype=1, tile=(tile, tile), photometric="minisblack", compression="zlib")


def test_a_pyramid_levels_tiles_are_the_composite_of_that_levels_planes(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    y, x = np.mgrid[:300, :420]
    planes = np.stack([x * 9, y * 13, (x * y) % 4000]).astype(np.uint16)
    planes += rng.integers(0, 50, planes.shape, dtype=np.uint16)
    path = tmp_path / "slide.ome.tif"
    write_ome_pyramid(path, planes, 3, 64, [BLUE, GREEN, -1])
    pyr = open_pyramid(path)
    assert pyr.channels is not None and len(pyr.levels) == 3
    assert [c.name for c in pyr.channels.channels] == NAMES
    smallest = tifffile.imread(path, level=2)
    ranges = np.percentile(smallest.reshape(3, -1).astype(np.float64), [0.5, 99.5], axis=1).T
    assert np.allclose(pyr.channels.ranges, ranges)  # QuPath's auto brightness, from the smallest level
    colors = [(0, 0, 255), (0, 255, 0), (255, 255, 255)]
    for k in range(3):
        level_planes = tifffile.imread(path, level=k)
        level = pyr.levels[k]
        assert level.shape == (*level_planes.shape[1:], 3) and level.dtype == np.uint8
        want = expected_composite(level_planes, ranges, colors)
        got = level.region(0, level.height, 0, level.width)
        assert np.abs(got.astype(int) - want).max() <= 1  # float32 rounding at most
        tile = level[64:128, 64:128]  # one file tile, sliced as the canvas slices it
        assert np.array_equal(tile, got[64:128, 64:128])
        assert np.array_equal(level.raw_pixel(70, 100), level_planes[:, 70, 100])

    # a view hides TRITC (white): the pyramid's own composite, which models read, keeps all channels
    view = pyr.channels.copy()
    view.visible[2] = False
    want = expected_composite(smallest[:2], ranges[:2], colors[:2])
    hidden = CompositeLevel(pyr.planes[2], view)
    assert np.abs(hidden[:, :].astype(int) - want).max() <= 1
    assert np.array_equal(open_regions(path).read(0, 0, 420, 300), pyr.levels[0].region(0, 300, 0, 420))


def test_a_plain_uncompressed_channel_tiff_reaches_models_as_its_composite(tmp_path: Path) -> None:
    """Uncompressed TIFFs are memory-mapped for tiled inference; a channel TIFF's first page is DAPI only."""
    planes = stripes(48, 48, 2)
    planes[:, 4, 30] = (1000, 0)
    path = tmp_path / "two.tif"
    write_ome(path, planes)  # no colours: blue, green
    regions = open_regions(path)
    assert tuple(regions.read(30, 4, 1, 1)[0, 0]) == (0, 0, 255)
    assert np.array_equal(regions.read(0, 0, 48, 48), read_image(path))


def test_a_damaged_channel_tiff_is_a_located_error(tmp_path: Path) -> None:
    from pixelproof.core.imageio import ImageReadError

    path = tmp_path / "broken.ome.tif"
    write_ome(path, stripes(64, 64, 3), compression="zlib")
    with tifffile.TiffFile(path) as tif:
        offset = int(tif.pages[1].dataoffsets[0])
    raw = bytearray(path.read_bytes())
    raw[offset : offset + 16] = b"\x13" * 16
    path.write_bytes(bytes(raw))
    with pytest.raises(ImageReadError, match=r"broken\.ome\.tif"):
        read_image(path)


def test_channels_over_an_rgb_images_worth_of_the_pixel_limit_are_refused_before_decoding(
    tmp_path: Path,
) -> None:
    """The pixel limit counts pixels; 16 channels of 16-bit hold 10 times an RGB image's bytes."""
    from pixelproof.core.imageio import ImageReadError
    from pixelproof.core.limits import set_max_pixels

    path = tmp_path / "sixteen.tif"
    tifffile.imwrite(path, np.zeros((16, 100, 100), np.uint16), metadata={"axes": "CYX"})
    set_max_pixels(60_000)  # 10,000 pixels pass; 16 x 2 bytes of each are 320,000 bytes, over 180,000
    try:
        with pytest.raises(ImageReadError, match=r"sixteen\.tif: 16 channels of 100 x 100 uint16"):
            read_image(path)
        set_max_pixels(110_000)
        assert read_image(path).shape == (100, 100, 3)
    finally:
        set_max_pixels(None)


def test_a_channel_tiff_opened_downsampled_past_the_pixel_limit_shows_its_composite(tmp_path: Path) -> None:
    """core.reduced memory-maps an uncompressed TIFF's first page: DAPI alone, grey."""
    from pixelproof.core.limits import set_max_pixels
    from pixelproof.core.reduced import inspect_huge, read_reduced

    planes = stripes(64, 64, 3)
    planes[:, :8, 32:40] = np.array([0, 1000, 0], np.uint16)[:, None, None]  # green only
    path = tmp_path / "cells.ome.tif"
    write_ome(path, planes, [BLUE, GREEN, RED])
    set_max_pixels(64 * 64 // 2)  # over the limit: the user chose to open it downsampled
    try:
        info = inspect_huge(path)
        assert info.channels == 3
        small = read_reduced(info, 2)
    finally:
        set_max_pixels(None)
    assert small.shape == (32, 32, 3) and tuple(small[1, 17]) == (0, 255, 0)


def test_a_coarsest_level_of_many_tiles_takes_its_ranges_from_a_grid_of_them(tmp_path: Path) -> None:
    """256 tiles of 16 x 16 at the smallest level: 64 of them, evenly spread, give the display ranges."""
    path = tmp_path / "many_tiles.ome.tif"
    write_ome_pyramid(path, stripes(512, 512, 2, high=900), 2, 16, [BLUE, GREEN])
    pyr = open_pyramid(path)
    assert pyr.planes[-1].tiles_y * pyr.planes[-1].tiles_x == 256
    assert pyr.channels.ranges.tolist() == [[0, 900], [0, 900]]
    assert pyr.stats.decoded == 2 * 64  # two channels of 64 tiles read, no more
