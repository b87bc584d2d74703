"""Images read off the UI thread, so it never waits on disk or big arrays (DESIGN.md §2); long work of
other kinds runs as a ``ui.jobs.Job``.

``ImageLoader`` reads images and builds their display pyramid off the UI thread; results come back as
queued signals tagged with a request number, so answers to stale requests (the user pressed D twice) are
dropped. A small LRU cache makes going back and forth between images instant.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pixelproof.core.channels import CompositeLevel
from pixelproof.core.imageio import ImageReadError, ImageTooLargeError, auto_window, read_channels, read_image

PYRAMID_MIN_SIDE = 512  # stop halving below this
PROGRESSIVE_MIN_PIXELS = 32_000_000  # PNGs this big are decoded in strips, with previews as they arrive
PREVIEW_MAX_SIDE = 2048
PREVIEW_EVERY_S = 0.2
STRIP_ROWS = 256  # rows decoded between two looks at the clock
FIRST_STRIP_ROWS = 32  # the first strip: a small one is decoded and shown sooner


@dataclass(eq=False)
class LoadedImage:
    """Pixels as stored (``levels[0]``) and coarser copies for drawing zoomed out; display window.

    For a whole-slide pyramid the levels are ``core.pyramid.TiledLevel`` objects, decoded tile by tile as
    they are sliced (``lazy``), with the coarsest level kept whole as ``overview``. ``invert`` is set for
    DICOM MONOCHROME1 (low values white); ``spacing`` is the file's pixel spacing (row, col) in mm.
    """

    path: Path
    levels: list[Any]
    window: tuple[float, float]
    auto: tuple[float, float] = field(default=(0.0, 255.0))
    invert: bool = False
    spacing: tuple[float, float] | None = None
    downsamples: list[float] | None = None  # per level; None: 1, 2, 4 ... (halvings)
    overview: np.ndarray | None = None
    file_window: tuple[float, float] | None = None  # the file's own VOI window (DICOM)
    modality: str = ""  # DICOM modality ("CT": values in HU)
    reduced: int = 1  # a plain image over the pixel limit opened downsampled 1/reduced (core.reduced)
    channels: Any = None  # a multichannel image's core.channels.Composite: levels are its composites
    patient: Any = None  # core.patient_space.PatientGeometry: where its pixels lie in the patient, if known

    @property
    def raw(self) -> Any:
        return self.levels[0]

    @property
    def width(self) -> int:
        return int(self.levels[0].shape[1])

    @property
    def height(self) -> int:
        return int(self.levels[0].shape[0])

    @property
    def lazy(self) -> bool:
        return self.overview is not None

    @property
    def needs_window(self) -> bool:
        """True for 16-bit, signed and float images, whose display depends on window/level."""
        return self.raw.dtype != np.uint8

    def downsample(self, level: int) -> float:
        return self.downsamples[level] if self.downsamples is not None else float(2**level)


def build_pyramid(img: np.ndarray) -> list[np.ndarray]:
    """``img`` and successive halvings (area-averaged) until the longer side is under 512 px."""
    levels = [img]
    while max(levels[-1].shape[:2]) > PYRAMID_MIN_SIDE:
        prev = levels[-1]
        h, w = prev.shape[:2]
        src = prev if prev.dtype != np.bool_ else prev.astype(np.uint8)
        if src.dtype not in (np.uint8, np.uint16, np.float32, np.float64):
            src = src.astype(np.float32)
        levels.append(cv2.resize(src, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA))
    return levels


@dataclass(eq=False)
class Preview:
    """The part of a big image decoded so far, shrunk by ``scale``: rows ``:rows`` of ``pixels`` are final
    (the decoder fills the rows below meanwhile, never these)."""

    pixels: np.ndarray  # uint8 gray / RGB / RGBA
    scale: int
    rows: int


def load_image(
    path: Path,
    on_preview: Callable[[Preview], None] | None = None,
    apply_exif: bool = True,
    reduce: int | None = None,
    expect: dict[str, Any] | None = None,
) -> LoadedImage:
    """Read and prepare an image for the canvas; raises ``ImageReadError``. DICOM files open at their own
    VOI window; a pyramidal TIFF (or a plane of a pyramidal z-stack) opens lazily (only its coarsest
    level is decoded here). A big 8-bit PNG
    is decoded in strips, ``on_preview`` getting the part decoded so far every ``PREVIEW_EVERY_S``.
    A big JPEG gets one preview first, decoded at 1/8 (``_reduced_preview``).
    ``apply_exif``: the project's ``applies_exif`` (format 1 projects see the stored pixels). With
    ``reduce`` a plain image over the pixel limit opens downsampled 1/``reduce`` (``core.reduced``).
    ``expect``: the record's slice identity; a slice whose series changed since is refused by name."""
    from pixelproof.core import sources
    from pixelproof.core.volumes import ImageMeta

    if reduce is not None:
        return _load_reduced(path, reduce)

    try:
        meta = sources.image_meta(path)
    except ImageReadError:
        meta = ImageMeta()
    if sources.kind_of(path) == "pyramid":
        return _load_pyramid(path, meta)
    plane = sources.slice_pyramid(path, expect)  # a plane of a pyramidal z-stack: read as a slide is
    if plane is not None:
        return _load_pyramid(path, meta, plane)
    channels = read_channels(path, apply_exif=apply_exif, expect=expect)
    if channels is not None:
        planes, composite = channels
        levels = [CompositeLevel(level, composite) for level in build_pyramid(planes)]
        return LoadedImage(path, levels, (0.0, 255.0), spacing=meta.pixel_spacing, channels=composite)
    img = _read_progressively(path, on_preview) if on_preview is not None else None
    if img is None:
        preview = _reduced_preview(path, apply_exif) if on_preview is not None else None
        if preview is not None:
            on_preview(preview)
        img = read_image(path, apply_exif=apply_exif, expect=expect)
    if img.dtype == np.bool_:
        img = img.astype(np.uint8) * 255
    auto = sources.automatic_window(path, img)  # a slice: its volume's (one brightness while scrolling)
    window = meta.window if meta.window is not None else auto
    return LoadedImage(
        path,
        build_pyramid(img),
        window,
        auto,
        meta.invert,
        meta.pixel_spacing,
        file_window=meta.window,
        modality=meta.modality,
        patient=meta.patient,
    )


