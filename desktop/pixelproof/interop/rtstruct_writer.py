"""DICOM RT Structure Sets written: ``--to rtstruct``, contours a planning system reads back.

One RTSTRUCT per DICOM source the project's images are slices of (a series folder, a phase of a dynamic
series, a single image file, a multi-frame object), found as ``dicom-seg`` finds them
(``dicom_seg.dicom_sources``: a record whose file changed since is left out, named). Each category with
objects there is one ROI, named as the category, in its colour (ROIDisplayColor); every polygon is a
CLOSED_PLANAR contour; a mask is traced on pixel edges (``masks.mask_to_shapes``, as every other export traces
masks) to its outer rings and its holes, each a contour (the standard's even-odd fill makes a ring inside
another a hole); a box is its four corners. Pixels become patient mm (LPS) through the slice's own geometry
(``PatientGeometry.position``: COCO's x + 0.5, y + 0.5 is the centre of pixel x, y, the inverse of what the
reader does). Each contour references its slice's SOPInstanceUID (a frame by ReferencedFrameNumber); the
Patient and Study attributes are copied from the source, as a clinical object must (empty where the source
lacks a type 2 one), with new Series and SOP Instance UIDs. The file is Implicit VR Little Endian, as
planning systems write RTSTRUCTs: explicit VR gives a DS value a 16-bit length, and the ContourData of a
long outline (some 2,000 points) would not fit (pydicom would write it as UN, which many readers skip).
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import masks as core_masks
from pixelproof.core.category_colors import shown_color
from pixelproof.core.dicom import DicomError, frame_count, read_dataset
from pixelproof.core.limits import MAX_NESTING_TESTS, short_repr
from pixelproof.core.model import Annotation, Project
from pixelproof.core.patient_space import PatientGeometry, ras_from_lps
from pixelproof.core.wording import noted_counts, plural
from pixelproof.interop._util import ProgressCallback, fresh_output, with_progress
from pixelproof.interop.dicom_seg import dicom_sources, source_target, unique_slices
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.rtstruct import KEY, RTSTRUCT_SOP_CLASS, ring_candidates, ring_contains
from pixelproof.interop.seg_codes import segment_label
from pixelproof.interop.void_regions import without_void
from pixelproof.interop.written_counts import Written

# Patient and General Study attributes of type 2 (present, may be empty): copied from the source
PATIENT_STUDY = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
)
# why a slice record is left out (the counts "geometry", "size"), said per source
UNPLACED = (
    "without ImagePositionPatient / ImageOrientationPatient / PixelSpacing",
    "not the size of the DICOM slice named",
)
STUDY_CLASS = "1.2.840.10008.3.1.2.3.1"  # RT Referenced Study's class, as planning systems write it
INTERPRETED = re.compile(r"[A-Z0-9_ ]{0,16}")  # RTROIInterpretedType is a CS


class _Slice:
    """One slice of the source: the records drawn on it, its SOP class and instance, frame number (0 for a
    single-frame image) and geometry."""

    def __init__(self, ids: list[int], ds: Any, frame: int, geometry: PatientGeometry) -> None:
        self.ids, self.frame, self.geometry = ids, frame, geometry
        self.sop_class, self.uid = str(ds.SOPClassUID), str(ds.SOPInstanceUID)
        self.size = (int(ds.Rows), int(ds.Columns))

    def reference(self) -> Any:
        """A Contour Image Sequence item naming this slice."""
        from pydicom.dataset import Dataset

        item = Dataset()
        item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = self.sop_class, self.uid
        if self.frame:
            item.ReferencedFrameNumber = self.frame
        return item

    def lps(self, ring: np.ndarray) -> np.ndarray:
        """(n, 2) COCO pixel coordinates as (n, 3) patient mm, LPS (x + 0.5 is the centre of pixel x)."""
        g = self.geometry
        at = ring - 0.5
        ras = np.asarray(g.origin) + at[:, :1] * np.asarray(g.col_step) + at[:, 1:] * np.asarray(g.row_step)
        return ras_from_lps(ras)


def _rings(ann: Annotation, height: int, width: int, counts: Counter[str]) -> list[tuple[np.ndarray, bool]]:
    """The object's contours in pixel coordinates, each with whether it is a hole: its polygons as they
    are, a mask's outer rings and holes traced on pixel edges, a box's four corners."""
    if ann.kind == "box":
        counts["boxes"] += 1
        x, y, w, h = (float(v) for v in ann.bbox)
        return [(np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]), False)]
    if ann.kind == "polygon":
        return [(np.asarray(p, np.float64).reshape(-1, 2), False) for p in ann.segmentation]  # type: ignore[union-attr]
    out = []
    for outer, holes in core_masks.mask_to_shapes(ann.mask(height, width)):
        out.append((np.asarray(outer, np.float64).reshape(-1, 2), False))
        out += [(np.asarray(h, np.float64).reshape(-1, 2), True) for h in holes]
    return out


def _ds_text(values: np.ndarray) -> str:
    """Patient mm as one DS value (backslash-separated): ten significant digits each (at most 16
    characters, the DS limit), far finer than the 0.01 px the round trip keeps. One ``%`` over the whole
    contour: a value at a time, and pydicom's number object per value, was most of a big export's time."""
    flat = values.reshape(-1).tolist()
    return "\\".join(["%.10g"] * len(flat)) % tuple(flat)


def _contour_data(text: str) -> Any:
    """ContourData holding ``text`` as written: pydicom would otherwise parse it back into a number
    object per value (the file is the same, byte for byte)."""
    from pydicom.dataelem import DataElement

    return DataElement(0x30060050, "DS", text, already_converted=True)


def _nested(
    rings: list[tuple[np.ndarray, bool, int]], chunk: int = 256, budget: list[int] | None = None
) -> int | None:
    """How many outer rings lie inside another object's outer ring (of one ROI on one slice): the
    standard's even-odd fill reads them as holes. Only the outlines whose extent holds the ring's first
    point are tested (``rtstruct.ring_candidates``, as the reader nests), until one holds it: a slice of
    10,000 lesions is not 10**8 tests. ``budget[0]``: the candidates the file may still look at
    (``limits.MAX_NESTING_TESTS``); None when they run out (10,000 copies of a box starting at a corner
    no copy holds were 10**8 tests, half an hour)."""
    budget = [MAX_NESTING_TESTS] if budget is None else budget
    outers = [(np.vstack([r, r[:1]]), obj) for r, hole, obj in rings if not hole]
    chunk = max(1, min(chunk, MAX_NESTING_TESTS // max(1, len(outers))))  # a chunk's pairs: bounded
    found = 0
    for i, others in ring_candidates([r for r, _ in outers], chunk):
        ring, obj = outers[i]
        for j in others:
            budget[0] -= 1
            if budget[0] < 0:
                return None
            if obj != outers[j][1] and ring_contains(outers[j][0], ring[0]):
                found += 1
                break
    return found


def _new(source: Any, frame_uid: str, charset: str | None) -> Any:
    """The structure set's dataset without its ROIs: SOP Common, Patient and Study from ``source``, RT
    Series, General Equipment and Structure Set header."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ImplicitVRLittleEndian, generate_uid

    from pixelproof import __version__

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = RTSTRUCT_SOP_CLASS, generate_uid()
    meta.TransferSyntaxUID = ImplicitVRLittleEndian  # 32-bit lengths: explicit VR gives DS 16 (64 KB)
    ds = Dataset()
    ds.file_meta, ds.preamble = meta, b"\0" * 128
    if charset:
        ds.SpecificCharacterSet = charset
    now = datetime.datetime.now()
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds.InstanceCreationDate, ds.InstanceCreationTime = date, time
    ds.SOPClassUID, ds.SOPInstanceUID = RTSTRUCT_SOP_CLASS, meta.MediaStorageSOPInstanceUID
    for keyword in PATIENT_STUDY:
        setattr(ds, keyword, source.get(keyword, "") or "")
    ds.StudyInstanceUID = str(source.StudyInstanceUID)
    ds.Modality, ds.SeriesInstanceUID, ds.SeriesNumber = "RTSTRUCT", generate_uid(), 9001
    ds.SeriesDescription, ds.OperatorsName = "PixelProof contours", ""
    ds.Manufacturer, ds.ManufacturerModelName, ds.SoftwareVersions = "PixelProof", "PixelProof", __version__
    ds.StructureSetLabel, ds.StructureSetDate, ds.StructureSetTime = "PIXELPROOF", date, time
    ds.ApprovalStatus = "UNAPPROVED"  # a planning system's physician approves contours, not a labeller
    series = Dataset()
    series.SeriesInstanceUID = str(source.SeriesInstanceUID)
    study = Dataset()
    study.ReferencedSOPClassUID, study.ReferencedSOPInstanceUID = STUDY_CLASS, str(source.StudyInstanceUID)
    study.RTReferencedSeriesSequence = [series]
    frame = Dataset()
    frame.FrameOfReferenceUID, frame.RTReferencedStudySequence = frame_uid, [study]
    ds.ReferencedFrameOfReferenceSequence = [frame]
    ds.StructureSetROISequence, ds.ROIContourSequence, ds.RTROIObservationsSequence = [], [], []
    return ds


