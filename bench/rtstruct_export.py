"""RTSTRUCT export speed: ``convert --to rtstruct`` of a CT series with a few organs as masks on every
slice and one category of hundreds of small lesions (polygons) per slice.

``python -m bench rtstruct_export [--slices N] [--lesions L] [--runs R]``

Readings, alternating in one process (CPU time, the median of R runs; the ratios are the figures to trust):

- reference: ``--to dicom-seg`` of the same project (highdicom), the other clinical export of its masks.
- ours: ``--to rtstruct``.
- read back: ``read_rtstruct`` of the file written, our own reader.
- read before: the same read with the contours of one ROI on a slice nested by testing every one against
  every other (``nest_each``, the reader's first nesting: kept here, the tests check it nests the same).
- before: ``--to rtstruct`` with the contour text formatted one value at a time and the nesting check
  testing every outline against every other of its category on a slice (``first_writer``: kept here,
  the tests check that the writer's file holds the same contours).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

SIZE = 512


def text_each(values: np.ndarray) -> list[str]:
    """The contour text as the writer first made it: each value through ``format`` on its own."""
    return [f"{v:.10g}" for v in values.reshape(-1).tolist()]


def data_each(text: list[str]) -> Any:
    """ContourData as the writer first set it: pydicom makes a number object of each value."""
    from pydicom.dataelem import DataElement

    return DataElement(0x30060050, "DS", text)


def nested_each(rings: list[tuple[np.ndarray, bool, int]], budget: object = None) -> int:
    """The nesting count as the writer first made it: every outer ring against every other (no budget)."""
    from pixelproof.interop.rtstruct import ring_contains

    outers = [(r, obj) for r, hole, obj in rings if not hole]
    closed = [np.vstack([r, r[:1]]) for r, _ in outers]
    return sum(
        any(obj != other and ring_contains(closed[j], r[0]) for j, (_, other) in enumerate(outers))
        for r, obj in outers
    )


def nest_each(rings: list[np.ndarray], budget: object = None) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """``rtstruct._nest`` as first written: each ring's first vertex tested against every other ring (no
    budget of tests)."""
    from pixelproof.interop.rtstruct import _area, ring_contains

    inside = [
        [j for j, other in enumerate(rings) if j != i and ring_contains(other, ring[0])]
        for i, ring in enumerate(rings)
    ]
    area = [abs(_area(r)) for r in rings]
    parts: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}
    for i in sorted(range(len(rings)), key=lambda k: len(inside[k])):
        around_even = [j for j in inside[i] if j in parts]
        if len(inside[i]) % 2 == 0 or not around_even:
            parts[i] = (rings[i], [])
        else:
            around = min(around_even, key=lambda j: area[j])
            parts[around][1].append(rings[i])
    return list(parts.values())


@contextlib.contextmanager
def first_reader() -> Iterator[None]:
    """The reader with its first nesting (``nest_each``), meanwhile."""
    from pixelproof.interop import rtstruct

    kept = rtstruct._nest
    rtstruct._nest = nest_each  # type: ignore[assignment]
    try:
        yield
    finally:
        rtstruct._nest = kept  # type: ignore[assignment]


@contextlib.contextmanager
def first_writer() -> Iterator[None]:
    """The writer as it was first written (``text_each``, ``data_each``, ``nested_each``), meanwhile."""
    from pixelproof.interop import rtstruct_writer as w

    kept = w._ds_text, w._contour_data, w._nested
    w._ds_text, w._contour_data, w._nested = text_each, data_each, nested_each  # type: ignore[assignment]
    try:
        yield
    finally:
        w._ds_text, w._contour_data, w._nested = kept  # type: ignore[assignment]


def write_series(folder: Path, slices: int, size: int = SIZE) -> None:
    """An axial CT series of ``slices`` slices ``size`` x ``size``, 0.8 mm pixels, 2.5 mm apart."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    folder.mkdir(parents=True)
    pixels = np.zeros((size, size), np.int16).tobytes()
    series, study, frame = generate_uid(), generate_uid(), generate_uid()
    for k in range(slices):
        meta = FileMetaDataset()
        meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        ds = Dataset()
        ds.file_meta, ds.preamble = meta, b"\0" * 128
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
        ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "Bench^CT", "B1", "", "O"
        ds.StudyInstanceUID, ds.StudyDate, ds.StudyTime, ds.StudyID = study, "20240101", "120000", "1"
        ds.AccessionNumber, ds.ReferringPhysicianName, ds.Manufacturer = "", "", "bench"
        ds.SeriesInstanceUID, ds.SeriesNumber, ds.Modality, ds.InstanceNumber = series, 1, "CT", k + 1
        ds.FrameOfReferenceUID, ds.PositionReferenceIndicator = frame, ""
        ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = size, size, 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-204.8, -204.8, 2.5 * k]
        ds.PixelSpacing, ds.SliceThickness, ds.PixelData = [0.8, 0.8], 2.5, pixels
        ds.save_as(folder / f"IM{k:04d}.dcm", enforce_file_format=True)


