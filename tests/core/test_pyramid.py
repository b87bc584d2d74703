"""Pyramidal TIFF read tile by tile: regions equal tifffile's whole-level read; a 100,000 x 100,000 slide
written from a few pre-encoded JPEG tiles opens and serves a viewport within the memory bound."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import imagecodecs
import numpy as np
import pytest
import tifffile
from bench.large import write_pyramid as write_slide

from pixelproof.core.imageio import ImageReadError, image_size, read_image
from pixelproof.core.pyramid import PyramidError, is_pyramid, open_pyramid
from pixelproof.core.sources import image_meta, scan_images


def write_pyramid(path: Path, image: np.ndarray, levels: int, tile: int, compression: str, **kw) -> None:
    with tifffile.TiffWriter(path) as tw:
        tw.write(image, tile=(tile, tile), compression=compression, subifds=levels - 1, **kw)
        for k in range(1, levels):
            tw.write(image[:: 2**k, :: 2**k], tile=(tile, tile), compression=compression, subfiletype=1)


def smooth_rgb(h: int, w: int) -> np.ndarray:
    y, x = np.mgrid[:h, :w]
    return np.stack([(x * 255 // w), (y * 255 // h), ((x + y) % 256)], axis=-1).astype(np.uint8)


@pytest.mark.parametrize("compression", ["jpeg", "lzw", "zlib"])
def test_regions_equal_tifffiles_whole_level(tmp_path: Path, compression: str) -> None:
    path = tmp_path / f"slide_{compression}.tif"
    img = smooth_rgb(700, 1100)
    write_pyramid(path, img, 3, 128, compression, resolution=(2e4, 2e4), resolutionunit="CENTIMETER")
    assert is_pyramid(path)
    pyr = open_pyramid(path)
    assert (pyr.width, pyr.height) == (1100, 700) and len(pyr.levels) == 3
    assert [lv.downsample for lv in pyr.levels] == [1.0, 2.0, 1100 / 275]
    rng = np.random.default_rng(1)
    for k, level in enumerate(pyr.levels):
        whole = tifffile.imread(path, level=k)
        for _ in range(4):
            y0, x0 = int(rng.integers(0, level.height - 1)), int(rng.integers(0, level.width - 1))
            y1, x1 = y0 + int(rng.integers(1, 400)), x0 + int(rng.integers(1, 400))
            np.testing.assert_array_equal(level[y0:y1, x0:x1], whole[y0:y1, x0:x1])
        np.testing.assert_array_equal(level[7, 11], whole[7, 11])
    assert image_meta(path).pixel_spacing == pytest.approx((5e-4, 5e-4))  # 20000 px/cm = 0.5 um
    assert image_size(path) == (1100, 700)
    np.testing.assert_array_equal(read_image(path), tifffile.imread(path, level=0))  # small: read whole


def test_plain_tiff_is_not_a_pyramid(tmp_path: Path) -> None:
    flat = tmp_path / "flat.tif"
    tifffile.imwrite(flat, np.zeros((300, 400), np.uint16), tile=(128, 128))
    assert not is_pyramid(flat)
    assert read_image(flat).shape == (300, 400)
    with pytest.raises(PyramidError, match="not a pyramid"):
        open_pyramid(flat)


def test_corrupt_tile_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.tif"
    write_pyramid(path, smooth_rgb(600, 600), 2, 256, "jpeg")
    level0 = open_pyramid(path).levels[0].page
    offset, count = int(level0.dataoffsets[4]), int(level0.databytecounts[4])
    raw = bytearray(path.read_bytes())
    raw[offset : offset + count] = b"\x13" * count
    path.write_bytes(bytes(raw))
    pyr = open_pyramid(path)
    with pytest.raises(PyramidError, match=r"bad.tif: tile \(1, 1\) of level 0"):
        pyr.levels[0][300:310, 300:310]
    assert pyr.levels[0][0:10, 0:10].shape == (10, 10, 3)  # the other tiles still read


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="resident memory read from /proc")
def test_100k_pyramid_opens_lazily_within_the_memory_bound(tmp_path: Path) -> None:
    path = tmp_path / "slide.tif"
    tiles = write_slide(path, 100_000)
    assert path.stat().st_size < 100 << 20
    before = rss_bytes()
    pyr = open_pyramid(path)
    assert (pyr.width, pyr.height) == (100_000, 100_000)
    entries = scan_images(tmp_path, lambda m: None)
    assert [(e.width, e.height) for e in entries] == [(100_000, 100_000)]
    # a 1920x1080 viewport at full resolution in the middle, and the whole slide at the coarsest level
    view = pyr.levels[0][50_000:51_080, 50_000:51_920]
    assert view.shape == (1080, 1920)
    i = 48 * 98 + 48  # the tile holding pixel (50000, 50000): row 48, column 48 of 98 x 98
    expected = imagecodecs.jpeg8_decode(tiles[i % 3])[50_000 - 49_152 :, 50_000 - 49_152 :]
    np.testing.assert_array_equal(view[: expected.shape[0], : expected.shape[1]], expected)
    overview = pyr.levels[-1]
    assert overview.region(0, overview.height, 0, overview.width).shape == (overview.height, overview.width)
    assert pyr.stats.decoded <= 6 + overview.tiles_x * overview.tiles_y
    grown = rss_bytes() - before
    assert grown < 300 << 20, f"resident memory grew by {grown >> 20} MB"
    with pytest.raises(ImageReadError, match="tile by tile"):
        read_image(path)  # never decoded whole
    with pytest.raises(PyramidError, match="refusing"):
        np.asarray(pyr.levels[0])


def small_pyramid(path: Path, bigtiff: bool = False) -> np.ndarray:
    img = smooth_rgb(300, 500)
    with tifffile.TiffWriter(path, bigtiff=bigtiff) as tw:
        tw.write(img, tile=(64, 64), compression="zlib", subifds=1)
        tw.write(img[::2, ::2], tile=(64, 64), compression="zlib", subfiletype=1)
    return img


def test_a_tile_table_shorter_than_the_level_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "short.tif"
    img = small_pyramid(path)
    with tifffile.TiffFile(path, mode="r+b") as tif:  # 5 x 8 tiles, the table lists 3
        for name in ("TileOffsets", "TileByteCounts"):
            tag = tif.pages.first.tags[name]
            tag.overwrite(tag.value[:3])
    level = open_pyramid(path).levels[0]
    np.testing.assert_array_equal(level[0:10, 0:150], img[0:10, 0:150])  # tiles 0..2 are listed
    with pytest.raises(PyramidError, match=r"short.tif: tile \(3, 0\) of level 0 is not in the file's tile"):
        level[0:10, 200:210]
    # the view reads what is there; a size query (new, validate --images) refuses it, naming both counts
    with pytest.raises(
        ImageReadError, match=r"short.tif: its tile table lists 3 of the 40 tiles its 500 x 300"
    ):
        image_size(path)


def test_a_tile_byte_count_past_the_file_end_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge_count.tif"
    small_pyramid(path, bigtiff=True)
    with tifffile.TiffFile(path, mode="r+b") as tif:
        tag = tif.pages.first.tags["TileByteCounts"]
        tag.overwrite([2**62, *tag.value[1:]], dtype=16)  # a buffered read would allocate 4 EiB first
    with pytest.raises(PyramidError, match=r"huge_count.tif: tile \(0, 0\) of level 0 is truncated"):
        open_pyramid(path).levels[0][0:10, 0:10]


def test_edge_tiles_encoded_at_their_own_size_read_as_tifffile_reads_them(tmp_path: Path) -> None:
    """Some writers JPEG-encode a level's last column and row of tiles cropped to the image (44 x 72 px
    here, not 128 x 128): tifffile places them; so must a region read. A tile decoding to fewer pixels
    than it covers is a located error."""
    img = (np.add.outer(np.arange(200), np.arange(300)) % 200).astype(np.uint8)

    def tiles(a: np.ndarray, last: int = 0) -> Iterator[bytes]:
        starts = [(ty, tx) for ty in range(0, a.shape[0], 128) for tx in range(0, a.shape[1], 128)]
        for ty, tx in starts:
            piece = np.ascontiguousarray(a[ty : ty + 128, tx : tx + 128])
            if last and (ty, tx) == starts[-1]:
                piece = np.ascontiguousarray(piece[:last, :last])
            yield imagecodecs.jpeg8_encode(piece, level=95)

    path = tmp_path / "cropped_edges.tif"
    with tifffile.TiffWriter(path) as tw:
        for k, a in enumerate((img, img[::2, ::2])):
            kw = {"subifds": 1} if k == 0 else {"subfiletype": 1}
            tw.write(tiles(a), shape=a.shape, dtype=np.uint8, tile=(128, 128), compression="jpeg", **kw)
    pyr = open_pyramid(path)
    for k, level in enumerate(pyr.levels):
        np.testing.assert_array_equal(
            level[0 : level.height, 0 : level.width], tifffile.imread(path, level=k)
        )
    short = tmp_path / "short_tiles.tif"
    with tifffile.TiffWriter(short) as tw:
        for k, a in enumerate((img, img[::2, ::2])):
            kw = {"subifds": 1} if k == 0 else {"subfiletype": 1}
            tw.write(tiles(a, 20), shape=a.shape, dtype=np.uint8, tile=(128, 128), compression="jpeg", **kw)
    with pytest.raises(PyramidError, match=r"short_tiles.tif: tile \(2, 1\) of level 0 "):
        open_pyramid(short).levels[0][150:200, 250:300]


def test_a_region_over_the_pixel_limit_is_refused_before_any_tile_is_decoded(tmp_path: Path) -> None:
    """Every read of a slide (the canvas's tiles and overview, tiled pre-labeling, the wand's window) is a
    region: one over ``--max-pixels`` (a two-level slide's coarsest level, 50,000^2) is refused, not
    allocated."""
    from pixelproof.core import limits

    path = tmp_path / "two_levels.tif"
    img = small_pyramid(path)  # 500 x 300, then 250 x 150
    pyr = open_pyramid(path)
    limits.set_max_pixels(30_000)
    try:
        np.testing.assert_array_equal(pyr.levels[0][100:250, 0:200], img[100:250, 0:200])  # 30,000 px
        before = pyr.stats.decoded
        with pytest.raises(
            PyramidError, match=r"two_levels.tif: level 1 region of 250 x 150 = 37,500 pixels"
        ):
            pyr.levels[1].region(0, 150, 0, 250)
        assert pyr.stats.decoded == before
    finally:
        limits.set_max_pixels(None)


def write_svs(path: Path, base: np.ndarray, levels: list[np.ndarray]) -> None:
    """An Aperio-style file: the slide, a stripped thumbnail, then one tiled page per level (tifffile
    takes every later tiled page as a level, whatever its size)."""
    desc = "Aperio Image Library v12.0.15\r\n500x300 [0,0 500x300] (64x64) JPEG/RGB Q=70|MPP = 0.5"
    with tifffile.TiffWriter(path) as tw:
        tw.write(base, tile=(64, 64), compression="zlib", description=desc, metadata=None)
        tw.write(base[::8, ::8], compression="zlib", metadata=None)
        for a in levels:
            tw.write(a, tile=(64, 64), compression="zlib", metadata=None)


HALF_SPLIT = np.where(np.arange(500) < 250, 0, 200).astype(np.uint8)[None, :].repeat(300, axis=0)


@pytest.mark.parametrize(
    ("levels", "kept"),
    [
        ([HALF_SPLIT[::2, ::2], HALF_SPLIT[::4, ::4]], 3),  # a sane SVS keeps its levels
        ([np.full((600, 1000), 50, np.uint8)], 1),  # larger than the slide
        ([np.full((10, 250), 50, np.uint8)], 1),  # squashed: not the slide's shape
        ([np.full((150, 250), 5000, np.uint16)], 1),  # another sample type
        ([np.full((150, 250, 3), 50, np.uint8)], 1),  # another number of samples
        ([HALF_SPLIT[::4, ::4], HALF_SPLIT[::2, ::2]], 2),  # finer after coarser: stops there
    ],
)
def test_svs_pages_that_do_not_reduce_the_slide_are_not_levels(
    tmp_path: Path, levels: list[np.ndarray], kept: int
) -> None:
    """The canvas draws a level in place of the slide when zoomed out (and picked a 'level' twice the
    slide's size at 100 %): a page that is not a smaller copy of the slide, of its samples and type, is not
    taken as one; the slide reads as its own pixels."""
    path = tmp_path / "slide.svs"
    write_svs(path, HALF_SPLIT, levels)
    if kept == 1:
        assert not is_pyramid(path)
        np.testing.assert_array_equal(read_image(path), HALF_SPLIT)
        return
    pyr = open_pyramid(path)
    assert len(pyr.levels) == kept
    for prev, level in zip(pyr.levels, pyr.levels[1:], strict=False):
        assert level.width < prev.width and level.height < prev.height
        assert level.dtype == np.uint8 and level.ndim == 2
    np.testing.assert_array_equal(pyr.levels[0][0:300, 0:500], HALF_SPLIT)


def test_decoded_tiles_stay_within_one_budget_across_open_slides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app keeps several slides open (the one shown, the ones before it): their decoded tiles share
    one budget ('about 190 MB of decoded tiles at most'), not one budget each."""
    import tracemalloc

    from pixelproof.core import pyramid

    monkeypatch.setattr(pyramid, "TILE_CACHE_BYTES", 3 << 20)
    img = (np.add.outer(np.arange(2048), np.arange(2048)) % 256).astype(np.uint8)  # 4 MB a level 0
    paths = []
    for k in range(4):
        paths.append(tmp_path / f"slide{k}.tif")
        write_pyramid(paths[-1], img, 2, 256, "zlib")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        opened = [open_pyramid(p) for p in paths]
        for pyr in opened:
            for y in range(0, 2048, 256):
                np.testing.assert_array_equal(pyr.levels[0][y : y + 256, 0:2048], img[y : y + 256])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < (5 << 20), f"{held >> 10} KB held for 4 slides (16 MB of tiles decoded, 3 MB kept)"
    np.testing.assert_array_equal(opened[0].levels[0][0:256, 0:256], img[0:256, 0:256])  # re-decoded


def test_a_jpeg_tile_of_too_many_scans_is_refused_before_decoding(tmp_path: Path) -> None:
    """Each JPEG scan is a pass over the whole tile, and the canvas decodes tiles while it paints: a tile
    of 2,000 empty scans (a 4096^2 one took 2.5 s, an 8192^2 one four times that) is refused, named, as
    plain TIFF tiles are; the other tiles still read."""
    from tests.bombs import many_scans_jpeg

    good = np.full((256, 256), 77, np.uint8)
    tiles = [many_scans_jpeg(256, 600, "L"), imagecodecs.jpeg8_encode(good, level=95)]
    path = tmp_path / "scans.tif"
    with tifffile.TiffWriter(path) as tw:
        tw.write(
            iter(tiles), shape=(256, 512), dtype=np.uint8, tile=(256, 256), compression="jpeg", subifds=1
        )
        tw.write(
            iter(tiles[1:]),
            shape=(128, 256),
            dtype=np.uint8,
            tile=(256, 256),
            compression="jpeg",
            subfiletype=1,
        )
    level = open_pyramid(path).levels[0]
    with pytest.raises(
        PyramidError, match=r"scans.tif: tile \(0, 0\) of level 0 is a JPEG of 6\d\d scans \(at most 500\)"
    ):
        level[0:10, 0:10]
    assert np.abs(level[0:256, 256:512].astype(int) - 77).max() <= 2
