"""Read any image the app meets (8/16-bit, float, gray/RGB/RGBA, TIFF) and map it to 8-bit for display.

Pixels are returned as stored (RGB order, dtype kept) - turned as the EXIF orientation says unless the
project was labeled on the stored pixels (``Project.applies_exif``): display, sizes, masks, models and exports
all read through here, so they agree. The size comes from the header and is checked against
``limits.max_pixels()`` before anything is decoded. Display mapping (window/level) never alters pixels.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import cv2
import numpy as np

from pixelproof.core.limits import (
    MAX_JPEG_SCANS,
    LimitError,
    check_image_size,
    check_regular_file,
    max_pixels,
    open_regular,
)
from pixelproof.core.quiet_libraries import quiet_opencv, quiet_pillow
from pixelproof.core.window_level import sampled_values, whole_window

# only PixelProof's own check (``read_image``, from the header) limits decoding: OpenCV's default of
# 2**30 pixels would refuse images a user allowed with --max-pixels
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(2**40))

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".pgm", ".ppm", ".pbm")
# read by pixelproof.core.sources: volumes (one image per slice), DICOM files, whole-slide pyramids
MEDICAL_SUFFIXES = (".nii", ".nii.gz", ".nrrd", ".nhdr", ".dcm", ".dicom", ".svs")
LABEL_SUFFIXES = (".seg.nrrd",)  # 3D Slicer segmentations: labels (``--from slicer-seg``), no images


class ImageReadError(Exception):
    """An image could not be read; the message names the file and the reason."""


def is_image_file(path: str | os.PathLike[str]) -> bool:
    """By name only; DICOM files without a suffix are found by ``sources.scan_images``."""
    name = Path(path).name.lower()
    if name.endswith(LABEL_SUFFIXES):
        return False
    return Path(name).suffix in IMAGE_SUFFIXES or name.endswith(MEDICAL_SUFFIXES)


def is_picture(path: str | os.PathLike[str]) -> bool:
    """A file named as an image (or a DICOM or NIfTI volume), given where a project is expected
    (``pixelproof photo.jpg``, as LabelMe opens one): not a project file to parse."""
    return is_image_file(path) and os.path.isfile(path)


class ImageTooLargeError(ImageReadError, LimitError):
    """An image (or a mask PNG) over ``limits.max_pixels()``: refused from its header, before decoding."""

    def __init__(self, error: LimitError) -> None:
        LimitError.__init__(self, error.where, error.message)


class ImageDamagedError(ImageReadError, ValueError):
    """A header giving a side of 0 (or less): damage, not size, so never ``ImageTooLargeError`` (whose
    route offers to raise the limit). A ``ValueError`` too, as Pillow's own damage is to its callers."""


def check_header_size(width: int, height: int, where: str) -> None:
    """The sides an image header gives: ``ImageDamagedError`` for a side of 0 or less (naming ``where``),
    ``ImageTooLargeError`` over ``limits.max_pixels()`` or ``MAX_SIDE``."""
    if width <= 0 or height <= 0:
        raise ImageDamagedError(
            f"{where}: a damaged image: its header gives a size of {width} x {height} pixels"
        )
    try:
        check_image_size(width, height, where)
    except LimitError as e:
        raise ImageTooLargeError(e) from None


# EXIF orientation (tag 0x0112) -> how to turn stored pixels into what the camera saw, as Pillow's
# ImageOps.exif_transpose, LabelMe and Ultralytics do. 5-8 swap width and height.
EXIF_ORIENTATION_TAG = 0x0112
_SWAPS_SIDES = (5, 6, 7, 8)


