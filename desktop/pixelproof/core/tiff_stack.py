"""Microscopy z-stacks and time series (TIFF, OME-TIFF, ImageJ hyperstacks), one image a plane.

tifffile gives a file's first series its axes (OME's DimensionOrder, ImageJ's ``slices`` / ``frames`` /
``channels``, tifffile's own shaped metadata). A series whose axes before YX (and samples S) are among
T, Z and C, with a Z or T axis, is a stack: Z is sliced as a volume is (``cells.ome.tif#z=NNN``); T
without Z along t (``cells.tif#t=NNN``); T with Z makes one volume a time point (``cells.tif#t=NNN&z=NNN``,
``volumes.SliceRef``). A plane of a series with a C axis (2..16 channels) is the composite of its channels
(``channels.Composite``: names and colours as for a multichannel image; one display range a channel,
taken from a few planes spread over the file, so a plane looks as bright as its neighbours).

Only the pages of the plane asked for are decoded, never the stack: the header is parsed once a file
(``stack_layout``, kept while the file is unchanged) into the page number of each plane; each read opens
the file, checks the page (tile size, JPEG scans, pixel limit) and decodes it. An ImageJ file written
with one page and its planes after it (ImageJ's stacks over 4 GB) is read plane by plane at their offsets.
A later plane stored otherwise than the first (another tile size or count, strips; tifffile then cannot
make the series) is parsed with each page read as its own (``parse_stack``), and read in its own layout.
A pyramidal stack (each plane with its own reduced levels in SubIFDs, as bfconvert, QuPath and tifffile
write an OME-TIFF; a plane of channels with them at each level) is not refused for its plane size: the
app shows a plane as a whole-slide image (``TiffStack.pyramid``: ``core.pyramid`` reads the tiles in view
at the level of the zoom; channels through the stack's composite, its ranges from the planes' coarsest
levels), while a whole plane decoded at once (``raw_plane``, an export) stays under the pixel limit.
Other leading axes (tifffile's I or Q: pages of no known meaning), a series spread over several files and
channels stored as both pages and samples are not stacks: such a file opens as its first page, as before.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.channels import ChannelError
from pixelproof.core.limits import LimitError, check_declared_size, check_image_size, max_pixels
from pixelproof.core.volume_cache import cached
from pixelproof.core.volumes import (
    MAX_VOLUME_SLICES,
    VOLUME_SHAPE,
    ImageMeta,
    Volume,
    VolumeError,
    check_plane_count,
)

SAMPLE_PLANES = 5  # planes (evenly spread over the file) the channels' display ranges are taken from


class UnreadChannels(ChannelError):
    """A file whose first series, made only with each page read as its own (``parse_stack``), is no stack
    but more channel pages than a composite reads: ``stack_layout`` says None, the channel readers why."""


@dataclass
class StackLayout:
    """Where each plane of a stack lies: ``axes`` / ``shape`` the series' leading axes (among T, Z, C, in
    file order), ``pages`` the file's page number of each plane in that order (empty for a contiguous
    ImageJ file: ``contiguous`` = offset of its first plane)."""

    path: Path
    axes: str
    shape: tuple[int, ...]
    series_shape: list[int]
    height: int
    width: int
    samples: int
    dtype: np.dtype
    pages: list[int]
    contiguous: int | None = None
    byteorder: str = "<"
    pixel_spacing: tuple[float, float] | None = None
    z_step: float | None = None  # mm between slices, when the file says
    channels: tuple[Any, ...] = ()  # ``channels.Channel`` of a composite (C axis or non-RGB samples)
    series_count: int = 1  # images in the file (an OME-TIFF's positions); the first is sliced
    pyramidal: bool = False  # each plane has reduced levels (SubIFDs): shown through core.pyramid
    _composite: Any = field(default=None, repr=False)

    def count(self, axis: str) -> int:
        """Planes along ``axis`` ("T", "Z" or "C"; 1 without it)."""
        return self.shape[self.axes.index(axis)] if axis in self.axes else 1

    @property
    def times(self) -> int:
        return self.count("T")

    @property
    def depth(self) -> int:
        return self.count("Z")

    def flat(self, t: int, z: int, c: int = 0) -> int:
        """The plane's place in the series (file order)."""
        at = {"T": t, "Z": z, "C": c}
        return int(np.ravel_multi_index(tuple(at[a] for a in self.axes), self.shape))

    def plane_pages(self, t: int, z: int) -> tuple[int, ...]:
        """The places in the series of plane (t, z)'s pages: one, or one a channel of a C axis."""
        n = len(self.channels) if "C" in self.axes else 1
        return tuple(self.flat(t, z, c) for c in range(n))

    def pyramid(self, t: int, z: int) -> Any:
        """Plane (t, z) of a pyramidal stack as a ``core.pyramid.Pyramid`` (its channels shown through the
        stack's composite); ``PyramidError`` when its levels cannot be read so."""
        from pixelproof.core.pyramid import open_pyramid

        return open_pyramid(self.path, plane=self.plane_pages(t, z), composite=self.composite())

    def composite(self) -> Any:
        """The ``channels.Composite`` of a multichannel stack (ranges computed on first use), else None."""
        from pixelproof.core.channels import Composite, percentile_ranges, sample_level, strided_sample
        from pixelproof.core.pyramid import PyramidError

        if not self.channels:
            return None
        if self._composite is None:

            def sample(t: int, z: int) -> np.ndarray:
                if self.pyramidal:  # the plane's coarsest level: a plane over the pixel limit is not decoded
                    try:
                        return sample_level(self.pyramid(t, z).planes[-1])
                    except PyramidError:
                        pass  # its own levels unreadable: it is read whole, as it is shown
                return strided_sample(self.raw_plane(t, z))

            def ranges() -> np.ndarray:
                planes = self.times * self.depth
                picks = sorted({round(v) for v in np.linspace(0, planes - 1, min(planes, SAMPLE_PLANES))})
                parts = []
                for k in picks:
                    part = sample(*divmod(k, self.depth))
                    parts.append(part.reshape(-1, part.shape[-1]))
                return percentile_ranges(np.concatenate(parts))

            self._composite = Composite(self.channels, ranges)
        return self._composite

    def raw_plane(self, t: int, z: int) -> np.ndarray:
        """Plane (t, z) as stored: H x W (x samples), or H x W x C for a multichannel stack."""
        where = f"{self.path}: plane t={t}, z={z}"
        n = len(self.channels) if "C" in self.axes else 1
        try:  # the pixel limit may have changed since the header was read
            check_image_size(self.width, self.height, str(self.path), "a plane")
        except LimitError as e:
            raise VolumeError(str(e)) from None
        size = self.width * self.height * n * self.samples * self.dtype.itemsize
        if n > 1 and size > 3 * max_pixels():  # as a multichannel image (imageio._read_channels)
            raise VolumeError(
                f"{where}: {n} channels of {self.width} x {self.height} {self.dtype} pixels are more than "
                f"an RGB image at the pixel limit ({max_pixels():,} pixels): not decoded"
            )
        arrays = [self._page(k, where) for k in self.plane_pages(t, z)]
        arr = np.stack(arrays, axis=-1) if n > 1 else arrays[0]
        if arr.dtype == np.bool_:
            arr = arr.view(np.uint8) * np.uint8(255)
        elif arr.dtype.kind not in "uif":
            raise VolumeError(f"{where}: {arr.dtype} samples (integer and floating-point images are read)")
        return arr

    def plane(self, t: int, z: int) -> np.ndarray:
        """Plane (t, z) as an image: its composite (all channels shown) when it has channels."""
        arr = self.raw_plane(t, z)
        composite = self.composite()
        return composite.render(arr) if composite is not None else arr

    def _page(self, k: int, where: str) -> np.ndarray:
        shape = (self.height, self.width, self.samples) if self.samples > 1 else (self.height, self.width)
        if self.contiguous is not None:
            count = int(np.prod(shape))
            dtype = self.dtype.newbyteorder(self.byteorder)
            try:
                with open(self.path, "rb") as f:
                    f.seek(self.contiguous + k * count * dtype.itemsize)
                    data = f.read(count * dtype.itemsize)
            except OSError as e:
                raise VolumeError(f"{where}: cannot read: {e.strerror or e}") from None
            if len(data) != count * dtype.itemsize:
                raise VolumeError(f"{where}: the file ends before the plane does")
            return np.frombuffer(data, dtype).astype(self.dtype.newbyteorder("=")).reshape(shape)
        from pixelproof.core.tiff_guard import import_tifffile

        tifffile = import_tifffile()

        from pixelproof.core.imageio import ImageReadError
        from pixelproof.core.tiff_read import check_tiff_page

        try:
            with tifffile.TiffFile(self.path) as tif:
                page = tif.pages[self.pages[k]]
                raw = np.memmap(self.path, np.uint8, mode="r")  # JPEG pieces are searched, not the file
                try:
                    check_tiff_page(self.path, raw, page)
                finally:
                    del raw
                arr = np.asarray(page.asarray())
        except ImageReadError as e:
            raise VolumeError(str(e)) from None
        except Exception as e:  # tifffile raises many kinds on a damaged file
            raise VolumeError(f"{where}: cannot be decoded: {type(e).__name__}: {e}") from None
        if arr.shape != shape:
            raise VolumeError(f"{where}: its page holds {arr.shape}, not a plane of {shape}")
        return arr


