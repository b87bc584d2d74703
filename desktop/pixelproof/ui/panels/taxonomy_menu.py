"""The category list's context menu for taxonomy changes: merge into another class, split in two, delete
while moving the objects elsewhere. Each is the ``core.taxonomy`` edit the CLI makes, one undo step, and
the change log records it on the next save."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from pixelproof.core import taxonomy
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.model import IdsExhausted
from pixelproof.core.names import shown_name
from pixelproof.ui.dialogs import as_text, show_error
from pixelproof.ui.shortcuts import REGISTRY

if TYPE_CHECKING:
    from pixelproof.ui.panels.categories import CategoriesPanel


def refused_text(e: taxonomy.TaxonomyError) -> str:
    """What the app says of a refused class change; of one refused for locked objects, also how to unlock
    them here (Alt+L on them, image by image) and, the app having no unlock of a class across images, from
    the command line, said as such (the app names no flag as if it had a box for it)."""
    text = "\n".join(e.problems)
    if not isinstance(e, taxonomy.ClassLockedError):
        return text
    key = REGISTRY.text("edit.lock") or "Edit > Lock"
    them = "it" if e.locked == 1 else "them"
    return (
        f"{text[:1].upper()}{text[1:]}.\n\nTo unlock {them}: select {them} (the Annotations panel marks a "
        f"locked object “(locked)”) and press {key} (Edit > Lock), or, for every image at once, from the "
        "command line:\n"
        f"pixelproof unlock PROJECT --category {shlex.quote(shown_name(e.name, NAME_IN_TEXT))}"
    )


class TaxonomyMenu:
    """Builds the menu on right-click; the actions work on the chosen category."""

    def __init__(self, panel: CategoriesPanel) -> None:
        self.panel = panel
        self.act_merge = QAction("&Merge Into…", panel)
        self.act_merge.triggered.connect(self.merge)
        self.act_split = QAction("&Split in Two…", panel)
        self.act_split.triggered.connect(self.split)
        self.act_reassign = QAction("&Delete, Moving Objects To…", panel)
        self.act_reassign.triggered.connect(self.delete_reassign)
        panel.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        panel.tree.customContextMenuRequested.connect(self.show)

    def actions(self) -> list[QAction]:
        return [self.act_merge, self.act_split, self.act_reassign]

    def show(self, pos: QPoint) -> None:
        item = self.panel.tree.itemAt(pos)
        if item is None:
            return
        self.panel.tree.setCurrentItem(item)
        menu = QMenu(self.panel)
        menu.addActions(self.actions())
        menu.exec(self.panel.tree.viewport().mapToGlobal(pos))

    def _other(self, title: str, label: str) -> tuple[str, str] | None:
        cat = self.panel._current()
        doc = self.panel.document
        if cat is None or doc is None:
            return None
        others = [c for c in doc.project.categories.values() if c.id != cat.id]
        if not others:
            QMessageBox.information(self.panel, title, "There is no other category.")
            return None
        # each name on one short line (a 10,000-character one made the list as wide); two cut alike are
        # told apart by their ids, and the choice is taken back to the whole name
        shown = [shown_name(c.name) for c in others]
        shown = [f"{s} [id {c.id}]" if shown.count(s) > 1 else s for s, c in zip(shown, others, strict=True)]
        question = label.format(shown_name(cat.name, NAME_IN_TEXT))
        text, ok = QInputDialog.getItem(self.panel, title, question, shown, 0, False)
        return (cat.name, others[shown.index(text)].name) if ok and text in shown else None

    def _push(self, make) -> None:  # type: ignore[no-untyped-def]
        try:
            edit = make()
        except taxonomy.TaxonomyError as e:
            QMessageBox.information(self.panel, "Categories", as_text(refused_text(e)))
            return
        except IdsExhausted as e:
            show_error(self.panel, "Categories", str(e))
            return
        self.panel.document.push(edit)

    def merge(self) -> None:
        names = self._other("Merge category", "Give the objects of “{}” to, then delete it:")
        if names is not None:
            self._push(lambda: taxonomy.merge_categories(self.panel.document.project, *names))

    def delete_reassign(self) -> None:
        names = self._other("Delete category", "Delete “{}”, moving its objects to:")
        if names is not None:
            self._push(lambda: taxonomy.delete_category(self.panel.document.project, names[0], names[1]))

    def split(self) -> None:
        cat = self.panel._current()
        doc = self.panel.document
        if cat is None or doc is None:
            return
        ask = "Name of the part that keeps the objects:"
        first, ok = QInputDialog.getText(self.panel, "Split category", ask, text=cat.name)
        if not ok or not first.strip():
            return
        second, ok = QInputDialog.getText(self.panel, "Split category", "Name of the new part:")
        if not ok or not second.strip():
            return
        self._push(lambda: taxonomy.split_category(doc.project, cat.name, first.strip(), second.strip())[0])
