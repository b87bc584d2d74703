"""Microscopy TIFF z-stacks and time series (OME-TIFF, ImageJ hyperstacks, tifffile's shaped TIFFs) open
one image a plane, named as volume slices are. Files are written with tifffile; each plane holds its own
constant (or a pattern), and every plane read is checked against tifffile's own read of the whole series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core import volumes
from pixelproof.core.channels import Composite, percentile_ranges
from pixelproof.core.imageio import ImageReadError, image_size, read_channels, read_image
from pixelproof.core.sources import image_meta, scan_images
from pixelproof.core.volumes import expected_identity, parse_slice_ref

BLUE, GREEN, RED = 0x0000FFFF, 0x00FF00FF, -16776961  # OME's signed RGBA integers


def numbered(*lead: int, h: int = 6, w: int = 8) -> np.ndarray:
    """Planes of shape ``lead`` + (h, w), plane k (in C order) holding k + 1 everywhere."""
    n = int(np.prod(lead))
    return np.repeat(np.arange(1, n + 1, dtype=np.uint16), h * w).reshape(*lead, h, w)


def scan(folder: Path) -> tuple[dict[str, volumes.Any], list[str]]:
    skipped: list[str] = []
    entries = scan_images(folder, skipped.append)
    return {e.path.name + e.fragment: e for e in entries}, skipped


def check_planes(folder: Path, name: str, names: list[str], planes: np.ndarray) -> None:
    """Each named slice reads as tifffile's plane at the same place, and its name parses back."""
    for fragment, plane in zip(names, planes.reshape(-1, *planes.shape[-2:]), strict=True):
        path = folder / f"{name}#{fragment}"
        np.testing.assert_array_equal(read_image(path), plane)
        assert image_size(path) == (plane.shape[1], plane.shape[0])
        ref = parse_slice_ref(path)
        assert ref is not None and ref.source == str(folder / name)
        depth = planes.shape[-3] if ref.axis == "z" else planes.shape[0]
        assert ref.name(depth, planes.shape[0] if ref.time is not None else 0) == str(path)


def test_an_ome_z_stack_is_one_image_a_slice_with_its_spacing(tmp_path: Path) -> None:
    stack = numbered(12)
    meta = {"axes": "ZYX", "PhysicalSizeX": 0.25, "PhysicalSizeY": 0.5, "PhysicalSizeZ": 2.0}
    tifffile.imwrite(tmp_path / "cells.ome.tif", stack, metadata=meta)
    entries, skipped = scan(tmp_path)
    names = [f"z={k:03d}" for k in range(12)]
    assert list(entries) == [f"cells.ome.tif#{n}" for n in names] and not skipped
    check_planes(tmp_path, "cells.ome.tif", names, tifffile.imread(tmp_path / "cells.ome.tif"))
    extra = entries["cells.ome.tif#z=003"].extra
    assert extra["pixel_spacing"] == [0.0005, 0.00025]  # (row, column) mm from um
    assert extra["slice_position"] == pytest.approx(0.006)  # 3 slices of 2 um
    assert extra["pixelproof"] == {"volume_shape": [12, 6, 8]}
    # the bare file name still reads its first plane, as before
    np.testing.assert_array_equal(read_image(tmp_path / "cells.ome.tif"), stack[0])


def test_a_time_series_is_sliced_along_t(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "movie.tif", numbered(5), metadata={"axes": "TYX"})
    entries, _ = scan(tmp_path)
    names = [f"t={k:03d}" for k in range(5)]
    assert list(entries) == [f"movie.tif#{n}" for n in names]
    check_planes(tmp_path, "movie.tif", names, tifffile.imread(tmp_path / "movie.tif"))
    assert "slice_position" not in entries["movie.tif#t=002"].extra  # a time point lies nowhere
    ref = parse_slice_ref("movie.tif#t=002")
    assert ref is not None and (ref.axis, ref.index, ref.time) == ("t", 2, None)
    assert volumes.volume_key("movie.tif#t=002") == volumes.volume_key("movie.tif#t=004")