def stack_layout(path: str | os.PathLike[str]) -> StackLayout | None:
    """The layout of a TIFF z-stack or time series (kept while the file is unchanged), None for any other
    file; ``VolumeError`` for a stack over the limits (planes, pixels)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return None
    return _layout(os.fspath(p.resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=16)
def _layout(path: str, _mtime: int, _size: int) -> StackLayout | None:
    try:
        with parse_stack(path) as tif:
            return _read_layout(Path(path), tif)
    except UnreadChannels:
        return None
    except ChannelError as e:
        raise VolumeError(str(e)) from None
    except VolumeError:
        raise
    except Exception:  # not a TIFF tifffile reads, or a header it cannot make sense of
        return None


def parse_stack(path: str | os.PathLike[str]) -> Any:
    """The file open in tifffile (the caller closes it) with its series made, though a later plane is
    stored otherwise than the first; ``ChannelError`` for OME-XML past the limits (``check_ome``).

    tifffile reads a later plane's pages (and their SubIFDs) as frames of the first plane's, and refuses
    the series (RuntimeError 'incompatible keyframe') when their number of tiles or strips differs: the
    file opened as its first page only. It is parsed again with each page read as a page of its own (a
    plane is read so: ``StackLayout._page``, ``plane_level_pages``); when a later plane's reduced levels
    still differ, without the planes' levels (each plane read whole, under the pixel limit). A
    multichannel image's channel pages (CYX) are such planes: every reader of ``channels.channel_layout``
    opens the file with this, and reads each channel's page as its own (``channels.channel_pages``).

    Reading each page as its own costs ~0.2 ms a page, and each reader of a plain TIFF asks: how the
    series was made is kept a file version (``_PLANS``), so the attempts that failed are not made again,
    and a re-parse no reader uses (a first series that is no stack and is not channels a composite reads,
    ``_reparse_verdict``) is not made again either: such a file opens with no series (its first page the
    image, as when tifffile refuses it) or the channels' error is raised at once, as is ``check_ome``'s
    (which reads every page's size)."""
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    from pixelproof.core.channels import check_ome

    where = os.fspath(path)
    key = _version(where)
    plan = _PLANS.get(key) if key is not None else None
    if isinstance(plan, Exception):
        raise type(plan)(*plan.args)
    if plan == FIRST_PAGE:
        return _first_page(where)
    attempts = ATTEMPTS if plan is None else (plan,)
    failed: RuntimeError | None = None
    for attempt in attempts:
        tif = tifffile.TiffFile(where)
        try:
            if plan is None and failed is None and getattr(tif, "is_ome", False):
                check_ome(tif, where)  # before tif.series: OME-XML may declare 2**31 planes
            if attempt != "as is":
                pages = tif.pages
                if len(pages) > MAX_VOLUME_SLICES:  # a page read whole takes ~0.3 ms: as before, page 0
                    raise failed or RuntimeError(f"{where}: {len(pages):,} pages stored otherwise")
                pages.cache, pages.useframes = True, False  # the series takes the pages kept as they are
                for i in range(len(pages)):
                    page = pages[i]  # read and kept as a page of its own
                    if attempt.endswith("no levels"):
                        page.subifds = None
            tif.series  # noqa: B018 - made here, where its failure is caught
            verdict = _reparse_verdict(tif) if plan is None and failed is not None else None
        except RuntimeError as e:  # a later plane's pages of another number of tiles or strips
            tif.close()
            if e is failed or attempt == ATTEMPTS[-1] or plan is not None:
                _remember(key, RuntimeError(*e.args))
                raise
            failed = failed or e
            continue
        except BaseException as e:
            tif.close()
            if isinstance(e, ChannelError):  # the OME-XML past the limits: said at once from now on
                _remember(key, type(e)(*e.args))
            raise
        _remember(key, verdict or attempt)
        if verdict is None:
            return tif
        tif.close()
        if isinstance(verdict, Exception):
            raise verdict
        return _first_page(where)
    raise AssertionError("unreachable")


ATTEMPTS = ("as is", "own pages", "own pages, no levels")
FIRST_PAGE = "first page"  # a re-parse no reader uses: the file opened with no series, its first page read
# (path, mtime, size, inode) -> the attempt that made the series, FIRST_PAGE, or the error to raise at once
_PLANS: OrderedDict[tuple, str | Exception] = OrderedDict()
MAX_PLANS = 32
_PLANS_LOCK = threading.Lock()


def _version(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return os.path.realpath(path), st.st_mtime_ns, st.st_size, st.st_ino


def _remember(key: tuple | None, plan: str | Exception) -> None:
    if key is None:
        return
    with _PLANS_LOCK:  # readers parse from the loader's threads
        _PLANS[key] = plan
        _PLANS.move_to_end(key)
        while len(_PLANS) > MAX_PLANS:
            _PLANS.popitem(last=False)


def _reparse_verdict(tif: Any) -> str | Exception | None:
    """None when a re-parsed file's first series is of use (a stack, or channels a composite reads); else
    the channels' error (more channel pages than are read), or ``FIRST_PAGE``: the file opens as its first
    page, as a file of pages of no known meaning does."""
    from pixelproof.core.channels import channel_layout

    if _stack_axes(tif.series[0]) is not None:
        return None
    try:
        return None if channel_layout(tif) is not None else FIRST_PAGE
    except ChannelError as e:
        return UnreadChannels(*e.args)


def _first_page(where: str) -> Any:
    """The file open in tifffile with no series (its readers take its first page), not parsed again."""
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    tif = tifffile.TiffFile(where)
    tif.series = []  # tifffile's cached property, made: no reader makes it (nor checks its OME-XML) again
    return tif


def _stack_axes(series: Any) -> tuple[str, int] | None:
    """A series' leading axes (before YX and samples) and the number of its trailing ones, when it may be
    a stack: the leading ones among T, Z and C, with a Z or T."""
    axes = str(series.axes)
    trail = 3 if axes.endswith("YXS") else 2 if axes.endswith("YX") else 0
    lead = axes[: len(axes) - trail]
    if not trail or not set(lead) <= set("TZC") or len(set(lead)) != len(lead):
        return None
    if "T" not in lead and "Z" not in lead:
        return None
    return lead, trail


def _read_layout(p: Path, tif: Any) -> StackLayout | None:
    from pixelproof.core.channels import MAX_CHANNELS, MIN_CHANNELS, named_channels
    from pixelproof.core.pyramid import plane_level_pages, stack_spacing

    series = tif.series[0]
    axes, shape = str(series.axes), tuple(int(v) for v in series.shape)
    key = series.keyframe
    samples = int(key.samplesperpixel)
    found = _stack_axes(series)
    if found is None:
        return None
    lead, trail = found
    lead_shape = shape[: len(axes) - trail]
    if (trail == 3 and shape[-1] != samples) or (trail == 2 and samples != 1):
        return None
    height, width = shape[len(lead)], shape[len(lead) + 1]
    channels: tuple[Any, ...] = ()
    if "C" in lead:
        n = lead_shape[lead.index("C")]
        if samples != 1 or not MIN_CHANNELS <= n <= MAX_CHANNELS:
            return None  # channels as pages and samples, or more than a composite shows: the first page
        channels = named_channels(tif, n)
    elif samples > 1 and not _colour(key, samples):
        if not MIN_CHANNELS <= samples <= MAX_CHANNELS:
            return None
        channels = named_channels(tif, samples)
    layout = StackLayout(
        p, lead, lead_shape, list(shape), height, width, samples, np.dtype(series.dtype), [],
        byteorder=tif.byteorder, channels=channels, series_count=len(tif.series),
    )  # fmt: skip
    times, depth = layout.times, layout.depth
    what = "slices along z" if times == 1 else "time points along t" if depth == 1 else "planes"
    if times > 1 and depth > 1:
        what = f"planes ({times:,} time points x {depth:,} slices)"
    check_plane_count(p, times * depth, what)
    try:  # a plane of a pyramid is read tile by tile: only its sides are checked (as a slide's)
        layout.pyramidal = (
            len(series.levels) > 1 and len(plane_level_pages(tif, layout.plane_pages(0, 0))) > 1
        )
        if layout.pyramidal:
            check_declared_size(width, height, f"{p}: a plane")
        else:
            check_image_size(width, height, str(p), "a plane")
    except LimitError as e:
        raise VolumeError(str(e)) from None
    planes = int(np.prod(lead_shape))
    if int(key.imagedepth) != 1:
        return None
    if len(series.pages) == planes:
        for page in series.pages:
            if page is None or page.parent is not tif or not isinstance(page.index, int):
                return None  # a plane in another file (a multi-file OME series) or a SubIFD
            layout.pages.append(int(page.index))
    elif series.dataoffset is not None and int(key.compression) == 1:
        plane_bytes = height * width * samples * layout.dtype.itemsize
        if int(series.dataoffset) + planes * plane_bytes > tif.filehandle.size:
            raise VolumeError(f"{p}: the file ends before its {planes:,} planes do (a truncated stack)")
        layout.contiguous = int(series.dataoffset)
    else:
        return None
    layout.pixel_spacing, layout.z_step = stack_spacing(tif, key)
    return layout


def _colour(page: Any, samples: int) -> bool:
    """Whether a page's samples are a colour picture (RGB(A), grey + alpha), not channels."""
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    rgb = page.photometric in (tifffile.PHOTOMETRIC.RGB, tifffile.PHOTOMETRIC.YCBCR) and samples <= 4
    return rgb or (samples == 2 and any(int(e) in (1, 2) for e in page.extrasamples))


class TiffStack(Volume):
    """The slices of a z-stack (``axis`` "z", of time point ``time`` when the file has T) or the time
    points of a time series without Z (``axis`` "t")."""

    def __init__(self, layout: StackLayout, axis: str, time: int | None) -> None:
        self.layout, self.source, self.axis, self.time = layout, layout.path, axis, time
        self.depth = layout.depth if axis == "z" else layout.times
        self.height, self.width = layout.height, layout.width
        step = layout.z_step if axis == "z" else None
        self.positions = np.arange(self.depth, dtype=np.float64) * (step if step else math.nan)
        self.meta = ImageMeta(pixel_spacing=layout.pixel_spacing)
        self.nbytes = 0  # planes are decoded on demand

    def identity(self, index: int) -> dict[str, Any]:
        return {VOLUME_SHAPE: list(self.layout.series_shape)}

    def _at(self, index: int) -> tuple[int, int]:
        return (index, 0) if self.axis == "t" else (self.time or 0, index)

    def _read(self, index: int) -> np.ndarray:
        return self.layout.plane(*self._at(index))

    def pyramid(self, index: int) -> Any:
        """Slice ``index`` as a ``core.pyramid.Pyramid`` (read tile by tile) when the stack is pyramidal,
        else None; ``PyramidError`` when its levels are not readable as its first plane's are."""
        if not self.layout.pyramidal:
            return None
        if not 0 <= index < self.depth:
            raise VolumeError(f"{self.source}: slice {index} out of range (the volume has {self.depth})")
        return self.layout.pyramid(*self._at(index))

    def raw(self, index: int) -> np.ndarray:
        """Slice ``index`` as stored (H x W x C for a multichannel stack), not its composite."""
        if not 0 <= index < self.depth:
            raise VolumeError(f"{self.source}: slice {index} out of range (the volume has {self.depth})")
        return self.layout.raw_plane(*self._at(index))


def open_stack(path: str | os.PathLike[str], axis: str = "z", time: int | None = None) -> TiffStack:
    """The volume of a TIFF stack that slice ``axis`` (and time point ``time``) names; ``VolumeError``
    when the file is no stack or the name does not fit its axes (saying which names do)."""
    p = Path(path)
    layout = stack_layout(p)
    if layout is None:
        raise VolumeError(f"{p}: not a z-stack or time series (a TIFF whose first series has a Z or T axis)")
    times, depth = layout.times, layout.depth
    if "Z" in layout.axes:
        want = f"{p.name}#t=NNN&z=NNN" if times > 1 else f"{p.name}#z=NNN"
        fits = axis == "z" and (time is None) == (times == 1)
    else:
        want, fits = f"{p.name}#t=NNN", axis == "t" and time is None
    if not fits:
        what = (
            f"{times} time points of {depth} slices"
            if times > 1 and depth > 1
            else f"a time series of {times} time points"
            if depth == 1
            else f"a z-stack of {depth} slices"
        )
        raise VolumeError(f"{p}: {what}; its planes are named {want}")
    if time is not None and not 0 <= time < times:
        raise VolumeError(f"{p}: time point {time} out of range (the series has {times})")
    volume = cached(p, ("tiff-stack", axis, time), lambda: TiffStack(layout, axis, time))
    assert isinstance(volume, TiffStack)
    return volume


def stack_volumes(path: str | os.PathLike[str]) -> list[TiffStack] | None:
    """The volumes of a TIFF stack (one a time point when it has T and Z), None for any other file."""
    layout = stack_layout(path)
    if layout is None:
        return None
    if "Z" not in layout.axes:
        return [open_stack(path, "t")]
    if layout.times == 1:
        return [open_stack(path, "z")]
    return [open_stack(path, "z", t) for t in range(layout.times)]


def ome_images(path: str | os.PathLike[str]) -> int:
    """How many images an OME-TIFF holds (its OME-XML's Image elements, tifffile's series: the scenes of a
    slide converted from CZI or VSI, a label and a macro image); 1 for any other TIFF, whose further
    series are its own reduced levels or an SVS's thumbnail, and for one that cannot be read."""
    from xml.etree import ElementTree

    from pixelproof.core.tiff_guard import import_tifffile

    try:  # the first page's XML alone: building the series (or checking every page) would parse them all
        with import_tifffile().TiffFile(os.fspath(path)) as tif:
            if not tif.is_ome:
                return 1
            root = ElementTree.fromstring(tif.ome_metadata)
        return max(1, sum(1 for e in root if e.tag.rsplit("}", 1)[-1] == "Image"))
    except Exception:  # a damaged file or unreadable XML: listing it has said what is wrong
        return 1
