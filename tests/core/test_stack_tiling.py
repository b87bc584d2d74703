"""A stack whose later planes are stored otherwise than its first (another tile size or number of tiles or
strips, another width): tifffile reads a later plane's pages as frames of the first plane's and refuses to
make the series at all ('incompatible keyframe') when their tile or strip count differs, so the file was
listed silently as one image, its first page. Each plane is now read as a page of its own.

Files are written page by page with tifffile, the OME-XML (``tifffile.OmeXml``) or ImageJ description on
the first page; every plane read is checked against the pixels written and tifffile's read of its page."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core import sources, tiff_stack
from pixelproof.core.imageio import ImageReadError, image_size, read_image
from pixelproof.core.sources import scan_images

SIDE = 512


def planes(n: int = 3, side: int = SIDE) -> np.ndarray:
    """Planes that differ everywhere (plane k is shifted by 50 k)."""
    y, x = np.mgrid[0:side, 0:side]
    return np.stack([((x + 3 * y + 50 * k) % 251).astype(np.uint8) for k in range(n)])


def write_ome(path: Path, data: list[np.ndarray], tiles: list, level_tiles: list | None = None) -> None:
    """One OME ZYX series of ``len(data)`` planes of the first plane's shape, a page a plane tiled as
    ``tiles`` says (None: in strips), each with one halving in a SubIFD tiled as ``level_tiles`` says."""
    ome = tifffile.OmeXml()
    ome.addimage(data[0].dtype, (len(data), *data[0].shape), (len(data), 1, 1, *data[0].shape, 1), axes="ZYX")
    opts = {"compression": "zlib", "photometric": "minisblack", "metadata": None}
    with tifffile.TiffWriter(path) as tw:
        for z, plane in enumerate(data):
            desc = ome.tostring() if z == 0 else None
            tw.write(plane, subifds=1 if level_tiles else 0, tile=tiles[z], description=desc, **opts)
            if level_tiles:
                tw.write(plane[::2, ::2], subfiletype=1, tile=level_tiles[z], **opts)


def own_pages(path: Path) -> list[np.ndarray]:
    with tifffile.TiffFile(path) as tif:
        return [page.asarray() for page in tif.pages]


def listed(folder: Path) -> list[str]:
    skipped: list[str] = []
    entries = scan_images(folder, skipped.append)
    assert not skipped
    return [e.path.name + e.fragment for e in entries]


@pytest.mark.parametrize("tile", [(64, 64), (128, 64), None], ids=["64x64", "128x64", "strips"])
def test_an_ome_z_stack_whose_later_plane_is_tiled_otherwise_lists_and_reads_every_plane(
    tmp_path: Path, tile: tuple[int, int] | None
) -> None:
    path = tmp_path / "cells.ome.tif"
    data = planes(3)
    write_ome(path, list(data), [(128, 128), tile, (128, 128)])
    with tifffile.TiffFile(path) as tif, pytest.raises(RuntimeError, match="incompatible keyframe"):
        tif.series  # noqa: B018 - tifffile cannot make the series
    assert listed(tmp_path) == ["cells.ome.tif#z=000", "cells.ome.tif#z=001", "cells.ome.tif#z=002"]
    own = own_pages(path)
    for z in range(3):
        plane = read_image(f"{path}#z={z:03d}")
        assert np.array_equal(plane, data[z]) and np.array_equal(plane, own[z]), z
        assert image_size(f"{path}#z={z:03d}") == (SIDE, SIDE)


def test_an_imagej_hyperstack_whose_later_plane_has_other_strips_reads_every_slice(tmp_path: Path) -> None:
    path = tmp_path / "cells.tif"
    data = planes(3)
    desc = "ImageJ=1.11a\nimages=3\nslices=3\nhyperstack=true\nmode=grayscale\n"
    opts = {"compression": "zlib", "photometric": "minisblack", "metadata": None}
    with tifffile.TiffWriter(path) as tw:
        for z in range(3):
            tw.write(
                data[z], rowsperstrip=64 if z == 1 else 128, description=desc if z == 0 else None, **opts
            )
    assert listed(tmp_path) == ["cells.tif#z=000", "cells.tif#z=001", "cells.tif#z=002"]
    for z in range(3):
        assert np.array_equal(read_image(f"{path}#z={z:03d}"), data[z]), z


def test_a_z_stack_of_channels_whose_later_channel_page_is_tiled_otherwise_reads_each_plane(
    tmp_path: Path,
) -> None:
    """ZCYX, a page a channel: slice 1's second channel in 64 x 64 tiles, the others in 128 x 128."""
    path = tmp_path / "cells.ome.tif"
    data = planes(4).reshape(2, 2, SIDE, SIDE)
    ome = tifffile.OmeXml()
    ome.addimage(data.dtype, data.shape, (4, 1, 1, SIDE, SIDE, 1), axes="ZCYX")
    opts = {"compression": "zlib", "photometric": "minisblack", "metadata": None}
    with tifffile.TiffWriter(path) as tw:
        for k, page in enumerate(data.reshape(4, SIDE, SIDE)):
            desc = ome.tostring() if k == 0 else None
            tw.write(page, tile=(64, 64) if k == 3 else (128, 128), description=desc, **opts)
    assert listed(tmp_path) == ["cells.ome.tif#z=000", "cells.ome.tif#z=001"]
    stack = tiff_stack.open_stack(path)
    assert len(stack.layout.channels) == 2
    for z in range(2):
        assert np.array_equal(stack.raw(z), data[z].transpose(1, 2, 0)), z


