"""A right click on the canvas: the object actions of the Edit and View menus at the pointer, as LabelMe's and
CVAT's canvas menus give them - a right click on an object not selected selects it first (as LabelMe, CVAT and
file managers do), so "right-click, Delete" acts on what was clicked. The menu holds the window's own actions
(their keys, enabled states and undo steps), not copies. A right drag stays window / level; a right click
on a selected polygon's vertex is the vertex menu (the tools' ``context_menu``) instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

# the actions shown, by shortcut id, in groups (a separator between groups); the category submenu first
GROUPS = (
    ("edit.copy", "edit.paste", "edit.duplicate"),
    (
        "edit.lock",
        "edit.occluded",
        "edit.place_keypoints",
        "view.hide_objects",
        "view.hide_others",
        "view.zoom_selection",
    ),
    ("edit.bring_to_front", "edit.send_to_back"),
    ("edit.delete",),
)
CATEGORY_MENU = "Set Category"  # the Edit menu's submenu of the digit keys' categories


def _all_actions(menus: list[QMenu]) -> list[QAction]:
    out: list[QAction] = []
    for m in menus:
        for act in m.actions():
            out.append(act)
            if act.menu() is not None:
                out += _all_actions([act.menu()])
    return out


class ObjectMenu(QObject):
    """The canvas's right-click menu (see the module's docstring)."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.last_menu: QMenu | None = None  # the menu shown last (tests trigger its actions)
        shell.canvas.objectMenuAsked.connect(self.show_at)

    def show_at(self, view_pos: QPoint) -> None:
        """The menu at ``view_pos`` (the canvas's viewport), after selecting the object there if it is not."""
        canvas, doc = self.shell.canvas, self.shell.document
        tool = canvas.tool
        if doc is None or canvas.image_id == -1 or (tool is not None and tool.busy()):
            return
        ann_id, _ = canvas.annotation_at(view_pos)
        if ann_id is not None and ann_id not in doc.selection:
            doc.set_selection([ann_id])
        actions = _all_actions(self.shell.menus)
        by_id = {a.property("shortcut_id"): a for a in actions if a.property("shortcut_id")}
        menu = QMenu(canvas)
        menu.setObjectName("canvasObjectMenu")
        categories = next(
            (a for a in actions if a.menu() is not None and _plain(a.text()) == CATEGORY_MENU), None
        )
        if categories is not None and doc.selection:
            menu.addAction(categories)
        for group in GROUPS if doc.selection else GROUPS[:1]:  # no selection: Paste (Copy ... greyed)
            present = [by_id[i] for i in group if i in by_id]
            if present:
                if not menu.isEmpty():
                    menu.addSeparator()
                menu.addActions(present)
        menu.popup(canvas.viewport().mapToGlobal(view_pos))
        self.last_menu = menu


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "")
