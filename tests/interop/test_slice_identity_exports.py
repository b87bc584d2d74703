"""Exports and pre-labeling never take a slice at a record's index when its series or volume changed since
the project was made: the record is named and left out, the other slices go on."""

from __future__ import annotations

from pathlib import Path

import highdicom as hd
import nibabel as nib
import numpy as np
import pydicom
import pytest

from pixelproof.core import masks
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation, Project
from pixelproof.core.volume_cache import clear_cache
from tests.core.test_slice_identity import by_name, series_project


@pytest.fixture(autouse=True)
def _fresh_volumes():  # type: ignore[no-untyped-def]
    clear_cache()
    yield
    clear_cache()


def label_every_slice(project: Project) -> None:
    cat = next(iter(project.categories))
    for image in project.images.values():
        m = np.zeros((image.height, image.width), bool)
        m[1:3, 1:3] = True
        project.add_annotation(
            Annotation(project.next_annotation_id(), image.id, cat, masks.bbox(m), masks.encode(m), 4.0)
        )


def lost_slice_one(tmp_path: Path) -> tuple[Project, Path]:
    """A labelled 4-slice series project whose folder then lost slice 1 (slices 2, 3 moved down)."""
    project, _, folder = series_project(tmp_path)
    label_every_slice(project)
    (folder / "im1.dcm").unlink()
    return project, folder


def test_yolo_export_leaves_out_the_shifted_slices_by_name(tmp_path: Path) -> None:
    from pixelproof.interop.yolo import write_yolo

    project, _ = lost_slice_one(tmp_path)
    warnings = write_yolo(project, tmp_path / "out", images="copy")
    refused = [w for w in warnings if "changed since the project was made" in w]
    assert len(refused) == 3 and all("not written" in w for w in refused)
    assert {w.split(": ", 1)[0].rsplit("/", 1)[1] for w in refused} == {"ct#z=001", "ct#z=002", "ct#z=003"}
    written = sorted((tmp_path / "out").rglob("*.png"))
    assert len(written) == 1  # slice 0 only, and it shows slice 0's pixels (all 0 HU)


def test_dicom_seg_export_references_no_file_a_record_was_not_made_from(tmp_path: Path) -> None:
    from pixelproof.interop.dicom_seg import write_dicom_seg

    project, folder = lost_slice_one(tmp_path)
    warnings = write_dicom_seg(project, tmp_path / "seg")
    refused = [w for w in warnings if "changed since the project was made" in w]
    assert len(refused) == 3 and "ct#z=002" in " ".join(refused)
    (seg_file,) = (tmp_path / "seg").glob("*.dcm")
    seg = hd.seg.segread(seg_file)
    referenced = {
        str(item.ReferencedSOPInstanceUID)
        for frame in seg.PerFrameFunctionalGroupsSequence
        for item in frame.DerivationImageSequence[0].SourceImageSequence
    }
    assert referenced == {str(pydicom.dcmread(folder / "im0.dcm").SOPInstanceUID)}


def test_nifti_export_refuses_a_volume_whose_shape_changed(tmp_path: Path) -> None:
    from pixelproof.interop.nifti_writer import write_nifti

    path = tmp_path / "data" / "ct.nii.gz"
    path.parent.mkdir()
    nib.save(nib.Nifti1Image(np.zeros((4, 5, 6), np.int16), np.eye(4)), path)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json", ["organ"])
    label_every_slice(project)
    nib.save(nib.Nifti1Image(np.zeros((4, 5, 7), np.int16), np.eye(4)), path)
    warnings = write_nifti(project, tmp_path / "out")
    assert any("ct.nii.gz" in w and "changed since the project was made" in w for w in warnings)
    assert not list((tmp_path / "out").glob("*.nii.gz"))


def test_prelabel_fails_the_shifted_slices_by_name_and_runs_the_others(tmp_path: Path) -> None:
    from pixelproof.inference.apply import prelabel_project
    from pixelproof.inference.base import Backend, Prediction, Prompt

    class Seen(Backend):
        name = "seen"

        def __init__(self) -> None:
            super().__init__()
            self.values: list[int] = []

        def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
            self.values.append(int(image[0, 0]))
            return []

    project, _ = lost_slice_one(tmp_path)
    backend = Seen()
    report = prelabel_project(project, backend)
    assert backend.values == [0]  # slice 0 only: never slice 2's pixels under the name of slice 1
    failed = {name.rsplit("/", 1)[1]: why for name, why in report.failures}
    assert set(failed) == {"ct#z=001", "ct#z=002", "ct#z=003"}
    assert all("changed since the project was made" in why for why in failed.values())
    assert "now #z=001" in failed["ct#z=002"]
    assert by_name(project, "data/ct#z=000").extra["pixelproof"]["sop_instance_uid"]


def test_dicom_seg_export_of_a_dynamic_series_writes_one_seg_a_phase(tmp_path: Path) -> None:
    """Index k of phase 1 and index k of phase 2 are other files: one SEG for both phases merged the
    masks of both into one frame of one of them."""
    from pixelproof.interop.dicom_seg import read_dicom_seg, write_dicom_seg
    from tests.core.test_dicom_acquisitions import dynamic_series

    files = dynamic_series(tmp_path / "data" / "dyn", phases=2, positions=3)
    project = project_from_folder(tmp_path / "data", tmp_path / "p.json", ["organ"])
    label_every_slice(project)
    assert write_dicom_seg(project, tmp_path / "seg") == []
    segs = sorted((tmp_path / "seg").glob("*.dcm"))
    assert [f.name for f in segs] == ["dyn_phase1_seg.dcm", "dyn_phase2_seg.dcm"]
    for seg_file in segs:
        seg = hd.seg.segread(seg_file)
        referenced = {
            str(item.ReferencedSOPInstanceUID)
            for frame in seg.PerFrameFunctionalGroupsSequence
            for item in frame.DerivationImageSequence[0].SourceImageSequence
        }
        phases = [{str(pydicom.dcmread(files[p, k]).SOPInstanceUID) for k in range(3)} for p in (1, 2)]
        assert referenced in phases
    back = read_dicom_seg(tmp_path / "seg", image_dir=tmp_path / "data")
    names = sorted(im.file_name for im in back.project.images.values())
    assert [n.rsplit("/", 1)[1] for n in names] == [
        f"dyn#phase={p}&z={k:03d}" for p in (1, 2) for k in range(3)
    ]
