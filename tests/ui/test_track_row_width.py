"""The Properties panel's Track row on a narrow dock: at 1024x576 with the Problems panel open the dock is
about 250 px, and the row (field, "interpolated 0-3", New Track) made the panel 276-310 px wide at least,
so every row was cut at the dock's right edge - Locked, Review, the New Track button itself. The row now
gives up the field's spare room first, then cuts its "interpolated 0-3" with "…" (the whole in the
tooltip), and never widens the panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from tests.ui.conftest import settle
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_track_fill import clip  # noqa: F401 (the fixture)
from tests.ui.test_workbench import click, key, view_point

pytestmark = pytest.mark.gui


def right_edge(widget, panel) -> int:  # type: ignore[no-untyped-def]
    return widget.mapTo(panel, widget.rect().topRight()).x()


def test_the_track_row_fits_a_narrow_dock_and_reads_whole_on_a_wide_one(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    panel = win.panels["propertiesDock"]
    dock = win.findChild(QDockWidget, "propertiesDock")
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))  # track 7's key on frame 0
    key(win, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)  # Fill Between Frames: frames 1, 2
    show_in_select(qtbot, win, frame[1])
    click(win, view_point(win, 34.5, 14.5))  # the filled box (20, 12, 16x16), beside the one on no track
    settle()
    track = panel.track
    assert track.isVisible() and track.kind.text() == "interpolated 0-3"
    # 1024x576 with the Problems panel open (F6): the right docks get about 250 px
    win.resize(1024, 576)
    win.findChild(QDockWidget, "problemsDock").show()
    settle()
    view = panel.parentWidget()  # the dock's scroll area's viewport: what is seen of the panel
    for field in (track.new, track.edit, panel.review, panel.category, panel.locked):
        assert right_edge(field, view) <= view.width(), field  # all of it seen, not cut at the dock's edge
    assert track.kind.text().endswith("…") and track.kind.toolTip().startswith("interpolated 0-3: ")

    win.findChild(QDockWidget, "problemsDock").hide()
    win.resizeDocks([dock], [360], Qt.Orientation.Horizontal)
    settle()
    assert track.kind.text() == "interpolated 0-3"  # whole again where there is room
