"""The Edit menu's order and sections, in one place. Its items come from several parts (the window, the
clipboard, propagation, slice fills, object steps, flags and order), each inserting its own beside
another's; with 23 items the menu read as two long runs (Copy ... Fill Between Frames, Delete ... Send to
Back). ``arrange_edit_menu`` sets the sections below, a separator between each, once every part has added
its items: what the clipboard does, what goes from image to image, what selects, the selected objects' flags
and their stacking. A video's track items have a menu of their own (``ui.tracks_menu``): with them the
Edit menu no longer fitted a 1024x576 screen."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

# the items by shortcut id (ui/shortcuts.py, whose order the README's key table follows), section by section
SECTIONS: tuple[tuple[str, ...], ...] = (
    ("edit.undo", "edit.redo"),
    ("edit.copy", "edit.paste", "edit.duplicate", "edit.delete"),
    ("edit.propagate", "edit.keep_previous", "edit.fill_between_slices"),
    ("edit.select_all", "edit.next_object", "edit.previous_object"),
    ("edit.occluded", "edit.lock", "edit.place_keypoints"),
    ("edit.bring_to_front", "edit.send_to_back"),
)


def arrange_edit_menu(menu: QMenu) -> None:
    """``menu``'s items in ``SECTIONS``' order with a separator between sections; an item no section names
    (Set Category, Preferences…) follows in a section of its own, in the order it had."""
    items = [a for a in menu.actions() if not a.isSeparator()]
    by_id = {a.property("shortcut_id"): a for a in items if a.property("shortcut_id")}
    sections = [[by_id[i] for i in ids if i in by_id] for ids in SECTIONS]
    placed = {a for s in sections for a in s}
    sections += [[a] for a in items if a not in placed]
    for act in menu.actions():
        menu.removeAction(act)
        if act.isSeparator() and act.parent() is menu:
            act.deleteLater()
    for section in (s for s in sections if s):
        if menu.actions():
            menu.addSeparator()
        menu.addActions(section)