def test_a_later_plane_of_another_width_is_refused_by_name_not_shown_cut(tmp_path: Path) -> None:
    """The OME-XML says 512 x 512 planes; plane 1 is 512 x 384 (tiled otherwise, so tifffile makes no
    series). The stack lists its three planes; plane 1 is refused with a message naming it."""
    path = tmp_path / "cells.ome.tif"
    data = planes(3)
    write_ome(path, [data[0], data[1][:, :384], data[2]], [(128, 128), (64, 64), (128, 128)])
    assert listed(tmp_path) == ["cells.ome.tif#z=000", "cells.ome.tif#z=001", "cells.ome.tif#z=002"]
    assert np.array_equal(read_image(f"{path}#z=002"), data[2])
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif.*z=1.*\(512, 384\)"):
        read_image(f"{path}#z=001")


def test_a_pyramidal_stack_whose_later_plane_is_tiled_otherwise_shows_each_plane_from_its_levels(
    tmp_path: Path,
) -> None:
    """Plane 1's full resolution in 64 x 64 tiles (its halving as the others'): each plane is a pyramid
    of its own pages."""
    path = tmp_path / "cells.ome.tif"
    data = planes(3)
    write_ome(path, list(data), [(128, 128), (64, 64), (128, 128)], [(128, 128)] * 3)
    assert listed(tmp_path) == ["cells.ome.tif#z=000", "cells.ome.tif#z=001", "cells.ome.tif#z=002"]
    for z in range(3):
        pyr = sources.slice_pyramid(f"{path}#z={z:03d}")
        assert pyr is not None and len(pyr.levels) == 2, z
        assert np.array_equal(pyr.levels[0][0:SIDE, 0:SIDE], data[z]), z
        assert np.array_equal(pyr.levels[1][0:256, 0:256], data[z, ::2, ::2]), z


def test_a_pyramidal_stack_whose_later_reduced_level_is_tiled_otherwise_reads_its_planes_whole(
    tmp_path: Path,
) -> None:
    """Plane 1's halving in 64 x 64 tiles: tifffile cannot make the levels; the planes are read whole
    (under the pixel limit), at full resolution."""
    path = tmp_path / "cells.ome.tif"
    data = planes(3)
    write_ome(path, list(data), [(128, 128)] * 3, [(128, 128), (64, 64), (128, 128)])
    assert listed(tmp_path) == ["cells.ome.tif#z=000", "cells.ome.tif#z=001", "cells.ome.tif#z=002"]
    for z in range(3):
        assert sources.slice_pyramid(f"{path}#z={z:03d}") is None
        assert np.array_equal(read_image(f"{path}#z={z:03d}"), data[z]), z


def test_a_file_of_more_pages_than_a_stack_may_hold_is_not_read_page_by_page(
    tmp_path: Path, monkeypatch
) -> None:
    """Reading each page whole takes ~0.3 ms a page: a file of more pages than the slices a volume may
    hold is not parsed so (it opens as its first page, as tifffile leaves it)."""
    path = tmp_path / "cells.ome.tif"
    data = planes(3)
    write_ome(path, list(data), [(128, 128), (64, 64), (128, 128)])
    monkeypatch.setattr(tiff_stack, "MAX_VOLUME_SLICES", 2)
    assert tiff_stack.stack_layout(path) is None
    assert listed(tmp_path) == ["cells.ome.tif"]
    assert np.array_equal(read_image(path), data[0])
    monkeypatch.setattr(tiff_stack, "MAX_VOLUME_SLICES", 3)
    os.utime(path, ns=(1, 1))  # the layout is kept while the file is unchanged
    layout = tiff_stack.stack_layout(path)
    assert layout is not None and layout.depth == 3