def orient(img: np.ndarray, orientation: int) -> np.ndarray:
    """``img`` (H x W [x C]) as EXIF ``orientation`` says it should be seen (1 or unknown: unchanged)."""
    if orientation == 2:
        return img[:, ::-1]
    if orientation == 3:
        return img[::-1, ::-1]
    if orientation == 4:
        return img[::-1]
    if orientation == 5:
        return img.swapaxes(0, 1)
    if orientation == 6:
        return np.rot90(img, -1)
    if orientation == 7:
        return np.rot90(img, 2).swapaxes(0, 1)
    if orientation == 8:
        return np.rot90(img, 1)
    return img


def _sync_pillow_limit() -> None:
    """Pillow refuses images over twice its own bomb limit; make that ours, so it never refuses what
    PixelProof allows (and guards, at 2x, any Pillow use that forgets to check)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels()


class _CappedReader(io.BufferedReader):
    """A file whose ``read(n)`` never asks for more than what is left of it. Pillow takes a damaged
    chunk length as given (a PNG's ``load_end`` reads 3.7 GB to skip one) and a buffered read allocates
    ``n`` bytes before reading: a 100-byte mask would ask for gigabytes. Opened as ``open_regular``
    opens: a FIFO or device is refused (``LimitError``) instead of blocking the reader on it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(open_regular(path, str(path)).detach())
        self._size = os.fstat(self.fileno()).st_size

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and size > 0:
            size = min(size, max(self._size - self.tell(), 0))
        return super().read(size)


def _pillow_open(source: str | os.PathLike[str] | IO[bytes]) -> Any:
    from PIL import Image

    quiet_pillow()  # its log lines name no file; the caller's message does
    if not isinstance(source, str | os.PathLike):
        return Image.open(source)
    from PIL import UnidentifiedImageError

    fp = _CappedReader(source)
    try:
        im = Image.open(fp)
    except UnidentifiedImageError:  # Pillow's own words name our reader object: "<_CappedReader name=3>"
        fp.close()
        raise UnidentifiedImageError("unknown format or corrupt header") from None
    except BaseException:
        fp.close()
        raise
    im._exclusive_fp = True  # closing the image closes the file, as when Pillow opens the path itself
    return im


def open_pillow(source: str | os.PathLike[str] | IO[bytes], where: str) -> Any:
    """``PIL.Image.open`` with the header size checked against ``max_pixels()`` before any decoding;
    raises ``ImageTooLargeError``, or Pillow's ``OSError`` / ``UnidentifiedImageError``."""
    import warnings

    from PIL import Image

    _sync_pillow_limit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = _pillow_open(source)
        except Image.DecompressionBombError:
            im = None
    if im is None:  # more than twice the limit: Pillow knows the size but will not say; ask again lazily
        Image.MAX_IMAGE_PIXELS = None
        try:
            im = _pillow_open(source)
        finally:
            _sync_pillow_limit()
    try:
        check_header_size(int(im.width), int(im.height), where)
    except ImageReadError:
        im.close()
        raise
    im.load = _damage_as_oserror(im.load)
    return im


def _damage_as_oserror(load: Any) -> Any:
    """``Image.load`` (what ``np.asarray``, ``convert`` and ``crop`` call first) raising ``OSError`` for
    damage met while decoding: Pillow raises ``SyntaxError("broken PNG file")`` for a chunk length that
    is off, which every reader's ``except OSError`` let through. Its callers name the file, as for
    Pillow's own OSErrors."""

    def checked() -> Any:
        try:
            return load()
        except SyntaxError as e:
            raise OSError(f"damaged image data ({e})") from None

    return checked


def _orientation(im: Any) -> int:
    """The EXIF orientation of an opened Pillow image, without decoding its pixels (a PNG's eXIf chunk
    counts only when it comes before the pixel data: Pillow would decode the image to look further)."""
    from PIL import Image

    try:
        if im.format == "PNG":
            if "exif" not in im.info:
                return 1
            exif = Image.Exif()
            exif.load(im.info["exif"])
        else:
            exif = im.getexif()
        value = int(exif.get(EXIF_ORIENTATION_TAG, 1) or 1)
    except Exception:  # a broken EXIF block: the pixels are still fine
        return 1
    return value if 1 <= value <= 8 else 1


def _header(p: Path) -> tuple[int, int, int] | None:
    """(width, height, EXIF orientation) as stored, from the header only; None when Pillow cannot tell
    (then tifffile is asked, for TIFFs). Over-limit sizes raise ``ImageTooLargeError``."""
    from PIL import UnidentifiedImageError

    from pixelproof.core.tiff_read import tiff_page_size

    try:
        with open_pillow(p, str(p)) as im:
            header, tiff = (int(im.width), int(im.height), _orientation(im)), im.format == "TIFF"
    except (UnidentifiedImageError, ValueError) as e:
        if isinstance(e, ImageReadError):  # too large, or sides of 0: the header said enough
            raise
    except OSError:
        pass
    else:
        if tiff:
            tiff_page_size(p)  # a tile table shorter than the size: refused, as when decoding it
        return header
    if p.suffix.lower() in (".tif", ".tiff"):
        size = tiff_page_size(p)
        if size is None:
            return None
        check_header_size(*size, str(p))
        return *size, 1
    return None


def _check_file(p: Path) -> None:
    """A regular file that exists: FIFOs, devices and folders are refused without reading them."""
    try:
        check_regular_file(p, str(p))
    except FileNotFoundError:
        raise ImageReadError(f"{p}: image file not found") from None
    except PermissionError:
        raise ImageReadError(f"{p}: cannot read the image: permission denied") from None
    except LimitError as e:
        raise ImageReadError(str(e)) from None
    except OSError as e:
        raise ImageReadError(f"{p}: cannot read the image: {e.strerror or e}") from None


def read_image(
    path: str | os.PathLike[str], apply_exif: bool = True, expect: Mapping[str, Any] | None = None
) -> np.ndarray:
    """HxW or HxWxC (RGB/RGBA) array with the file's own dtype; raises ``ImageReadError``.

    The size is read from the header and checked against ``limits.max_pixels()`` before anything is
    decoded (``ImageTooLargeError``). With ``apply_exif`` the EXIF orientation is applied, as the camera
    meant it (``Project.applies_exif`` says whether a project wants that).

    Slices of volumes (``ct.nii.gz#z=012``), DICOM files and pyramids go through ``core.sources``: DICOM
    values come after the modality LUT (int16/int32/float32, e.g. HU). ``expect``: the identity an image
    record keeps for its slice (``volumes.expected_identity(record.extra)``): a volume that changed since
    so that the name points at another slice is refused, never read."""
    p = Path(path)
    from pixelproof.core.sources import read_special

    special = read_special(p, expect)
    if special is not None:
        return special
    _check_file(p)
    header = _header(p)
    if header is None:
        raise ImageReadError(f"{p}: not a readable image (unknown format or corrupt header)")
    img = decode_file(p)
    if apply_exif and header[2] != 1:
        img = np.ascontiguousarray(orient(img, header[2]))
    return img


def decode_file(p: Path, past_limit: bool = False, data: bytes | None = None) -> np.ndarray:
    """The stored pixels of a plain image file (RGB order, no EXIF turn) without any size check: callers
    check the header first (``read_image``) or decode past the limit on the user's word
    (``core.reduced``, ``past_limit``: a multichannel TIFF's bytes are not checked either). ``data``: the
    file's bytes when the caller has read them already (an export embedding them), not read again."""
    try:  # not cv2.imread: it fails on non-ASCII paths on Windows
        raw = np.fromfile(p, dtype=np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
    except OSError as e:
        raise ImageReadError(f"{p}: cannot read the image: {e.strerror or e}") from None
    from pixelproof.core.tiff_read import TIFF_MAGIC, read_tiff, tifffile_reads

    tiff = raw[:4].tobytes() in TIFF_MAGIC or p.suffix.lower() in (".tif", ".tiff")
    channels = _read_channels(p, raw, not past_limit) if tiff else None
    if channels is not None:  # a multichannel (fluorescence) TIFF: its composite, all channels shown
        from pixelproof.core.channels import render_region

        return render_region(channels[1], channels[0], 0, channels[0].shape[0], 0, channels[0].shape[1])
    first = tiff and tifffile_reads(p, raw)
    img = read_tiff(p, first=True) if first else None  # else OpenCV, also if tifffile fails
    if img is None:
        if raw[:2].tobytes() == b"\xff\xd8":  # a JPEG: its bytes are searched for scans
            check_jpeg_scans(p, raw.tobytes())
        try:
            with quiet_opencv():  # libtiff's and libpng's lines name no file: what is wrong is said below
                img = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED) if raw.size else None  # never applies EXIF
        except cv2.error:  # its own checks, e.g. a side over OPENCV_MAX_SIDE: tifffile, or said below
            img = None
        if img is None and tiff and not first:
            img = read_tiff(p)
        elif img is not None and img.ndim == 3 and img.shape[2] in (3, 4):
            img = bgr_to_rgb(img)
    if img is None:
        raise ImageReadError(f"{p}: not a readable image ({_why_not(p, tiff)})")
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.dtype == np.bool_:  # 1-bit samples OpenCV could not take (tifffile): 0/255, as OpenCV reads them
        img = img.view(np.uint8) * np.uint8(255)
    elif img.dtype.kind not in "uif":  # complex samples (a TIFF's sample format 6): no picture to show
        raise ImageReadError(f"{p}: {img.dtype} samples (integer and floating-point images are read)")
    return img


OPENCV_MAX_SIDE = 1_000_000  # OpenCV refuses a longer side: libpng's user limit (others 2**20)


def _why_not(p: Path, tiff: bool) -> str:
    """Why nothing decoded it: a side OpenCV refuses (a line-scan strip may be that long; tifffile reads
    such a TIFF), or damage."""
    try:
        with open_pillow(p, str(p)) as im:
            w, h = int(im.width), int(im.height)
    except Exception:
        return "unknown format or corrupt data"
    if max(w, h) > OPENCV_MAX_SIDE and not tiff:
        return f"{w} x {h} pixels: a side over {OPENCV_MAX_SIDE:,} is read from TIFF files only"
    return "unknown format or corrupt data"


def bgr_to_rgb(img: np.ndarray) -> np.ndarray:
    """OpenCV's BGR(A) pixels in RGB(A) order, C-contiguous: a fancy-indexed copy comes out channel-planar
    (its strides (W, 1, H*W)) and every later step (a resize, a texture, a model's input) pays for
    another interleaving copy. OpenCV's converter for the depths it takes, numpy's copy for the others."""
    if img.dtype in (np.uint8, np.uint16, np.float32):
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB if img.shape[2] == 3 else cv2.COLOR_BGRA2RGBA)
    return np.ascontiguousarray(img[:, :, [2, 1, 0, 3][: img.shape[2]]])


