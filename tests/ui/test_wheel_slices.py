"""Edit > Preferences > "Mouse wheel on a volume slice": as other images (the default: zoom, as CVAT) or Step
slices (as 3D Slicer, ITK-SNAP, OHIF and PACS viewers). With Step slices a wheel notch over a slice goes one
slice as PgDn / PgUp do, in 3D Slicer's direction (its wheel forward is IncrementSlice: the slice offset up
the patient, toward S on an axial slice), Ctrl+wheel zooms, Shift+wheel stays the brush size, and the
wheel over an image that is no slice zooms. Real wheel events on the canvas; the direction is checked
against the NIfTI affine as nibabel reads it."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from pixelproof.ui.preferences import PreferencesDialog
from pixelproof.ui.settings import settings
from pixelproof.ui.tools.paint_options import OPTIONS
from tests.ui.conftest import wait_loaded
from tests.ui.test_slices import current_name, volume_window  # noqa: F401  (the fixture)

NO = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def wheel(win, delta: int, modifiers=NO) -> None:  # type: ignore[no-untyped-def]
    """A wheel turn of ``delta`` eighths of a degree (120: a notch; positive: away from the user) over the
    middle of the canvas."""
    vp = win.canvas.viewport()
    at = QPoint(vp.width() // 2, vp.height() // 2)
    event = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0), QPoint(0, delta),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(vp, event)


def choose_step_slices(win) -> None:  # type: ignore[no-untyped-def]
    """Through the Preferences dialog: the combo box, an arrow key, Close."""
    dialog = PreferencesDialog(win)
    combo = dialog.findChild(QComboBox, "wheelOnVolume")
    assert combo.currentText() == "As other images"  # the default
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "Step slices"
    dialog.close()


def go_to(qtbot, win, name: str) -> None:  # type: ignore[no-untyped-def]
    ids = {im.file_name: im.id for im in win.document.project.images.values()}
    win.document.set_current_image(ids[name])
    wait_loaded(qtbot, win)


def test_wheel_zooms_on_a_volume_by_default(qtbot, volume_window) -> None:  # noqa: F811
    win = volume_window
    go_to(qtbot, win, "data/ct.nii.gz#z=002")
    zoom = win.canvas.zoom
    wheel(win, 120)
    assert current_name(win) == "data/ct.nii.gz#z=002" and win.canvas.zoom > zoom


def test_step_slices_wheel_steps_as_slicer_and_ctrl_zooms(qtbot, tmp_path, volume_window) -> None:  # noqa: F811
    win = volume_window
    choose_step_slices(win)
    assert settings().value("canvas/wheel_on_volume") == "slices"  # kept for the next start
    assert PreferencesDialog(win).findChild(QComboBox, "wheelOnVolume").currentText() == "Step slices"
    go_to(qtbot, win, "data/ct.nii.gz#z=002")
    zoom = win.canvas.zoom
    affine = nib.load(tmp_path / "data" / "ct.nii.gz").affine
    s_of = {k: float((affine @ np.array([0, 0, k, 1]))[2]) for k in range(6)}  # slice k's S in mm

    wheel(win, 120)  # forward, away from the user: Slicer's IncrementSlice, up the patient
    assert current_name(win) == "data/ct.nii.gz#z=003" and s_of[3] > s_of[2]
    wait_loaded(qtbot, win)
    assert int(win.canvas.pixel_value(5, 5)) == 100  # slice 3's pixels (3 * 100 - 200)
    assert win.canvas.loaded.patient.position(0, 0)[2] == pytest.approx(
        s_of[3]
    )  # the slice shown is the one at S
    wheel(win, -120)
    wheel(win, -120)
    assert current_name(win) == "data/ct.nii.gz#z=001"  # back, as PgUp
    wheel(win, -240)  # two notches in one event (a fast turn): two slices, the first one at most
    assert current_name(win) == "data/ct.nii.gz#z=000"
    wheel(win, 60)  # half a notch (a touchpad, a free-spinning wheel): nothing yet...
    assert current_name(win) == "data/ct.nii.gz#z=000"
    wheel(win, 60)  # ...the other half: one slice
    assert current_name(win) == "data/ct.nii.gz#z=001"
    assert win.canvas.zoom == zoom  # stepping never zoomed

    wheel(win, 120, CTRL)  # Ctrl+wheel zooms then, on the same slice
    assert current_name(win) == "data/ct.nii.gz#z=001" and win.canvas.zoom > zoom

    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_R)  # the brush: Shift+wheel is its size still
    width = OPTIONS.width
    wheel(win, 120, SHIFT)
    assert OPTIONS.width > width and current_name(win) == "data/ct.nii.gz#z=001"
    OPTIONS.step_width(-1)

    go_to(qtbot, win, "data/zz.png")  # no slice of a volume: the wheel zooms (out: 8x8 px fit at the most)
    zoom = win.canvas.zoom
    wheel(win, -120)
    assert current_name(win) == "data/zz.png" and win.canvas.zoom < zoom