def make(folder: Path, slices: int, lesions: int, seed: int = 0) -> Any:
    """The series under ``folder/study/CT`` and its project: four organs (ellipses, one with a hole) as
    masks on every slice and ``lesions`` 16-gons of radius 2-6 px scattered over each slice."""
    from pixelproof.core import masks
    from pixelproof.core.image_folder import project_from_folder
    from pixelproof.core.model import Annotation, Category

    write_series(folder / "study" / "CT", slices)
    project = project_from_folder(folder / "study", folder / "p.json", ["body"], on_skip=lambda m: None)
    project.path = folder / "p.json"
    organs = [(1, 256, 256, 230, 180)]
    for name, cx, cy, rx, ry in (("liver", 180, 230, 80, 60), ("kidney", 340, 300, 35, 45)):
        cid = project.add_category(Category(project.next_category_id(), name)).id
        organs.append((cid, cx, cy, rx, ry))
    lesion = project.add_category(Category(project.next_category_id(), "lesion")).id
    yy, xx = np.mgrid[:SIZE, :SIZE]
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    for image in project.images.values():
        for cid, cx, cy, rx, ry in organs:
            m = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
            if cid == 1:
                m &= ((xx - cx) / 20) ** 2 + ((yy - cy) / 15) ** 2 > 1  # a hole
            ann = Annotation(project.next_annotation_id(), image.id, cid, masks.bbox(m), masks.encode(m), 0.0)
            ann.area = float(m.sum())
            project.add_annotation(ann)
        centres = rng.uniform(30, SIZE - 30, (lesions, 2))
        radii = rng.uniform(2, 6, lesions)
        for (cx, cy), r in zip(centres, radii, strict=True):
            ring = np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)]).round(2).reshape(-1).tolist()
            bbox = masks.polygons_bbox([ring])
            project.add_annotation(
                Annotation(project.next_annotation_id(), image.id, lesion, bbox, [ring], np.pi * r * r)
            )
    return project


def objects_of(project: Any) -> list[tuple]:
    """What a read-back holds, to compare two readings: each object's image, category, box and shape."""
    return [(a.image_id, a.category_id, list(a.bbox), a.segmentation) for a in project.annotations.values()]


def main(argv: list[str]) -> int:
    from pixelproof.core.volume_cache import clear_cache
    from pixelproof.interop.formats import FORMATS
    from pixelproof.interop.rtstruct import read_rtstruct

    parser = argparse.ArgumentParser(prog="python -m bench rtstruct_export")
    parser.add_argument("--slices", type=int, default=200)
    parser.add_argument("--lesions", type=int, default=300, help="lesions per slice")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-before", action="store_true", help="skip the slow readings of the first writer and reader"
    )
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-rtstruct-export-"))
    try:
        project = make(folder, args.slices, args.lesions)
        out = folder / "out"

        def reference() -> None:
            FORMATS["dicom-seg"].write(project, out / "seg")

        def ours() -> None:
            FORMATS["rtstruct"].write(project, out / "rt")

        read: dict[str, list[tuple]] = {}  # each reader's objects, compared after the runs

        def read_back(name: str = "read back") -> None:
            result = read_rtstruct(out / "rt" / "CT_rtstruct.dcm", image_dir=folder / "study")
            assert result.problems == [], result.problems[:3]
            read[name] = objects_of(result.project)

        def read_before() -> None:
            with first_reader():
                read_back("read before")

        def before() -> None:
            with first_writer():
                FORMATS["rtstruct"].write(project, out / "before")

        runs = [("reference", reference), ("ours", ours), ("read back", read_back)]
        runs += [] if args.no_before else [("read before", read_before), ("before", before)]
        times: dict[str, list[float]] = {name: [] for name, _ in runs}
        for _ in range(args.runs):
            for name, run in runs:
                shutil.rmtree(out, ignore_errors=True)
                if name in ("read back", "read before"):
                    ours()
                clear_cache()
                start = time.process_time()
                run()
                times[name].append(time.process_time() - start)
        if "read before" in read:
            assert read["read before"] == read["read back"], "the first reader's nesting reads otherwise"
        med = {name: statistics.median(v) for name, v in times.items()}
        objects = len(project.annotations)
        print(
            f"{args.slices} slices of {SIZE} x {SIZE}: 3 organ masks and {args.lesions} lesion polygons a "
            f"slice ({objects:,} objects)"
        )
        labels = {"reference": "dicom-seg", "ours": "rtstruct"}
        for name, t in med.items():
            ratio = t / med["reference"]
            print(f"  {labels.get(name, name):11s} {t:7.2f} s CPU  x{ratio:.2f} the dicom-seg export")
        if "before" in med:
            print(f"  before / rtstruct: x{med['before'] / med['ours']:.1f}")
            print(f"  read before / read back: x{med['read before'] / med['read back']:.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
