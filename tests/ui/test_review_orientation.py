"""The review view's panes on an axial NIfTI stored LPS: each pane (reference, candidate, difference) shows
the labeling canvas's orientation letters at its edges, and the status bar reads the pixel under the
cursor over a pane as it reads it over the canvas, both where nibabel puts the voxel shown there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from nibabel.affines import apply_affine
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.model import Annotation
from pixelproof.core.patient_space import position_text
from tests.ui.conftest import hover, wait_loaded
from tests.ui.test_patient_orientation import AXIAL, LPS, coded
from tests.ui.test_review import CTRL, enter_review, open_window, wait_image

SLICE = "data/lps.nii.gz#z=002"


def two_readers(tmp_path: Path) -> Path:
    """A reference and a candidate each with a liver on the LPS volume's slice 2, one pixel apart."""
    data = tmp_path / "data"
    data.mkdir()
    coded(data / "lps.nii.gz", LPS)
    for who, shift in (("reference", 0), ("candidate", 1)):
        project = project_from_folder(data, tmp_path / f"{who}.json", ["liver"])
        rec = next(im for im in project.images.values() if im.file_name == SLICE)
        m = np.zeros((rec.height, rec.width), bool)
        m[4 + shift : 12 + shift, 3:10] = True
        project.add_annotation(Annotation(1, rec.id, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
        if who == "candidate":
            project.reference = "reference.json"
        save_project(project, tmp_path / f"{who}.json")
    return tmp_path / "candidate.json"


def pane_letters(pane) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The letters a pane shows, each checked to sit at its own edge of the pane's viewport."""
    marks = pane.orientation_marks
    if not marks.isVisible():
        return {}
    assert marks.geometry() == pane.viewport().geometry()
    vp, rects = pane.viewport().rect(), marks.letter_rects()
    assert rects["left"].left() < 12 and rects["right"].right() > vp.width() - 12
    assert rects["top"].top() < 12 and rects["bottom"].bottom() > vp.height() - 12
    assert abs(rects["left"].center().y() - vp.center().y()) <= 2
    return marks.letters()


def read_at(qtbot, win, view, x: int, y: int, want: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Move the mouse over pixel (x, y) of ``view``; the status bar's position and value then."""
    hover(win, view.mapFromScene(QPointF(x + 0.5, y + 0.5)), view)
    qtbot.waitUntil(lambda: win.pos_label.text() == want, timeout=10000)
    return win.pos_label.text(), win.value_label.text()


def test_review_panes_show_the_canvas_letters_and_read_the_canvas_s_position(
    qtbot, tmp_path, no_prompts
) -> None:
    """The review panes showed no orientation letters and the status bar said nothing of the pixel under
    the cursor there: a reviewer could not tell the patient's left from right nor read a position."""
    win = open_window(qtbot, two_readers(tmp_path))
    try:
        win.resize(1366, 768)
        enter_review(qtbot, win)
        view = win.review.view
        image_id = next(i for i, p in view.scored.pairs.items() if p.file_name == SLICE)
        view.select_image(image_id)
        wait_image(qtbot, view)
        for pane in view.panes:
            assert pane_letters(pane) == AXIAL, pane.title
        read = {}
        for x, y in [(2, 9), (13, 17)]:
            code = int(view.cand_pane.pixel_value(x, y))  # the voxel shown: its index, coded in its value
            ras = apply_affine(LPS, (code // 10000, code // 100 % 100, code % 100))
            want = f"x {x}, y {y}   {position_text(ras)}"
            for pane in view.panes:
                read[pane.title, x, y] = read_at(qtbot, win, pane, x, y, want)
            assert win.value_label.text() == f"value {code} (int32)"
        assert "RAS" in win.pos_label.toolTip()
        # the labeling canvas on the same slice: the same letters, the same text for the same pixels
        QTest.keyClick(view.ref_pane, Qt.Key.Key_Tab, CTRL)
        assert not win.review.active
        wait_loaded(qtbot, win)
        assert win.document.current_image_id == image_id
        assert win.canvas.orientation_marks.letters() == AXIAL
        win.canvas.set_zoom(8.0)
        for (title, x, y), texts in read.items():
            win.canvas.centerOn(QPointF(x, y))
            assert read_at(qtbot, win, win.canvas, x, y, texts[0]) == texts, title
    finally:
        win.document.undo_stack.setClean()
        win.close()
