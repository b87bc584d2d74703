"""View > Hide Selected Objects (Shift+H) / Show Hidden Objects (Alt+Shift+H): single objects out of sight, as
CVAT's H hides the selected object (H here hides every object: View > Show Annotations). A labeler hides a
big object to see or draw what is under it, then shows it again. View > Hide Other Objects (Ctrl+Shift+H)
hides every other object of the image, to see the selected ones alone among many overlapping.

Hiding is view state of the window's canvas (``ShowFilter.objects``): not saved in the project, not an undo
step; kept per object while other images are shown, forgotten when another project is opened. A hidden object
is drawn nowhere on the canvas and is passed over by a click, a band, Select All and S / Shift+S; picking it
in the Annotations panel (or an undo selecting it) shows it again (``canvas.reveal.reveal_selection``). The
Annotations panel marks its row, the status bar says how many are hidden. The review views are unaffected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core.wording import plural
from pixelproof.ui.shortcuts import REGISTRY, make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

SHOW_TEXT = "Show Hidde&n Objects"


class ObjectVisibility(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        w, canvas = shell.widget, shell.canvas
        self.act_hide = make_action(
            "view.hide_objects",
            w,
            self.hide_selected,
            tip="Hide the selected objects to see what is under them",
        )
        self.act_others = make_action(
            "view.hide_others", w, self.hide_others, tip="Show only the selected objects of the image"
        )
        self.act_show = make_action(
            "view.show_objects", w, self.show_all, tip="Show the objects hidden one by one again"
        )
        acts = [self.act_hide, self.act_others, self.act_show]
        for act in acts:
            shell.add_action(act)
        from pixelproof.ui.object_steps import insert_after  # (it makes this part)

        insert_after(shell, "View", "view.annotations", acts)
        view = next(m for m in shell.menus if m.title().replace("&", "") == "View")
        view.insertSeparator(self.act_hide)  # a group of their own below Show Annotations
        canvas.objectsHidden.connect(self._count)
        self._doc = shell.document
        shell.documentChanged.connect(self._follow_document)
        self._count()

    def hidden_ids(self) -> set[int]:
        """The objects of the open project hidden one by one (one deleted since is not counted)."""
        doc = self.shell.document
        if doc is None:
            return set()
        anns = doc.project.annotations
        return {i for i in self.shell.canvas.show_filter.objects if i in anns}

    def hide_selected(self) -> None:
        doc, canvas = self.shell.document, self.shell.canvas
        if doc is None or self.shell.current_view() is not canvas:
            return
        if not doc.selection:
            self.shell.status("Select the objects to hide first (Shift+H hides the selected objects)", 3000)
            return
        n = len(doc.selection)
        canvas.set_hidden_objects(canvas.show_filter.objects | set(doc.selection))
        how = REGISTRY.text("view.show_objects") or "View > Show Hidden Objects"  # the keys in force
        self.shell.status(f"{plural(n, 'object')} hidden: {how} shows {'them' if n > 1 else 'it'} again")

    def hide_others(self) -> None:
        """Every object of the shown image but the selected ones hidden (those hidden already stay so)."""
        doc, canvas = self.shell.document, self.shell.canvas
        if doc is None or self.shell.current_view() is not canvas:
            return
        if not doc.selection:
            self.shell.status(
                "Select the objects to keep in sight first (Ctrl+Shift+H hides the others)", 3000
            )
            return
        kept = set(doc.selection)
        others = {i for i in doc.project.annotation_ids_of(doc.current_image_id) if i not in kept}
        canvas.set_hidden_objects((canvas.show_filter.objects - kept) | others)
        how = REGISTRY.text("view.show_objects") or "View > Show Hidden Objects"
        self.shell.status(f"{plural(len(others), 'other object')} hidden: {how} shows them again")

    def show_all(self) -> None:
        n = len(self.hidden_ids())
        self.shell.canvas.set_hidden_objects(())
        if n:
            self.shell.status(f"{plural(n, 'hidden object')} shown again", 3000)

    def _follow_document(self, doc) -> None:  # type: ignore[no-untyped-def]
        """Another project (or none): its ids name other objects, so nothing of the last one stays hidden."""
        if doc is not self._doc:
            self._doc = doc
            self.shell.canvas.set_hidden_objects(())
        self._count()

    def _count(self, *_: object) -> None:
        n = len(self.hidden_ids())
        _, tab, key = self.act_show.text().partition("\t")  # (a key the menu names after a tab: kept)
        self.act_show.setText(f"{SHOW_TEXT} ({n}){tab}{key}" if n else f"{SHOW_TEXT}{tab}{key}")
        self.act_show.setEnabled(n > 0)
