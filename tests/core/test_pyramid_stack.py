"""Pyramidal z-stacks (an OME-TIFF whose every plane has its own reduced levels in SubIFDs, as bfconvert,
QuPath and tifffile write them): a plane is read as a pyramid, tile by tile, like a whole-slide image, so
a plane over the pixel limit opens and only the tiles looked at are decoded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core import limits, pyramid, sources, tiff_stack
from pixelproof.core.imageio import ImageReadError, image_size, read_image
from pixelproof.core.sources import scan_images

SIDE, TILE, PLANES = 4096, 256, 3


def planes(n: int = PLANES, side: int = SIDE) -> np.ndarray:
    """Planes that differ everywhere (plane k is shifted by 50 k) and compress well."""
    y, x = np.mgrid[0:side, 0:side]
    return np.stack([((x + 3 * y + 50 * k) % 251).astype(np.uint8) for k in range(n)])


def write_pyramidal_stack(path: Path, data: np.ndarray, levels: int = 2) -> None:
    """As tifffile's documentation writes a pyramidal OME-TIFF: full-resolution planes, each with
    ``levels`` halvings in its SubIFDs."""
    with tifffile.TiffWriter(path, ome=True) as tif:
        opts = {"tile": (TILE, TILE), "compression": "zlib", "photometric": "minisblack"}
        tif.write(
            data, subifds=levels, metadata={"axes": "ZYX", "PhysicalSizeX": 0.5, "PhysicalSizeY": 0.5}, **opts
        )
        for k in range(1, levels + 1):
            tif.write(data[:, :: 2**k, :: 2**k], subfiletype=1, **opts)


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    path = tmp_path / "cells.ome.tif"
    write_pyramidal_stack(path, planes())
    return path


@pytest.fixture
def low_limit():
    limits.set_max_pixels(2_000_000)  # a 4096 x 4096 plane (16.8 M pixels) and its halving are refused
    try:
        yield
    finally:
        limits.set_max_pixels(None)


def test_a_pyramidal_stack_over_the_pixel_limit_lists_its_planes(stack: Path, low_limit) -> None:
    skipped: list[str] = []
    entries = scan_images(stack.parent, skipped.append)
    assert [e.fragment for e in entries] == ["#z=000", "#z=001", "#z=002"], skipped
    assert all((e.width, e.height) == (SIDE, SIDE) for e in entries)
    assert image_size(f"{stack}#z=001") == (SIDE, SIDE)


def test_a_plane_is_a_pyramid_of_its_own_levels(stack: Path, low_limit, monkeypatch) -> None:
    def whole(*args, **kwargs):
        raise AssertionError("a whole page was decoded")

    monkeypatch.setattr(tifffile.TiffPage, "asarray", whole)
    pyr = sources.slice_pyramid(f"{stack}#z=001")
    assert pyr is not None
    assert [(level.width, level.height) for level in pyr.levels] == [(4096, 4096), (2048, 2048), (1024, 1024)]
    assert [level.downsample for level in pyr.levels] == [1.0, 2.0, 4.0]
    monkeypatch.undo()
    with tifffile.TiffFile(stack) as tif:  # tifffile's own read of plane 1, at each level
        full = tif.series[0].levels[0].asarray()[1]
        coarse = tif.series[0].levels[2].asarray()[1]
    assert np.array_equal(pyr.levels[0][1000:1300, 2000:2600], full[1000:1300, 2000:2600])
    assert np.array_equal(pyr.levels[2][0:1024, 0:1024], coarse)
    assert pyr.meta.pixel_spacing == pytest.approx((0.0005, 0.0005))
    # of level 0, only the tiles of the region asked for were decoded
    level0 = {key[3:] for key in list(pyramid._TILES) if key[0] == pyr._serial and key[1] == 0}
    assert level0 == {(ty, tx) for ty in range(3, 6) for tx in range(7, 11)}


def test_each_plane_is_its_own_pyramid(stack: Path) -> None:
    data = planes()
    for z in range(PLANES):
        pyr = sources.slice_pyramid(f"{stack}#z={z:03d}")
        assert pyr is not None
        assert np.array_equal(pyr.levels[1][100:200, 300:400], data[z, ::2, ::2][100:200, 300:400])


def test_a_plane_under_the_limit_still_reads_whole(stack: Path) -> None:
    assert np.array_equal(read_image(f"{stack}#z=002"), planes()[2])


def test_a_plane_over_the_limit_is_refused_whole_not_decoded(stack: Path, low_limit) -> None:
    with pytest.raises(ImageReadError, match="over the limit"):
        read_image(f"{stack}#z=002")


def test_a_stack_without_reduced_levels_is_no_pyramid(tmp_path: Path) -> None:
    path = tmp_path / "flat.ome.tif"
    tifffile.imwrite(path, planes(3, 512), tile=(TILE, TILE), metadata={"axes": "ZYX"})
    assert sources.slice_pyramid(f"{path}#z=001") is None
    layout = tiff_stack.stack_layout(path)
    assert layout is not None and not layout.pyramidal
    assert sources.slice_pyramid(tmp_path / "flat.ome.tif") is None  # the file, not a slice of it


def test_planes_of_a_time_series_of_rgb_z_stacks_are_found_by_time_and_slice(tmp_path: Path) -> None:
    """Plane (t, z) is the series' page t * depth + z at every level; RGB samples stay RGB."""
    path = tmp_path / "live.ome.tif"
    y, x = np.mgrid[0:512, 0:512]
    data = np.stack(
        [np.stack([(x + y + 40 * k) % 256, (x * 2 + k) % 256, (y + 7 * k) % 256], axis=-1) for k in range(6)]
    ).astype(np.uint8)
    data = data.reshape(2, 3, 512, 512, 3)
    with tifffile.TiffWriter(path, ome=True) as tif:
        opts = {"tile": (128, 128), "photometric": "rgb"}
        tif.write(data, subifds=1, metadata={"axes": "TZYXS"}, **opts)
        tif.write(data[:, :, ::2, ::2], subfiletype=1, **opts)
    layout = tiff_stack.stack_layout(path)
    assert layout is not None and layout.pyramidal and (layout.times, layout.depth) == (2, 3)
    with tifffile.TiffFile(path) as tif:
        coarse = tif.series[0].levels[1].asarray()
    pyr = sources.slice_pyramid(f"{path}#t=001&z=002")
    assert pyr is not None and pyr.levels[1].shape == (256, 256, 3)
    assert np.array_equal(pyr.levels[1][0:256, 0:256], coarse[1, 2])
    assert np.array_equal(pyr.levels[0][100:300, 50:450], data[1, 2, 100:300, 50:450])


