"""The Tracks menu (Alt+C): a video's tracks worked as in CVAT - start one, put its box on the frame shown,
fill between its keys; merge, split, mark where it leaves the view. Its six items were in the Edit menu,
which at 24 items no longer fitted a 1024x576 screen and gave them letters like "Split Track Here (&X)".
Their shortcut ids stay ``edit.*`` (``ui.shortcuts``): users' saved key maps name them.

The items are made by their parts (``track_actions``, ``track_box_actions``, ``track_fill_actions``,
``track_edit_actions``), which grey them with the reason; this module only puts them in a menu of their own.
As the Masks and Volume menus, it stays in the menu bar in the review view, where its items are greyed (no
selection there) and their keys do not act (``ShortcutRegistry.keep_to_context``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

TITLE = "Tra&cks"  # C: the letter free among the menu bar's (F E V T I M D P R U H)

# the items by shortcut id, section by section: a track made and filled; tracks joined, cut, out of view
SECTIONS: tuple[tuple[str, ...], ...] = (
    ("edit.new_track", "edit.track_box_here", "edit.fill_between_frames"),
    ("edit.merge_tracks", "edit.split_track", "edit.track_leaves_view"),
)


def add_tracks_menu(shell: Shell, actions: Sequence[QAction]) -> QMenu:
    """The Tracks menu of ``actions`` in ``SECTIONS``' order, added to the menu bar (before Help: the
    Volume menu, added after it, follows)."""
    by_id = {a.property("shortcut_id"): a for a in actions}
    menu = QMenu(TITLE, shell.widget)
    menu.setObjectName("tracksMenu")
    for ids in SECTIONS:
        if menu.actions():
            menu.addSeparator()
        menu.addActions([by_id[i] for i in ids])
    shell.add_menu(menu)
    return menu
