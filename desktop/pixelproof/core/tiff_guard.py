"""tifffile, imported with bounds on the two steps of its parsing whose cost grows with the square of a
file's pages. ``pyramidize_series`` compares each series with every later one, looking for reduced levels;
its generic series (pages of no known layout) compare each page with every earlier one of its size. A
3 MB TIFF of 15,000 one-page series (each page written with its own "shaped" description, or pages of
alternating sizes) kept ``image_size`` busy ~50 s - and the app, a folder scan or ``new`` with it.

A pyramid is a handful of series: over ``MAX_PYRAMID_SERIES`` they are left as separate series (readers
take the first). A file of more than ``MAX_GENERIC_PAGES`` pages of no known layout (not a uniform stack,
ImageJ, OME, "shaped"...) is read as its first page, as such a file's readers read it anyway."""

from __future__ import annotations

import functools
import math
import os
from typing import Any

MAX_PYRAMID_SERIES = 256  # series tifffile compares pairwise to find reduced levels (a pyramid has <20)
MAX_GENERIC_PAGES = 2048  # pages of no known layout tifffile sorts into series pairwise (~1 s at this)


@functools.cache
def import_tifffile() -> Any:
    """The ``tifffile`` module, its quadratic steps bounded (installed once; imported lazily: ~0.13 s)."""
    import tifffile
    import tifffile.tifffile as impl

    from pixelproof.core.quiet_libraries import quiet_tifffile

    quiet_tifffile()  # its log lines name no image record; PixelProof's own messages say what is wrong

    pyramidize = getattr(impl, "pyramidize_series", None)
    generic = getattr(getattr(impl, "TiffFile", None), "_series_generic", None)
    if pyramidize is None or generic is None:
        return tifffile  # another tifffile release: read unbounded rather than not at all

    @functools.wraps(pyramidize)
    def bounded(series: list[Any], /, **kwargs: Any) -> None:
        if len(series) <= MAX_PYRAMID_SERIES:
            pyramidize(series, **kwargs)

    impl.pyramidize_series = bounded

    @functools.wraps(generic)
    def first_page_of_many(self: Any) -> list[Any] | None:
        if len(self.pages) <= MAX_GENERIC_PAGES:
            return generic(self)
        page = self.pages.first
        return [impl.TiffPageSeries([page], page.shape, page.dtype, page.axes, kind="generic")]

    impl.TiffFile._series_generic = first_page_of_many
    return tifffile


def short_segment_table(p: str | os.PathLike[str], page: Any) -> str | None:
    """Why a page cannot be read whole when its tile (or strip) table lists fewer pieces than its size
    needs (a header that declares a larger image than was written, a truncated table): tifffile would
    give the missing part as black and only log it, and a model pre-label the black."""
    key = page.keyframe  # a frame's layout is its series' first page's
    needed = math.prod(int(n) for n in key.chunked)
    listed = min(len(page.dataoffsets), len(page.databytecounts))
    if listed >= needed:
        return None
    kind = "tile" if key.is_tiled else "strip"
    return (
        f"{p}: its {kind} table lists {listed:,} of the {needed:,} {kind}s its {key.imagewidth} x "
        f"{key.imagelength} size needs (truncated or damaged): not decoded"
    )