def test_a_time_series_of_z_stacks_is_one_volume_a_time_point(tmp_path: Path) -> None:
    stack = numbered(3, 4)
    tifffile.imwrite(tmp_path / "live.tif", stack, photometric="minisblack", metadata={"axes": "TZYX"})
    entries, _ = scan(tmp_path)
    names = [f"t={t:03d}&z={z:03d}" for t in range(3) for z in range(4)]
    assert list(entries) == [f"live.tif#{n}" for n in names]
    check_planes(tmp_path, "live.tif", names, tifffile.imread(tmp_path / "live.tif"))
    assert int(read_image(tmp_path / "live.tif#t=002&z=001")[0, 0]) == 2 * 4 + 1 + 1
    key = volumes.volume_key
    assert key("live.tif#t=001&z=000") == key("live.tif#t=001&z=003") != key("live.tif#t=002&z=000")
    assert parse_slice_ref("live.tif#t=1&t=2") is None  # time twice: a plain file name
    with pytest.raises(ImageReadError, match=r"3 time points of 4 slices; its planes are named live.tif#t="):
        read_image(tmp_path / "live.tif#z=001")
    with pytest.raises(ImageReadError, match="time point 7 out of range"):
        read_image(tmp_path / "live.tif#t=007&z=001")
    with pytest.raises(ImageReadError, match="named by t= and z= only"):
        read_image(tmp_path / "live.tif#c=1&t=001&z=001")


def test_a_multichannel_z_stack_is_the_composite_of_each_plane(tmp_path: Path) -> None:
    stack = np.zeros((4, 3, 6, 8), np.uint16)  # Z C Y X
    stack[:, :, :, 4:] = 1000  # right half on in every channel: ranges 0..1000
    stack[2, 1, :, 4:] = 0  # slice 2 has no green
    meta = {"axes": "ZCYX", "Channel": {"Name": ["DAPI", "FITC", "TRITC"], "Color": [BLUE, GREEN, RED]}}
    tifffile.imwrite(tmp_path / "cells.ome.tif", stack, photometric="minisblack", metadata=meta)
    entries, _ = scan(tmp_path)
    assert list(entries) == [f"cells.ome.tif#z={k:03d}" for k in range(4)]
    assert (entries["cells.ome.tif#z=002"].width, entries["cells.ome.tif#z=002"].height) == (8, 6)
    img = read_image(tmp_path / "cells.ome.tif#z=002")
    assert img.shape == (6, 8, 3) and img.dtype == np.uint8
    assert tuple(img[0, 0]) == (0, 0, 0) and tuple(img[0, 6]) == (255, 0, 255)  # red + blue, no green
    assert tuple(read_image(tmp_path / "cells.ome.tif#z=001")[0, 6]) == (255, 255, 255)
    planes, composite = read_channels(tmp_path / "cells.ome.tif#z=002")
    np.testing.assert_array_equal(planes, np.moveaxis(tifffile.imread(tmp_path / "cells.ome.tif")[2], 0, -1))
    assert [c.name for c in composite.channels] == ["DAPI", "FITC", "TRITC"]
    same = Composite(composite.channels, percentile_ranges(planes))  # channels.py's own render
    np.testing.assert_array_equal(img, same.render(planes))
    composite.visible[2] = False  # the view's toggles are its own copy's
    assert tuple(read_image(tmp_path / "cells.ome.tif#z=002")[0, 6]) == (255, 0, 255)


def test_an_imagej_hyperstack_takes_its_axes_and_spacing_from_imagej(tmp_path: Path) -> None:
    stack = numbered(2, 3, 2)  # T Z C
    stack[:, :, :, :, :4] = 0  # left half dark: channel ranges 0..high on every plane sampled
    meta = {"axes": "TZCYX", "spacing": 1.5, "unit": "micron"}
    tifffile.imwrite(tmp_path / "hyper.tif", stack, imagej=True, metadata=meta, resolution=(4.0, 4.0))
    entries, _ = scan(tmp_path)
    assert list(entries) == [f"hyper.tif#t={t:03d}&z={z:03d}" for t in range(2) for z in range(3)]
    extra = entries["hyper.tif#t=001&z=002"].extra
    assert extra["pixel_spacing"] == [0.00025, 0.00025] and extra["slice_position"] == pytest.approx(0.003)
    planes, _ = read_channels(tmp_path / "hyper.tif#t=001&z=002")
    np.testing.assert_array_equal(planes, np.moveaxis(tifffile.imread(tmp_path / "hyper.tif")[1, 2], 0, -1))


