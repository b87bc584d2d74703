"""File > Import and File > Export of 3D Slicer segmentations through the real dialogs: the format picked by
typing its title in the combo box, its options shown, a volume project written and read back whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
from PySide6.QtCore import Qt

from tests.interop.test_slicer_seg import CT_AFFINE, OVERLAP, masks
from tests.ui.test_interop_dialogs import import_through_dialog, new_window


def test_export_slicer_seg_picked_by_keys_writes_the_volume_with_its_overlap(
    qtbot, tmp_path: Path, no_prompts, errors
) -> None:
    from pixelproof.interop.slicer_seg import read_slicer_seg

    folder = tmp_path / "images"
    folder.mkdir()
    nib.save(nib.Nifti1Image(np.zeros((128, 128, 34), np.int16), CT_AFFINE), folder / "ct.nii.gz")
    shutil.copy(OVERLAP, folder / "ct.seg.nrrd")
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "slicer-seg", folder / "ct.seg.nrrd")
    project = win.document.project
    assert errors == [] and len(project.images) == 34
    for image_id in project.images:  # every slice finished: none left out as not labelled yet
        project.set_image_status(image_id, "done")

    win.interop.act_export.trigger()
    dlg = win.interop.dialog
    dlg.set_format("coco")
    combo = dlg.format_combo
    assert "3D Slicer segmentations (.seg.nrrd)" in [combo.itemText(i) for i in range(combo.count())]
    combo.setFocus()
    qtbot.keyClicks(combo, "3D")  # the combo's own search by title
    assert dlg.format.name == "slicer-seg"
    assert dlg.stack.currentWidget() is dlg.forms["slicer-seg"]
    assert {"unlabeled", "pending", "rejected"} <= set(dlg.forms["slicer-seg"].widgets)
    assert dlg.path_edit.text().endswith("_slicer-seg")
    out = tmp_path / "seg_out"
    dlg.path_edit.clear()
    qtbot.keyClicks(dlg.path_edit, str(out))
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)

    assert errors == []
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == ["ct.seg.nrrd"]
    again = read_slicer_seg(out / "ct.seg.nrrd", image_dir=folder).project
    a, b = masks(project), masks(again)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)  # overlap kept: 2 layers
    said = win.statusBar().currentMessage()
    assert said.startswith("Exported 34 images") and "3D Slicer" in said and str(out) in said, said
