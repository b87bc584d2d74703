"""The Tracks menu (``ui/tracks_menu.py``): a video's six track items, once in the Edit menu (24 items, taller
than a 1024x576 screen, with letters like "Split Track Here (&X)"), in a menu of their own before Volume,
opened with Alt+C and each item picked by its first-word letter - real keys, on the real window. The items
keep their shortcut ids and keys (users' saved key maps name them), and in the review view they are greyed,
as the Masks menu's are."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pixelproof.core.track_fill import SOURCE
from tests.ui.conftest import settle
from tests.ui.test_edit_menu import sections
from tests.ui.test_slice_fill import show_in_select
from tests.ui.test_track_fill import clip  # noqa: F401 (the fixture)
from tests.ui.test_workbench import click, key, view_point

pytestmark = pytest.mark.gui

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ITEMS = {  # id: (text without its letter's &, keys)
    "edit.new_track": ("New Track", "T"),
    "edit.track_box_here": ("Track Box Here", "Ctrl+T"),
    "edit.fill_between_frames": ("Fill Between Frames", "Shift+T"),
    "edit.merge_tracks": ("Merge Tracks", "Alt+J"),
    "edit.split_track": ("Split Track Here", "Alt+X"),
    "edit.track_leaves_view": ("Track Leaves View Here", "Alt+O"),
}


def tracks_menu(win):  # type: ignore[no-untyped-def]
    return next(m for m in win.menus if m.objectName() == "tracksMenu")


def test_the_track_items_are_in_the_tracks_menu_before_volume(window) -> None:
    bar = [a.text() for a in window.menuBar().actions() if a.menu() is not None]
    assert bar[bar.index("Vol&ume") - 1] == "Tra&cks"
    menu = tracks_menu(window)
    assert [a.text() for a in menu.actions() if not a.isSeparator()] == [
        "&New Track",
        "Track Box &Here",
        "&Fill Between Frames",
        "&Merge Tracks",
        "&Split Track Here",
        "Track &Leaves View Here",
    ]
    assert sections(menu) == [
        ["New Track", "Track Box Here", "Fill Between Frames"],
        ["Merge Tracks", "Split Track Here", "Track Leaves View Here"],
    ]
    got = {
        a.property("shortcut_id"): (a.text().replace("&", ""), a.shortcut().toString())
        for a in menu.actions()
        if not a.isSeparator()
    }
    assert got == ITEMS  # the ids users' key maps name, and their keys, as they were
    assert not {a.property("shortcut_id") for a in window.edit_menu.actions()} & set(ITEMS)


def test_alt_c_opens_the_tracks_menu_and_f_fills_between_frames(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    doc = win.document
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))  # track 7's box
    assert [a.id for a in doc.selected_annotations()] == [1]
    QTest.keyClick(win, Qt.Key.Key_C, ALT)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is tracks_menu(win), timeout=10000)
    QTest.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_F)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=10000)
    settle()
    assert [a.source for a in doc.project.annotations_of(frame[2])] == [SOURCE]  # filled, frames 1 and 2
    assert win.statusBar().currentMessage().startswith("Filled 2 frames of track 7")


def test_in_the_review_view_the_track_items_are_greyed_as_the_masks_items(qtbot, clip) -> None:  # noqa: F811
    win, frame = clip
    show_in_select(qtbot, win, frame[0])
    click(win, view_point(win, 24.5, 24.5))
    items = [a for a in tracks_menu(win).actions() if not a.isSeparator()]
    assert all(a.isEnabled() for a in items)  # an object of a track selected
    key(win, Qt.Key.Key_Tab, CTRL)
    assert win.review.active
    assert tracks_menu(win).menuAction().isVisible()  # the menu stays, as Masks and Volume do
    assert not any(a.isEnabled() for a in items)
    assert not win.masks_menu.act_to_mask.isEnabled()


def test_with_no_keys_the_messages_name_the_tracks_menu(qapp) -> None:
    """A user who took the track items' keys away is sent to the menu they are in now (it said Edit >)."""
    from pixelproof.ui.shortcuts import REGISTRY
    from pixelproof.ui.track_actions import new_track_key
    from pixelproof.ui.track_box_actions import fill_again, no_current_track
    from pixelproof.ui.track_edit_actions import _key
    from pixelproof.ui.track_fill_job import fill_key

    try:
        for id in ITEMS:
            REGISTRY.set_keys(id, [])
        assert new_track_key() == "Tracks > New Track"
        assert "with Tracks > New Track" in no_current_track()
        assert fill_again(3) == "Tracks > Fill Between Frames fills track 3 again"
        assert _key("edit.split_track", "Split Track Here") == "Tracks > Split Track Here"
        assert fill_key() == "Tracks > Fill Between Frames"
    finally:
        for id in ITEMS:
            REGISTRY.set_keys(id, None)