def _read_progressively(path: Path, on_preview: Callable[[Preview], None]) -> np.ndarray | None:
    """A big PNG decoded strip by strip (``core.png_strips``), previews on the way; None for other files."""
    from pixelproof.core.imageio import exif_orientation, image_size
    from pixelproof.core.png_strips import read_png_in_strips

    if Path(path).suffix.lower() != ".png" or exif_orientation(path) != 1:
        return None  # a turned PNG (an eXIf chunk): decoded whole, then turned
    width, height = image_size(path)
    if width * height < PROGRESSIVE_MIN_PIXELS:
        return None
    scale = max(1, math.ceil(max(width, height) / PREVIEW_MAX_SIDE))
    preview: Preview | None = None
    last = 0.0

    def on_strip(image: np.ndarray, y0: int, y1: int) -> None:
        nonlocal preview, last
        if image.dtype != np.uint8:
            return  # 16-bit: the display window comes with the whole image
        if preview is None:
            shape = (math.ceil(height / scale), math.ceil(width / scale), *image.shape[2:])
            preview = Preview(np.zeros(shape, np.uint8), scale, 0)
        p0, p1 = y0 // scale, min(math.ceil(y1 / scale), preview.pixels.shape[0])
        size = (preview.pixels.shape[1], p1 - p0)
        preview.pixels[p0:p1] = cv2.resize(image[y0:y1], size, interpolation=cv2.INTER_AREA)
        now = time.perf_counter()
        if preview.rows == 0 or now - last >= PREVIEW_EVERY_S or y1 == height:
            last = now
            on_preview(Preview(preview.pixels, scale, p1))

    strip_rows = scale * max(1, STRIP_ROWS // scale)  # whole preview rows per strip
    first_rows = scale * max(1, FIRST_STRIP_ROWS // scale)
    return read_png_in_strips(path, on_strip, strip_rows, first_rows)


def _reduced_preview(path: Path, apply_exif: bool) -> Preview | None:
    """A big JPEG decoded at 1/8 by its DCT (a few per cent of the whole decode's time), shown while the
    whole image decodes; None for other files, small ones, or anything OpenCV cannot read this way (the
    whole decode then says what is wrong)."""
    from pixelproof.core.imageio import image_size

    if Path(path).suffix.lower() not in (".jpg", ".jpeg", ".jpe"):
        return None
    try:
        width, height = image_size(path, apply_exif)
        if width * height < PROGRESSIVE_MIN_PIXELS:
            return None
        flags = cv2.IMREAD_REDUCED_COLOR_8 | (0 if apply_exif else cv2.IMREAD_IGNORE_ORIENTATION)
        small = cv2.imdecode(np.fromfile(path, dtype=np.uint8), flags)
    except (ImageReadError, OSError, ValueError, cv2.error):
        return None
    if small is None or small.shape[:2] != (math.ceil(height / 8), math.ceil(width / 8)):
        return None
    return Preview(np.ascontiguousarray(small[:, :, ::-1]), 8, small.shape[0])


def _load_reduced(path: Path, k: int) -> LoadedImage:
    """Level 0 shows the reduced pixels at full-resolution coordinates; the reduced image and its
    halvings are the levels the canvas draws when zoomed out."""
    from pixelproof.core.reduced import UpsampledLevel, inspect_huge, read_reduced

    info = inspect_huge(path)
    small = read_reduced(info, k)
    if small.dtype == np.bool_:
        small = small.astype(np.uint8) * 255
    auto = auto_window(small)
    levels = [UpsampledLevel(small, k, info.height, info.width), *build_pyramid(small)]
    downsamples = [1.0] + [k * 2.0**i for i in range(len(levels) - 1)]
    return LoadedImage(path, levels, auto, auto, downsamples=downsamples, reduced=k)


def _load_pyramid(path: Path, meta: Any, pyramid: Any = None) -> LoadedImage:
    """A whole-slide image, or ``pyramid`` (a plane of a pyramidal stack), with only its coarsest level
    decoded here."""
    from pixelproof.core.pyramid import PyramidError, open_pyramid

    try:
        pyramid = pyramid if pyramid is not None else open_pyramid(path)
        levels = list(pyramid.levels)
        composite = pyramid.channels.copy() if pyramid.channels is not None else None
        if composite is not None:  # the view's own shown channels
            levels = [CompositeLevel(level, composite) for level in pyramid.planes]
        coarsest = levels[-1]
        overview = coarsest.region(0, coarsest.height, 0, coarsest.width)
    except PyramidError as e:
        raise ImageReadError(str(e)) from None
    auto = auto_window(overview)
    return LoadedImage(
        path,
        levels,
        auto,
        auto,
        meta.invert,
        meta.pixel_spacing,
        downsamples=[level.downsample for level in levels],
        overview=overview,
        channels=composite,
    )


class _Signals(QObject):
    """The one object every load emits through, made on the UI thread and kept for the process (one per
    loader, the worker let go of last when the loader went first, was destroyed on the worker thread).
    Requests are numbered across loaders; ``_LOADING`` holds each loader while a request of it is out."""

    loaded = Signal(object, object)  # request, LoadedImage
    failed = Signal(object, str)  # request, reason
    preview = Signal(object, object)  # request, Preview
    too_large = Signal(object, str, object)  # request, reason, core.reduced.HugeImage

    def __init__(self) -> None:
        super().__init__()
        self.loaded.connect(self._loaded)  # its own methods: called on the UI thread, where it lives
        self.failed.connect(self._failed)
        self.preview.connect(self._preview)
        self.too_large.connect(self._too_large)

    def _loaded(self, request: int, image: LoadedImage) -> None:
        self._to(request, True, "_on_loaded", image)

    def _failed(self, request: int, reason: str) -> None:
        self._to(request, True, "_on_failed", reason)

    def _preview(self, request: int, preview: Preview) -> None:
        self._to(request, False, "_on_preview", preview)

    def _too_large(self, request: int, reason: str, info: object) -> None:
        self._to(request, True, "_on_too_large", reason, info)

    @staticmethod
    def _to(request: int, last: bool, method: str, *args: object) -> None:
        loader = _LOADING.pop(request, None) if last else _LOADING.get(request)
        if loader is not None and shiboken6.isValid(loader):  # not deleted with its window meanwhile
            getattr(loader, method)(request, *args)


_LOAD_SIGNALS: list[_Signals] = []  # the one, made with the first loader
_LOADING: dict[int, ImageLoader] = {}  # request -> its loader, while the load runs
_LOAD_NUMBERS = itertools.count(1)


def _load_signals() -> _Signals:  # made on the UI thread: loaders are
    if not _LOAD_SIGNALS:
        _LOAD_SIGNALS.append(_Signals())
    return _LOAD_SIGNALS[0]


class _LoadJob(QRunnable):
    def __init__(
        self,
        request: int,
        path: Path,
        signals: _Signals,
        apply_exif: bool = True,
        reduce: int | None = None,
        expect: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.request, self.path, self.signals, self.apply_exif = request, path, signals, apply_exif
        self.reduce, self.expect = reduce, expect

    def run(self) -> None:
        try:
            preview = lambda p: self.signals.preview.emit(self.request, p)  # noqa: E731
            result = load_image(
                self.path, preview, apply_exif=self.apply_exif, reduce=self.reduce, expect=self.expect
            )
        except ImageTooLargeError as e:
            self._too_large(str(e))
        except ImageReadError as e:
            self.signals.failed.emit(self.request, str(e))
        except BaseException as e:  # a decoder bug (even sys.exit) must not kill the app or hang the load
            self.signals.failed.emit(self.request, f"{self.path}: cannot read the image: {e}")
        else:
            self.signals.loaded.emit(self.request, result)

    def _too_large(self, reason: str) -> None:
        """Over the pixel limit: a plain image gets its header read, so the user can choose."""
        from pixelproof.core import sources
        from pixelproof.core.reduced import inspect_huge

        info = None
        if sources.kind_of(self.path) is None:  # a plain image file (not a slice, DICOM or pyramid)
            try:
                info = inspect_huge(self.path)
            except ImageReadError:
                info = None
        if info is None:
            self.signals.failed.emit(self.request, reason)
        else:
            self.signals.too_large.emit(self.request, reason, info)


class ImageLoader(QObject):
    """Loads images in the background; emits ``loaded(image_key, LoadedImage)`` or ``failed(key, reason)``
    for the latest request only."""

    loaded = Signal(object, object)
    failed = Signal(object, str)
    preview = Signal(object, object)  # key, Preview: part of a big image, before ``loaded``
    too_large = Signal(object, str, object)  # key, reason, core.reduced.HugeImage

    def __init__(self, parent: QObject | None = None, cache_size: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool.globalInstance()
        # shared and kept: a job still running when the window goes away (a prefetch) emits through a
        # live object, and never destroys it on its thread
        self._signals = _load_signals()
        self._request = 0
        self._pending: dict[int, tuple[object, Path, bool]] = {}  # request -> key, path, wanted
        self._cache: OrderedDict[Path, LoadedImage] = OrderedDict()
        self._cache_size = cache_size
        self.apply_exif = True  # the open project's ``applies_exif`` (set with the document)

    def request(
        self, key: object, path: Path, reduce: int | None = None, expect: dict[str, Any] | None = None
    ) -> LoadedImage | None:
        """Start loading ``path`` (downsampled 1/``reduce`` when given; ``expect``: the record's slice
        identity, ``load_image``); returns the image at once when cached (no signal then)."""
        path = Path(path)
        self._request = next(_LOAD_NUMBERS)
        for req, (k, p, _wanted) in list(self._pending.items()):
            self._pending[req] = (k, p, False)  # older requests are no longer wanted
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        if any(p == path for (_k, p, _w) in self._pending.values()):
            # already loading (e.g. prefetched): re-tag that job as the wanted one
            for req, (_k, p, _w) in self._pending.items():
                if p == path:
                    self._pending[req] = (key, p, True)
            return None
        self._pending[self._request] = (key, path, True)
        _LOADING[self._request] = self
        self.pool.start(_LoadJob(self._request, path, self._signals, self.apply_exif, reduce, expect))
        return None

    def prefetch(self, path: Path, expect: dict[str, Any] | None = None) -> None:
        """Load into the cache without announcing it (the next image, before the user presses D)."""
        path = Path(path)
        if path in self._cache or any(p == path for (_k, p, _w) in self._pending.values()):
            return
        self._request = next(_LOAD_NUMBERS)
        self._pending[self._request] = (None, path, False)
        _LOADING[self._request] = self
        self.pool.start(_LoadJob(self._request, path, self._signals, self.apply_exif, None, expect))

    def forget(self) -> None:
        """Drop the cache (another project is opened)."""
        self._cache.clear()

    def is_busy(self) -> bool:
        return bool(self._pending)

    def _on_loaded(self, request: int, image: LoadedImage) -> None:
        key, path, wanted = self._pending.pop(request, (None, None, False))
        if path is None:
            return
        self._cache[path] = image
        self._cache.move_to_end(path)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        if wanted:
            self.loaded.emit(key, image)

    def _on_preview(self, request: int, preview: Preview) -> None:
        key, _path, wanted = self._pending.get(request, (None, None, False))
        if wanted:
            self.preview.emit(key, preview)

    def _on_failed(self, request: int, reason: str) -> None:
        key, _path, wanted = self._pending.pop(request, (None, None, False))
        if wanted:
            self.failed.emit(key, reason)

    def _on_too_large(self, request: int, reason: str, info: object) -> None:
        key, _path, wanted = self._pending.pop(request, (None, None, False))
        if wanted:
            self.too_large.emit(key, reason, info)
