"""Multichannel fluorescence images shown as QuPath shows them: a composite of coloured channels.

An OME-TIFF of axes CYX (one page a channel, often a pyramid of such pages), an ImageJ hyperstack of
channels, or a TIFF whose pixels hold more than 4 samples (or samples that are not RGB) has 2..16
channels. Each gets a name and a colour (OME ``Channel@Name`` / ``Channel@Color``, ImageJ's labels and
LUTs, else ``PALETTE``) and a display range: the 0.5 / 99.5 percentiles of a small sample (the smallest
pyramid level, or a strided sample of a plain image), as QuPath's auto brightness. The composite of a
pixel is, for each shown channel, ``clip((value - lo) / (hi - lo), 0, 1) * colour``, added and clipped
to 8-bit RGB. ``CompositeLevel`` renders only the region sliced out of it, so a gigapixel slide costs what
its visible tiles cost; models, thumbnails and exports read the same composite through
``imageio.read_image`` (all channels shown). Which channels are shown is a display setting of the view,
and so is a display range the user sets (``Composite`` in ``core.composite``, QuPath's brightness /
contrast); ``channel_histograms`` gives the dialog its bars.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.composite import Channel, Composite
from pixelproof.core.limits import max_pixels

# blue, green, red, magenta, cyan, yellow, white, then again: QuPath's order for unnamed channels
PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 0, 255),
    (0, 255, 0),
    (255, 0, 0),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 0),
    (255, 255, 255),
)
MIN_CHANNELS, MAX_CHANNELS = 2, 16
MAX_NAME = 80  # characters of a channel name kept (menus, the status bar)
LOW_PCT, HIGH_PCT = 0.5, 99.5
SAMPLE_PIXELS = 1_000_000  # pixels a display range is computed from, at most
SAMPLE_TILES = 8  # a coarsest level of more tiles is sampled on an 8 x 8 grid of its tiles
HIST_BINS = 128  # bars of a channel's histogram in the brightness / contrast dialog
# planes an OME-XML may declare, all its images together: tifffile lists each one (None for each the file
# lacks) before reading any, so SizeC="2147483648" over 3 pages took 16 GB
MAX_OME_PLANES = 1 << 20
BAND_VALUES = 1 << 18  # channel values composed at once: a region is read and rendered a band of rows a time


class ChannelError(ValueError):
    """A TIFF's channels cannot be read as the file declares them; the message names the file."""


@dataclass(frozen=True)
class Layout:
    """Where a TIFF's channels are: ``axis`` "C" (one page a channel) or "S" (the samples of each pixel;
    ``planar``: stored one sample after another)."""

    axis: str
    channels: tuple[Channel, ...]
    planar: bool = False


