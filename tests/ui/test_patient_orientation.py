"""The canvas's orientation letters and the status bar's patient position, on real windows: an axial NIfTI
reads R on the left edge and A at the top, whatever its storage; sagittal and coronal slices their own
sides; a DICOM series its tags' sides; a plain image none. The position under the cursor is where nibabel
puts the voxel shown there."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from nibabel.affines import apply_affine
from PySide6.QtCore import QPointF

from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import ImageRecord
from pixelproof.core.patient_space import position_text
from tests.core.test_dicom_acquisitions import write_slice
from tests.ui.conftest import hover, open_main_window, wait_loaded

SHAPE = (24, 20, 6)
LPS = np.array([[-0.7, 0, 0, 40], [0, -0.7, 0, -20], [0, 0, 3.0, -55], [0, 0, 0, 1]])
PSR = np.array([[0, 0, 1.2, 5], [-0.9, 0, 0, -6], [0, 2.0, 0, 7], [0, 0, 0, 1]])  # stored P, S, R


def coded(path: Path, affine: np.ndarray | None, header: nib.Nifti1Header | None = None) -> None:
    """Each voxel holds its index (i * 10000 + j * 100 + k): a pixel's value says which voxel it shows."""
    i, j, k = np.indices(SHAPE)
    nib.save(nib.Nifti1Image((i * 10000 + j * 100 + k).astype(np.int32), affine, header=header), path)


def open_images(qtbot, tmp_path: Path, make) -> object:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    make(data)
    save_project(project_from_folder(data, tmp_path / "p.json"), tmp_path / "p.json")
    return open_main_window(qtbot, tmp_path / "p.json")


def show(qtbot, win, name: str) -> None:  # type: ignore[no-untyped-def]
    doc = win.document
    doc.set_current_image(next(i.id for i in doc.project.images.values() if i.file_name == name))
    wait_loaded(qtbot, win)


def edges_drawn(win) -> dict[str, str]:
    """The letters on screen, each checked to sit at its own edge of the viewport."""
    marks = win.canvas.orientation_marks
    if not marks.isVisible():
        return {}
    assert marks.geometry() == win.canvas.viewport().geometry()  # over the viewport, as it is now
    vp = win.canvas.viewport().rect()
    rects = marks.letter_rects()
    assert rects["left"].left() < 12 and rects["right"].right() > vp.width() - 12
    assert rects["top"].top() < 12 and rects["bottom"].bottom() > vp.height() - 12
    assert abs(rects["left"].center().y() - vp.center().y()) <= 2
    assert abs(rects["top"].center().x() - vp.center().x()) <= 2
    return marks.letters()


AXIAL = {"left": "R", "right": "L", "top": "A", "bottom": "P"}


def test_axial_sagittal_and_coronal_niftis_read_their_sides_whatever_their_storage(
    qtbot, tmp_path, no_prompts
):
    def make(data: Path) -> None:
        coded(data / "ras.nii.gz", np.diag([0.8, 0.9, 2.5, 1.0]))
        coded(data / "lps.nii.gz", LPS)
        coded(data / "psr.nii.gz", PSR)

    win = open_images(qtbot, tmp_path, make)
    for name in ("ras", "lps", "psr"):
        show(qtbot, win, f"data/{name}.nii.gz#z=002")
        assert edges_drawn(win) == AXIAL, name
    before = win.canvas.viewport().size()
    win.resize(1366, 700)  # a window resized with the image shown: the letters keep to the edges
    qtbot.waitUntil(lambda: win.canvas.viewport().size() != before, timeout=10000)
    assert edges_drawn(win) == AXIAL
    zoomed_before = win.canvas.orientation_marks.letter_rects()
    win.canvas.set_zoom(6.0)  # letters stay at the edges, their size the screen's
    assert win.canvas.orientation_marks.letter_rects() == zoomed_before
    win.close()


