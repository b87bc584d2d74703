"""DICOM files and multi-frame objects (pydicom), read as the values after the modality LUT; their
assembly into volumes (series folders, a multi-frame object's frames) is ``core.dicom_series``.

- Pixels: ``pydicom``'s decoders (its own, Pillow, pylibjpeg-openjpeg, pylibjpeg-rle, pyjpegls, and
  python-gdcm for JPEG Lossless); colour images come back RGB, palette images through their colour LUT.
  An unsupported transfer syntax is named in the error. Values then go through the modality LUT (Rescale
  Slope/Intercept -> HU for CT), as ``pydicom.pixels.apply_modality_lut`` computes them, and are kept as
  int16/int32 when they are whole numbers (float32 otherwise).
- Display: the file's first VOI window (Window Center/Width, DICOM's linear formula) or the input range
  of its VOI LUT; MONOCHROME1 is flagged so the display inverts it; stored values never change.
- Geometry: PixelSpacing, else ImagerPixelSpacing (projection images), as (row, column) mm; the slice
  position along the plane's normal from ImagePositionPatient and ImageOrientationPatient. Enhanced
  objects (of many frames or of one) read these, the rescale and the window from their functional groups.
- A folder's files are grouped into series (SeriesInstanceUID, size, orientation, pixel spacing); a series
  of two or more single-frame files is a volume sorted by position (InstanceNumber, then file name, when
  positions are missing), or one volume per acquisition / phase when its files share positions. Nothing
  about the patient is read into the project.
"""

from __future__ import annotations

import math
import os
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.patient_space import PatientGeometry, dicom_geometry
from pixelproof.core.volumes import (
    ImageMeta,
    VolumeError,
    in_plane_offsets,
)

DICOM_SUFFIXES = (".dcm", ".dicom")
_NON_IMAGE_SUFFIXES = {
    ".json", ".txt", ".csv", ".xml", ".html", ".md", ".py", ".yaml", ".yml", ".zip", ".gz", ".bak",
    ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".nii", ".autosave", ".lock",
}  # fmt: skip


class DicomError(VolumeError):
    """A DICOM file cannot be read or decoded; the message names the file and the reason."""


def import_pydicom() -> Any:
    try:
        import pydicom
    except ImportError:  # pragma: no cover - a declared dependency
        raise DicomError("reading DICOM needs pydicom: pip install pydicom") from None
    return pydicom