def test_an_imagej_stack_written_with_one_page_is_read_at_its_offsets(tmp_path: Path) -> None:
    stack = numbered(40).astype(">u2")  # big-endian, as ImageJ writes
    tifffile.imwrite(tmp_path / "big.tif", stack, imagej=True, truncate=True, metadata={"axes": "ZYX"})
    with tifffile.TiffFile(tmp_path / "big.tif") as tif:
        assert len(tif.pages) == 1  # the planes follow the first page, with no page of their own
    entries, _ = scan(tmp_path)
    assert len(entries) == 40
    check_planes(
        tmp_path, "big.tif", [f"z={k:03d}" for k in range(40)], tifffile.imread(tmp_path / "big.tif")
    )


def test_one_plane_is_decoded_not_the_stack(tmp_path: Path, monkeypatch) -> None:
    tifffile.imwrite(
        tmp_path / "deep.ome.tif",
        numbered(2000, h=4, w=4),
        photometric="minisblack",
        metadata={"axes": "ZYX"},
    )
    entries, _ = scan(tmp_path)
    assert len(entries) == 2000 and "deep.ome.tif#z=1999" in entries
    decoded = []
    real = tifffile.TiffPage.asarray

    def one_page(self, *args, **kwargs):
        decoded.append(self.index)
        return real(self, *args, **kwargs)

    def whole(*args, **kwargs):
        raise AssertionError("the whole series was decoded")

    monkeypatch.setattr(tifffile.TiffPage, "asarray", one_page)
    monkeypatch.setattr(tifffile.TiffFile, "asarray", whole)
    monkeypatch.setattr(tifffile.TiffPageSeries, "asarray", whole)
    assert int(read_image(tmp_path / "deep.ome.tif#z=1234")[0, 0]) == 1235
    assert decoded == [1234]


def test_stacks_over_the_slice_limit_are_skipped_by_name(tmp_path: Path, monkeypatch) -> None:
    tifffile.imwrite(
        tmp_path / "live.tif", numbered(3, 4), photometric="minisblack", metadata={"axes": "TZYX"}
    )
    monkeypatch.setattr(volumes, "MAX_VOLUME_SLICES", 10)
    entries, skipped = scan(tmp_path)
    assert not entries
    assert any(
        "live.tif" in s and "12 planes (3 time points x 4 slices)" in s and "limit of 10" in s
        for s in skipped
    )


def test_a_stack_rewritten_with_another_shape_is_not_read_under_the_old_name(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "cells.tif", numbered(6), metadata={"axes": "ZYX"})
    entries, _ = scan(tmp_path)
    expect = expected_identity(entries["cells.tif#z=004"].extra)
    tifffile.imwrite(
        tmp_path / "cells.tif", numbered(5, 2), photometric="minisblack", metadata={"axes": "ZCYX"}
    )  # 5 slices now
    with pytest.raises(
        ImageReadError, match=r"cells.tif#z=004: the volume changed .* voxel shape \[5, 2, 6, 8\]"
    ):
        read_image(tmp_path / "cells.tif#z=004", expect=expect)


def test_other_tiffs_stay_one_image(tmp_path: Path) -> None:
    tifffile.imwrite(
        tmp_path / "pages.tif", numbered(3), photometric="minisblack"
    )  # axes QYX: pages of no known meaning
    tifffile.imwrite(tmp_path / "flat.ome.tif", numbered(1)[0], metadata={"axes": "YX"})
    tifffile.imwrite(tmp_path / "rgb.tif", np.zeros((3, 6, 8, 3), np.uint8), photometric="rgb")
    entries, skipped = scan(tmp_path)
    assert set(entries) == {"pages.tif", "flat.ome.tif", "rgb.tif"} and not skipped
    with pytest.raises(ImageReadError, match="not a z-stack or time series"):
        read_image(tmp_path / "pages.tif#z=001")


def test_an_rgb_z_stack_keeps_its_colours(tmp_path: Path) -> None:
    stack = np.zeros((3, 6, 8, 3), np.uint8)
    stack[1, ..., 0] = 200
    tifffile.imwrite(tmp_path / "rgb.ome.tif", stack, photometric="rgb", metadata={"axes": "ZYXS"})
    entries, _ = scan(tmp_path)
    assert list(entries) == [f"rgb.ome.tif#z={k:03d}" for k in range(3)]
    np.testing.assert_array_equal(read_image(tmp_path / "rgb.ome.tif#z=001"), stack[1])
    assert image_meta(tmp_path / "rgb.ome.tif#z=001").pixel_spacing is None


