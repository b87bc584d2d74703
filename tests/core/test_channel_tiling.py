"""A multichannel TIFF (CYX, a page a channel: OME-TIFF, ImageJ, tifffile's shaped description) whose later
channel page is stored otherwise than the first. tifffile reads a later page as a frame of the first,
taking its tile size and layout from it: it refuses the series ('incompatible keyframe') when the number
of tiles or strips differs, so the file opened as one grey image, its first channel; when the number is
the same but the tiles are of another size, it cuts the channel into the wrong tiles. Each channel is now
read in its own page's layout, plain or as a slide (a pyramid of SubIFD levels).

Files are written page by page with tifffile (the description on the first page only); every channel read
is checked against the pixels written and tifffile's read of its page as a page of its own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core.channel_display import file_channel_names
from pixelproof.core.imageio import ImageReadError, read_channels, read_image
from pixelproof.core.pyramid import PyramidError, is_pyramid, open_pyramid
from pixelproof.core.reduced import inspect_huge
from pixelproof.inference.tiling import open_regions

SIDE = 512
NAMES = ["DAPI", "FITC", "TRITC"]
COLORS = [(0, 0, 255), (0, 255, 0), (255, 0, 0)]
OPTS = {"compression": "zlib", "photometric": "minisblack", "metadata": None}
# (tile or None for strips, rows a strip): the first page's layout, then ones that differ from it
FIRST = ((128, 128), None)  # 16 tiles
OTHERS = {
    "fewer-tiles": ((256, 256), None),  # 4 tiles: tifffile refuses the series
    "as-many-tiles-of-another-shape": ((256, 64), None),  # 16 tiles: tifffile cuts them as 128 x 128
    "as-many-strips": (None, 32),  # 16 strips: read as 16 tiles of 128 x 128
    "more-strips": (None, 16),
}


def channels(n: int = 3, side: int = SIDE) -> np.ndarray:
    """C x H x W uint16 channels that differ everywhere (channel k shifted by 50 k)."""
    y, x = np.mgrid[0:side, 0:side]
    return np.stack([((x + 3 * y + 50 * k) % 251 * 10).astype(np.uint16) for k in range(n)])


def description(fmt: str, data: np.ndarray) -> str:
    if fmt == "ome":
        ome = tifffile.OmeXml()
        channel = {"Name": NAMES[: len(data)], "Color": [0x0000FFFF, 0x00FF00FF, -16776961][: len(data)]}
        ome.addimage(data.dtype, data.shape, (len(data), 1, 1, SIDE, SIDE, 1), axes="CYX", Channel=channel)
        return ome.tostring()
    if fmt == "imagej":
        return f"ImageJ=1.11a\nimages={len(data)}\nchannels={len(data)}\nhyperstack=true\nmode=composite\n"
    return json.dumps({"shape": list(data.shape), "axes": "CYX"})  # tifffile's own (shaped)


def write(path: Path, data: list[np.ndarray], layouts: list, fmt: str = "ome", levels: list | None = None):
    """A page a channel, laid out as ``layouts`` says ((tile, rows a strip) each); with ``levels`` each
    with one halving in a SubIFD, tiled as ``levels`` says."""
    desc = description(fmt, np.stack([data[0]] * len(data)))
    with tifffile.TiffWriter(path) as tw:
        for c, (plane, (tile, rows)) in enumerate(zip(data, layouts, strict=True)):
            tw.write(
                plane, tile=tile, rowsperstrip=rows, subifds=1 if levels else 0,
                description=desc if c == 0 else None, **OPTS,
            )  # fmt: skip
            if levels:
                tw.write(plane[::2, ::2], subfiletype=1, tile=levels[c], **OPTS)


def own_pages(path: Path) -> list[np.ndarray]:
    with tifffile.TiffFile(path) as tif:
        return [page.asarray() for page in tif.pages]


def tifffile_misreads(path: Path, data: np.ndarray) -> bool:
    """Whether tifffile's series refuses the file or reads other pixels than were written."""
    try:
        with tifffile.TiffFile(path) as tif:
            return not np.array_equal(tif.series[0].asarray(), data)
    except RuntimeError as e:
        assert "incompatible keyframe" in str(e)
        return True


def composite(data: np.ndarray, colors: list) -> np.ndarray:
    """The composite of C x H x W channels, each over its 0.5 / 99.5 percentiles (float64, by hand)."""
    out = np.zeros((*data.shape[1:], 3), np.float64)
    for plane, color in zip(data, colors, strict=True):
        lo, hi = np.percentile(plane.astype(np.float64), [0.5, 99.5])
        f = np.clip((plane.astype(np.float64) - lo) / (hi - lo), 0, 1)
        out += f[..., None] * np.array(color, np.float64)
    return np.rint(np.clip(out, 0, 255)).astype(np.uint8)