def _structure_set(
    project: Project,
    claimed: list[tuple[int, Path, int]],
    rois: dict[int, int],
    counts: Counter[str],
    placed: list[int],
) -> Any | None:
    """The RT Structure Set of one source's slices (``claimed``: image id, file, index), or None when no
    slice of it has a contour; ``rois``: category id -> ROI number."""
    from pydicom.dataset import Dataset

    from pixelproof.core.sources import image_meta

    slices: list[_Slice] = []
    datasets: dict[Path, Any] = {}
    for ids, file, index in unique_slices(claimed):
        ds = datasets.get(file) or datasets.setdefault(file, read_dataset(file))
        frame = index + 1 if frame_count(ds) > 1 else 0
        geometry = image_meta(project.image_path(project.images[ids[0]])).patient
        if geometry is None:
            counts["geometry"] += len(ids)
            continue
        s = _Slice(ids, ds, frame, geometry)
        fits = [i for i in ids if (project.images[i].height, project.images[i].width) == s.size]
        counts["size"] += len(ids) - len(fits)
        s.ids = fits
        slices.append(s)
    source = next(iter(datasets.values()))
    frame_uid = str(source.get("FrameOfReferenceUID", "") or "")
    if not frame_uid:
        raise ValueError("it has no FrameOfReferenceUID (0020,0052), which an RT Structure Set references")
    if not str(source.get("StudyInstanceUID", "") or ""):
        raise ValueError("it has no StudyInstanceUID (0020,000D), which an RT Structure Set references")
    contours: dict[int, list[Any]] = {}
    manual: dict[int, bool] = {}
    budget = [MAX_NESTING_TESTS]  # nesting tests the file may still cost (``_nested``)
    for s in slices:
        on_slice: dict[int, list[tuple[np.ndarray, bool, int]]] = {}
        for image_id in s.ids:
            image = project.images[image_id]
            anns = project.annotations_of(image_id)
            placed.append(image_id)
            for ann in anns:
                manual[ann.category_id] = manual.get(ann.category_id, True) and ann.is_manual
                for ring, hole in _rings(ann, image.height, image.width, counts):
                    if len(ring) < 3 or not np.isfinite(ring).all():
                        counts["degenerate"] += 1
                        continue
                    on_slice.setdefault(ann.category_id, []).append((ring, hole, ann.id))
        for cid, rings in on_slice.items():
            nested = _nested(rings, budget=budget)
            counts["nested" if nested is not None else "unchecked"] += (
                len(rings) if nested is None else nested
            )
            for ring, _, _ in rings:
                c = Dataset()
                c.ContourNumber = len(contours.get(cid, [])) + 1
                c.ContourImageSequence = [s.reference()]
                c.ContourGeometricType, c.NumberOfContourPoints = "CLOSED_PLANAR", len(ring)
                c[0x30060050] = _contour_data(_ds_text(s.lps(ring)))
                contours.setdefault(cid, []).append(c)
    if not contours:
        return None
    names = [segment_label(project.categories[c].name) for c in contours]
    ascii_only = all(n.isascii() for n in names)
    charset = source.get("SpecificCharacterSet") if ascii_only else "ISO_IR 192"
    ds = _new(source, frame_uid, charset)
    images = ds.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0]
    images.RTReferencedSeriesSequence[0].ContourImageSequence = [s.reference() for s in slices]
    for cid in sorted(contours, key=lambda c: rois[c]):
        category, number = project.categories[cid], rois[cid]
        roi, rc, obs = Dataset(), Dataset(), Dataset()
        roi.ROINumber, roi.ReferencedFrameOfReferenceUID = number, frame_uid
        roi.ROIName = segment_label(category.name) or f"ROI {number}"
        roi.ROIGenerationAlgorithm = "MANUAL" if manual.get(cid, True) else "SEMIAUTOMATIC"
        color = shown_color(category.color, category.id)
        rc.ROIDisplayColor = [int(color[k : k + 2], 16) for k in (1, 3, 5)]
        rc.ReferencedROINumber, rc.ContourSequence = number, contours[cid]
        kept = category.app_extra.get(KEY)
        kind = kept.get("type") if isinstance(kept, dict) else None
        obs.ObservationNumber, obs.ReferencedROINumber = number, number
        obs.RTROIInterpretedType = kind if isinstance(kind, str) and INTERPRETED.fullmatch(kind) else ""
        obs.ROIInterpreter = ""
        ds.StructureSetROISequence.append(roi)
        ds.ROIContourSequence.append(rc)
        ds.RTROIObservationsSequence.append(obs)
    return ds