def looks_like_dicom(path: str | os.PathLike[str]) -> bool:
    """True for ``.dcm``/``.dicom`` files and for files of any other name with the DICM preamble."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in DICOM_SUFFIXES:
        return True
    if suffix in _NON_IMAGE_SUFFIXES or p.name == "DICOMDIR":
        return False
    try:
        with open(p, "rb") as f:
            head = f.read(132)
    except OSError:
        return False
    return len(head) == 132 and head[128:] == b"DICM"


# What tells apart the acquisitions / phases of one series stacked at the same positions (``dicom_series``),
# in the order tried: 3D Slicer's scalar volume plugin splits a series by AcquisitionNumber (and
# ImageType), its MultiVolume importer by TemporalPositionIdentifier, TriggerTime, echo and b-value.
PHASE_TAGS = (
    "AcquisitionNumber", "TemporalPositionIdentifier", "TriggerTime", "EchoNumbers", "DiffusionBValue",
    "ImageType",
)  # fmt: skip

# what grouping a folder into series needs: parsing only these makes the scan of a 512-slice folder cheaper
# than reading every header whole
SCAN_TAGS = (
    "Rows", "Columns", "NumberOfFrames", "SeriesInstanceUID", "SeriesNumber", "InstanceNumber",
    "ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "ImagerPixelSpacing",
    "WindowCenter", "WindowWidth", "VOILUTFunction", "VOILUTSequence", "PhotometricInterpretation",
    "Modality",
    "SOPInstanceUID", "SOPClassUID",
    # an enhanced object keeps spacing, orientation, position and window in its functional groups
    "SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence",
    # says whether a VOI LUT's first input value is US or SS (an implicit VR file does not): without it a
    # signed LUT starting at -1024 read as 64512
    "PixelRepresentation",
    # what an uncompressed image's Pixel Data must hold (``short_pixel_data``)
    "BitsAllocated", "SamplesPerPixel",
    # what tells apart acquisitions / phases of one series at the same positions
    *PHASE_TAGS,
)  # fmt: skip


DEFLATED_TS = "1.2.840.10008.1.2.1.99"  # Deflated Explicit VR Little Endian: the whole dataset zlib-deflated
INFLATE_CHUNK = 1 << 20


def check_deflated(path: str | os.PathLike[str]) -> None:
    """``DicomError`` for a deflated file whose dataset inflates past twice ``max_pixels()`` bytes, found
    by inflating it once without keeping it: pydicom inflates such a dataset whole in memory before it
    reads a tag (a 0.5 MB file took 1.1 GB for its header). Other files pass untouched."""
    from pixelproof.core.limits import RAISE_HINT, max_pixels

    p = Path(path)
    try:
        with open(p, "rb") as f:  # the transfer syntax follows two short UIDs in the file meta group
            if DEFLATED_TS.encode() not in f.read(1024):
                return
        pydicom = import_pydicom()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta = pydicom.filereader.read_file_meta_info(os.fspath(p))
        if str(meta.get("TransferSyntaxUID", "")) != DEFLATED_TS:
            return
        start = 132 + 12 + int(meta.FileMetaInformationGroupLength)  # preamble, DICM, the length element
    except Exception:  # not a DICOM Part 10 file, or no group length: pydicom says what is wrong
        return
    limit = 2 * max_pixels()
    inflate, total = zlib.decompressobj(-zlib.MAX_WBITS), 0
    with open(p, "rb") as f:
        f.seek(start)
        while total <= limit and not inflate.eof:
            data = inflate.unconsumed_tail or f.read(INFLATE_CHUNK)  # at most a chunk out per call
            if not data:
                break
            try:
                total += len(inflate.decompress(data, INFLATE_CHUNK))
            except zlib.error:
                return  # damaged: pydicom's own read reports it
    if total > limit:
        raise DicomError(
            f"{p}: its deflated dataset inflates past {limit:,} bytes (twice the pixel limit): not read; "
            + RAISE_HINT
        )


# Segmentation Storage (binary / fractional) and Label Map Segmentation Storage: no image to show; the SEG
# reader (``interop.dicom_seg``) checks their frames itself
SEG_SOP_CLASSES = ("1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.66.7")
UNDEFINED_LENGTH = 0xFFFFFFFF  # encapsulated (compressed) pixel data: its length is its fragments'
PIXEL_TAGS = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009})  # Pixel Data, Float / Double Float Pixel Data


def read_dataset(
    path: str | os.PathLike[str], pixels: bool = False, tags: tuple[str, ...] | None = None
) -> Any:
    """The parsed file (without its pixel data unless ``pixels``; only ``tags`` when given); raises
    ``DicomError``."""
    return _read(Path(path), pixels, tags, None)


def read_header(path: str | os.PathLike[str], tags: tuple[str, ...] | None = None) -> tuple[Any, str]:
    """The file's header (only ``tags`` when given) and what is wrong with its pixel data ("" when nothing
    is), found where the read stops, without reading the pixels: a header-only copy, or a file cut short
    by an interrupted copy, in a series folder is no slice."""
    seen: list[tuple[int, int]] = []  # (length, offset) of the pixel data element's value
    p = Path(path)
    ds = _read(p, False, tags, seen)
    if not seen:
        return ds, "the DICOM file holds no image (no Pixel Data)"
    length, offset = seen[0]
    is_seg = str(get_tag(ds, "SOPClassUID", "")) in SEG_SOP_CLASSES
    if length != UNDEFINED_LENGTH and not is_seg and (short := short_pixel_data(ds, length)):
        return ds, short
    deflated = str(get_tag(getattr(ds, "file_meta", {}), "TransferSyntaxUID", "")) == DEFLATED_TS
    if length != UNDEFINED_LENGTH and offset >= 0 and not deflated:  # a deflated file's offset is inflated
        try:
            there = p.stat().st_size - offset
        except OSError:
            return ds, ""
        if there < length:
            return (
                ds,
                f"the file is cut short: its Pixel Data takes {length:,} bytes, {max(there, 0):,} are there",
            )
    return ds, ""


def short_pixel_data(ds: Any, length: int) -> str:
    """What is wrong when an uncompressed Pixel Data element of ``length`` bytes holds fewer than the
    header's Rows x Columns x frames x samples x BitsAllocated need ("" when it holds enough, or the
    header cannot say): a file rewritten by a tool that cut the pixels, or a header edited to another
    size. pydicom only finds it when the slice is read, and words it as a decoding failure."""
    from pydicom.pixels.utils import get_expected_length

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            need = int(get_expected_length(ds, unit="bytes"))
    except Exception:  # a missing or malformed size tag: the read says what it is
        return ""
    if length >= need:
        return ""
    rows, cols = header_size(ds)
    frames = frame_count(ds)
    image = f"{rows} x {cols} pixels" + (f" x {frames} frames" if frames > 1 else "")
    return (
        f"its Pixel Data holds {length:,} bytes, but the header's image ({image}, "
        f"{get_tag(ds, 'BitsAllocated')} bits allocated) takes {need:,}: the header does not fit the pixels"
    )


def _read(p: Path, pixels: bool, tags: tuple[str, ...] | None, seen: list[tuple[int, int]] | None) -> Any:
    from pixelproof.core.limits import LimitError, check_regular_file

    pydicom = import_pydicom()
    handle: list[Any] = []

    def at_pixels(tag: int, vr: str | None, length: int) -> bool:  # pydicom's stop_before_pixels, noted
        if tag in PIXEL_TAGS:  # called with the file at the element's value
            seen.append((length, handle[0].tell() if handle else -1))  # type: ignore[union-attr]
            return True
        return False

    try:
        check_regular_file(p, str(p))  # a FIFO or device would block the read
        check_deflated(p)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydicom warns about every odd value; errors are raised
            if seen is None:
                ds = pydicom.dcmread(os.fspath(p), stop_before_pixels=not pixels, specific_tags=tags)
            else:
                wanted = [pydicom.tag.Tag(t) for t in tags] if tags else None
                with open(p, "rb") as fp:
                    handle.append(fp)
                    ds = pydicom.filereader.read_partial(fp, at_pixels, specific_tags=wanted)
    except FileNotFoundError:
        raise DicomError(f"{p}: DICOM file not found") from None
    except IsADirectoryError:
        raise DicomError(f"{p}: is a folder, not a DICOM file") from None
    except LimitError as e:
        raise DicomError(str(e)) from None
    except pydicom.errors.InvalidDicomError as e:
        raise DicomError(f"{p}: not a DICOM file ({e})") from None
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError, OverflowError) as e:
        raise DicomError(f"{p}: cannot read the DICOM file: {type(e).__name__}: {e}") from None
    except RecursionError:  # pydicom reads nested sequences by recursion: thousands deep stopped `new`
        raise DicomError(f"{p}: cannot read the DICOM file: its sequences are nested too deeply") from None
    if pixels and "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise DicomError(f"{p}: the DICOM file holds no image (no Pixel Data)")
    return ds


# ------------------------------------------------------------------------------------------------
# header values


def get_tag(ds: Any, name: str, default: Any = None) -> Any:
    try:
        return ds.get(name, default)
    except Exception:  # a malformed element raises on access
        return default


def _floats(value: Any, n: int) -> list[float] | None:
    """The first ``n`` numbers of a DICOM (multi-)value when they are finite, else None."""
    if value is None:
        return None
    items = (
        [value] if isinstance(value, str | bytes | int | float) or not hasattr(value, "__len__") else value
    )
    try:
        vals = [float(v) for v in list(items)[:n]]
    except (TypeError, ValueError):
        return None
    return vals if len(vals) == n and all(math.isfinite(v) for v in vals) else None


def _group_item(ds: Any, frame: int | None, sequence: str) -> Any:
    """Item 0 of functional group ``sequence`` for ``frame`` (per-frame first, then shared), or None.
    ``frame`` None is the object read whole: its first frame, the one ``decode_frame`` then returns (the
    only one of a single-frame enhanced object)."""
    for groups_name, index in (
        ("PerFrameFunctionalGroupsSequence", 0 if frame is None else frame),
        ("SharedFunctionalGroupsSequence", 0),
    ):
        groups = get_tag(ds, groups_name)
        if not groups or index is None or index >= len(groups):
            continue
        seq = get_tag(groups[index], sequence)
        if seq:
            return seq[0]
    return None


def pixel_spacing(ds: Any, frame: int | None = None) -> tuple[float, float] | None:
    """(row, column) spacing in mm: PixelSpacing (also from the functional groups), else
    ImagerPixelSpacing; None when absent or not two positive finite numbers."""
    measures = _group_item(ds, frame, "PixelMeasuresSequence")
    for source, name in ((measures, "PixelSpacing"), (ds, "PixelSpacing"), (ds, "ImagerPixelSpacing")):
        vals = _floats(get_tag(source, name), 2) if source is not None else None
        if vals and vals[0] > 0 and vals[1] > 0:
            return (vals[0], vals[1])
    return None


def _orientation(ds: Any, frame: int | None) -> list[float] | None:
    """ImageOrientationPatient (row then column direction cosines), from the functional groups first."""
    plane = _group_item(ds, frame, "PlaneOrientationSequence")
    iop = _floats(get_tag(plane, "ImageOrientationPatient") if plane is not None else None, 6)
    return iop or _floats(get_tag(ds, "ImageOrientationPatient"), 6)


def _normal(ds: Any, frame: int | None) -> np.ndarray | None:
    iop = _orientation(ds, frame)
    if iop is None:
        return None
    n = np.cross(np.array(iop[:3]), np.array(iop[3:]))
    norm = float(np.linalg.norm(n))
    return n / norm if norm > 1e-6 else None


def _origin(ds: Any, frame: int | None) -> list[float] | None:
    """ImagePositionPatient (the first pixel's centre, mm), from the functional groups first."""
    plane = _group_item(ds, frame, "PlanePositionSequence")
    ipp = _floats(get_tag(plane, "ImagePositionPatient") if plane is not None else None, 3)
    return ipp or _floats(get_tag(ds, "ImagePositionPatient"), 3)


def slice_position(ds: Any, frame: int | None = None) -> float | None:
    """Position in mm along the image plane's normal (ImagePositionPatient . normal), None if unknown."""
    ipp = _origin(ds, frame)
    if ipp is None:
        return None
    n = _normal(ds, frame)
    return float(np.dot(ipp, n)) if n is not None else float(ipp[2])


def position_along(ds: Any, like: Any) -> float | None:
    """``ds``'s ImagePositionPatient along the normal of ``like``'s plane (mm): where a file of another
    orientation or size lies in ``like``'s stack; None when either lacks its geometry."""
    ipp, n = _origin(ds, None), _normal(like, None)
    return float(np.dot(ipp, n)) if ipp is not None and n is not None else None


def stack_offsets(frames: list[tuple[Any, int | None]]) -> np.ndarray | None:
    """``in_plane_offsets`` of a stack's slices (dataset and frame each, in slice order): None unless every
    slice has a position, the stack has the first one's orientation and it is sheared (gantry tilt)."""
    iop = _orientation(*frames[0]) if frames else None
    origins = [_origin(ds, frame) for ds, frame in frames]
    if iop is None or any(o is None for o in origins):
        return None
    try:
        return in_plane_offsets(np.array(origins), np.array(iop[3:]), np.array(iop[:3]))[1]
    except ValueError:
        return None


def orientation_key(ds: Any) -> tuple[float, ...]:
    iop = _orientation(ds, None)
    return tuple(round(v, 3) for v in iop) if iop else ()


def voi_window(ds: Any, frame: int | None = None) -> tuple[float, float] | None:
    """(low, high) display range from the first Window Center/Width (DICOM's linear function, or
    LINEAR_EXACT's center -/+ width/2 when the VOI LUT Function says so; SIGMOID is shown as LINEAR), or
    the input range of the first VOI LUT; None when the file has neither."""
    voi = _group_item(ds, frame, "FrameVOILUTSequence")
    for source in (voi, ds):
        if source is None:
            continue
        c = _floats(get_tag(source, "WindowCenter"), 1)
        w = _floats(get_tag(source, "WindowWidth"), 1)
        exact = str(get_tag(source, "VOILUTFunction", "") or "").strip().upper() == "LINEAR_EXACT"
        if c and w and exact and w[0] > 0:
            return (c[0] - w[0] / 2, c[0] + w[0] / 2)
        if c and w and w[0] >= 1:
            lo = c[0] - 0.5 - (w[0] - 1) / 2
            hi = c[0] - 0.5 + (w[0] - 1) / 2
            return (lo, hi if hi > lo else lo + 1)
    seq = get_tag(ds, "VOILUTSequence")
    if seq:
        desc = _floats(get_tag(seq[0], "LUTDescriptor"), 3)
        if desc:
            n = desc[0] or 65536
            return (desc[1], desc[1] + max(1.0, n - 1))
    return None


def dicom_meta(ds: Any, frame: int | None = None) -> ImageMeta:
    return ImageMeta(
        pixel_spacing=pixel_spacing(ds, frame),
        slice_position=slice_position(ds, frame),
        window=voi_window(ds, frame),
        invert=str(get_tag(ds, "PhotometricInterpretation", "")).upper() == "MONOCHROME1",
        modality=str(get_tag(ds, "Modality", "") or ""),
        patient=patient_geometry(ds, frame),
    )


def patient_geometry(ds: Any, frame: int | None = None) -> PatientGeometry | None:
    """Where the image's (``frame``'s) pixels lie in the patient, from ImagePositionPatient,
    ImageOrientationPatient and PixelSpacing (the functional groups first); None when one is missing."""
    return dicom_geometry(_origin(ds, frame), _orientation(ds, frame), pixel_spacing(ds, frame))


def header_size(ds: Any) -> tuple[int, int]:
    """(Rows, Columns); 0 for a side that is absent, malformed (an odd length) or not one positive integer
    (a value of two numbers is a list: ``int()`` of it raised TypeError)."""
    sides = (get_tag(ds, "Rows", 0), get_tag(ds, "Columns", 0))
    return tuple(v if isinstance(v, int) and v > 0 else 0 for v in sides)  # type: ignore[return-value]


def image_size_of(ds: Any, path: Path) -> tuple[int, int]:
    """``header_size``, or ``DicomError`` naming the file when a side is 0 (a record of 0 pixels would
    make a project that does not load again)."""
    rows, cols = header_size(ds)
    if not rows or not cols:
        raise DicomError(f"{path}: the DICOM image has no size (Rows {rows}, Columns {cols})")
    return rows, cols


def frame_count(ds: Any) -> int:
    try:
        n = int(get_tag(ds, "NumberOfFrames", 1) or 1)
    except (TypeError, ValueError):
        n = 1
    return max(1, n)


# ------------------------------------------------------------------------------------------------
# pixels


def _syntax(ds: Any) -> str:
    meta = getattr(ds, "file_meta", None)
    uid = get_tag(meta, "TransferSyntaxUID") if meta is not None else None
    if uid is None:
        return "an unknown transfer syntax"
    return f"transfer syntax {getattr(uid, 'name', str(uid))} ({uid})"


def _check_jpeg_scans(ds: Any, path: Path, frame: int | None) -> None:
    """``DicomError`` when the JPEG data decoded (any JPEG transfer syntax but JPEG 2000's) holds more
    than ``MAX_JPEG_SCANS`` scans a frame: each scan is a pass over its frame, so a few KB of empty
    scans keep the decoder busy (``imageio.check_jpeg_scans`` for plain files). One frame of several
    is counted alone; all of them together (their pixels are within the limit) against frames x 500."""
    from pydicom.encaps import get_frame

    from pixelproof.core.imageio import jpeg_scans
    from pixelproof.core.limits import MAX_JPEG_SCANS

    meta = getattr(ds, "file_meta", None)
    uid = str(get_tag(meta, "TransferSyntaxUID", "") if meta is not None else "")
    data = get_tag(ds, "PixelData")
    if not uid.startswith("1.2.840.10008.1.2.4.") or uid.startswith("1.2.840.10008.1.2.4.9"):
        return
    if not isinstance(data, bytes | bytearray):
        return
    frames = frame_count(ds)
    allowed = MAX_JPEG_SCANS * (frames if frame is None else 1)
    if frame is not None and frames > 1:
        try:
            data = get_frame(data, frame, number_of_frames=frames)
        except Exception:  # a damaged encapsulation: the decoder reports it
            return
    scans = jpeg_scans(data)
    if scans > allowed:
        raise DicomError(
            f"{path}: {scans:,} JPEG scans where at most {allowed:,} are decoded "
            f"({MAX_JPEG_SCANS} a frame): not decoded"
        )


def decode_frame(ds: Any, path: Path, frame: int | None) -> np.ndarray:
    """Stored pixels of one frame (or of the whole single-frame image), colour converted to RGB."""
    from pydicom.pixels import apply_color_lut, pixel_array

    from pixelproof.core.limits import LimitError, check_image_size

    rows, cols = image_size_of(ds, path)
    try:
        check_image_size(cols, rows * (frame_count(ds) if frame is None else 1), str(path))
    except LimitError as e:
        raise DicomError(str(e)) from None
    _check_jpeg_scans(ds, path, frame)
    syntax = get_tag(getattr(ds, "file_meta", None), "TransferSyntaxUID")
    data = get_tag(ds, "PixelData")
    compressed = getattr(syntax, "is_compressed", False)
    if isinstance(data, bytes) and not compressed and (short := short_pixel_data(ds, len(data))):
        raise DicomError(f"{path}: {short}")  # pydicom words it as a decoding failure
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = pixel_array(ds, index=frame) if frame is not None else ds.pixel_array
            palette = str(get_tag(ds, "PhotometricInterpretation", "")).upper() == "PALETTE COLOR"
            if palette:
                arr = apply_color_lut(arr, ds)
    except MemoryError:
        raise DicomError(f"{path}: not enough memory to decode the {cols}x{rows} image") from None
    except (NotImplementedError, RuntimeError, ValueError) as e:
        reason = str(e).strip().splitlines()
        detail = "; ".join(line.strip() for line in reason[:3] if line.strip())
        raise DicomError(f"{path}: pixel data in {_syntax(ds)} cannot be decoded: {detail}") from None
    except Exception as e:  # decoders raise all sorts of things on corrupt data
        raise DicomError(f"{path}: corrupt pixel data ({_syntax(ds)}): {type(e).__name__}: {e}") from None
    planes = 3 if palette or get_tag(ds, "SamplesPerPixel", 1) != 1 else 2  # rows, columns (, RGB)
    if arr.ndim == planes + 1 and arr.shape[1:3] == (rows, cols):
        arr = arr[0]  # frames: a multi-frame object read whole, or pixel data longer than one frame
    if arr.ndim != planes or arr.shape[:2] != (rows, cols):  # a (64, 1, 1) array for a 1 x 1 image was kept
        raise DicomError(
            f"{path}: the pixel data decodes to an array of {arr.shape}, not the header's Rows {rows} x "
            f"Columns {cols}"
        )
    # a big-endian file's '>u2' is none of the types backends are promised (as_rgb8 took it for "other")
    return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))