def ome_color(value: Any) -> tuple[int, int, int] | None:
    """RGB of an OME ``Color`` (a signed 32-bit RGBA integer: -16776961 is opaque red; unsigned accepted),
    None if it is no such integer: ``int(1.5)`` made a black channel, and 2**40 wrapped to some colour."""
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,11}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return None
    if not -(2**31) <= int(value) < 2**32:
        return None
    v = int(value) & 0xFFFFFFFF
    return (v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255


def shown_name(text: str) -> str:
    """A channel name as one short line of visible text (menus, the status bar): control and format
    characters (line breaks, NUL, a bidi override that turns the text after it around) become spaces."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text[: MAX_NAME * 4])
    return " ".join(text.split())[:MAX_NAME]


def check_ome(tif: Any, where: str) -> None:
    """``ChannelError`` for OME-XML tifffile would build its series from at a cost: more planes declared
    than ``MAX_OME_PLANES`` (tifffile counts X x Y x Z x C x T over a page's pixels, and the planes a
    TiffData names), or XML that does not parse over several pages (tifffile then stacks nothing and the
    first page, one channel, would be read as the image)."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(tif.ome_metadata)
    except ElementTree.ParseError as e:
        if len(tif.pages) > 1:
            raise ChannelError(
                f"{where}: its OME-XML metadata cannot be read ({e}); without it its "
                f"{len(tif.pages)} pages are no image: not read"
            ) from None
        return
    except Exception:  # no OME-XML after all: tifffile reads its pages as they are
        return
    _check_ome_files(root, where)
    try:
        smallest = min(int(p.imagewidth) * int(p.imagelength) * int(p.samplesperpixel) for p in tif.pages)
    except Exception:  # a page tifffile cannot read: count planes of one pixel, the most they can be
        smallest = 1
    total, shown = 0, ""
    for k, pixels in enumerate(e for e in root.iter() if _local(e.tag) == "Pixels"):
        sizes = {a: _count(pixels.get("Size" + a)) for a in "XYZCT"}
        declared = max(1, math.prod(sizes.values()) // max(1, smallest))
        named = [_count(d.get(a)) for d in pixels if _local(d.tag) == "TiffData" for a in _PLANES]
        total += max([declared, *named])
        if total > MAX_OME_PLANES and not shown:
            shown = f"image {k + 1}: " + " x ".join(f"Size{a} {v:,}" for a, v in sizes.items())
    if total > MAX_OME_PLANES:
        raise ChannelError(
            f"{where}: its OME-XML declares {total:,} planes ({shown}; pages of {smallest:,} values), "
            f"more than the {MAX_OME_PLANES:,} read: not read"
        )


_PLANES = ("NumPlanes", "PlaneCount")  # a TiffData's planes: tifffile lists that many too


def _check_ome_files(root: Any, where: str) -> None:
    """``ChannelError`` for an OME series naming another file tifffile would open (``os.path.join`` of
    this file's folder and the name) that is not a regular file in that folder or under it: an absolute
    path or ``..`` reads outside the folder, a FIFO blocks the open forever, a missing one is filled with
    zeros (black planes)."""
    here = Path(where)
    folder = here.parent.resolve()
    for uuid in (e for e in root.iter() if _local(e.tag) == "UUID"):
        name = uuid.get("FileName")
        if not name or name.lower() == here.name.lower():
            continue
        target = Path(os.path.join(folder, name))
        shown = shown_name(name)
        try:
            real = target.resolve()
            inside = real.is_relative_to(folder) and real.is_file()
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL in the name
            inside = False
        if not inside:
            raise ChannelError(
                f"{where}: its OME-XML names the file {shown!r} for some planes, which is not a file in "
                "its folder: not read"
            )


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]


def _count(text: str | None) -> int:
    """An OME size or count as tifffile reads it (``int``), 0 when it is none."""
    try:
        return max(0, int(text or 0))
    except (TypeError, ValueError):
        return 0


def channel_layout(tif: Any) -> Layout | None:
    """The channels of a ``tifffile.TiffFile``'s first series, or None when it is not a multichannel
    image (grey, RGB(A), a z-stack or time series, one channel, more than 16 samples a pixel).
    ``ChannelError`` for channels declared but not readable as declared: OME-XML of millions of planes
    (checked before tifffile lists them: here, or by ``tiff_stack.parse_stack`` when the file was opened
    with it, as it is to read channel pages stored otherwise than the first) or that does not parse,
    channels the file lacks, or more than 16 channel pages (their first page alone would be read as the
    image)."""
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    where = str(getattr(tif.filehandle, "path", "") or "TIFF")
    if getattr(tif, "is_ome", False) and "series" not in vars(tif):  # a made series was checked before
        check_ome(tif, where)
    try:
        series = tif.series[0]
        axes, shape, page = str(series.axes), tuple(series.shape), series.keyframe
        samples = int(page.samplesperpixel)
    except Exception:  # no series, or a header tifffile cannot make sense of
        return None
    if axes == "CYX" and samples == 1:
        axis, n, planar = "C", shape[0], False
    elif axes in ("YXS", "SYX") and samples == shape[axes.index("S")]:
        rgb = page.photometric in (tifffile.PHOTOMETRIC.RGB, tifffile.PHOTOMETRIC.YCBCR)
        alpha = samples == 2 and any(int(e) in (1, 2) for e in page.extrasamples)  # grey + alpha
        if (rgb and samples <= 4) or alpha or page.photometric == tifffile.PHOTOMETRIC.PALETTE:
            return None
        axis, n, planar = "S", samples, axes == "SYX"
    else:
        return None
    if axis == "C" and n > MAX_CHANNELS:
        raise ChannelError(f"{where}: {n} channels (at most {MAX_CHANNELS} are read): not read")
    if not MIN_CHANNELS <= n <= MAX_CHANNELS:
        return None
    held = sum(p is not None for p in series.pages)
    if axis == "C" and held < n:  # tifffile fills the missing ones with zeros: black channels
        raise ChannelError(
            f"{where}: its metadata declares {n} channels; the file holds {held} of them: not read"
        )
    return Layout(axis, named_channels(tif, n), planar)


def channel_pages(tif: Any, layout: Layout, where: str) -> list[Any]:
    """The pages of a CYX series' channels, each read as a page of its own: tifffile reads a later one as
    a frame of the first, decoded in the first's tile size and layout (a channel stored otherwise would
    be cut into the wrong tiles). ``ChannelError`` naming a channel whose page is not of the series'
    plane size and type (tifffile would read only part of it, or past it)."""
    series = tif.series[0]
    plane, dtype = tuple(int(v) for v in series.shape[-2:]), np.dtype(series.dtype)
    pages = [page.aspage() for page in series.pages]
    for c, page in enumerate(pages):
        if tuple(page.shape) != plane or page.dtype != dtype:
            raise ChannelError(
                f"{where}: channel {c + 1} ({layout.channels[c].name}): its page holds {tuple(page.shape)} "
                f"{page.dtype} pixels, not a channel of {plane} {dtype}: not read"
            )
    return pages


def named_channels(tif: Any, n: int) -> tuple[Channel, ...]:
    """The ``n`` channels of a ``tifffile.TiffFile``'s first image with their names and colours (OME,
    else ImageJ, else numbered in ``PALETTE``'s colours); a z-stack's planes (``core.tiff_stack``) too."""
    names, colors = _ome_channels(tif, n) or _imagej_channels(tif, n)
    return tuple(
        Channel(shown_name(names[i]) or f"Channel {i + 1}", colors[i] or PALETTE[i % len(PALETTE)])
        for i in range(n)
    )


Named = tuple[list[str], list[tuple[int, int, int] | None]]


def _ome_channels(tif: Any, n: int) -> Named | None:
    """Names and colours of the first OME image's channels (tifffile's ``xml2dict``), when it lists n."""
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    if not getattr(tif, "is_ome", False) or not tif.ome_metadata:
        return None
    try:
        image = tifffile.xml2dict(tif.ome_metadata)["OME"]["Image"]
        image = image[0] if isinstance(image, list) else image
        found = image["Pixels"].get("Channel", [])
    except Exception:  # damaged or unexpected XML: the palette
        return None
    found = [found] if isinstance(found, dict) else found
    if not isinstance(found, list) or len(found) != n or not all(isinstance(c, dict) for c in found):
        return None
    names = [str(c.get("Name", "") or "") for c in found]
    return names, [ome_color(c["Color"]) if "Color" in c else None for c in found]


def _imagej_channels(tif: Any, n: int) -> Named:
    """An ImageJ hyperstack's channel labels and LUT colours (each LUT's brightest entry), else none."""
    names: list[str] = [""] * n
    colors: list[tuple[int, int, int] | None] = [None] * n
    meta = getattr(tif, "imagej_metadata", None) or {}
    labels = meta.get("Labels")
    if isinstance(labels, list | tuple) and len(labels) == n:
        names = [str(v) for v in labels]
    luts = meta.get("LUTs")
    if isinstance(luts, list | tuple) and len(luts) == n:
        for i, lut in enumerate(luts):
            arr = np.asarray(lut)
            if arr.ndim == 2 and arr.shape[0] == 3 and arr.shape[1] > 0:
                colors[i] = tuple(int(v) for v in arr[:, -1])  # type: ignore[assignment]
    return names, colors


def _finite_channels(sample: np.ndarray) -> Iterator[np.ndarray]:
    """The finite values of each channel of ``sample`` (... x C), one channel at a time."""
    flat = np.asarray(sample).reshape(-1, sample.shape[-1])
    for c in range(flat.shape[1]):
        v = flat[:, c]
        yield v[np.isfinite(v)] if v.dtype.kind == "f" else v


def _span(lo: float, hi: float) -> tuple[float, float]:
    """(lo, hi), or for a flat or empty channel (lo, lo + a step its magnitude keeps: 1e17 + 1 is 1e17, a
    division by zero in the composite and no histogram bins)."""
    return lo, hi if hi > lo else lo + max(1.0, abs(lo) * 2.0**-20)


def percentile_ranges(sample: np.ndarray) -> np.ndarray:
    """(C, 2) display ranges (lo, hi) of the channels of ``sample`` (... x C): the 0.5 / 99.5 percentiles
    of its finite values (``_span`` for a flat or empty channel)."""
    out = [
        _span(*(float(x) for x in np.percentile(v, [LOW_PCT, HIGH_PCT])) if v.size else (0.0, 0.0))
        for v in _finite_channels(sample)
    ]
    return np.asarray(out, np.float64).reshape(-1, 2)


def channel_histograms(sample: np.ndarray, bins: int = HIST_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Histograms of the channels of ``sample`` (... x C), as QuPath's brightness / contrast window shows
    them: (C, bins) counts of the finite values, each channel over its own span, and the (C, 2) spans
    (min, max; ``_span`` for a flat or empty channel)."""
    counts, spans = [], []
    for v in _finite_channels(sample):
        span = _span(float(v.min()), float(v.max())) if v.size else _span(0.0, 0.0)
        counts.append(np.histogram(v.astype(np.float64), bins, span)[0] if v.size else np.zeros(bins))
        spans.append(span)
    return np.asarray(counts, np.int64).reshape(-1, bins), np.asarray(spans, np.float64).reshape(-1, 2)


def strided_sample(planes: np.ndarray) -> np.ndarray:
    """At most about ``SAMPLE_PIXELS`` pixels of an H x W x C array, evenly spread."""
    h, w = planes.shape[:2]
    step = max(1, math.ceil(math.sqrt(h * w / SAMPLE_PIXELS)))
    return planes[::step, ::step]


def _region(level: Any, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    if hasattr(level, "region"):
        return level.region(y0, y1, x0, x1)
    return level[y0:y1, x0:x1]


class PlaneStack:
    """Planes stored one page a channel (OME-TIFF CYX), each a ``pyramid.TiledLevel`` of one level, read
    together as one H x W x C level."""

    def __init__(self, planes: Sequence[Any]) -> None:
        self.planes = list(planes)
        first = self.planes[0]
        self.height, self.width = int(first.height), int(first.width)
        self.shape = (self.height, self.width, len(self.planes))
        self.dtype = first.dtype
        self.downsample = first.downsample
        self.tile_h, self.tile_w = first.tile_h, first.tile_w
        self.tiles_y, self.tiles_x = first.tiles_y, first.tiles_x

    @property
    def ndim(self) -> int:
        return 3

    def region(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        return np.stack([p.region(y0, y1, x0, x1) for p in self.planes], axis=-1)

    def __getitem__(self, key: Any) -> np.ndarray:
        key = key if isinstance(key, tuple) else (key,)
        out = np.stack([np.asarray(p[key[:2]]) for p in self.planes], axis=-1)
        return out[(..., *key[2:])] if len(key) > 2 else out


class CompositeLevel:
    """One level of a multichannel image as its composite: sliced like an H x W x 3 uint8 array, it reads
    and renders only the slice asked for. ``planes`` is the raw level (an H x W x C array, a
    ``PlaneStack`` or a ``TiledLevel`` of C samples); ``raw_pixel`` gives a pixel's channel values."""

    dtype = np.dtype(np.uint8)
    ndim = 3

    def __init__(self, planes: Any, composite: Composite) -> None:
        self.planes, self.composite = planes, composite
        self.height, self.width = (int(v) for v in planes.shape[:2])
        self.shape = (self.height, self.width, 3)
        self.downsample = float(getattr(planes, "downsample", 1.0))
        self._full: tuple[bytes, np.ndarray] | None = None  # (ranges it was made with, composite)

    def region(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        return render_region(self.composite, self.planes, y0, y1, x0, x1)

    def full_composite(self) -> np.ndarray:
        """The whole level with every channel shown, as models read the image (``imageio.read_image``),
        whatever the view hides, through the view's display ranges (the user's where set) and gamma; made
        again only when those change. Only for levels in memory (a tiled one refuses)."""
        every = self.composite.copy()
        key = every.display_key()
        if self._full is None or self._full[0] != key:
            every.visible = [True] * len(every.channels)
            planes = self.planes if isinstance(self.planes, np.ndarray) else np.asarray(self.planes)
            self._full = (key, render_region(every, planes, 0, self.height, 0, self.width))
        return self._full[1]

    def raw_pixel(self, y: int, x: int) -> np.ndarray:
        """The channel values (C,) stored at pixel (x, y)."""
        return np.asarray(self.planes[y, x])

    def __getitem__(self, key: Any) -> np.ndarray:
        key = key if isinstance(key, tuple) else (key,)
        ys, xs = (*key, slice(None))[:2]
        if isinstance(ys, int | np.integer) and isinstance(xs, int | np.integer):
            px = self.composite.render(self.raw_pixel(int(ys), int(xs)).reshape(1, 1, -1))[0, 0]
        elif (
            isinstance(ys, slice) and isinstance(xs, slice) and ys.step in (None, 1) and xs.step in (None, 1)
        ):
            (y0, y1, _), (x0, x1, _) = ys.indices(self.height), xs.indices(self.width)
            px = render_region(self.composite, self.planes, y0, y1, x0, x1)
        else:
            px = self.composite.render(self.planes[ys, xs])
        return px[(..., *key[2:])] if len(key) > 2 else px

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        planes = np.asarray(self.planes)  # a tiled level refuses (PyramidError)
        out = render_region(self.composite, planes, 0, self.height, 0, self.width)
        return out if dtype is None else out.astype(dtype)


def render_region(composite: Composite, planes: Any, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    """The 8-bit RGB composite of rows y0..y1, columns x0..x1 of ``planes`` (H x W x C, clipped to it),
    read and rendered ``BAND_VALUES`` channel values at a time: a whole level's 16 uint16 planes stacked
    at once, and their float copy, cost 100 bytes a pixel where its composite costs 3."""
    height, width = (int(v) for v in planes.shape[:2])
    y0, y1, x0, x1 = max(0, y0), min(height, y1), max(0, x0), min(width, x1)
    out = np.zeros((max(0, y1 - y0), max(0, x1 - x0), 3), np.uint8)
    if not out.size:
        return out
    if hasattr(planes, "region") and out.shape[0] * out.shape[1] > max_pixels():
        return composite.render(_region(planes, y0, y1, x0, x1))  # refused there, naming the file
    c = int(planes.shape[2]) if len(planes.shape) > 2 else 1
    rows = max(1, BAND_VALUES // ((x1 - x0) * c))
    tile_h = int(getattr(planes, "tile_h", 0) or 0)
    if tile_h and rows > tile_h:  # whole rows of tiles: each band decodes its tiles once
        rows -= rows % tile_h
    y = y0
    while y < y1:
        end = min(y1, (y // rows + 1) * rows)
        out[y - y0 : end - y0] = composite.render(_region(planes, y, end, x0, x1))
        y = end
    return out


def sample_level(level: Any) -> np.ndarray:
    """Pixels of a (coarsest) tiled level to take display ranges from: its tiles, or when it has more
    than ``SAMPLE_TILES``² those of an evenly spread ``SAMPLE_TILES`` x ``SAMPLE_TILES`` grid (a huge
    level costs 64 tile reads), read one at a time and strided to ``SAMPLE_PIXELS`` in all: the whole
    level stacked at once cost its pixels times its channels. ``SAMPLE_PIXELS`` counts channel values."""
    ty_n, tx_n = int(getattr(level, "tiles_y", 1)), int(getattr(level, "tiles_x", 1))
    th, tw = int(getattr(level, "tile_h", level.height)), int(getattr(level, "tile_w", level.width))
    rows = np.linspace(0, ty_n - 1, min(ty_n, SAMPLE_TILES)).round().astype(int).tolist()
    cols = np.linspace(0, tx_n - 1, min(tx_n, SAMPLE_TILES)).round().astype(int).tolist()
    if ty_n * tx_n <= SAMPLE_TILES * SAMPLE_TILES:
        rows, cols = list(range(ty_n)), list(range(tx_n))
    c = int(level.shape[2]) if len(level.shape) > 2 else 1  # 16 channels: a 16th of the pixels each
    step = max(1, math.ceil(math.sqrt(len(rows) * len(cols) * th * tw * c / SAMPLE_PIXELS)))
    parts = []
    for ty in rows:
        for tx in cols:
            tile = _region(level, ty * th, (ty + 1) * th, tx * tw, (tx + 1) * tw)[::step, ::step]
            parts.append(tile.reshape(-1, tile.shape[-1] if tile.ndim == 3 else 1))
    return np.concatenate(parts)


def to_planes(arr: np.ndarray, layout: Layout) -> np.ndarray:
    """A series array (C x H x W, H x W x S or S x H x W) as contiguous H x W x C."""
    if layout.axis == "C" or layout.planar:
        return np.ascontiguousarray(np.moveaxis(arr, 0, -1))
    return np.ascontiguousarray(arr)