def test_samples_that_are_not_rgb_are_channels_of_each_plane(tmp_path: Path) -> None:
    stack = np.zeros((3, 6, 8, 5), np.uint16)  # Z Y X S: five samples a pixel
    stack[..., 4:, :] = 700
    stack[1, :, 4:, 2] = 0  # slice 1: the third channel (red) off
    tifffile.imwrite(
        tmp_path / "bands.tif",
        stack,
        photometric="minisblack",
        planarconfig="contig",
        metadata={"axes": "ZYXS"},
    )
    entries, _ = scan(tmp_path)
    assert list(entries) == [f"bands.tif#z={k:03d}" for k in range(3)]
    planes, composite = read_channels(tmp_path / "bands.tif#z=001")
    np.testing.assert_array_equal(planes, stack[1])
    assert len(composite.channels) == 5
    np.testing.assert_array_equal(read_image(tmp_path / "bands.tif#z=001"), composite.render(planes))


def test_a_file_of_several_images_lists_the_first_and_says_so(tmp_path: Path) -> None:
    with tifffile.TiffWriter(tmp_path / "plate.ome.tif", ome=True) as tw:
        for _ in range(2):  # two positions, each a z-stack
            tw.write(numbered(3), photometric="minisblack", metadata={"axes": "ZYX"})
    entries, skipped = scan(tmp_path)
    assert list(entries) == [f"plate.ome.tif#z={k:03d}" for k in range(3)]
    assert any("plate.ome.tif: 2 images (series); the planes of the first are listed" in s for s in skipped)


def test_an_ome_tiff_of_several_slide_scenes_lists_the_first_and_says_so(tmp_path: Path) -> None:
    """A slide converted from CZI or VSI: one OME Image a scene, each a tiled pyramid. Its first scene was
    listed without a word (the note was a stack's), the other tissue sections never labelled; a plain
    pyramid's reduced levels, which tifffile also lists as series, are no images."""
    rgb = np.full((256, 384, 3), 120, np.uint8)
    with tifffile.TiffWriter(tmp_path / "scenes.ome.tif", ome=True) as tw:
        for scene in (rgb, rgb[:200, :300]):
            tw.write(scene, tile=(128, 128), photometric="rgb", subifds=1, metadata={"axes": "YXS"})
            tw.write(scene[::2, ::2], tile=(128, 128), photometric="rgb", subfiletype=1)
    with tifffile.TiffWriter(tmp_path / "levels.tif") as tw:  # its levels as plain pages: 2 series
        tw.write(rgb, tile=(128, 128), photometric="rgb")
        tw.write(rgb[::2, ::2], tile=(128, 128), photometric="rgb", subfiletype=1)
    entries, skipped = scan(tmp_path)
    assert list(entries) == ["levels.tif", "scenes.ome.tif"]
    assert [s.split(": ", 1)[1] for s in skipped] == [
        "2 images (OME series: a slide's scenes, its label or macro); the first (384x256) is listed, the "
        "others not (QuPath opens each as an image of its own: to label one, write it to a file of its own, "
        "as bfconvert -series N does)"
    ]
    assert skipped[0].startswith(str(tmp_path / "scenes.ome.tif"))


def test_an_ome_stack_declaring_millions_of_planes_is_refused_before_tifffile_lists_them(
    tmp_path: Path, monkeypatch
) -> None:
    """SizeZ 2**31 over 3 pages: tifffile lists 2**31 missing planes (16 GB) as it builds the series.
    The folder scan refuses the file by name with the channel reader's check, before any series."""
    from pixelproof.core import tiff_stack

    path = tmp_path / "zb.ome.tif"
    tifffile.imwrite(path, np.zeros((3, 8, 8), np.uint16), ome=True, metadata={"axes": "ZYX"})
    with tifffile.TiffFile(path) as tif:
        xml = tif.ome_metadata
    tifffile.tiffcomment(path, xml.replace('SizeZ="3"', 'SizeZ="2147483648"').encode())
    built: list[str] = []
    monkeypatch.setattr(tiff_stack, "_read_layout", lambda p, tif: built.append(str(p)))
    with pytest.raises(volumes.VolumeError, match=r"zb\.ome\.tif.*SizeZ"):
        tiff_stack.stack_layout(path)
    assert built == []  # refused before the series was ever asked for