@pytest.mark.parametrize("fmt", ["ome", "imagej", "shaped"])
@pytest.mark.parametrize("other", list(OTHERS))
def test_a_channel_tiff_whose_later_channel_is_stored_otherwise_reads_each_channel_in_its_own_layout(
    tmp_path: Path, fmt: str, other: str
) -> None:
    path = tmp_path / "cells.tif"
    data = channels(3)
    write(path, list(data), [FIRST, OTHERS[other], FIRST], fmt)
    assert tifffile_misreads(path, data)
    got = read_channels(path)
    assert got is not None, "opened as one grey image, its first channel"
    planes, comp = got
    own = own_pages(path)
    assert planes.shape == (SIDE, SIDE, 3)
    for c in range(3):
        assert np.array_equal(planes[..., c], data[c]) and np.array_equal(planes[..., c], own[c]), c
    colors = COLORS if fmt == "ome" else [c.color for c in comp.channels]
    assert np.abs(read_image(path).astype(int) - composite(data, colors)).max() <= 1
    if fmt == "ome":
        assert file_channel_names(path) == tuple(NAMES)
    # read tile by tile for a model, past the pixel limit: the composite of every channel too
    assert np.array_equal(open_regions(path).read(0, 0, SIDE, SIDE), read_image(path))
    assert inspect_huge(path).channels == 3


def test_a_later_channel_page_of_another_width_is_refused_by_name_not_shown_cut(tmp_path: Path) -> None:
    """The OME-XML says 512 x 512 channels; channel 2's page is 512 x 384 (in other tiles, so tifffile
    makes no series)."""
    path = tmp_path / "cells.ome.tif"
    data = channels(3)
    write(path, [data[0], data[1][:, :384], data[2]], [FIRST, OTHERS["fewer-tiles"], FIRST])
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif: channel 2 \(FITC\).*\(512, 384\)"):
        read_channels(path)
    with pytest.raises(ImageReadError, match=r"channel 2 \(FITC\)"):
        read_image(path)


@pytest.mark.parametrize("other", ["fewer-tiles", "as-many-tiles-of-another-shape"])
def test_a_channel_slide_whose_later_channel_is_tiled_otherwise_shows_each_channel_from_its_tiles(
    tmp_path: Path, other: str
) -> None:
    """A pyramidal OME-TIFF CYX (a halving of each channel in its SubIFD): channel 2's full resolution in
    other tiles, its halving as the others'."""
    path = tmp_path / "slide.ome.tif"
    data = channels(3)
    tile = OTHERS[other][0]
    write(path, list(data), [FIRST, (tile, None), FIRST], levels=[(128, 128)] * 3)
    assert tifffile_misreads(path, data)
    pyr = open_pyramid(path)
    assert len(pyr.levels) == 2 and pyr.channels is not None
    assert [c.name for c in pyr.channels.channels] == NAMES
    own = own_pages(path)
    for c in range(3):
        assert np.array_equal(pyr.planes[0][0:SIDE, 0:SIDE][..., c], own[c]), c
        assert np.array_equal(pyr.planes[0][100:300, 200:450][..., c], data[c, 100:300, 200:450]), c
        assert np.array_equal(pyr.planes[1][0:256, 0:256][..., c], data[c, ::2, ::2]), c


@pytest.mark.parametrize("level", [(64, 64), (256, 64)], ids=["more-tiles", "as-many-tiles-of-another-shape"])
def test_a_channel_slide_whose_later_reduced_level_is_tiled_otherwise(
    tmp_path: Path, level: tuple[int, int]
) -> None:
    """Channel 2's halving in other tiles. As many tiles: the levels are read each in its own tiles.
    More: tifffile cannot make the levels; the channels are read whole (under the pixel limit)."""
    path = tmp_path / "slide.ome.tif"
    data = channels(3)
    write(path, list(data), [FIRST] * 3, levels=[(128, 128), level, (128, 128)])
    if level == (64, 64):
        assert not is_pyramid(path)
        with pytest.raises(PyramidError, match="not a pyramid"):
            open_pyramid(path)
        planes = read_channels(path)
        assert planes is not None
        assert all(np.array_equal(planes[0][..., c], data[c]) for c in range(3))
        return
    pyr = open_pyramid(path)
    assert len(pyr.levels) == 2
    for c in range(3):
        assert np.array_equal(pyr.planes[0][0:SIDE, 0:SIDE][..., c], data[c]), c
        assert np.array_equal(pyr.planes[1][0:256, 0:256][..., c], data[c, ::2, ::2]), c
