"""Reading a DICOM SEG's frames: the file opened for highdicom (with the checks it needs first: a frame
count that matches its functional groups, frame numbers it can index) and each frame matched to its
source image or source frame, in chunks of bounded size. Split out of ``interop.dicom_seg``, the reader
and writer that use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.limits import check_image_size, max_pixels
from pixelproof.interop.seg_codes import segment_codes


def read_seg(hd: Any, path: Path) -> tuple[Any, dict[int, dict[str, list[str]]], list[str]]:
    """``hd.seg.segread``, except that pixel measures without a SliceThickness are accepted: it is type
    1C (a single picture has none), highdicom's own writer leaves it out for a secondary capture, and its
    reader then refuses that file. Filled in memory with 1 mm, a value nothing here reads."""
    import pydicom

    ds = pydicom.dcmread(path)
    groups = [
        *(ds.get("SharedFunctionalGroupsSequence") or []),
        *(ds.get("PerFrameFunctionalGroupsSequence") or []),
    ]
    for group in groups:
        for item in group.get("PixelMeasuresSequence") or []:
            if "PixelSpacing" in item and "SliceThickness" not in item:
                item.SliceThickness = 1.0
    _check_frame_count(ds)
    _referenced_frames(ds)  # frame numbers highdicom would index wrongly or fail on, said by SEG frame
    kept, faults = segment_codes(ds)  # before highdicom, which refuses the SEG for one missing code field
    return hd.seg.Segmentation.from_dataset(ds, copy=False), kept, faults


def seg_frames(
    seg: Any, file: Path, sources: dict[str, tuple[Path, int]]
) -> Iterator[tuple[str, int, list[int], np.ndarray]]:
    """(source UID, source frame number (1 for a single-frame source), segment numbers, its frame: rows x
    columns x those segments) for each source (``sources``: UID -> its file and how many frames it has)
    and each frame of a multi-frame one the SEG references, in chunks of at most ``max_pixels()`` pixels.
    The declared Rows x Columns are checked before highdicom allocates anything: a SEG of a few KB can
    declare 65535 x 65535 x 100000 frames."""
    rows, columns = int(seg.Rows), int(seg.Columns)
    check_image_size(columns, rows, str(file), what="segmentation frame")
    numbers = list(seg.segment_numbers)
    chunk = max(1, max_pixels() // (rows * columns))
    referenced = _referenced_frames(seg)
    for uid, (where, depth) in sources.items():
        if depth == 1:
            for start in range(0, len(numbers), chunk):
                part = numbers[start : start + chunk]
                pixels = seg.get_pixels_by_source_instance(
                    source_sop_instance_uids=[uid], segment_numbers=part, combine_segments=False
                )
                yield uid, 1, part, pixels[0]
            continue
        named = referenced.get(uid, {})
        wanted = sorted(named)
        if not wanted:
            raise ValueError(f"it names no frame numbers of the multi-frame source {where}")
        if wanted[-1] > depth:
            raise ValueError(
                f"SEG frame {named[wanted[-1]]} names frame {wanted[-1]} of {where}, which has {depth} frames"
            )
        for start in range(0, len(numbers), chunk):
            part = numbers[start : start + chunk]
            step = max(1, chunk // len(part))
            for first in range(0, len(wanted), step):
                some = wanted[first : first + step]
                pixels = seg.get_pixels_by_source_frame(
                    source_sop_instance_uid=uid,
                    source_frame_numbers=some,
                    segment_numbers=part,
                    combine_segments=False,
                )
                yield from ((uid, n, part, pixels[k]) for k, n in enumerate(some))


def _referenced_frames(seg: Any) -> dict[str, dict[int, int]]:
    """Source UID -> {frame number (1-based) the SEG's frames derive from: the first SEG frame naming it}:
    each frame's Derivation Image Sequence > Source Image Sequence > ReferencedSOPInstanceUID +
    ReferencedFrameNumber. ValueError naming the SEG frame for a number that is no frame (0, -1, "x",
    2.5), several numbers (highdicom indexes one) or a source frame one segment holds twice (highdicom
    cannot tell those SEG frames apart)."""
    from pydicom.multival import MultiValue

    out: dict[str, dict[int, int]] = defaultdict(dict)
    held: dict[tuple[str, int, int], int] = {}
    for k, frame in enumerate(seg.get("PerFrameFunctionalGroupsSequence") or [], start=1):
        segment = _segment_of(frame)
        for derivation in frame.get("DerivationImageSequence") or []:
            for source in derivation.get("SourceImageSequence") or []:
                uid = str(source.get("ReferencedSOPInstanceUID", ""))
                raw = source.get("ReferencedFrameNumber")
                if isinstance(raw, MultiValue | list) and len(raw) > 1:
                    shown = "\\".join(str(v) for v in raw)
                    raise ValueError(f"SEG frame {k} names several source frames ({shown}); one is read")
                raw = raw[0] if isinstance(raw, MultiValue | list) and raw else raw
                if raw is None or str(raw).strip() == "":
                    number = 0  # a single-frame source
                else:
                    text = str(raw).strip()
                    if not text.lstrip("+-").isdigit() or not text.isascii() or int(text) < 1:
                        what = f"frame {text}" if text.lstrip("+-").isdigit() else f"{text!r}"
                        raise ValueError(f"SEG frame {k} names {what} of its source: no frame number")
                    number = int(text)
                    out[uid].setdefault(number, k)
                if segment is not None:
                    first = held.setdefault((uid, number, segment), k)
                    if first != k:
                        of = f"frame {number} of" if number else "the"
                        raise ValueError(
                            f"SEG frames {first} and {k} both hold segment {segment} of {of} source "
                            f"image {uid}: one is read"
                        )
    return out


def _segment_of(frame: Any) -> int | None:
    """The segment number a SEG frame holds (None when it names none a number)."""
    try:
        return int(frame.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
    except (AttributeError, IndexError, TypeError, ValueError):
        return None


def _check_frame_count(ds: Any) -> None:
    """ValueError unless NumberOfFrames is the number of per-frame functional groups (one a frame, as
    the standard has it): highdicom builds lists of NumberOfFrames entries before reading a frame, and
    2**31 - 1 declared in a SEG of a few KB took all memory."""
    groups = len(ds.get("PerFrameFunctionalGroupsSequence") or [])
    try:
        declared = int(ds.get("NumberOfFrames", 1))
    except (TypeError, ValueError):
        declared = -1
    if declared != groups:
        shown = f"{declared:,}" if declared >= 0 else repr(str(ds.get("NumberOfFrames", "")))
        raise ValueError(f"NumberOfFrames {shown} but {groups:,} per-frame functional groups (one a frame)")
