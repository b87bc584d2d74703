"""Pyramidal TIFF (whole-slide SVS, OME-TIFF, any tiled TIFF with reduced levels), read tile by tile.

Nothing is decoded when a pyramid opens: ``open_pyramid`` reads the TIFF headers (tifffile), and each
``TiledLevel`` decodes only the tiles a caller slices out (tifffile's own ``TiffPage.decode``, with
imagecodecs for JPEG, JPEG 2000, LZW ... tiles), keeping the most recent ones in a bounded cache. A
100,000 x 100,000 slide therefore costs what the visible tiles cost, whatever its size; pyramids are not
refused for their pixel count (plain, non-tiled images are, by the image-size limits).

A plane of a pyramidal z-stack or time series (an OME-TIFF whose every plane has its own reduced levels in
SubIFDs: bfconvert, QuPath, tifffile) is a pyramid of its own: ``open_pyramid(path, plane=k)`` reads plane
``k`` of the first series and its reduced levels, as ``core.tiff_stack`` numbers the planes; a plane of
channels stored a page a channel is ``plane=(k1, k2, ...)``, shown through the stack's ``composite``.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.channels import (
    ChannelError,
    Composite,
    CompositeLevel,
    PlaneStack,
    channel_layout,
    percentile_ranges,
    sample_level,
)
from pixelproof.core.imageio import jpeg_scans
from pixelproof.core.limits import MAX_JPEG_SCANS, LimitError, check_image_size, check_regular_file
from pixelproof.core.pyramid_levels import plain_page_levels, reduces, tiled
from pixelproof.core.tiff_guard import short_segment_table
from pixelproof.core.volumes import ImageMeta

TIFF_SUFFIXES = (".tif", ".tiff", ".svs", ".ome.tif", ".ome.tiff", ".btf", ".tf8")
TILE_CACHE_BYTES = 192 << 20  # decoded tiles kept, all open pyramids together

# One LRU of decoded tiles for every open pyramid: the app keeps several slides open (``MAX_OPEN``, the
# loader's cache), and a budget each would hold several times this. Keys start with a pyramid's serial.
_TILES: OrderedDict[tuple[int, int, int, int, int], np.ndarray] = OrderedDict()
_TILES_LOCK = threading.Lock()
_tile_bytes = 0
_serials = itertools.count()


class PyramidError(Exception):
    """A pyramid or one of its tiles cannot be read; the message names the file and the reason."""


def has_tiff_suffix(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).lower().endswith(TIFF_SUFFIXES)


@dataclass
class TileStats:
    """How many tiles were decoded (the memory test and ``bench large`` read it)."""

    decoded: int = 0
    bytes_read: int = 0


class TiledLevel:
    """One resolution level, sliced like a numpy array (``level[y0:y1, x0:x1]``) but decoded per tile.
    ``page``: its TIFF page, or a channel's page (``plane``) of a level stored one page a channel, read
    as a page of its own (``plane_level_pages``): its tiles may differ from the level's first page's."""

    def __init__(self, pyramid: Pyramid, page: Any, index: int, plane: int | None = None) -> None:
        self.pyramid, self.page, self.index = pyramid, page, index
        self.plane = plane or 0
        self.where = f"level {index}" if plane is None else f"level {index}, channel {plane + 1}"
        if pyramid.plane is not None:
            self.where = f"{_plane_name(pyramid.plane)}, {self.where}"
        page = page.keyframe
        self.key = page
        samples = int(page.samplesperpixel)
        self.height, self.width = int(page.imagelength), int(page.imagewidth)
        self.shape: tuple[int, ...] = (
            (self.height, self.width) if samples == 1 else (self.height, self.width, samples)
        )
        self.dtype = np.dtype(page.dtype)
        self.tile_h, self.tile_w = int(page.tilelength), int(page.tilewidth)
        self.tiles_y = math.ceil(self.height / self.tile_h)
        self.tiles_x = math.ceil(self.width / self.tile_w)
        self.downsample = pyramid.width / self.width

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def tile(self, ty: int, tx: int) -> np.ndarray:
        """Tile (ty, tx), cut to the image's edge; decoded once, then served from the cache."""
        return self.pyramid.tile(self, ty, tx)

    def cached_tile(self, ty: int, tx: int) -> np.ndarray | None:
        return self.pyramid.cached_tile(self, ty, tx)

    def region(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        """Pixels of rows y0..y1 and columns x0..x1 (clipped to the level), decoding only the tiles they
        touch. A region over ``limits.max_pixels()`` is refused (``PyramidError``) before any decoding."""
        y0, y1 = max(0, y0), min(self.height, y1)
        x0, x1 = max(0, x0), min(self.width, x1)
        if y1 <= y0 or x1 <= x0:
            return np.zeros((max(0, y1 - y0), max(0, x1 - x0), *self.shape[2:]), dtype=self.dtype)
        try:
            check_image_size(x1 - x0, y1 - y0, str(self.pyramid.path), f"level {self.index} region")
        except LimitError as e:
            raise PyramidError(str(e)) from None
        out = np.zeros((y1 - y0, x1 - x0, *self.shape[2:]), dtype=self.dtype)
        for ty in range(y0 // self.tile_h, (y1 - 1) // self.tile_h + 1):
            for tx in range(x0 // self.tile_w, (x1 - 1) // self.tile_w + 1):
                t = self.tile(ty, tx)
                ty0, tx0 = ty * self.tile_h, tx * self.tile_w
                ya, yb = max(y0, ty0), min(y1, ty0 + t.shape[0])
                xa, xb = max(x0, tx0), min(x1, tx0 + t.shape[1])
                if ya < yb and xa < xb:
                    out[ya - y0 : yb - y0, xa - x0 : xb - x0] = t[ya - ty0 : yb - ty0, xa - tx0 : xb - tx0]
        return out

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key,)
        if len(key) < 2:
            key = (*key, slice(None))
        ys, xs, rest = key[0], key[1], key[2:]
        if isinstance(ys, int | np.integer) and isinstance(xs, int | np.integer):
            y, x = int(ys), int(xs)
            if not (0 <= y < self.height and 0 <= x < self.width):
                raise IndexError(f"pixel ({x}, {y}) outside the {self.width}x{self.height} level")
            px = self.region(y, y + 1, x, x + 1)[0, 0]
            return px[rest] if rest else px
        if not isinstance(ys, slice) or not isinstance(xs, slice):
            raise TypeError("a tiled level takes [row, column] integers or slices")
        y0, y1, sy = ys.indices(self.height)
        x0, x1, sx = xs.indices(self.width)
        if sy != 1 or sx != 1:
            raise TypeError("a tiled level takes slices with step 1")
        out = self.region(y0, y1, x0, x1)
        return out[(slice(None), slice(None), *rest)] if rest else out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise PyramidError(
            f"{self.pyramid.path}: refusing to decode a whole {self.width}x{self.height} level at once"
        )


class Pyramid:
    """A pyramidal TIFF, open for tile reads: ``levels[0]`` is full resolution, then coarser ones.
    ``plane``: plane ``plane`` of a pyramidal stack's first series (its levels only), not the file's, or
    the pages of its channels; ``composite``: the stack's ``channels.Composite`` its channels show in."""

    def __init__(
        self, path: Path, plane: int | Sequence[int] | None = None, composite: Composite | None = None
    ) -> None:
        from pixelproof.core.tiff_stack import parse_stack

        self.path = Path(path)
        self.plane = plane
        self.stats = TileStats()
        self._lock = threading.Lock()  # one reader of the file handle at a time
        self._serial = next(_serials)
        try:
            check_regular_file(self.path, str(self.path))
            if plane is None:  # though a later channel page is stored otherwise than the first
                self._tif = parse_stack(self.path)
            else:  # a stack's planes share one parse of the file, and its handle's lock
                self._tif, self._lock = _parsed_stack(self.path)
        except (LimitError, ChannelError) as e:
            raise PyramidError(str(e)) from None
        except FileNotFoundError:
            raise PyramidError(f"{self.path}: image file not found") from None
        except Exception as e:  # tifffile raises TiffFileError, ValueError, struct.error ...
            raise PyramidError(f"{self.path}: not a readable TIFF: {type(e).__name__}: {e}") from None
        try:  # a stack's channels are the stack's (core.tiff_stack): its planes are read without them
            layout = channel_layout(self._tif) if plane is None else None
        except ChannelError as e:
            self.close()
            raise PyramidError(str(e)) from None
        planes = len(layout.channels) if layout is not None and layout.axis == "C" else 1
        try:
            with self._lock:  # a plane's own pages are read from the handle its stack's planes share
                pages = (
                    _level_pages(self._tif, planes) if plane is None else plane_level_pages(self._tif, plane)
                )
        except LimitError as e:
            self.close()
            raise PyramidError(str(e)) from None
        except Exception as e:
            self.close()
            raise PyramidError(f"{self.path}: unreadable TIFF structure: {type(e).__name__}: {e}") from None
        if len(pages) < 2:
            self.close()
            what = "" if plane is None else f" {_plane_name(plane)}"
            raise PyramidError(f"{self.path}:{what} not a pyramid (a single resolution level)")
        # a level whose tile table lists fewer tiles than its size needs: the view opens it (a missing
        # tile drawn from the coarsest level, named); ``image_size`` refuses it (``new``, ``validate``)
        shorts = (short_segment_table(self.path, page) for group in pages for page in group)
        self.short_table: str | None = next((s for s in shorts if s), None)
        base = pages[0][0].keyframe  # the page itself: a channel's or plane's pages are read as their own
        self.width, self.height = int(base.imagewidth), int(base.imagelength)
        # the stored levels; a multichannel pyramid's ``levels`` are their composites (all channels shown)
        self.planes: list[Any] = [
            TiledLevel(self, group[0], i)
            if len(group) == 1
            else PlaneStack([TiledLevel(self, page, i, c) for c, page in enumerate(group)])
            for i, group in enumerate(pages)
        ]
        self.channels: Composite | None = None
        self.levels: list[Any] = list(self.planes)
        if composite is not None:
            if self.planes[0].shape[2:] != (len(composite.channels),):
                self.close()
                raise PyramidError(f"{self.path}: {_plane_name(plane)} does not hold its stack's channels")
            self.channels = composite
            self.levels = [CompositeLevel(level, composite) for level in self.planes]
        elif layout is not None and (planes > 1 or self.planes[0].ndim == 3):
            self.channels = Composite(
                layout.channels, lambda: percentile_ranges(sample_level(self.planes[-1]))
            )
            self.levels = [CompositeLevel(level, self.channels) for level in self.planes]
        self.meta = ImageMeta(pixel_spacing=_spacing(self._tif, base))

    @property
    def dtype(self) -> np.dtype:
        return self.levels[0].dtype

    def close(self) -> None:
        if self.plane is not None:
            return  # the stack's parse, shared by its planes: closed when the last lets it go
        with self._lock:
            self._tif.close()

    def cached_tile(self, level: TiledLevel, ty: int, tx: int) -> np.ndarray | None:
        key = (self._serial, level.index, level.plane, ty, tx)
        with _TILES_LOCK:
            hit = _TILES.get(key)
            if hit is not None:
                _TILES.move_to_end(key)
            return hit

    def tile(self, level: TiledLevel, ty: int, tx: int) -> np.ndarray:
        hit = self.cached_tile(level, ty, tx)
        if hit is not None:
            return hit
        if not (0 <= ty < level.tiles_y and 0 <= tx < level.tiles_x):
            raise PyramidError(f"{self.path}: tile ({tx}, {ty}) outside level {level.index}")
        page, key = level.page, level.key  # offsets of the page, layout of its level's first page
        i = ty * level.tiles_x + tx
        where = f"{self.path}: tile ({tx}, {ty}) of {level.where}"
        listed = min(len(page.dataoffsets), len(page.databytecounts))
        if i >= listed:
            raise PyramidError(f"{where} is not in the file's tile table (it lists {listed})")
        with self._lock:
            offset, count = int(page.dataoffsets[i]), int(page.databytecounts[i])
            fh = self._tif.filehandle
            if count <= 0 or offset <= 0:
                data = None  # a sparse (never written) tile: blank
            elif count > fh.size - offset:  # a buffered read allocates ``count`` bytes before reading
                data = b""
            else:
                fh.seek(offset)
                data = fh.read(count)
        h = min(level.tile_h, level.height - ty * level.tile_h)
        w = min(level.tile_w, level.width - tx * level.tile_w)
        if data is None:
            arr = np.zeros((h, w, *level.shape[2:]), dtype=level.dtype)
        else:
            if len(data) != count:
                raise PyramidError(f"{where} is truncated")
            if int(key.compression) in (6, 7) and (scans := jpeg_scans(data)) > MAX_JPEG_SCANS:
                # each scan is a pass over the whole tile: a few KB of empty ones hold a paint for seconds
                raise PyramidError(
                    f"{where} is a JPEG of {scans:,} scans (at most {MAX_JPEG_SCANS}): not decoded"
                )
            try:
                decoded = key.decode(data, i, jpegtables=key.jpegtables)[0]
            except Exception as e:
                raise PyramidError(
                    f"{where} cannot be decoded ({_compression(key)}): {type(e).__name__}: {e}"
                ) from None
            if decoded is None:
                raise PyramidError(f"{where} is empty")
            # (depth, rows, columns, samples); a JPEG edge tile may be encoded at its own, smaller size
            arr = np.asarray(decoded)
            samples = level.shape[2] if len(level.shape) == 3 else 1
            if (
                arr.ndim != 4
                or arr.shape[0] != 1
                or arr.shape[3] != samples
                or arr.shape[1] < h
                or arr.shape[2] < w
            ):
                got = " x ".join(str(v) for v in arr.shape[2:0:-1]) if arr.ndim == 4 else str(arr.shape)
                raise PyramidError(f"{where} decodes to {got} pixels; it covers {w} x {h}")
            arr = arr[0, :h, :w, 0] if len(level.shape) == 2 else arr[0, :h, :w]
            arr = np.ascontiguousarray(arr)
        with self._lock:
            self.stats.decoded += 1
            self.stats.bytes_read += count
        _keep((self._serial, level.index, level.plane, ty, tx), arr)
        return arr


def _keep(key: tuple[int, int, int, int, int], arr: np.ndarray) -> None:
    """Add a decoded tile to the shared cache, dropping the least recently used past the budget."""
    global _tile_bytes
    with _TILES_LOCK:
        if key not in _TILES:
            _TILES[key] = arr
            _tile_bytes += arr.nbytes
        while _tile_bytes > TILE_CACHE_BYTES and len(_TILES) > 1:
            _, old = _TILES.popitem(last=False)
            _tile_bytes -= old.nbytes


def _level_pages(tif: Any, planes: int = 1) -> list[list[Any]]:
    """Pages of the first series' levels, when every one is tiled with a sane tile size and layout: one
    a level, or ``planes`` (an OME-TIFF CYX: a page a channel) of one shape each, each channel's page in
    its own layout (``plane_level_pages``, the channels of a stack's plane)."""
    if not tif.series:
        return []
    if planes > 1:
        return plane_level_pages(tif, range(planes))
    pages: list[list[Any]] = []
    for level in tif.series[0].levels:
        page = level.keyframe
        if not tiled(tif, page):
            break
        if len(level.pages) != 1 and int(page.samplesperpixel) == 1 and level.shape != page.shape:
            break  # a stack of pages (z or time), not one plane per level
        if pages and not reduces(pages[-1][0], page, pages[0][0]):
            break
        pages.append([page])
    if len(pages) == 1 and len(tif.series[0].pages) == 1:  # reduced levels stored as plain pages
        pages += [[page] for page in plain_page_levels(tif, pages[0][0])]
    return pages


def plane_level_pages(tif: Any, plane: int | Sequence[int]) -> list[list[Any]]:
    """Pages of plane ``plane`` (its place in the first series, file order), or of the channels of one
    (their places: a group a level), at each level of a pyramidal stack, when every one is tiled as
    ``_level_pages`` asks and reduces the one before; [] when the stack has no reduced levels (or a
    plane is out of range).

    Each page is read as a page of its own (``aspage``): tifffile reads a later plane's pages as frames
    of the first plane's, taking their tile size, type and compression from it, and a plane tiled
    otherwise (as many tiles of another shape) would be cut into the wrong tiles. Its full resolution
    must be the series' (the stack's plane size and type)."""
    if not tif.series:
        return []
    wanted = [plane] if isinstance(plane, int) else list(plane)
    pages: list[list[Any]] = []
    for level in tif.series[0].levels:
        group = list(level.pages)
        if len(group) != len(tif.series[0].pages) or not wanted:
            break
        if not all(0 <= k < len(group) and group[k] is not None for k in wanted):
            break
        own = [group[k].aspage() for k in wanted]
        page = own[0]
        if not all(tiled(tif, p) and (p.shape, p.dtype) == (page.shape, page.dtype) for p in own):
            break  # a channel's page of another size or type than the plane's first
        if not pages and (level.shape[-page.ndim :] != page.shape or page.dtype != level.dtype):
            break
        if pages and not reduces(pages[-1][0], page, pages[0][0]):
            break
        pages.append(own)
    return pages


def _plane_name(plane: int | Sequence[int]) -> str:
    if isinstance(plane, int) or len(plane) == 1:
        return f"plane {plane if isinstance(plane, int) else plane[0]}"
    return f"the plane of pages {', '.join(str(k) for k in plane)} (its channels)"


def _compression(page: Any) -> str:
    comp = page.compression
    return f"compression {getattr(comp, 'name', comp)}"


_MPP = re.compile(r"\bMPP\s*=\s*([0-9.eE+-]+)")


def _spacing(tif: Any, page: Any) -> tuple[float, float] | None:
    """(row, column) pixel size in mm: Aperio's MPP, OME's PhysicalSizeY/X (um), or a TIFF resolution in
    pixels per centimetre. Inch resolutions are mostly a meaningless 72 dpi: ignored."""
    desc = str(getattr(page, "description", "") or "")
    m = _MPP.search(desc)
    if m:
        um = _positive(m.group(1))
        if um:
            return (um / 1000.0, um / 1000.0)
    if tif.is_ome and tif.ome_metadata:
        sx = re.search(r'PhysicalSizeX="([0-9.eE+-]+)"', tif.ome_metadata)
        sy = re.search(r'PhysicalSizeY="([0-9.eE+-]+)"', tif.ome_metadata)
        unit = re.search(r'PhysicalSizeXUnit="([^"]+)"', tif.ome_metadata)
        scale = {"nm": 1e-6, "mm": 1.0, "cm": 10.0}.get(unit.group(1) if unit else "µm", 1e-3)
        x, y = _positive(sx.group(1)) if sx else None, _positive(sy.group(1)) if sy else None
        if x and y:
            return (y * scale, x * scale)
    tags = page.tags
    unit_tag = tags.get("ResolutionUnit")
    if unit_tag is not None and int(unit_tag.value) == 3:
        xr, yr = tags.get("XResolution"), tags.get("YResolution")
        try:
            x = xr.value[0] / xr.value[1]
            y = yr.value[0] / yr.value[1]
        except (AttributeError, TypeError, ZeroDivisionError, IndexError):
            return None
        if x > 0 and y > 0 and math.isfinite(x) and math.isfinite(y):
            return (10.0 / y, 10.0 / x)
    return None


_UNIT_MM = {"nm": 1e-6, "µm": 1e-3, "um": 1e-3, "micron": 1e-3, "microns": 1e-3, "mm": 1.0, "cm": 10.0}


def stack_spacing(tif: Any, page: Any) -> tuple[tuple[float, float] | None, float | None]:
    """((row, column) pixel size, slice step) in mm of a z-stack (``core.tiff_stack``): the pixel size as
    a slide's (``_spacing``), else ImageJ's resolution in its ``unit``; the step from OME's PhysicalSizeZ
    or ImageJ's ``spacing``. None for what the file does not say."""
    pixel, step = _spacing(tif, page), None
    if tif.is_ome and tif.ome_metadata:
        sz = re.search(r'PhysicalSizeZ="([0-9.eE+-]+)"', tif.ome_metadata)
        unit = re.search(r'PhysicalSizeZUnit="([^"]+)"', tif.ome_metadata)
        scale = _UNIT_MM.get(unit.group(1) if unit else "µm")
        z = _positive(sz.group(1)) if sz else None
        step = z * scale if z and scale else None
    meta = getattr(tif, "imagej_metadata", None) or {}
    scale = _UNIT_MM.get(str(meta.get("unit", "")).strip().lower())
    if scale and not tif.is_ome:
        z = _positive(str(meta.get("spacing", "")))
        step = z * scale if z else step
        if pixel is None:
            try:
                xr, yr = page.tags["XResolution"].value, page.tags["YResolution"].value
                x, y = xr[0] / xr[1], yr[0] / yr[1]  # pixels per unit
            except (KeyError, AttributeError, TypeError, ZeroDivisionError, IndexError):
                x = y = 0
            if x > 0 and y > 0 and math.isfinite(x) and math.isfinite(y):
                pixel = (scale / y, scale / x)
    return pixel, step


def _positive(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if v > 0 and math.isfinite(v) else None


# ------------------------------------------------------------------------------------------------
# opened pyramids are kept: the size query, the canvas and the status bar all ask for the same file


_OPEN: OrderedDict[tuple, Pyramid] = OrderedDict()
_OPEN_LOCK = threading.Lock()
_NOT_PYRAMID: OrderedDict[tuple, str] = OrderedDict()
MAX_OPEN = 4


# The planes of a stack share one parse of its file: tifffile reads every plane's IFD and SubIFDs to make
# the series (200 planes: 20 ms a plane opened, and more the more planes), and PgDn opens plane after
# plane. One lock a file: its planes read tiles through one file handle.
_PARSED: OrderedDict[tuple, tuple[Any, threading.Lock]] = OrderedDict()
MAX_PARSED = 2


def _parsed_stack(path: Path) -> tuple[Any, threading.Lock]:
    """The shared TiffFile of a stack (parsed again when the file changes, as ``tiff_stack`` parses it: a
    later plane stored otherwise than the first) and the lock of its handle."""
    from pixelproof.core.tiff_stack import parse_stack

    key = _key(path)
    with _OPEN_LOCK:
        hit = _PARSED.get(key)
        if hit is not None:
            _PARSED.move_to_end(key)
            return hit
    ours = (parse_stack(path), threading.Lock())
    with _OPEN_LOCK:
        parsed = _PARSED.setdefault(key, ours)  # another thread's, opened meanwhile, wins
        _PARSED.move_to_end(key)
        while len(_PARSED) > MAX_PARSED:
            _PARSED.popitem(last=False)  # not closed: its planes may still read; freed with them
    if parsed is not ours:
        ours[0].close()
    return parsed


def _key(path: Path, plane: int | Sequence[int] | None = None) -> tuple:
    st = path.stat()
    return (os.fspath(path.resolve()), st.st_mtime_ns, st.st_size, plane)


def open_pyramid(
    path: str | os.PathLike[str], plane: int | Sequence[int] | None = None, composite: Composite | None = None
) -> Pyramid:
    """The pyramid of a tiled multi-level TIFF, or of plane ``plane`` of a pyramidal stack (the pages of
    its channels, shown through ``composite``: kept open for later calls); raises ``PyramidError``."""
    p = Path(path)
    if plane is not None and not isinstance(plane, int):  # one page (no channels): the plane's number
        plane = tuple(plane) if len(plane) != 1 else int(plane[0])
    try:
        key = _key(p, plane)
    except OSError as e:
        raise PyramidError(f"{p}: cannot read: {e.strerror or e}") from None
    with _OPEN_LOCK:
        hit = _OPEN.get(key)
        if hit is not None:
            _OPEN.move_to_end(key)
            return hit
        if key in _NOT_PYRAMID:
            raise PyramidError(_NOT_PYRAMID[key])
    try:
        pyramid = Pyramid(p, plane, composite)
    except PyramidError as e:
        with _OPEN_LOCK:
            _NOT_PYRAMID[key] = str(e)
            while len(_NOT_PYRAMID) > 256:
                _NOT_PYRAMID.popitem(last=False)
        raise
    with _OPEN_LOCK:
        _OPEN[key] = pyramid
        while len(_OPEN) > MAX_OPEN:
            _OPEN.popitem(last=False)  # not closed: a view may still draw from it; freed with it
    return pyramid


def is_pyramid(path: str | os.PathLike[str]) -> bool:
    """True for a TIFF whose first series has two or more tiled resolution levels."""
    if not has_tiff_suffix(path) or not os.path.isfile(path):
        return False
    try:
        open_pyramid(path)
    except PyramidError:
        return False
    return True