def test_the_position_under_the_cursor_is_where_nibabel_puts_the_voxel_shown(qtbot, tmp_path, no_prompts):
    win = open_images(qtbot, tmp_path, lambda data: coded(data / "psr.nii.gz", PSR))
    win.canvas.set_zoom(8.0)
    win.canvas.centerOn(QPointF(3, 12))
    for x, y in [(2, 9), (5, 15)]:  # stored P, S, R: axial slices 6 wide (R-L) and 24 high (A-P)
        hover(win, win.canvas.mapFromScene(QPointF(x + 0.5, y + 0.5)))
        code = int(win.canvas.pixel_value(x, y))
        ras = apply_affine(PSR, (code // 10000, code // 100 % 100, code % 100))
        want = f"x {x}, y {y}   {position_text(ras)}"
        qtbot.waitUntil(lambda want=want: win.pos_label.text() == want, timeout=10000)
    assert "RAS" in win.pos_label.toolTip()
    win.close()


def test_sagittal_and_coronal_slices_of_a_nifti(qtbot, tmp_path, no_prompts):
    data = tmp_path / "data"
    data.mkdir()
    coded(data / "ras.nii.gz", np.diag([0.8, 0.9, 2.5, 1.0]))
    project = project_from_folder(data, tmp_path / "p.json")
    for name, (w, h) in {
        "x": (SHAPE[1], SHAPE[2]),
        "y": (SHAPE[0], SHAPE[2]),
    }.items():  # other planes, by name
        project.add_image(ImageRecord(project.next_image_id(), f"data/ras.nii.gz#{name}=003", w, h))
    save_project(project, tmp_path / "p.json")
    win = open_main_window(qtbot, tmp_path / "p.json")
    show(qtbot, win, "data/ras.nii.gz#x=003")
    assert edges_drawn(win) == {"left": "A", "right": "P", "top": "S", "bottom": "I"}
    show(qtbot, win, "data/ras.nii.gz#y=003")
    assert edges_drawn(win) == {"left": "R", "right": "L", "top": "S", "bottom": "I"}
    win.close()


@pytest.mark.parametrize(
    ("iop", "step", "sides"),
    [
        ([0, 1, 0, 0, 0, -1], [3.0, 0, 0], {"left": "A", "right": "P", "top": "S", "bottom": "I"}),
        ([1, 0, 0, 0, 0, -1], [0, 2.0, 0], {"left": "R", "right": "L", "top": "S", "bottom": "I"}),
    ],
    ids=["sagittal", "coronal"],
)
def test_a_dicom_series_reads_the_sides_its_tags_give(qtbot, tmp_path, no_prompts, iop, step, sides):
    def make(data: Path) -> None:
        for k in range(3):
            ipp = (np.array([-12.5, 30.0, 41.0]) + k * np.array(step)).tolist()
            write_slice(data / "s" / f"im{k}.dcm", 0.0, 100 * k, k + 1, ImagePositionPatient=ipp,
                        ImageOrientationPatient=iop, PixelSpacing=[0.6, 0.75])  # fmt: skip

    win = open_images(qtbot, tmp_path, make)
    assert edges_drawn(win) == sides
    win.close()


def test_no_letters_and_in_slice_millimetres_where_nothing_places_the_image(qtbot, tmp_path, no_prompts):
    def make(data: Path) -> None:
        header = nib.Nifti1Header()  # voxel sizes, no qform or sform: no patient orientation
        header.set_data_shape(SHAPE)
        header.set_zooms((0.8, 0.8, 2.5))
        coded(data / "bare.nii", None, header)

    win = open_images(qtbot, tmp_path, make)
    assert edges_drawn(win) == {} and win.canvas.orientation_marks.letters() == {}
    win.canvas.set_zoom(8.0)
    win.canvas.centerOn(QPointF(10, 10))
    hover(win, win.canvas.mapFromScene(QPointF(12.5, 7.5)))
    qtbot.waitUntil(lambda: "mm" in win.pos_label.text(), timeout=10000)
    assert win.pos_label.text() == "x 12, y 7 (10.0, 6.0 mm)"  # (12 + 0.5) x 0.8, (7 + 0.5) x 0.8
    win.close()


def test_a_nifti_ct_named_by_its_sidecar_reads_hounsfield_units(qtbot, tmp_path, no_prompts):
    def make(data: Path) -> None:
        nib.save(nib.Nifti1Image(np.full((8, 8, 3), -800, np.int16), np.eye(4)), data / "ct.nii.gz")
        (data / "ct.json").write_text(json.dumps({"Modality": "CT"}))  # as dcm2niix writes it

    win = open_images(qtbot, tmp_path, make)
    hover(win, win.canvas.mapFromScene(QPointF(3.5, 3.5)))
    qtbot.waitUntil(lambda: win.value_label.text() != "", timeout=10000)
    assert win.value_label.text() == "value -800 HU"
    win.close()