def _read_channels(p: Path, raw: np.ndarray, limit: bool = True) -> tuple[np.ndarray, Any] | None:
    """H x W x C planes and ``channels.Composite`` of a multichannel TIFF (``channels.channel_layout``;
    ``raw``: the file's bytes), None for any other TIFF. Every page is checked before decoding, and with
    ``limit`` the bytes of its channels against those of an RGB image at the pixel limit. A channel page
    is read in its own layout (``channel_pages``): tifffile cuts a later one into its first's tiles."""
    from pixelproof.core.tiff_guard import import_tifffile

    tifffile = import_tifffile()

    from pixelproof.core.channels import (
        ChannelError,
        Composite,
        channel_layout,
        channel_pages,
        percentile_ranges,
        strided_sample,
        to_planes,
    )
    from pixelproof.core.tiff_read import check_tiff_page
    from pixelproof.core.tiff_stack import parse_stack

    try:
        tif = parse_stack(p)  # though a later channel page is stored otherwise than the first
    except ChannelError as e:
        raise ImageReadError(str(e)) from None
    except Exception:  # not a TIFF tifffile reads: the other decoders say what they can
        return None
    with tif:
        try:
            layout = channel_layout(tif)
        except ChannelError as e:
            raise ImageReadError(str(e)) from None
        if layout is None:
            return None
        series = tif.series[0]
        n, dtype = len(layout.channels), np.dtype(series.dtype)
        shape = tuple(int(v) for v in series.shape)
        height, width = shape[:2] if layout.axis == "S" and not layout.planar else shape[-2:]
        size = width * height * n * dtype.itemsize
        if limit and size > 3 * max_pixels():  # the bytes of an RGB image at the pixel limit
            raise ImageReadError(
                f"{p}: {n} channels of {width} x {height} {series.dtype} pixels ({size / 2**20:,.0f} MB) "
                f"are more than an RGB image at the pixel limit ({max_pixels():,} pixels, "
                f"{3 * max_pixels() / 2**20:,.0f} MB): not decoded"
            )
        files = tifffile.FileCache()  # a multi-file OME series: its other files' pages, opened to be read
        try:
            for page in series.pages:
                if page is not None:
                    files.open(page.parent.filehandle)
            pages = channel_pages(tif, layout, str(p)) if layout.axis == "C" else list(series.pages)
            for page in pages:
                check_tiff_page(p, raw, page)
            if layout.axis == "C":  # straight into H x W x C: one copy of the channels, not two
                planes = np.empty((height, width, n), dtype)
                for c, page in enumerate(pages):
                    planes[..., c] = page.asarray()
            else:
                planes = to_planes(series.asarray(), layout)
        except (ImageReadError, ChannelError) as e:
            raise ImageReadError(str(e)) from None
        except Exception as e:
            raise ImageReadError(
                f"{p}: a {len(layout.channels)}-channel TIFF that cannot be decoded: {e}"
            ) from None
        finally:
            files.clear()  # closes those it opened, not this file
    if planes.dtype.kind not in "uif":
        raise ImageReadError(f"{p}: {planes.dtype} samples (integer and floating-point images are read)")
    return planes, Composite(layout.channels, percentile_ranges(strided_sample(planes)))