def test_a_plane_whose_own_subifds_are_missing_is_read_whole(tmp_path: Path) -> None:
    """The stack is found pyramidal from its first plane; a later plane whose SubIFDs tag is gone (a
    broken writer, a hand-edited file) was refused ('plane 2 not a pyramid') by the canvas and tiled
    inference, though read_image reads it whole under the pixel limit. It is read whole, as before."""
    import struct

    from pixelproof.inference.tiling import open_regions

    path = tmp_path / "cells.ome.tif"
    data = planes(3, 512)
    write_pyramidal_stack(path, data)
    with tifffile.TiffFile(path) as tif:
        assert tif.byteorder == "<" and not tif.is_bigtiff
        at = tif.pages[2].tags["SubIFDs"].offset
    raw = bytearray(path.read_bytes())
    assert struct.unpack_from("<H", raw, at)[0] == 330
    struct.pack_into("<H", raw, at, 65000)  # plane 2's SubIFDs tag renamed to one nobody knows
    path.write_bytes(bytes(raw))
    with tifffile.TiffFile(path) as tif:
        own = tif.pages[2].asarray()
    assert sources.slice_pyramid(f"{path}#z=001") is not None
    assert sources.slice_pyramid(f"{path}#z=002") is None
    assert np.array_equal(read_image(f"{path}#z=002"), own)
    regions = open_regions(f"{path}#z=002")
    assert np.array_equal(np.asarray(regions.read(50, 100, 400, 200)), own[100:300, 50:450])


def test_a_plane_whose_levels_are_tiled_unlike_the_first_planes_shows_its_own_pixels(tmp_path: Path) -> None:
    """tifffile reads a later plane's pages (full resolution and SubIFDs) as frames of the first plane's:
    their tile offsets, the first plane's tile size. Plane 1's reduced level here is tiled 64 x 256 and
    plane 2's full resolution 64 x 256 (as many tiles as the first plane's 128 x 128: tifffile takes
    them), so each was cut into the wrong tiles. Each plane is read in its own pages' layout, checked
    against tifffile's read of each page on its own."""
    path = tmp_path / "mixed.ome.tif"
    data = planes(3, 512)
    ome = tifffile.OmeXml()
    ome.addimage(data.dtype, data.shape, (3, 1, 1, 512, 512, 1), axes="ZYX")
    base_tile = {0: (128, 128), 1: (128, 128), 2: (64, 256)}
    level_tile = {0: (128, 128), 1: (64, 256), 2: (128, 128)}
    with tifffile.TiffWriter(path) as tw:  # the OME-XML written by hand: one series, a page a plane
        for z in range(3):
            opts = {"compression": "zlib", "photometric": "minisblack", "metadata": None}
            tw.write(
                data[z], subifds=1, tile=base_tile[z], description=ome.tostring() if z == 0 else None, **opts
            )
            tw.write(data[z, ::2, ::2], subfiletype=1, tile=level_tile[z], **opts)
    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        assert series.axes == "ZYX" and len(series.levels) == 2
        own = [[level.pages[z].aspage().asarray() for level in series.levels] for z in range(3)]
        assert not np.array_equal(series.levels[1].asarray()[1], own[1][1])  # tifffile's own series read
    assert [np.array_equal(own[z][1], data[z, ::2, ::2]) for z in range(3)] == [True] * 3
    for z in range(3):
        pyr = sources.slice_pyramid(f"{path}#z={z:03d}")
        assert pyr is not None and len(pyr.levels) == 2
        assert np.array_equal(pyr.levels[0][0:512, 0:512], own[z][0]), z
        assert np.array_equal(pyr.levels[1][0:256, 0:256], own[z][1]), z


