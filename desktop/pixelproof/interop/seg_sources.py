"""The Patient and Study attributes a DICOM SEG copies from its source, made present (empty) where the
source lacks them.

highdicom reads ``PatientBirthDate``, ``AccessionNumber``, ``StudyID`` ... off the first source image and
fails on any that is absent. They are Type 2 (required, may be empty) in the source's own modules, yet
de-identified data often drops them outright (an anonymizer that removes rather than empties, a series a
script wrote with pydicom), and 3D Slicer and dcmqi still write a SEG over such a series: the SEG gets them
empty, as the standard allows. Nothing is invented: only absent attributes are added, and empty."""

from __future__ import annotations

from typing import Any

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
