"""Multichannel TIFFs built to break the channel reader (``core.channels``): OME-XML that declares planes
the file does not hold, colours and names no writer makes, samples the float32 composite cannot hold, and
slides whose channels would multiply the memory a view costs. Each is read as its pixels say or refused
with a message naming the file; expected composites come from a float64 loop per channel."""

from __future__ import annotations

import tracemalloc
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core import pyramid
from pixelproof.core.channels import PALETTE, Channel, Composite, ome_color, percentile_ranges
from pixelproof.core.imageio import ImageReadError, read_channels, read_image
from pixelproof.core.pyramid import open_pyramid
from tests.core.test_channels import expected_composite, stripes, write_ome


def rewrite_ome(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    """Replace the OME-XML of ``path`` by ``edit(xml)`` in place (the pixels stay as written)."""
    with tifffile.TiffFile(path) as tif:
        xml = tif.ome_metadata
    tifffile.tiffcomment(path, edit(xml).encode())


def ome_file(tmp_path: Path, edit=None, planes: np.ndarray | None = None) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "cells.ome.tif"
    write_ome(path, stripes(32, 32, 3) if planes is None else planes)
    if edit is not None:
        rewrite_ome(path, edit)
    return path


@pytest.mark.parametrize("declared", [2**21, 2**31])
def test_ome_xml_declaring_millions_of_planes_is_refused_before_tifffile_lists_them(
    tmp_path: Path, declared: int
) -> None:
    """SizeC 2**31 over 3 pages: tifffile makes a list of 2**31 missing planes (16 GB) before reading
    any. Refused first, naming the file and the declared size."""
    path = ome_file(tmp_path, lambda xml: xml.replace('SizeC="3"', f'SizeC="{declared}"'))
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif.*SizeC") as info:
        read_image(path)
    assert f"{declared:,}" in str(info.value)
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif"):
        read_channels(path)


def test_ome_planes_declared_on_the_pixels_x_side_are_counted_too(tmp_path: Path) -> None:
    """tifffile divides the declared X x Y x Z x C x T by a page's pixels: a SizeX of 2**40 inflates it."""
    path = ome_file(tmp_path, lambda xml: xml.replace('SizeX="32"', f'SizeX="{2**40}"'))
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif.*planes"):
        read_image(path)


def test_channels_the_ome_xml_declares_but_the_file_lacks_are_refused_not_zeroed(tmp_path: Path) -> None:
    """SizeC 5 over 3 pages: tifffile fills channels 4 and 5 with zeros; they would show as black
    channels of the file's names and colours."""
    path = ome_file(tmp_path, lambda xml: xml.replace('SizeC="3"', 'SizeC="5"'))
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif.*5 channels.*3"):
        read_image(path)
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif"):
        read_channels(path)


def test_more_than_16_channels_are_refused_not_shown_as_their_first_channel(tmp_path: Path) -> None:
    path = tmp_path / "c17.ome.tif"
    planes = np.zeros((17, 8, 8), np.uint16)
    planes[5] = 900  # only channel 6 holds anything: its first page alone is black
    tifffile.imwrite(path, planes, photometric="minisblack", metadata={"axes": "CYX"})
    with pytest.raises(ImageReadError, match=r"c17\.ome\.tif.*17 channels.*16"):
        read_image(path)


def test_ome_xml_that_does_not_parse_over_several_pages_is_refused_not_read_as_its_first_page(
    tmp_path: Path,
) -> None:
    """An entity bomb: expat stops it (its amplification limit), tifffile then falls back to reading
    pages with no channel axis, and the image came out as channel 1 in grey."""
    lol = "".join(f'<!ENTITY l{k} "{f"&l{k - 1};" * 10 if k else "lol" * 10}">' for k in range(10))

    def bomb(xml: str) -> str:
        body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
        return f'<?xml version="1.0"?><!DOCTYPE OME [{lol}]>' + body.replace('Name="DAPI"', 'Name="&l9;"')

    path = ome_file(tmp_path, bomb)
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif.*OME-XML"):
        read_image(path)


def test_ome_colours_that_are_not_32_bit_integers_take_the_palette() -> None:
    for bad in (1.5, "1.5", 2**32, -(2**31) - 1, 10**20, float("nan"), True, "0x10", None):
        assert ome_color(bad) is None, bad
    assert ome_color(-5) == (255, 255, 255)
    assert ome_color(2**32 - 1) == (255, 255, 255)
    assert ome_color(-(2**31)) == (128, 0, 0)


@pytest.mark.parametrize("value", ["1.5", "99999999999999999999", "-99999999999"])
def test_a_file_whose_colour_is_no_32_bit_integer_shows_the_palette_colour(
    tmp_path: Path, value: str
) -> None:
    path = ome_file(
        tmp_path,
        lambda xml: xml.replace('<Channel ID="Channel:0:0"', f'<Channel Color="{value}" ID="Channel:0:0"'),
    )
    got = read_channels(path)
    assert got is not None and got[1].channels[0].color == PALETTE[0]


def test_channel_names_are_one_short_line_of_visible_text(tmp_path: Path) -> None:
    """Names go to menus and the status bar: a line break, a bidi override (which turns the text after
    it around) or a megabyte of name would garble them."""
    path = tmp_path / "names.ome.tif"
    names = ["DAPI\u202e\n\x85FITC", "x" * (1 << 20), "\u200b \t "]
    tifffile.imwrite(
        path, stripes(8, 8, 3), photometric="minisblack", metadata={"axes": "CYX", "Channel": {"Name": names}}
    )
    got = read_channels(path)
    assert got is not None
    shown = [c.name for c in got[1].channels]
    assert shown[0] == "DAPI FITC" and shown[1] == "x" * 80 and shown[2] == "Channel 3"
    ij = tmp_path / "names_ij.tif"
    labels = ["a\x00b\r\nc", "\u2028d"]
    tifffile.imwrite(
        ij, np.zeros((2, 8, 8), np.uint8), imagej=True, metadata={"axes": "CYX", "Labels": labels}
    )
    got = read_channels(ij)
    assert got is not None and [c.name for c in got[1].channels] == ["a b c", "d"]
    for name in shown:
        assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)


