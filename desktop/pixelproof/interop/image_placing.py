"""Placing an export's image files: copied or linked beside the labels as the project sees them (EXIF
turned, or as the record declares them; slices and DICOM as 8-bit PNGs), never one imported from outside
its dataset's folder unless allowed."""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.declared_size import turn_for
from pixelproof.core.imageio import ImageReadError, exif_orientation, image_size, read_image
from pixelproof.core.model import ImageRecord
from pixelproof.core.volumes import expected_identity
from pixelproof.interop._util import fresh_output, is_file, outside_root_warning, refused_outside, write_fresh
from pixelproof.interop.image_guard import check_target, make_folders


def rendered_as_png(src: Path) -> bool:
    """True for images a training framework cannot read as files: slices of volumes (``ct.nii.gz#z=012``)
    and DICOM files. Exports write them as 8-bit PNGs (``image_suffix``, ``place_image``)."""
    from pixelproof.core.sources import kind_of

    return kind_of(src) in ("slice", "dicom", "nifti")


def image_suffix(src: Path) -> str:
    """The suffix an exported copy of ``src`` gets: ``.png`` for slices and DICOM, else its own."""
    return ".png" if rendered_as_png(src) else src.suffix


def image_exists(src: Path) -> bool:
    return is_file(src) or is_file(src, rendered_as_png)


def place_image(
    src: Path, dst: Path, mode: str, record: ImageRecord | None = None, apply_exif: bool = True
) -> str | None:
    """Copy or link an image file to ``dst``; returns a warning when linking had to fall back to a copy.

    A copy of an image carrying an EXIF orientation is written as the project sees it (``apply_exif``,
    the project's ``applies_exif``: turned, or as stored), re-encoded without the tag, since many training
    loaders ignore EXIF and the labels are on those pixels - or as ``record`` declares it (``turn_for``).

    Nothing is placed (and the warning says why) when ``src`` is not a readable image (a FIFO, a device,
    a text file...) or when ``record`` is flagged as lying outside the dataset it was imported from
    (unless ``limits.outside_root_allowed()``, the CLI's ``--allow-outside-root``). Slices and DICOM
    images are written as 8-bit PNGs instead: the stored values through the file's own display window
    (else the 0.5-99.5 percentiles), MONOCHROME1 inverted, as the app shows them."""
    if refused_outside(record):
        return outside_root_warning(src, "copied or linked")
    if not rendered_as_png(src):
        try:
            image_size(src)  # a regular file whose header is an image's (no decoding)
        except ImageReadError as e:
            return f"{e}; not copied or linked"
    make_folders(dst.parent)
    if dst.exists() or dst.is_symlink():
        if not rendered_as_png(src) and dst.resolve() == src.resolve():
            return None
        check_target(dst).unlink()
    if record is not None and mode == "copy" and not rendered_as_png(src):
        apply_exif = turn_for(src, (record.width, record.height), apply_exif)
    try:
        pixels = _new_pixels(src, mode, apply_exif, expected_identity(record.extra) if record else None)
    except ImageReadError as e:
        return f"{e}; its image was not written"
    if pixels is not None:
        data = _encoded(pixels, dst.suffix)
        if data is None:
            return f"{src}: could not encode the image; it was not written"
        write_fresh(dst, data)
        return None
    if mode == "copy":
        _copy(src, dst)
        return None
    try:
        os.link(src, dst)  # a hard link survives moving the dataset folder
        return None
    except OSError:
        pass
    try:
        os.symlink(os.path.abspath(src), dst)
        return None
    except OSError:
        _copy(src, dst)
        return f"{dst}: could not link to {src}; copied instead"


def _copy(src: Path, dst: Path) -> None:
    """``shutil.copy2`` whole or not at all: a copy a full disk cut short must not stay as the picture."""
    with open(src, "rb") as fin, fresh_output(dst) as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    shutil.copystat(src, dst)


def unclaimed(dst: Path, src: Path, mode: str, apply_exif: bool = True) -> Path:
    """``dst``, or when it holds another picture the first ``<stem>_<n><suffix>`` beside it that is free
    or holds this one. For a folder several exports share (COCO's ``images/`` beside instances_train.json
    and instances_val.json): one export's ``0001.jpg`` replaced another's, which then named the wrong
    picture. What ``place_image`` would write there (the file, a link to it, its re-encoded pixels) is this
    picture, so a second run reuses its own files."""
    target, n = dst, 1
    while (target.exists() or target.is_symlink()) and not _holds(target, src, mode, apply_exif):
        n += 1
        target = dst.with_name(f"{dst.stem}_{n}{dst.suffix}")
    return target


def _holds(target: Path, src: Path, mode: str, apply_exif: bool) -> bool:
    try:
        pixels = _new_pixels(src, mode, apply_exif)
        if pixels is not None:
            return target.read_bytes() == _encoded(pixels, target.suffix)
        return os.path.samefile(src, target) or filecmp.cmp(src, target, shallow=False)
    except (OSError, ValueError, ImageReadError):  # a dangling link, an unreadable file: not this picture
        return False


def copied_bytes(src: Path, record: ImageRecord | None, apply_exif: bool) -> bytes | None:
    """The bytes a copy of ``src`` holds (``place_image``, under ``image_suffix(src)``): its pixels as the
    project sees them where they are not the file's (a slice, a DICOM image, an EXIF orientation: the
    annotations' frame), else the file's own bytes. None when they cannot be encoded."""
    pixels = _new_pixels(src, "copy", apply_exif, expected_identity(record.extra) if record else None)
    return src.read_bytes() if pixels is None else _encoded(pixels, image_suffix(src))


def _new_pixels(
    src: Path, mode: str, apply_exif: bool, expect: dict[str, Any] | None = None
) -> np.ndarray | None:
    """The pixels placing ``src`` writes when not the file itself (None): slices and DICOM images as
    8-bit PNGs (the stored values through the file's own display window, else the 0.5-99.5 percentiles,
    a slice's of its whole volume, MONOCHROME1 inverted, as the app shows them); a copy of an image with
    an EXIF orientation turned as the project sees it. ``expect``: the record's slice identity (a slice
    that changed is refused)."""
    if rendered_as_png(src):
        from pixelproof.core.imageio import to_display8
        from pixelproof.core.sources import automatic_window, image_meta

        pixels, meta = read_image(src, expect=expect), image_meta(src)
        auto = None if pixels.dtype == np.uint8 else automatic_window(src, pixels)  # a slice: its volume's
        shown = to_display8(pixels, meta.window or auto)
        return 255 - shown if meta.invert else shown
    if mode == "copy" and exif_orientation(src) != 1:
        return read_image(src, apply_exif=apply_exif)
    return None


def _encoded(pixels: np.ndarray, suffix: str) -> bytes | None:
    """RGB(A) or gray pixels encoded in the format of ``suffix`` (JPEG at quality 95); None if it cannot."""
    import cv2

    if pixels.ndim == 3:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR if pixels.shape[2] == 3 else cv2.COLOR_RGBA2BGRA)
    # the JPEG quality only for JPEG: OpenCV prints a warning on stderr for a key the format lacks
    jpeg = (suffix or "").lower() in (".jpg", ".jpeg", ".jpe")
    ok, data = cv2.imencode(suffix or ".png", pixels, [cv2.IMWRITE_JPEG_QUALITY, 95] if jpeg else [])
    return data.tobytes() if ok else None
