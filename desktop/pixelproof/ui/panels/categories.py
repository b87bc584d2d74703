"""Categories dock: colour, name, shortcut key and count of each category (its objects, then its model
predictions pending review apart: `12 +4`, as the Images panel counts); add, rename, recolour and delete
(asking first when annotations use it). Clicking a category makes it the one new objects get."""

from __future__ import annotations

import copy
from collections import Counter

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.coco import new_category
from pixelproof.core.edits import AddCategory, Changes, ReplaceCategory
from pixelproof.core.limits import NAME_IN_TEXT, LimitError
from pixelproof.core.model import Category, IdsExhausted, is_pending_prediction
from pixelproof.core.names import check_category_name, shown_name
from pixelproof.core.taxonomy import TaxonomyError, delete_category, info, name_taken, rename_category
from pixelproof.core.wording import plural
from pixelproof.ui.annotation_batch import each_change
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.dialogs import as_text, show_error
from pixelproof.ui.document import Document
from pixelproof.ui.fitted_table import ContentColumns
from pixelproof.ui.icons import icon, swatch
from pixelproof.ui.panels.base import Panel
from pixelproof.ui.panels.guidelines import tooltip
from pixelproof.ui.panels.object_counts import count_text, count_tip
from pixelproof.ui.panels.taxonomy_menu import TaxonomyMenu, refused_text
from pixelproof.ui.theme import muted_text

COUNT_TIP = (
    "Objects of the category in the project; +N: its model predictions pending review (dashed on the "
    "canvas, not objects until accepted)"
)
# the Add category dialog's line: its bare "Name:" left a newcomer unsure what to type
ADD_LABEL = "New category name (e.g. dog, car, person):"


