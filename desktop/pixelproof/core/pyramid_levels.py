"""Which TIFF pages are a pyramid's levels: tiled in a layout read tile by tile, each smaller than the one
before and shaped like the full resolution. ``plain_page_levels`` finds levels stored as plain pages
(NewSubfileType 0, what writing each level with tifffile gives), which tifffile reads as separate images:
OpenSlide, and so QuPath, takes every tiled page of decreasing size as a level.
"""

from __future__ import annotations

from typing import Any

from pixelproof.core.limits import MAX_TILE_SIDE, check_image_size

MAX_PLAIN_PAGES = 64  # pages looked at after the base: more levels than any slide has, and a bounded read


def plain_page_levels(tif: Any, base: Any) -> list[Any]:
    """The tiled pages after ``base`` (a single-page first series) in the file's page order that reduce the
    level before, as OpenSlide takes a generic tiled TIFF's levels; pages of another size, shape, type or
    samples (a stripped thumbnail, a tiled label or mask) are passed over. [] when none is."""
    pages = tif.pages
    if not isinstance(base.index, int):  # a page of a SubIFD tree, not of the file's chain
        return []
    if base.subifds:  # levels there; when none is (a thumbnail, a mask), the pages after it may be
        levels = subifd_levels(tif, base)
        if levels:
            return levels
    levels = []
    for k in range(base.index + 1, min(len(pages), base.index + 1 + MAX_PLAIN_PAGES)):
        page = pages[k]
        page = page.aspage() if hasattr(page, "aspage") else page  # a frame: its own tags
        if page.ndim != base.ndim:
            continue
        if tiled(tif, page) and reduces(levels[-1] if levels else base, page, base):
            levels.append(page)
    return levels


def tiled(tif: Any, page: Any) -> bool:
    """Whether a level's (first) page is tiled in a layout read tile by tile, with a sane tile size."""
    if not page.is_tiled or int(page.imagedepth) != 1 or int(page.planarconfig) != 1:
        return False
    if not (0 < int(page.tilelength) <= MAX_TILE_SIDE and 0 < int(page.tilewidth) <= MAX_TILE_SIDE):
        return False
    check_image_size(int(page.tilewidth), int(page.tilelength), f"{tif.filehandle.path}: a tile")
    return True


def reduces(previous: Any, page: Any, base: Any) -> bool:
    """Whether ``page`` can be drawn in place of ``previous``: smaller, of the same samples and type, and
    shaped like the full-resolution ``base`` (each side within a pixel of the same scale). tifffile takes
    an SVS's levels as they come: a level larger than the base, squashed, or of another type would be
    drawn over the slide as if it were its pixels."""
    w, h, pw, ph = (
        int(v) for v in (page.imagewidth, page.imagelength, previous.imagewidth, previous.imagelength)
    )
    bw, bh = int(base.imagewidth), int(base.imagelength)
    return (
        page.dtype == base.dtype
        and int(page.samplesperpixel) == int(base.samplesperpixel)
        and w <= pw
        and h <= ph
        and (w, h) != (pw, ph)
        and abs(w * bh - h * bw) <= bw + bh
    )


def subifd_levels(tif: Any, base: Any) -> list[Any]:
    """The tiled SubIFDs of ``base`` that reduce the level before, in their order: tifffile's series takes
    them as levels only at half the size of the one before, so a slide whose reduced levels (in SubIFDs,
    as OME-TIFF and bfconvert write them) are 1/4 or 1/16 of it read as one 70,000^2 level, refused as
    too large to decode. [] when none is (or they cannot be read)."""
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    levels: list[Any] = []
    try:
        subs = tifffile.TiffPages(base)
        for k in range(min(len(subs), MAX_PLAIN_PAGES)):
            page = subs[k]
            page = page.aspage() if hasattr(page, "aspage") else page
            if (
                page.ndim == base.ndim
                and tiled(tif, page)
                and reduces(levels[-1] if levels else base, page, base)
            ):
                levels.append(page)
    except (OSError, ValueError, IndexError, tifffile.TiffFileError):
        return levels
    return levels