def test_imagej_luts_of_odd_sizes_leave_the_palette(tmp_path: Path) -> None:
    """ImageJ LUTs are 3 x 256: tifffile writes others but refuses to read them (its metadata is dropped,
    with a warning); the channels then take the palette."""
    path = tmp_path / "luts.tif"
    odd = [np.array([[10], [20], [30]], np.uint8), np.zeros((3, 65536), np.uint8)]
    tifffile.imwrite(path, np.zeros((2, 8, 8), np.uint8), imagej=True, metadata={"axes": "CYX", "LUTs": odd})
    got = read_channels(path)
    assert got is not None and [c.color for c in got[1].channels] == list(PALETTE[:2])


def test_wide_samples_render_as_a_float64_loop_renders_them(tmp_path: Path) -> None:
    """uint32 counts near 4e9 (float32 keeps 24 bits: the 254 steps of the range were lost, all black) and
    float64 values past float32's range (cast to inf: all black)."""
    ramp = np.arange(256, dtype=np.uint64).reshape(16, 16)
    cases = {
        "u32": np.stack([4_000_000_000 + ramp, 4_000_000_000 + ramp[::-1]]).astype(np.uint32),
        "i32": np.stack([-2_000_000_000 + ramp.astype(np.int64) * 3, ramp]).astype(np.int32),
        "f64": np.stack([1e40 * (1 + ramp / 255.0), -1e300 + 1e298 * ramp]).astype(np.float64),
    }
    for name, planes in cases.items():
        path = tmp_path / f"{name}.ome.tif"
        write_ome(path, planes, [0x0000FFFF, 0x00FF00FF])
        got = read_channels(path)
        assert got is not None
        ranges = got[1].ranges
        want = expected_composite(planes, ranges, [(0, 0, 255), (0, 255, 0)])
        img = read_image(path)
        assert np.abs(img.astype(int) - want).max() <= 1, name
        assert len(np.unique(img[..., 2])) > 200, name  # a ramp, not a few flat steps


def test_flat_channels_of_any_magnitude_render_without_a_division_by_zero() -> None:
    for value in (0.0, 7.0, 1e17, -1e300, 3e38):
        sample = np.full((4, 4, 2), value)
        ranges = percentile_ranges(sample)
        assert np.all(ranges[:, 1] > ranges[:, 0]), value
        composite = Composite([Channel("a", (255, 0, 0)), Channel("b", (0, 255, 0))], ranges)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert not composite.render(sample).any(), value  # a flat channel sits at its low end: black


def test_nan_and_infinite_samples_do_not_spoil_the_display_range(tmp_path: Path) -> None:
    planes = np.zeros((3, 16, 16), np.float32)
    planes[0, :, 8:] = 100.0
    planes[0, 0, 0] = np.nan
    planes[0, 0, 1] = np.inf
    planes[1] = np.nan  # all NaN: no range to take, black
    planes[2, :, :8], planes[2, :, 8:] = -np.inf, np.inf  # nothing finite: +inf full, -inf none
    path = tmp_path / "nan.ome.tif"
    write_ome(path, planes, [0x0000FFFF, 0x00FF00FF, -16776961])
    got = read_channels(path)
    assert got is not None
    assert got[1].ranges.tolist() == [[0.0, 100.0], [0.0, 1.0], [0.0, 1.0]]
    img = read_image(path)
    assert tuple(img[5, 12]) == (255, 0, 255) and tuple(img[5, 3]) == (0, 0, 0)
    assert tuple(img[0, 0]) == (0, 0, 0) and tuple(img[0, 1]) == (0, 0, 255)


