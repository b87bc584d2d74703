"""File > Export says what the writer wrote, as ``convert`` does: a DICOM SEG of a series no SEG can be made
from (its files lack PixelSpacing) writes nothing, and the status bar said "Exported 6 images and 1
object as DICOM SEG"; it now says nothing was exported and why."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from PySide6.QtCore import Qt

from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from tests.interop.test_rtstruct import AXIAL, write_series


def test_a_seg_export_that_writes_nothing_says_so(qtbot, tmp_path: Path, open_on, errors) -> None:
    write_series(tmp_path / "study" / "CT", iop=AXIAL, origin=(0, 0, 0), spacing=(0.8, 0.7), zs=[0, 2.5, 5])
    for f in (tmp_path / "study" / "CT").iterdir():  # placed in the patient, of no known pixel size
        ds = pydicom.dcmread(f)
        del ds.PixelSpacing
        ds.save_as(f)
    project = project_from_folder(tmp_path / "study", tmp_path / "p.json", ["GTV"])
    image = project.image_by_file_name("study/CT#z=001")
    m = np.zeros((16, 16), bool)
    m[4:9, 5:11] = True
    project.add_annotation(Annotation(1, image.id, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    for image_id in project.images:
        project.set_image_status(image_id, "done")
    save_project(project, tmp_path / "p.json")
    win = open_on(tmp_path / "p.json")

    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("dicom-seg")
    out = tmp_path / "seg"
    dlg.path_edit.clear()
    qtbot.keyClicks(dlg.path_edit, str(out))
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)

    assert errors == [] and not list(out.glob("*.dcm"))
    said = win.statusBar().currentMessage()
    assert said.startswith(f"Nothing exported as DICOM SEG to {out}; left out 3 images"), said
    assert "no SEG could be made from" in said and "1 warning (Export warnings)" in said
    report = win.interop.report
    assert report is not None and "no PixelSpacing (0028,0030)" in "\n".join(report.lines)