def write_structure_sets(
    project: Project, out_dir: str | os.PathLike[str], *, progress: ProgressCallback | None = None
) -> list[str]:
    """``out_dir/<source>_rtstruct.dcm`` per DICOM source with objects; returns warnings (``Written``)."""
    out = Path(out_dir)
    project, void_note = without_void(project, "an RT Structure Set")
    used = sorted({a.category_id for a in project.annotations.values()})
    rois = {cid: k for k, cid in enumerate(used, start=1)}
    warnings: list[str] = []
    unreadable: Counter[str] = Counter()
    sources, unmatched = dicom_sources(project, warnings, into="the RT Structure Set", unreadable=unreadable)
    changed = len(warnings)
    warnings += [f"{why}: {plural(n, 'slice record')} left out" for why, n in unreadable.items()]
    unmatched -= (unopened := sum(unreadable.values()))
    counts: Counter[str] = Counter()
    why: Counter[str] = Counter()  # images not written, by why (the summary's "left out")
    counts["not_dicom"] = (
        len(project.images) - sum(len(v) for v in sources.values()) - unmatched - unopened - changed
    )
    if project.images and counts["not_dicom"] == len(project.images):
        n = len(project.images)
        which = "the project's one image is not DICOM" if n == 1 else f"none of the {n:,} images are DICOM"
        raise ValueError(
            f"{which} (a series' slice, a file or a multi-frame object's frame), so there is no RT Structure "
            "Set to write (its contours lie in the patient space of DICOM slices): export nifti or "
            "slicer-seg for NIfTI and NRRD volumes, or masks; nothing written"
        )
    counts["unmatched"] = unmatched
    for cid in used:
        name = project.categories[cid].name
        if (label := segment_label(name)) != name:
            warnings.append(
                f"category {short_repr(name)}: written as ROI name {short_repr(label)} (an ROIName holds 64 "
                "characters, no backslash, which splits it in two values, nor control characters)"
            )
    make_folders(out)
    names: set[str] = set()
    placed: list[int] = []
    for key, claimed in with_progress(sorted(sources.items()), len(sources), progress):
        if not any(project.annotations_of(i) for i, _, _ in claimed):
            counts["empty"] += 1
            why["of a DICOM source without any object"] += len(claimed)
            continue
        here: list[int] = []
        unplaced = counts["geometry"], counts["size"]
        try:
            ds = _structure_set(project, claimed, rois, counts, here)
        except (DicomError, ValueError, TypeError, AttributeError, KeyError) as e:
            warnings.append(f"{key}: cannot make an RT Structure Set from this source: {e}; left out")
            why["of a source no RT Structure Set could be made from"] += len(claimed)
            continue
        lost = [
            now - before for now, before in zip((counts["geometry"], counts["size"]), unplaced, strict=True)
        ]
        warnings += [
            f"{key}: {plural(n, 'slice record')} {reason}: left out"
            for n, reason in zip(lost, UNPLACED, strict=True)
            if n
        ]
        if ds is None:
            if not any(lost):
                counts["empty"] += 1
                why["of a DICOM source without any object"] += len(claimed)
            elif rest := len(claimed) - sum(lost):  # the source's other slices: no object of theirs placed
                why["of a DICOM source whose objects all lie on slices left out"] += rest
            continue
        with fresh_output(source_target(out, key, names, "rtstruct"), sync=True) as f:
            ds.save_as(f, enforce_file_format=True)
        placed += here
    messages = {
        "not_dicom": ("image", "not DICOM: left out (an RT Structure Set's contours lie on DICOM slices)"),
        "unmatched": ("slice record", "naming a slice or frame its DICOM source does not have: left out"),
        "empty": ("DICOM source", "without any object: no RT Structure Set written for them"),
        "boxes": ("box", "written as corner contours (4 points each)"),
        "degenerate": ("contour", "of fewer than 3 points or with a non-finite coordinate: left out"),
        "nested": (
            "outline",
            "inside another object of its category on its slice: planning systems fill contours even-odd, "
            "so it reads as a hole there",
        ),
        "unchecked": (
            "contour",
            f"not checked for lying inside another object (past the {MAX_NESTING_TESTS:,} containment tests "
            "a file may cost: copies of one outline?); one that does reads as a hole there",
        ),
    }
    objects = sum(len(project.annotations_of(i)) for i in placed)
    why = Counter(
        {
            "not DICOM": counts["not_dicom"],
            "naming a slice or frame their DICOM source does not have": unmatched,
            "whose DICOM source changed since the project was made": changed,
            "of a series folder that no longer opens as one": unopened,
            "without a patient position, or not the size of their slice": counts["geometry"] + counts["size"],
            **why,
        }
    )
    reasons = ", ".join(f"{n:,} {reason}" for reason, n in why.items() if n)
    said = f"{plural(len(project.images) - len(placed), 'image')} ({reasons})" if reasons else ""
    return Written([*void_note, *warnings, *noted_counts(counts, messages)], len(placed), objects, said)