class CategoriesPanel(Panel):
    title = "Categories"
    object_name = "categoriesDock"
    area = Qt.DockWidgetArea.LeftDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Categories")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Category", "Key", "Objects"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # names: the rest, never more
        # Key and Objects as wide as their titles as drawn and their cells (ResizeToContents measured the
        # titles bold: room the names lacked in a narrow dock)
        self.columns = ContentColumns(self.tree, (1, 2))
        self.tree.headerItem().setToolTip(2, COUNT_TIP)
        self.tree.currentItemChanged.connect(self._chosen)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.rename())

        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        self.buttons: dict[str, QToolButton] = {}
        for name, said, tip, slot in (  # said: an icon-only button's name for a screen reader
            ("add", "Add category", "Add a category", self.add),
            ("rename", "Rename category", "Rename the chosen category", self.rename),
            ("color", "Category colour", "Change the colour of the chosen category", self.recolor),
            ("delete", "Delete category", "Delete the chosen category", self.delete),
        ):
            b = QToolButton()
            b.setIcon(icon(name))
            b.setAccessibleName(said)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            buttons.addWidget(b)
            self.buttons[name] = b
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._rows: dict[int, QTreeWidgetItem] = {}  # category id -> its row
        self._category_of: dict[int, int] = {}  # annotation id -> category id, as counted
        self._pending: set[int] = set()  # the annotations counted as pending predictions
        self._counts: Counter[int] = Counter()  # annotations of each category, pending ones included
        self._pending_counts: Counter[int] = Counter()  # pending predictions of each category
        self._recounted: set[int] = set()  # categories whose row shows an old count
        self._count_timer = QTimer(self)  # writes them once per burst (a deletion of 5,000 objects)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self._show_counts)
        self.taxonomy_menu = TaxonomyMenu(self)  # right-click: merge into, split in two, delete + reassign
        self.canvas = None  # ``install``: whose Masks > Show Categories the rows say (``_mark_hidden``)
        self._tips: dict[int, str] = {}  # category id -> its name cell's tooltip, when shown

    def bind(self, doc: Document) -> list:
        return [
            (doc.categoriesChanged, self.schedule_refresh),
            (doc.currentCategoryChanged, self._mark_current),
            (doc.annotationAdded, self._count_annotation),
            (doc.annotationRemoved, self._count_annotation),
            (doc.annotationChanged, self._count_annotation),
            (doc.annotationsBatch, self._count_batch),
        ]

    def refresh(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self._rows.clear()
        doc = self.document
        self._category_of = {}
        self._pending = set()
        self._counts = Counter()
        self._pending_counts = Counter()
        self._recounted.clear()
        self._tips.clear()
        if doc is not None:
            anns = doc.project.annotations.values()
            self._category_of = category_of = {a.id: a.category_id for a in anns}
            # only a model's annotation (a source) can be pending: the others are not asked (over 1M
            # drawn boxes the call on each cost 0.11 s of the open, 0.03 s without it)
            self._pending = {a.id for a in anns if a.source and is_pending_prediction(a)}
            self._counts = Counter(category_of.values())
            self._pending_counts = Counter(category_of[i] for i in self._pending)
            keys = {}
            for n in range(1, 10):
                c = doc.category_for_key(str(n))
                if c is not None:
                    keys.setdefault(c.id, str(n))
            for cat in doc.project.categories.values():
                item = QTreeWidgetItem([shown_name(cat.name), keys.get(cat.id, "")])
                self._write_count(item, cat.id)
                item.setIcon(0, swatch(category_color(cat)))
                item.setData(0, Qt.ItemDataRole.UserRole, cat.id)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
                item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                key = f" (id {cat.id}" + (f", key {keys[cat.id]})" if cat.id in keys else ")")
                self._tips[cat.id] = tooltip(shown_name(cat.name) + key, info(cat))
                item.setToolTip(0, self._tips[cat.id])
                self.tree.addTopLevelItem(item)
                self._rows[cat.id] = item
        self.tree.blockSignals(False)
        self._mark_hidden()
        self._mark_current()
        for name in ("rename", "color", "delete"):
            self.buttons[name].setEnabled(doc is not None and bool(doc.project.categories))
        self.buttons["add"].setEnabled(doc is not None)

    def _count_annotation(self, _image_id: int, ann_id: int) -> None:
        """Move one annotation between the counts (added, removed, recategorised, a prediction accepted or
        made pending again by an undo) and touch only the rows whose count changed: rebuilding the tree and
        counting every annotation on each edit cost ~2 ms. The rows are written once the burst of signals is
        over (writing one cost 0.1 ms per object)."""
        if self.document is None or self._refresh_timer.isActive():
            return
        ann = self.document.project.annotations.get(ann_id)
        before = self._category_of.pop(ann_id, None)
        was_pending = ann_id in self._pending
        self._pending.discard(ann_id)
        after = None if ann is None else ann.category_id
        is_pending = ann is not None and is_pending_prediction(ann)
        if after is not None:
            self._category_of[ann_id] = after
        if is_pending:
            self._pending.add(ann_id)
        if before == after and was_pending == is_pending:
            return
        for cid, step, pending in ((before, -1, was_pending), (after, 1, is_pending)):
            if cid is None:
                continue
            self._counts[cid] += step
            if pending:
                self._pending_counts[cid] += step
            if cid not in self._rows:  # a category this tree does not show yet: it is about to be rebuilt
                self.schedule_refresh()
                return
            self._recounted.add(cid)
            self._count_timer.start()

    def _count_batch(self, changes: Changes) -> None:
        each_change(changes, self._count_annotation, self._count_annotation, self._count_annotation)

    def _write_count(self, row: QTreeWidgetItem, category_id: int) -> None:
        """The row's Objects cell: `12 +4` (objects, then pending predictions), its tooltip in words."""
        pending = self._pending_counts[category_id]
        objects = self._counts[category_id] - pending
        row.setText(2, count_text(objects, pending))
        row.setToolTip(2, count_tip(objects, pending))

    def _show_counts(self) -> None:
        for cid in self._recounted:
            row = self._rows.get(cid)
            if row is not None:
                self._write_count(row, cid)
        self._recounted.clear()

    def _mark_current(self, *_: object) -> None:
        doc = self.document
        self.tree.blockSignals(True)
        for n in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(n)
            current = doc is not None and item.data(0, Qt.ItemDataRole.UserRole) == doc.current_category_id
            font = QFont(item.font(0))
            font.setBold(current)
            item.setFont(0, font)
            if current:
                self.tree.setCurrentItem(item)
        self.tree.blockSignals(False)

    def install(self, shell) -> None:  # type: ignore[no-untyped-def]
        self.canvas = shell.canvas
        self.canvas.categoriesHidden.connect(self._mark_hidden)

    def _mark_hidden(self) -> None:
        """Grey the names of the categories Masks > Show Categories hides on this window's canvas and say
        "(hidden)" after them: the canvas bare of a class otherwise had no word of it here."""
        doc = self.document
        hidden = self.canvas.show_filter.hidden if self.canvas is not None else set()
        for cid, row in self._rows.items():
            cat = doc.project.categories.get(cid) if doc is not None else None
            if cat is None:
                continue
            if cid in hidden:
                row.setText(0, f"{shown_name(cat.name)}  (hidden)")
                row.setForeground(0, muted_text())
                note = "Hidden on the canvas (Masks &gt; Show Categories shows it again)"  # rich text
                row.setToolTip(0, f"{self._tips.get(cid, '')}<br>{note}")
            else:
                row.setText(0, shown_name(cat.name))
                row.setData(0, Qt.ItemDataRole.ForegroundRole, None)  # the theme's
                row.setToolTip(0, self._tips.get(cid, ""))

    def _chosen(self, item: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None) -> None:
        if item is not None and self.document is not None:
            self.document.set_current_category(item.data(0, Qt.ItemDataRole.UserRole))

    def _current(self) -> Category | None:
        item = self.tree.currentItem()
        if item is None or self.document is None:
            return None
        return self.document.project.categories.get(item.data(0, Qt.ItemDataRole.UserRole))

    def add(self) -> None:
        doc = self.document
        if doc is None:
            return
        name, ok = QInputDialog.getText(self, "Add category", ADD_LABEL)
        name = name.strip()
        if not ok or not name:
            return
        if (other := name_taken(doc.project, name)) is not None:  # 'Cat' beside 'cat' too: one class to QA
            QMessageBox.information(
                self,
                "Add category",
                as_text(f"There is already a category named “{shown_name(other.name)}”."),
            )
            return
        try:
            check_category_name(name)
            category = new_category(doc.project, name)
        except (IdsExhausted, LimitError) as e:  # no id left; a name too long or of two lines
            show_error(self, "Add category", str(e))
            return
        doc.push(AddCategory(category))
        doc.set_current_category(category.id)

    def rename(self) -> None:
        cat = self._current()
        doc = self.document
        if cat is None or doc is None:
            return
        label = f"New name for “{shown_name(cat.name, NAME_IN_TEXT)}”:"  # the Add dialog's line says what too
        name, ok = QInputDialog.getText(self, "Rename category", label, text=cat.name)
        name = name.strip()
        if not ok or not name or name == cat.name:
            return
        other = doc.project.category_by_name(name)
        if other is not None and other.id != cat.id:
            QMessageBox.information(
                self, "Rename category", as_text(f"There is already a category named “{shown_name(name)}”.")
            )
            return
        try:
            edit = rename_category(doc.project, cat.name, name)  # the CLI's edit: mappings follow too
        except TaxonomyError as e:  # a name too long or of two lines
            show_error(self, "Rename category", str(e))
            return
        doc.push(edit)

    def recolor(self) -> None:
        cat = self._current()
        doc = self.document
        if cat is None or doc is None:
            return
        color = QColorDialog.getColor(category_color(cat), self, f"Colour of {shown_name(cat.name, 60)}")
        if not color.isValid():
            return
        after = copy.deepcopy(cat)
        after.color = color.name()
        doc.push(ReplaceCategory(after, f"Recolour category {shown_name(cat.name, NAME_IN_TEXT)}"))

    def delete(self) -> None:
        cat = self._current()
        doc = self.document
        if cat is None or doc is None:
            return
        try:  # refused before asking: a class with locked objects (said with how to unlock them)
            edit = delete_category(doc.project, cat.name, None)
        except TaxonomyError as e:
            QMessageBox.information(self, "Delete category", as_text(refused_text(e)))
            return
        used = sum(1 for _ in doc.project.annotations_with_category(cat.id))
        if used:
            answer = QMessageBox.warning(
                self,
                "Delete category",
                as_text(
                    f"“{shown_name(cat.name)}” is used by {plural(used, 'annotation')}. "
                    "Delete the category and those annotations?\n\nYou can undo this."
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        doc.push(edit)