def _has_channels(p: Path) -> bool:
    """Whether a TIFF's header says it is multichannel (nothing decoded, the file not read whole)."""
    from pixelproof.core.channels import ChannelError, channel_layout
    from pixelproof.core.tiff_stack import parse_stack

    try:
        with parse_stack(p) as tif:  # though a later channel page is stored otherwise than the first
            return channel_layout(tif) is not None
    except ChannelError as e:  # channels declared that cannot be read as declared
        raise ImageReadError(str(e)) from None
    except Exception:  # not a TIFF tifffile reads
        return False


def read_channels(
    path: str | os.PathLike[str], apply_exif: bool = True, expect: Mapping[str, Any] | None = None
) -> tuple[np.ndarray, Any] | None:
    """The H x W x C planes and ``channels.Composite`` of a plain (not pyramidal) multichannel TIFF, as
    ``read_image`` reads it (size checked from the header, EXIF orientation applied), or of a slice of a
    multichannel TIFF stack (``expect``: its record's identity); None for any other image. The canvas
    draws the composite from them and toggles channels; raises ``ImageReadError``."""
    from pixelproof.core.sources import kind_of, stack_channels

    p = Path(path)
    stack = stack_channels(p, expect)
    if stack is not None:
        return stack
    if p.suffix.lower() not in (".tif", ".tiff") or kind_of(p) is not None:
        return None
    _check_file(p)
    header = _header(p)
    if header is None or not _has_channels(p):
        return None
    try:
        raw = np.fromfile(p, dtype=np.uint8)
    except OSError as e:
        raise ImageReadError(f"{p}: cannot read the image: {e.strerror or e}") from None
    got = _read_channels(p, raw)
    if got is None or not apply_exif or header[2] == 1:
        return got
    return np.ascontiguousarray(orient(got[0], header[2])), got[1]


