"""``tiff_stack.parse_stack`` re-parses a TIFF whose later pages are stored otherwise than its first (tifffile
refuses the series: 'incompatible keyframe'), reading each page as its own: ~0.2 ms a page, seconds for a
file of 20,000 tiny pages. Every reader of a plain TIFF asks (the stack test, the channel readers, the
huge-image header, the regions of a pre-label, the pyramid test): a crafted file of many tiny pages cost
those seconds again at each (19,999 pages: 15 s to list, 6 s each read). The parse is now decided once a
file version: the attempts that failed are not made again, and a re-parse no reader can use (a first series
that is no stack and more channel pages than a composite reads) is not made again. Counted in pages
parsed, not timed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import tifffile

from pixelproof.core import tiff_stack
from pixelproof.core.channel_display import file_channel_names
from pixelproof.core.channels import MAX_CHANNELS
from pixelproof.core.imageio import ImageReadError, read_image
from pixelproof.core.pyramid import is_pyramid
from pixelproof.core.reduced import inspect_huge
from pixelproof.core.sources import scan_images
from pixelproof.inference.tiling import open_regions

SIDE = 32


def write_mismatched(path: Path, pages: int, axes: str) -> None:
    """An OME-TIFF of ``pages`` tiny planes along ``axes``' first axis (I: tifffile's shaped description,
    pages of no known meaning): the first page tiled, the others in strips (another number of pieces:
    tifffile refuses the series as is)."""
    if axes == "IYX":
        description = json.dumps({"shape": [pages, SIDE, SIDE], "axes": axes})
    else:
        ome = tifffile.OmeXml()
        ome.addimage(np.uint8, (pages, SIDE, SIDE), (pages, 1, 1, SIDE, SIDE, 1), axes=axes)
        description = ome.tostring()
    y, x = np.mgrid[0:SIDE, 0:SIDE]
    with tifffile.TiffWriter(path) as tw:
        for k in range(pages):
            plane = ((x + 3 * y + 7 * k) % 251).astype(np.uint8)
            desc = description if k == 0 else None
            tile = (16, 16) if k == 0 else None
            tw.write(plane, tile=tile, description=desc, photometric="minisblack", metadata=None)
    with tifffile.TiffFile(path) as tif, pytest.raises(RuntimeError, match="incompatible keyframe"):
        tif.series  # noqa: B018 - tifffile cannot make it as is


@pytest.fixture
def pages_parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A count of the TIFF pages tifffile parses (each IFD read as a page of its own)."""
    count = [0]
    init = tifffile.TiffPage.__init__

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        count[0] += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(tifffile.TiffPage, "__init__", counted)
    return count


def every_reader(path: Path) -> list[str]:
    """What each reader of a plain TIFF says of ``path``: the stack test, listing, a read, the channel
    names, the huge-image header, a pre-label's regions, the pyramid test."""
    said = [repr(tiff_stack.stack_layout(path)), repr(is_pyramid(path))]
    skipped: list[str] = []
    said.append(repr([e.path.name + e.fragment for e in scan_images(path.parent, skipped.append)]))
    for call in (
        lambda: read_image(path).shape,
        lambda: file_channel_names(path),
        lambda: inspect_huge(path).channels,
        lambda: open_regions(path, True, None).height,
    ):
        try:
            said.append(repr(call()))
        except (ImageReadError, OSError, ValueError) as e:
            said.append(f"{type(e).__name__}: {e}")
    return said


def test_a_file_of_many_channel_pages_stored_otherwise_is_parsed_by_its_first_reader_only(
    tmp_path: Path, pages_parsed: list[int]
) -> None:
    pages = 40 * MAX_CHANNELS
    path = tmp_path / "many.ome.tif"
    write_mismatched(path, pages, "CYX")
    first = every_reader(path)
    assert any(f"{pages} channels" in s for s in first), first  # a reader still says why
    # its pages read one by one twice, by the first reader: the OME check (each page's size) and the
    # re-parse (was once a reader and more: 14 times)
    assert pages_parsed[0] < 3 * pages, pages_parsed[0]
    # the decision is the file's: asked again, every reader says the same, parsing no page one by one
    before = pages_parsed[0]
    assert every_reader(path) == first
    assert pages_parsed[0] - before < pages
    # a new version of the file is parsed again
    write_mismatched(path, 3, "CYX")
    os.utime(path, ns=(1, 1))
    assert read_image(path).shape == (SIDE, SIDE, 3)  # a composite of its three channels


def test_pages_of_no_known_meaning_stored_otherwise_open_as_the_first_page_parsed_once(
    tmp_path: Path, pages_parsed: list[int]
) -> None:
    pages = 500
    path = tmp_path / "pages.tif"
    write_mismatched(path, pages, "IYX")
    with tifffile.TiffFile(path) as tif:
        first_page = tif.pages[0].asarray()
    said = every_reader(path)
    assert said[2] == "['pages.tif']"  # one image
    assert said[3:] == [repr((SIDE, SIDE)), "None", "1", repr(SIDE)]  # its first page, no channels
    assert np.array_equal(read_image(path), first_page)
    assert pages_parsed[0] < 3 * pages, pages_parsed[0]
    before = pages_parsed[0]
    assert every_reader(path) == said
    assert pages_parsed[0] - before < pages


def test_a_z_stack_stored_otherwise_is_parsed_once_to_be_listed_and_read(
    tmp_path: Path, pages_parsed: list[int]
) -> None:
    pages = 300
    path = tmp_path / "stack.ome.tif"
    write_mismatched(path, pages, "ZYX")
    skipped: list[str] = []
    names = [e.path.name + e.fragment for e in scan_images(tmp_path, skipped.append)]
    assert names == [f"stack.ome.tif#z={z:03d}" for z in range(pages)] and not skipped
    assert file_channel_names(path) is None
    with tifffile.TiffFile(path) as tif:
        own = [tif.pages[z].asarray() for z in (0, 7, pages - 1)]
    before = pages_parsed[0]
    for z, want in zip((0, 7, pages - 1), own, strict=True):
        assert np.array_equal(read_image(f"{path}#z={z:03d}"), want)
    assert before < 3 * pages, before  # listed from one parse (with the OME check's)
    assert pages_parsed[0] - before < pages  # its planes read without parsing the stack again
