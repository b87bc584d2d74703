"""``--to slicer-seg``: the NIfTI writer's label volumes, each turned into a 3D Slicer ``.seg.nrrd``.

``write_nifti`` already makes one label volume per source NIfTI volume and DICOM series, on its voxels and
in its geometry (RAS affine); here each becomes NRRD with Slicer's header: ``space`` left-posterior-superior
(x and y negated, as ``core.patient_space`` turns DICOM's), ``space directions`` / ``space origin`` from
the affine, gzip, and one segment per category (label value = category id, layer 0, the category's
colour). Slicer opens it over the same image volume; PixelProof reads it back with ``--from slicer-seg``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from pixelproof.core.atomic import atomic_path
from pixelproof.core.category_colors import shown_color
from pixelproof.core.model import Project
from pixelproof.core.volumes import import_nibabel
from pixelproof.interop._util import ProgressCallback, one_line
from pixelproof.interop.image_guard import check_not_image
from pixelproof.interop.nifti_writer import MAX_CLASS_ID, write_nifti

LPS = np.array([-1.0, -1.0, 1.0])


def segment_fields(project: Project, shape: tuple[int, ...]) -> dict[str, str]:
    """Slicer's ``Segment<N>_*`` keys, a segment per category with a voxel value (id 1..MAX_CLASS_ID)."""
    fields: dict[str, str] = {}
    extent = " ".join(f"0 {n - 1}" for n in shape)
    cats = sorted((c for c in project.categories.values() if 1 <= c.id <= MAX_CLASS_ID), key=lambda c: c.id)
    for n, cat in enumerate(cats):
        hex_color = shown_color(cat.color, cat.id)
        rgb = " ".join(f"{int(hex_color[i : i + 2], 16) / 255:.6g}" for i in (1, 3, 5))
        key = f"Segment{n}_"
        fields |= {
            key + "ID": f"Segment_{cat.id}",
            key + "Name": one_line(cat.name),
            key + "Color": rgb,
            key + "LabelValue": str(cat.id),
            key + "Layer": "0",
            key + "Extent": extent,
        }
    return fields


def write_slicer_seg(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
) -> list[str]:
    """``out_dir/<volume>.seg.nrrd`` per NIfTI source volume and DICOM series; returns warnings (the NIfTI
    writer's, which name NIfTI where they apply to both)."""
    import nrrd

    nib = import_nibabel()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pixelproof-seg-") as tmp:
        warnings = write_nifti(project, tmp, progress=progress)
        for label_file in sorted(Path(tmp).glob("*.nii.gz")):
            img = nib.load(os.fspath(label_file))
            data = np.asarray(img.dataobj)
            while data.ndim < 3:
                data = data[..., None]
            affine = np.asarray(img.affine, np.float64)
            header = {
                "type": data.dtype.name,
                "dimension": 3,
                "space": "left-posterior-superior",
                "sizes": np.array(data.shape),
                "space directions": (affine[:3, :3] * LPS[:, None]).T,
                "kinds": ["domain", "domain", "domain"],
                "encoding": "gzip",
                "space origin": affine[:3, 3] * LPS,
                "Segmentation_MasterRepresentation": "Binary labelmap",
                "Segmentation_ContainedRepresentationNames": "Binary labelmap|",
                "Segmentation_ReferenceImageExtentOffset": "0 0 0",
                **segment_fields(project, data.shape),
            }
            target = out / (label_file.name[: -len(".nii.gz")] + ".seg.nrrd")
            check_not_image(target)
            with atomic_path(target, suffix=".seg.nrrd") as part:
                nrrd.write(os.fspath(part), data, header)
    return warnings