def jpeg_scans(data: bytes) -> int:
    """Scans in JPEG data: each starts with the marker FF DA, which coded data never holds (its FF bytes
    are followed by 00)."""
    return data.count(b"\xff\xda")


def check_jpeg_scans(p: Path, data: bytes) -> None:
    """``ImageReadError`` when ``data`` is a JPEG of more than ``MAX_JPEG_SCANS`` scans: each is a pass
    over the whole picture, so a small file of empty scans keeps a decoder busy (2,000 of them on 4
    megapixels: 0.75 s, growing with scans x pixels)."""
    if data[:2] != b"\xff\xd8":
        return
    scans = jpeg_scans(data)
    if scans > MAX_JPEG_SCANS:
        raise ImageReadError(f"{p}: a JPEG of {scans:,} scans (at most {MAX_JPEG_SCANS}): not decoded")


def image_size(path: str | os.PathLike[str], apply_exif: bool = True) -> tuple[int, int]:
    """(width, height) from the file header, without decoding the pixels; raises ``ImageReadError``
    (``ImageTooLargeError`` over ``limits.max_pixels()``). With ``apply_exif``, the size as shown after
    the EXIF orientation (sides swapped for orientations 5-8)."""
    from pixelproof.core.sources import special_size

    p = Path(path)
    special = special_size(p)
    if special is not None:
        return special
    _check_file(p)
    header = _header(p)
    if header is None:
        raise ImageReadError(f"{p}: not a readable image (unknown format or corrupt header)")
    w, h, orientation = header
    return (h, w) if apply_exif and orientation in _SWAPS_SIDES else (w, h)