def test_a_one_pixel_channel_tiff_reads(tmp_path: Path) -> None:
    path = tmp_path / "one.tif"
    tifffile.imwrite(path, np.full((1, 1, 5), 7, np.uint16), photometric="minisblack", planarconfig="contig")
    assert read_image(path).shape == (1, 1, 3)


def test_a_16_channel_16_bit_slide_costs_its_tile_budget_not_16_times_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a slide takes display ranges from its coarsest level and draws that level whole as the
    overview. Stacking 16 uint16 planes of it, and a float32 copy of them, cost 100 bytes a pixel where an
    RGB slide's overview costs 3: the overview is made a band of rows at a time, within the budget."""
    monkeypatch.setattr(pyramid, "TILE_CACHE_BYTES", 2 << 20)  # the next tile kept trims the cache to it
    rng = np.random.default_rng(3)
    planes = rng.integers(0, 4000, (16, 1024, 1024), dtype=np.uint16)
    path = tmp_path / "sixteen.ome.tif"
    with tifffile.TiffWriter(path) as tw:  # unnamed white channels, 128 x 128 tiles, two levels
        kw = {"tile": (128, 128), "photometric": "minisblack", "compression": "zlib"}
        tw.write(planes, subifds=1, metadata={"axes": "CYX", "Channel": {"Color": [-1] * 16}}, **kw)
        tw.write(planes[:, ::2, ::2], subfiletype=1, **kw)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        pyr = open_pyramid(path)
        coarsest = pyr.levels[-1]
        overview = coarsest.region(0, coarsest.height, 0, coarsest.width)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert overview.shape == (512, 512, 3)
    small = planes[:, ::2, ::2]
    want = expected_composite(small, pyr.channels.ranges, [(255, 255, 255)] * 16)
    assert np.abs(overview.astype(int) - want).max() <= 1
    raw = small.nbytes  # 8 MB: what the overview stacked, before its float32 copy (46 MB at peak)
    budget = pyramid.TILE_CACHE_BYTES + overview.nbytes
    slack = 4 << 20  # tifffile's page structures, a band of rows being rendered, the range sample
    assert peak < budget + slack, f"{peak >> 20} MB at peak ({raw >> 20} MB of planes, budget {budget >> 20})"


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "fifo", "missing", "sibling"])
def test_ome_xml_naming_a_file_outside_its_folder_or_no_regular_file_is_refused(
    tmp_path: Path, kind: str
) -> None:
    """tifffile opens every FileName an OME series names (os.path.join of the folder and the name): an
    absolute path or ``..`` read outside the folder, a FIFO blocked the open forever, a missing file's
    planes were zeroed. Refused by name before tifffile builds the series; a sibling file is read."""
    import os

    folder = tmp_path / "data"
    folder.mkdir()
    outside = tmp_path / "secret.ome.tif"
    write_ome(outside, stripes(32, 32, 3))
    names = {
        "absolute": str(outside),
        "dotdot": "../secret.ome.tif",
        "fifo": "pipe.ome.tif",
        "missing": "gone.ome.tif",
        "sibling": "other.ome.tif",
    }
    if kind == "fifo":
        os.mkfifo(folder / "pipe.ome.tif")
    write_ome(folder / "other.ome.tif", stripes(32, 32, 3))

    def other_file(xml: str) -> str:  # the third channel's plane lives in another file
        uuid = f'<UUID FileName="{names[kind]}">urn:uuid:00000000-0000-0000-0000-000000000001</UUID>'
        return xml.replace(
            "</Pixels>", f'<TiffData FirstC="2" IFD="0" PlaneCount="1">{uuid}</TiffData></Pixels>', 1
        )

    path = folder / "cells.ome.tif"
    write_ome(path, stripes(32, 32, 3))
    rewrite_ome(path, other_file)
    if kind == "sibling":  # a multi-file OME series of this folder: no refusal of its files
        try:
            read_image(path)
        except ImageReadError as e:
            assert "not a file in its folder" not in str(e)
        return
    with pytest.raises(ImageReadError, match=r"cells\.ome\.tif.*not a file in its folder"):
        read_image(path)
