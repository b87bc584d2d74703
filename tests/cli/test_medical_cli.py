"""``pixelproof new`` / ``info`` / ``qa`` on DICOM and NIfTI: slices as images, spacing into the records
and into QA (a known shift gives HD in mm), and no patient data in projects or reports."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from nibabel.testing import data_path
from pydicom.data import get_testdata_file

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation

PATIENT = ("CompressedSamples", "1CT1", "20040119", "Doe^Archibald", "77654033", "19950903")


def pydicom_path(name: str) -> Path:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"{name} is not bundled with this pydicom wheel")
    return Path(path)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    root = tmp_path / "study"
    shutil.copytree(
        pydicom_path("dicomdirtests") / "77654033" / "CT2", root / "series"
    )  # files without suffix
    shutil.copy(pydicom_path("CT_small.dcm"), root / "ct.dcm")
    shutil.copy(Path(data_path) / "anatomical.nii", root / "anat.nii")
    return root


def test_new_and_info_list_slices_with_their_geometry(study: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "p.json"
    assert main(["new", str(study), "-o", str(out)]) == 0
    project = load_project(out)
    names = [im.file_name for im in project.images.values()]
    assert names[:2] == ["study/anat.nii#z=000", "study/anat.nii#z=001"] and len(names) == 25 + 1 + 4
    assert "study/ct.dcm" in names and "study/series#z=003" in names
    capsys.readouterr()
    assert main(["info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    rows = {r["file_name"]: r for r in info["per_image"]}
    assert (
        rows["study/ct.dcm"]["pixel_spacing"] == [0.661468, 0.661468] and "volume" not in rows["study/ct.dcm"]
    )
    s = rows["study/series#z=003"]
    assert (s["volume"], s["slice_axis"], s["slice_index"]) == ("study/series", "z", 3)
    assert s["pixel_spacing"] == [0.488281, 0.488281] and s["slice_position"] == pytest.approx(105.519997)
    assert rows["study/anat.nii#z=010"]["pixel_spacing"] == [2.0, 2.0]
    text = out.read_text()
    assert not any(p in text for p in PATIENT)


def test_pixel_spacing_reaches_qa_as_millimetres(tmp_path: Path, capsys) -> None:
    """Reference and candidate discs 3 px apart on CT_small (0.661468 mm pixels): HD = 3 x 0.661468 mm."""
    images = tmp_path / "img"
    images.mkdir()
    shutil.copy(pydicom_path("CT_small.dcm"), images / "ct.dcm")
    base, ref_file, cand_file = tmp_path / "base.json", tmp_path / "ref.json", tmp_path / "cand.json"
    assert main(["new", str(images), "-o", str(base), "--categories", "liver"]) == 0
    y, x = np.mgrid[:128, :128]
    for path, cx in ((ref_file, 60), (cand_file, 63)):
        project = load_project(base)
        m = (y - 64) ** 2 + (x - cx) ** 2 <= 20**2
        project.add_annotation(Annotation(1, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
        save_project(project, path)
    report = tmp_path / "qa.json"
    csv_file, html_file = tmp_path / "qa.csv", tmp_path / "qa.html"
    assert (
        main(
            [
                "qa",
                str(ref_file),
                str(cand_file),
                "--json",
                str(report),
                "--csv",
                str(csv_file),
                "--html",
                str(html_file),
            ]
        )
        == 0
    )
    row = json.loads(report.read_text())["per_image"][0]
    assert row["unit"] == "mm" and row["hd"] == pytest.approx(3 * 0.661468, rel=1e-6)
    with csv_file.open() as f:
        assert next(csv.DictReader(f))["unit"] == "mm"
    for f in (report, csv_file, html_file, ref_file):
        text = f.read_text()
        assert not any(p in text for p in PATIENT), f.name


def test_qa_of_volume_slices_reports_3d_rows(tmp_path: Path, capsys) -> None:
    vol = np.zeros((20, 16, 6), np.int16)
    nib.save(nib.Nifti1Image(vol, np.diag([0.8, 0.8, 3.0, 1.0])), tmp_path / "case.nii.gz")
    assert main(["new", str(tmp_path), "-o", str(tmp_path / "ref.json"), "--categories", "organ"]) == 0
    ref = load_project(tmp_path / "ref.json")
    cand = load_project(tmp_path / "ref.json")
    next_id = 1
    for image in ref.images.values():
        k = int(image.file_name.rsplit("=", 1)[1])
        for project, z0 in ((ref, 1), (cand, 2)):
            if z0 <= k < z0 + 3:
                m = np.zeros((16, 20), bool)
                m[4:12, 5:15] = True
                project.add_annotation(
                    Annotation(next_id, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
                )
                next_id += 1
    save_project(ref, tmp_path / "ref.json")
    save_project(cand, tmp_path / "cand.json")
    capsys.readouterr()
    out = tmp_path / "qa.json"
    assert main(["qa", str(tmp_path / "ref.json"), str(tmp_path / "cand.json"), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "per volume (3D, 1 volume), means over volumes:" in printed
    (row,) = json.loads(out.read_text())["per_volume"]
    organ = printed.split("means over volumes:")[1].splitlines()[2].split()
    assert (
        organ[:2] == ["organ", "mm"]
        and f"{row['hd']:.4f}" in organ
        and organ[organ.index("3.0000") + 1] == "mm"
    )
    assert row["volume"] == "case.nii.gz" and row["slices"] == 6
    assert row["hd"] == pytest.approx(3.0) and row["dice"] == pytest.approx(2 / 3)


def test_convert_and_qa_with_nifti_label_volumes(tmp_path: Path, capsys) -> None:
    from tests.interop.test_nifti import brats_case

    data = tmp_path / "Task01"
    labels = brats_case(data, "BRATS_001")
    (data / "labelsTr" / "classes.txt").write_text("background\nnecrosis\nedema\n\nenhancing\n")
    cand = tmp_path / "cand.json"
    assert main(["convert", str(data), str(cand), "--from", "nifti", "--to", "coco"]) == 0
    report = tmp_path / "qa.json"
    assert main(["qa", str(data / "labelsTr"), str(cand), "--json", str(report)]) == 0  # detected as nifti
    result = json.loads(report.read_text())
    assert result["reference_kind"] == "semantic masks" and not result["unmatched_images"]["candidate"]
    assert {r["volume"] for r in result["per_volume"]} == {"Task01/imagesTr/BRATS_001.nii.gz"}
    assert all(r["dice"] == 1.0 and r["hd"] == 0.0 and r["unit"] == "mm" for r in result["per_volume"])
    out = tmp_path / "labels_out"
    assert main(["convert", str(cand), str(out), "--from", "coco", "--to", "nifti"]) == 0
    written = nib.load(out / "BRATS_001.nii.gz")
    np.testing.assert_array_equal(np.asanyarray(written.dataobj), labels)
    assert (out / "classes.txt").read_text().splitlines()[4] == "enhancing"


def test_qa_of_semantic_label_volumes_that_differ_lists_the_worst_slices(tmp_path: Path, capsys) -> None:
    """Semantic labels count no object missed or extra (NaN in the image rows): sorting the images with a
    problem (Dice under 1) by those counts raised 'cannot convert float NaN to integer' and stopped qa."""
    from tests.interop.test_nifti import brats_case

    data = tmp_path / "Task01"
    brats_case(data, "BRATS_001")
    cand = tmp_path / "cand.json"
    assert main(["convert", str(data), str(cand), "--from", "nifti", "--to", "coco"]) == 0
    project = load_project(cand)
    dropped = next(iter(project.annotations.values()))
    project.remove_annotation(dropped.id)
    save_project(project, cand)
    report = tmp_path / "qa.json"
    assert (
        main(
            [
                "qa",
                str(data / "labelsTr"),
                str(cand),
                "--json",
                str(report),
                "--html",
                str(tmp_path / "q.html"),
            ]
        )
        == 0
    )
    result = json.loads(report.read_text())
    worst = [r for r in result["per_image"] if r["dice"] is not None and r["dice"] < 1]
    assert worst and project.images[dropped.image_id].file_name in {r["file_name"] for r in worst}
    printed = capsys.readouterr().out
    assert project.images[dropped.image_id].file_name in printed
    # no object was matched, so no count is said: it printed 'nan missed, nan extra, nan wrong class'
    worst_lines = printed.split("a problem, worst first")[1].splitlines()[1:]
    line = next(x for x in worst_lines if project.images[dropped.image_id].file_name in x)
    assert "nan" not in line and "missed" not in line and "objects matched" not in line
    # nor do the summaries of the images with none claim objects were matched
    page = (tmp_path / "q.html").read_text()
    assert "images: Dice 1 in every class, or nothing drawn on either side (n/a)." in page
    assert "every object matched" not in page


def test_qa_of_equal_semantic_label_volumes_says_only_dice(tmp_path: Path, capsys) -> None:
    """A semantic reference pairs no objects one to one: 'every object matched' claimed a check not made."""
    from tests.interop.test_nifti import brats_case

    data = tmp_path / "Task01"
    brats_case(data, "BRATS_001")
    cand = tmp_path / "cand.json"
    assert main(["convert", str(data), str(cand), "--from", "nifti", "--to", "coco"]) == 0
    capsys.readouterr()
    page = tmp_path / "q.html"
    assert main(["qa", str(data / "labelsTr"), str(cand), "--html", str(page)]) == 0
    printed = capsys.readouterr().out
    assert "no image with a problem (Dice 1 in every class, or n/a)" in printed
    assert "No image with a problem" in page.read_text()
    assert "every object matched" not in printed + page.read_text()


def test_qa_with_a_dicom_seg_reference(tmp_path: Path, capsys) -> None:
    study = tmp_path / "study"
    shutil.copytree(pydicom_path("dicomdirtests") / "77654033" / "CT2", study / "CT2")
    base = tmp_path / "base.json"
    assert main(["new", str(study), "-o", str(base), "--categories", "liver"]) == 0
    project = load_project(base)
    for image in project.images.values():
        m = np.zeros((16, 16), bool)
        m[3:12, 4:10] = True
        project.add_annotation(
            Annotation(image.id, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
        )
    save_project(project, tmp_path / "cand.json")
    assert (
        main(
            [
                "convert",
                str(tmp_path / "cand.json"),
                str(study / "seg"),
                "--from",
                "coco",
                "--to",
                "dicom-seg",
            ]
        )
        == 0
    )
    (seg,) = (p for p in (study / "seg").iterdir() if p.name != ".pixelproof-export")  # the SEG alone
    report = tmp_path / "qa.json"
    assert main(["qa", str(seg), str(tmp_path / "cand.json"), "--json", str(report)]) == 0
    result = json.loads(report.read_text())
    assert len(result["per_image"]) == 4 and all(r["dice"] == 1.0 for r in result["per_image"])
    assert result["per_volume"][0]["slices"] == 4


def test_exports_write_slices_as_png_without_patient_data(study: Path, tmp_path: Path, capsys) -> None:
    import cv2

    from pixelproof.core.imageio import read_image, to_display8
    from pixelproof.core.sources import image_meta

    base = tmp_path / "p.json"
    assert main(["new", str(study), "-o", str(base), "--categories", "organ"]) == 0
    project = load_project(base)
    for image in project.images.values():
        bbox = [1.0, 1.0, image.width / 2, image.height / 2]
        project.add_annotation(Annotation(image.id, image.id, 1, bbox, None, bbox[2] * bbox[3]))
    save_project(project, base)
    for fmt in ("yolo", "masks", "coco", "labelme", "voc"):
        out = tmp_path / fmt / ("data.json" if fmt == "coco" else "")
        assert main(["convert", str(base), str(out), "--from", "coco", "--to", fmt, "--images", "copy"]) == 0
    pngs = {p.name: p for p in (tmp_path / "masks" / "images").iterdir()}
    depths = {x.stem: x.read_text().split("<depth>")[1][0] for x in (tmp_path / "voc").rglob("*.xml")}
    assert depths and set(depths.values()) == {"1"}, depths  # grey slices: said 3 (not a file to open)
    assert {"series_z000.png", "series_z003.png", "anat_z024.png", "ct.png"} <= set(pngs)
    shown = cv2.imread(str(pngs["series_z002.png"]), cv2.IMREAD_UNCHANGED)
    source = study / "series#z=002"
    np.testing.assert_array_equal(shown, to_display8(read_image(source), image_meta(source).window))
    assert main(["info", str(base), "--json"]) == 0
    assert main(["qa", str(base), str(base), "--html", str(tmp_path / "qa.html")]) == 0
    assert not any(p in capsys.readouterr().out for p in PATIENT)
    # everything PixelProof wrote: project, change log, exports of every format, report
    written = [f for f in tmp_path.rglob("*") if f.is_file() and study not in f.parents]
    assert len(written) > 100 and any(f.name.endswith(".history.jsonl") for f in written)
    for f in written:
        data = f.read_bytes()
        assert not any(p.encode() in data for p in PATIENT), f


def _labelled(project_json: Path, category: str) -> None:
    """Give each image of the project a small mask of ``category`` (id 1)."""
    project = load_project(project_json)
    for image in project.images.values():
        m = np.zeros((image.height, image.width), bool)
        m[2:6, 3:8] = True
        project.add_annotation(
            Annotation(image.id, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
        )
    save_project(project, project_json)


@pytest.mark.parametrize(
    ("source", "fmt", "says"),
    [
        # a single DICOM file's masks as NIfTI labels (a series' are written: test_nifti_dicom_series);
        # a NIfTI volume's masks as a DICOM SEG
        ("single", "nifti", "are slices of a NIfTI volume or a DICOM series, so there is no label volume"),
        ("nii", "dicom-seg", "are DICOM (a file"),
    ],
)
def test_a_label_export_that_fits_no_image_fails_and_writes_nothing(
    study: Path, tmp_path: Path, capsys, source: str, fmt: str, says: str
) -> None:
    # it wrote no file, printed "24 images, 4 annotations" and exited 0 as if all was converted
    (study / "nii").mkdir()
    shutil.copy(study / "anat.nii", study / "nii")
    (study / "single").mkdir()
    shutil.copy(study / "ct.dcm", study / "single")
    project = tmp_path / "p.json"
    assert main(["new", str(study / source), "-o", str(project), "--categories", "lesion"]) == 0
    _labelled(project, "lesion")
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["convert", str(project), str(out), "--from", "coco", "--to", fmt]) == 1
    err = capsys.readouterr().err
    n = len(load_project(project).images)
    assert says in err and f"none of the {n} images" in err and str(out) in err
    assert not out.exists()


def test_convert_to_dicom_seg_counts_what_it_wrote_and_says_what_it_left_out(
    study: Path, tmp_path: Path, capsys
) -> None:
    """A SEG references DICOM sources only: a project of 30 images (25 NIfTI slices, a DICOM file, a
    4-slice series) said "30 images, 29 annotations" when one SEG of the 4-slice series was written."""
    base = tmp_path / "p.json"
    assert main(["new", str(study), "-o", str(base), "--categories", "liver"]) == 0
    project = load_project(base)
    for image in project.images.values():
        if image.file_name == "study/ct.dcm":
            continue  # a DICOM source without any mask: no SEG for it
        m = np.zeros((image.height, image.width), bool)
        m[3:12, 4:10] = True
        project.add_annotation(
            Annotation(image.id, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
        )
    save_project(project, base)
    capsys.readouterr()
    out = tmp_path / "seg"
    assert main(["convert", str(base), str(out), "--from", "coco", "--to", "dicom-seg"]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary == (
        f"{out}: 4 images, 4 annotations, 1 category; left out 26 images (25 not DICOM, 1 of a DICOM "
        "source without any mask)"
    )
    assert len([p for p in out.iterdir() if p.suffix == ".dcm"]) == 1