def _rescale_dataset(ds: Any, frame: int | None) -> Any:
    """The dataset whose Rescale Slope/Intercept or Modality LUT apply to ``frame``."""
    item = _group_item(ds, frame, "PixelValueTransformationSequence")
    if item is not None and "RescaleSlope" in item and "RescaleIntercept" in item:
        return item
    return ds


def modality_values(arr: np.ndarray, ds: Any, frame: int | None = None) -> np.ndarray:
    """``apply_modality_lut`` of ``arr`` for ``frame``, kept as int16/int32 when the values are whole."""
    from pydicom.pixels import apply_modality_lut

    if arr.ndim == 3:  # colour: no modality LUT
        return arr
    source = _rescale_dataset(ds, frame)
    try:
        out = apply_modality_lut(arr, source)
    except Exception:  # a malformed LUT: show the stored values rather than nothing
        return arr
    if out is arr or (out.dtype.kind in "iu" and out.dtype.itemsize <= 2):
        return out
    if out.size and np.isfinite(out).all() and np.array_equal(out, np.round(out)):
        lo, hi = float(out.min()), float(out.max())
        for dtype in (np.int16, np.int32):
            info = np.iinfo(dtype)
            if info.min <= lo and hi <= info.max:
                return out.astype(dtype)
    with np.errstate(over="ignore"):
        out32 = out.astype(np.float32)
    if arr.dtype.kind in "iu" and not np.isfinite(out32).all():  # whole stored values made NaN or infinite:
        return arr  # a broken rescale (a NaN slope, an intercept past float32's 3.4e38), shown as stored, as
    return out32  # a malformed LUT is; float pixel data keeps NaN of its own


def read_dicom(path: str | os.PathLike[str], frame: int | None = None) -> np.ndarray:
    """Values of a DICOM image (one frame of a multi-frame object) after the modality LUT."""
    p = Path(path)
    ds = read_dataset(p, pixels=True)
    n = frame_count(ds)
    if frame is not None and not 0 <= frame < n:
        raise DicomError(f"{p}: frame {frame} out of range (the object has {n})")
    return modality_values(decode_frame(ds, p, frame if n > 1 else None), ds, frame)
