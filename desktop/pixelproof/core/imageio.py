"""Read any image the app meets (8/16-bit, float, gray/RGB/RGBA, TIFF) and map it to 8-bit for display.

Pixels are returned as stored (RGB order, dtype kept); display mapping (window/level) never alters them.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".pgm", ".ppm", ".pbm")
# read by pixelproof.core.sources: volumes (one image per slice), DICOM files, whole-slide pyramids
MEDICAL_SUFFIXES = (".nii", ".nii.gz", ".dcm", ".dicom", ".svs")


class ImageReadError(Exception):
    """An image could not be read; the message names the file and the reason."""


def is_image_file(path: str | os.PathLike[str]) -> bool:
    """By name only; DICOM files without a suffix are found by ``sources.scan_images``."""
    name = Path(path).name.lower()
    return Path(name).suffix in IMAGE_SUFFIXES or name.endswith(MEDICAL_SUFFIXES)


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """HxW or HxWxC (RGB/RGBA) array with the file's own dtype; raises ``ImageReadError``.

    Slices of volumes (``ct.nii.gz#z=012``), DICOM files and pyramids go through ``core.sources``: DICOM
    values come after the modality LUT (int16/int32/float32, e.g. HU)."""
    p = Path(path)
    from pixelproof.core.sources import read_special

    special = read_special(p)
    if special is not None:
        return special
    try:
        raw = np.fromfile(p, dtype=np.uint8)  # not cv2.imread: it fails on non-ASCII paths on Windows
    except FileNotFoundError:
        raise ImageReadError(f"{p}: image file not found") from None
    except IsADirectoryError:
        raise ImageReadError(f"{p}: is a directory, not an image") from None
    except PermissionError:
        raise ImageReadError(f"{p}: cannot read the image: permission denied") from None
    except OSError as e:
        raise ImageReadError(f"{p}: cannot read the image: {e.strerror or e}") from None
    img = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED) if raw.size else None
    if img is None and p.suffix.lower() in (".tif", ".tiff"):
        img = _read_tiff(p)
    if img is None:
        raise ImageReadError(f"{p}: not a readable image (unknown format or corrupt data)")
    if img.ndim == 3:
        if img.shape[2] == 1:
            img = img[:, :, 0]
        elif img.shape[2] == 3:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        elif img.shape[2] == 4:
            img = cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)
    return img


def _read_tiff(p: Path) -> np.ndarray | None:
    try:
        import tifffile

        arr = tifffile.imread(p)
    except Exception:
        return None
    if arr.ndim == 3 and arr.shape[2] == 3:
        return arr[:, :, ::-1]  # callers expect OpenCV's BGR here
    return arr


def image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(width, height) from the file header, without decoding the pixels; raises ``ImageReadError``."""
    from PIL import Image, UnidentifiedImageError

    from pixelproof.core.sources import special_size

    p = Path(path)
    special = special_size(p)
    if special is not None:
        return special
    try:
        with Image.open(p) as im:
            return int(im.width), int(im.height)
    except (UnidentifiedImageError, Image.DecompressionBombError):
        pass
    except FileNotFoundError:
        raise ImageReadError(f"{p}: image file not found") from None
    except PermissionError:
        raise ImageReadError(f"{p}: cannot read the image: permission denied") from None
    except OSError as e:
        raise ImageReadError(f"{p}: cannot read the image: {e}") from None
    img = read_image(p)  # formats Pillow does not know (e.g. some 16-bit TIFFs)
    return int(img.shape[1]), int(img.shape[0])


def auto_window(img: np.ndarray, low_pct: float = 0.5, high_pct: float = 99.5) -> tuple[float, float]:
    """Display range from percentiles; 8-bit images get their full range."""
    if img.dtype == np.uint8:
        return 0.0, 255.0
    sample = (
        img
        if img.size <= 4_000_000
        else img[:: max(1, img.shape[0] // 1000), :: max(1, img.shape[1] // 1000)]
    )
    sample = sample[np.isfinite(sample)] if np.issubdtype(sample.dtype, np.floating) else sample
    if sample.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(sample, [low_pct, high_pct])
    if hi <= lo:
        hi = lo + 1
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