def write_channel_stack(path: Path, axes: str = "ZCYX") -> np.ndarray:
    """A pyramidal OME-TIFF of 3 slices of 2 channels (DAPI, FITC) of 2048 x 2048, a page a channel,
    stored in ``axes`` order with two halvings in SubIFDs; returns its pixels as Z x C x Y x X."""
    zcyx = planes(6, SIDE // 2).reshape(3, 2, SIDE // 2, SIDE // 2)
    data = zcyx if axes == "ZCYX" else zcyx.transpose(1, 0, 2, 3)
    with tifffile.TiffWriter(path, ome=True) as tif:
        opts = {"tile": (TILE, TILE), "compression": "zlib", "photometric": "minisblack"}
        meta = {"axes": axes, "Channel": {"Name": ["DAPI", "FITC"]}}
        tif.write(data, subifds=2, metadata=meta, **opts)
        for k in (1, 2):
            tif.write(data[..., :: 2**k, :: 2**k], subfiletype=1, **opts)
    return zcyx


@pytest.mark.parametrize("axes", ["ZCYX", "CZYX"])
def test_a_pyramidal_stack_with_channels_shows_each_plane_from_its_levels(
    tmp_path: Path, axes: str, low_limit
) -> None:
    """A plane of channels (a page a channel, the channels next to each other or a stack apart) was
    decoded whole at full resolution, so a pyramidal stack with channels over the pixel limit was not
    listed. Each plane is now a pyramid of its channels' pages at each level, shown as the stack's one
    composite (the same display ranges on every slice), its pixels tifffile's own read of each level."""
    path = tmp_path / f"cells-{axes}.ome.tif"
    zcyx = write_channel_stack(path, axes)
    skipped: list[str] = []
    entries = scan_images(tmp_path, skipped.append)
    assert [e.fragment for e in entries] == ["#z=000", "#z=001", "#z=002"], skipped
    with tifffile.TiffFile(path) as tif:
        levels = [tif.series[0].levels[k].asarray() for k in (1, 2)]
    if axes == "CZYX":
        levels = [level.transpose(1, 0, 2, 3) for level in levels]
    shown = []
    for z in range(3):
        pyr = sources.slice_pyramid(f"{path}#z={z:03d}")
        assert pyr is not None and pyr.channels is not None
        assert [c.name for c in pyr.channels.channels] == ["DAPI", "FITC"]
        assert [(level.width, level.height) for level in pyr.levels] == [
            (2048, 2048),
            (1024, 1024),
            (512, 512),
        ]
        for k in (1, 2):
            raw = np.moveaxis(levels[k - 1][z], 0, -1)
            assert np.array_equal(pyr.planes[k].region(0, 99, 0, 77), raw[:99, :77])
            assert np.array_equal(pyr.levels[k].region(0, 99, 0, 77), pyr.channels.render(raw[:99, :77]))
        assert np.array_equal(
            pyr.planes[0].region(1000, 1010, 3, 9), np.moveaxis(zcyx[z, :, 1000:1010, 3:9], 0, -1)
        )
        shown.append(pyr.channels)
    assert shown[0] is shown[1] is shown[2]


def test_the_planes_of_a_stack_share_one_parse_of_its_file_and_read_their_own_tiles(stack: Path) -> None:
    """Each plane opened the file again and tifffile parsed every plane's IFDs and SubIFDs anew (the
    longer the stack, the slower each step through it). The planes now share one parse and its file
    handle; reads of several planes at once from threads (the canvas's tile workers) each get their own
    plane's pixels."""
    from concurrent.futures import ThreadPoolExecutor

    data = planes()
    pyrs = [sources.slice_pyramid(f"{stack}#z={z:03d}") for z in range(PLANES)]
    assert all(p is not None for p in pyrs)
    assert pyrs[0]._tif is pyrs[1]._tif is pyrs[2]._tif

    def read(job: tuple[int, int]) -> bool:
        z, k = job
        y, x = 256 * (k % 16), 256 * (k // 16)
        return np.array_equal(pyrs[z].levels[0][y : y + 256, x : x + 256], data[z, y : y + 256, x : x + 256])

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(read, [(z, k) for k in range(0, 256, 5) for z in range(PLANES)]))
