"""The attributes a DICOM SEG copies from its source, made present where the source lacks them: the Patient
and Study attributes (empty), and the SliceThickness (the spacing between the slices, said in a warning).

highdicom reads ``PatientBirthDate``, ``AccessionNumber``, ``StudyID`` ... off the first source image and
fails on any that is absent. They are Type 2 (required, may be empty) in the source's own modules, yet
de-identified data often drops them outright (an anonymizer that removes rather than empties, a series a
script wrote with pydicom), and 3D Slicer and dcmqi still write a SEG over such a series: the SEG gets them
empty, as the standard allows. Nothing of the patient is invented: those absent are added, and empty."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from pixelproof.core.dicom import frame_count, get_tag, pixel_spacing, slice_position
from pixelproof.core.dicom_series import SAME_POSITION_MM

# Type 2 in the Patient and General Study modules, read by highdicom's Segmentation from its source
SEG_COPIED_TYPE2 = (
    "PatientName", "PatientID", "PatientBirthDate", "PatientSex",
    "StudyDate", "StudyTime", "AccessionNumber", "StudyID", "ReferringPhysicianName",
)  # fmt: skip


def with_empty_type2(datasets: list[Any]) -> list[Any]:
    """``datasets`` with each attribute of ``SEG_COPIED_TYPE2`` they lack set empty (in place: they are
    read for this SEG only); the ones they hold are left as they are."""
    for ds in datasets:
        for keyword in SEG_COPIED_TYPE2:
            if keyword not in ds:
                setattr(ds, keyword, None)  # pydicom stores None as an empty value of the keyword's VR
    return datasets


def with_slice_thickness(datasets: list[Any], indices: list[int]) -> str | None:
    """Fill in the SliceThickness (0018,0050) a SEG over ``datasets`` needs when they lack it (absent or
    empty), in place as ``with_empty_type2`` does; returns what the user is told, naming the value and
    where it came from, or None when nothing was filled in.

    highdicom copies the first source's SliceThickness into the SEG's pixel measures and fails without it
    when the sources lie in patient space, yet many real series have none (some MR, derived images and
    secondary captures, anonymised exports) and their SEG was not written at all. In its place, as the
    usual fallback: the sources' SpacingBetweenSlices (0018,0088), else the spacing between their slices
    along the normal (``indices``: each single-frame dataset's place in its series, so a series of which
    only some slices are labelled still gives one slice's step; a multi-frame object's frames are sorted by
    position), else (one slice, or no two at known positions) the mean of the pixel spacing. A multi-frame
    object's is its shared pixel measures'. Sources placed nowhere (no FrameOfReferenceUID or position)
    need none and get none."""
    from highdicom.spatial import get_image_coordinate_system
    from pydicom.valuerep import DS

    first = datasets[0]
    if get_image_coordinate_system(first) is None:
        return None
    frames = frame_count(first)
    if frames > 1:
        shared = get_tag(first, "SharedFunctionalGroupsSequence") or [None]
        holders = list(get_tag(shared[0], "PixelMeasuresSequence") or []) if shared[0] is not None else []
        positions = sorted(p for k in range(frames) if (p := slice_position(first, k)) is not None)
        places, what = list(range(len(positions))), "frames"
    else:
        holders = list(datasets)
        places, what = indices, "slices"
        positions = [slice_position(ds) for ds in datasets]
    if not holders or not _lacks_thickness(holders[0]):  # highdicom reads the first one's
        return None
    spacing = _number(holders[0], "SpacingBetweenSlices") or _number(first, "SpacingBetweenSlices")
    if spacing:
        mm, why = abs(spacing), "its SpacingBetweenSlices (0018,0088)"
    elif (step := slice_step(places, positions)) is not None:
        mm, why = step, f"the spacing between its {what}"
    elif (pixels := pixel_spacing(first)) is not None:
        mm, why = sum(pixels) / 2, f"the mean of its PixelSpacing, having no two {what} to measure between"
    else:
        return None  # highdicom then names the PixelSpacing it lacks too
    mm = round(mm, 4)
    for ds in holders:
        if _lacks_thickness(ds):
            ds.SliceThickness = DS(mm, auto_format=True)
    return f"no SliceThickness (0018,0050); {mm:g} mm, {why}, written as the SEG's"


def slice_step(places: list[int], positions: list[float | None]) -> float | None:
    """The median step in mm along the normal from one place in the stack to the next (``positions`` of
    the slices at ``places``, in order; two at one position, as a series' phases lie, tell nothing), None
    without two slices at different known positions."""
    steps = [
        abs(b - a) / (j - i)
        for (i, a), (j, b) in itertools.pairwise(zip(places, positions, strict=True))
        if a is not None and b is not None and j > i and abs(b - a) > SAME_POSITION_MM
    ]
    return float(np.median(steps)) if steps else None


def _lacks_thickness(ds: Any) -> bool:
    """SliceThickness absent or empty (Type 2 in the Image Plane module: anonymisers empty it)."""
    return get_tag(ds, "SliceThickness") in (None, "")


def _number(ds: Any, keyword: str) -> float | None:
    """A finite non-zero number held by ``keyword``, else None (absent, empty, malformed)."""
    try:
        value = float(get_tag(ds, keyword))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value != 0 else None