def exif_orientation(path: str | os.PathLike[str]) -> int:
    """The EXIF orientation stored in an image file (1 when none, or not a plain image file)."""
    try:
        header = _header(Path(path))
    except (ImageReadError, OSError):
        return 1
    return header[2] if header is not None else 1


def read_project_image(project: Any, image: Any) -> np.ndarray:
    """The pixels of ``image`` (an ``ImageRecord`` of ``project``) as the project sees them
    (``Project.applies_exif``); a slice whose volume changed since the record was made is refused."""
    from pixelproof.core.volumes import expected_identity

    expect = expected_identity(image.extra)
    return read_image(project.image_path(image), apply_exif=project.applies_exif, expect=expect)


def auto_window(img: np.ndarray, low_pct: float = 0.5, high_pct: float = 99.5) -> tuple[float, float]:
    """Display range from percentiles; 8-bit images get their full range, other integer pixels a whole
    width and level (``W 1730  L -158``, not ``W 1729  L -157.5``)."""
    if img.dtype == np.uint8:
        return 0.0, 255.0
    sample = sampled_values(img)
    if sample.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(sample, [low_pct, high_pct])
    if hi <= lo:
        hi = lo + 1
    if img.dtype.kind in "iu":  # whole width and level, as the presets and a right-drag give (CT in HU)
        return whole_window(float(lo), float(hi))
    return float(lo), float(hi)


def to_display8(img: np.ndarray, window: tuple[float, float] | None = None) -> np.ndarray:
    """8-bit copy for display: RGB(A) or gray, values mapped linearly from ``window`` to 0..255."""
    if img.dtype == np.uint8 and window in (None, (0.0, 255.0)):
        return img
    lo, hi = window if window is not None else auto_window(img)
    scale = 255.0 / (hi - lo) if hi > lo else 1.0
    out = (img.astype(np.float32) - lo) * scale
    np.nan_to_num(out, copy=False, nan=0.0)
    return np.clip(out, 0, 255).astype(np.uint8)
