"""RTSTRUCT import speed: ``convert --from rtstruct`` of a structure set whose contours reference no image
(older planning systems, pydicom's own ``rtstruct.dcm``), each placed by plane on a CT series.

``python -m bench rtstruct_import [--slices N] [--contours C] [--runs R]``

Three readings, alternating in one process (CPU time, the median of R runs; the ratios are the figures to
trust):

- reference: ``dicom_seg.index_sources`` over the same folders, the header scan every import of a DICOM
  object that references its series does (``dicom-seg`` too); the RTSTRUCT import runs it first.
- ours: ``read_rtstruct``, contours placed through ``_Images.near`` (the slices near the contour's position
  along each normal, by bisection).
- every slice: the same read trying each contour against every slice, as it did before ``_Images.near``.

And one contour of a million points: ``_ds_floats`` (its bytes read as one JSON array by orjson) against
``float()`` per value, the parse before it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def make(folder: Path, slices: int, contours: int) -> Path:
    """A CT series of ``slices`` 512 x 512 slices 2 mm apart and an RTSTRUCT of ``contours`` 40-point
    circles spread over them (up to ten side by side on a slice), none referencing its image."""
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    from pixelproof.interop.rtstruct import RTSTRUCT_SOP_CLASS

    def dataset(sop_class: str) -> Dataset:
        meta = FileMetaDataset()
        meta.TransferSyntaxUID, meta.MediaStorageSOPClassUID = ExplicitVRLittleEndian, sop_class
        meta.MediaStorageSOPInstanceUID = generate_uid()
        ds = Dataset()
        ds.file_meta, ds.preamble = meta, b"\0" * 128
        ds.SOPClassUID, ds.SOPInstanceUID = sop_class, meta.MediaStorageSOPInstanceUID
        ds.FrameOfReferenceUID = "1.2.3.99"
        return ds

    (folder / "CT").mkdir(parents=True)
    pixels = np.zeros((512, 512), np.int16).tobytes()
    for k in range(slices):
        ds = dataset(CTImageStorage)
        ds.SeriesInstanceUID, ds.SeriesNumber, ds.Modality, ds.InstanceNumber = "1.2.3.4", 1, "CT", k + 1
        ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = 512, 512, 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.ImageOrientationPatient, ds.ImagePositionPatient = [1, 0, 0, 0, 1, 0], [-250.0, -250.0, 2.0 * k]
        ds.PixelSpacing, ds.PixelData = [1, 1], pixels
        ds.save_as(folder / "CT" / f"IM{k:04d}.dcm", enforce_file_format=True)
    rt = dataset(RTSTRUCT_SOP_CLASS)
    rt.Modality = "RTSTRUCT"
    ref = Dataset()
    ref.FrameOfReferenceUID = "1.2.3.99"
    rt.ReferencedFrameOfReferenceSequence = Sequence([ref])
    roi, item, obs = Dataset(), Dataset(), Dataset()
    roi.ROINumber, roi.ROIName = 1, "Body"
    item.ReferencedROINumber, item.ROIDisplayColor, item.ContourSequence = 1, [255, 0, 0], Sequence()
    obs.ObservationNumber, obs.ReferencedROINumber, obs.RTROIInterpretedType = 1, 1, "ORGAN"
    t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    for c in range(contours):
        z = 2.0 * (c % slices)
        x = -220.0 + 45.0 * ((c // slices) % 10) + 0.5 * (c // (10 * slices))  # apart on their slice
        points = np.column_stack([20 * np.cos(t) + x, 20 * np.sin(t), np.full_like(t, z)])
        contour = Dataset()
        contour.ContourGeometricType, contour.NumberOfContourPoints = "CLOSED_PLANAR", len(t)
        contour.ContourData = [f"{v:.6g}" for v in points.reshape(-1)]
        item.ContourSequence.append(contour)
    rt.StructureSetROISequence, rt.ROIContourSequence = Sequence([roi]), Sequence([item])
    rt.RTROIObservationsSequence = Sequence([obs])
    path = folder / "RT" / "rt.dcm"
    path.parent.mkdir()
    rt.save_as(path, enforce_file_format=True)
    assert pydicom.dcmread(path).Modality == "RTSTRUCT"
    return path


def main(argv: list[str]) -> int:
    from pixelproof.core.volume_cache import clear_cache
    from pixelproof.interop import rtstruct
    from pixelproof.interop._util import Reporter
    from pixelproof.interop.dicom_seg import index_sources

    parser = argparse.ArgumentParser(prog="python -m bench rtstruct_import")
    parser.add_argument("--slices", type=int, default=300)
    parser.add_argument("--contours", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-rtstruct-"))
    try:
        path = make(folder, args.slices, args.contours)
        near = rtstruct._Images.near

        def every(self: rtstruct._Images, ras: np.ndarray) -> list:
            return list(self.slices.values())

        def reference() -> None:
            index_sources([folder], Reporter(None))

        def ours() -> None:
            result = rtstruct.read_rtstruct(path, image_dir=folder / "CT")
            assert len(result.project.annotations) == args.contours, result.problems[:3]

        def every_slice() -> None:
            rtstruct._Images.near = every  # type: ignore[method-assign]
            try:
                ours()
            finally:
                rtstruct._Images.near = near  # type: ignore[method-assign]

        times: dict[str, list[float]] = {"reference": [], "ours": [], "every slice": []}
        for _ in range(args.runs):
            for name, run in (("reference", reference), ("ours", ours), ("every slice", every_slice)):
                clear_cache()
                start = time.process_time()
                run()
                times[name].append(time.process_time() - start)
        med = {name: statistics.median(v) for name, v in times.items()}
        print(f"{args.contours:,} unreferenced contours over {args.slices} slices of 512 x 512")
        for name, t in med.items():
            print(f"  {name:12s} {t:7.2f} s CPU  x{t / med['reference']:.2f} the reference")
        print(f"  every slice / ours: x{med['every slice'] / med['ours']:.1f}")
        t = np.linspace(0, 2 * np.pi, 1_000_000)
        raw = "\\".join(f"{v:.10g}" for v in np.column_stack([t, t, t]).reshape(-1)).encode()
        parse: dict[str, list[float]] = {"_ds_floats": [], "float() each": []}
        for _ in range(args.runs):
            start = time.process_time()
            rtstruct._ds_floats(raw, 3_000_000)
            parse["_ds_floats"].append(time.process_time() - start)
            start = time.process_time()
            np.array([float(v) for v in raw.split(b"\\")], np.float64)
            parse["float() each"].append(time.process_time() - start)
        bulk, each = (statistics.median(v) for v in parse.values())
        print(
            f"1,000,000-point ContourData: {bulk:.2f} s CPU, float() each {each:.2f} s (x{each / bulk:.1f})"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
