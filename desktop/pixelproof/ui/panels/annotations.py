"""Annotations dock: the objects of the current image; its selection is the canvas selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QRectF, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.clipboard import track_of
from pixelproof.core.edits import Changes
from pixelproof.core.limits import note_preview
from pixelproof.core.model import Annotation
from pixelproof.core.names import shown_name
from pixelproof.core.object_lock import is_locked
from pixelproof.core.track_fill import untouched_fill
from pixelproof.interop.provenance import source_text
from pixelproof.ui.annotation_batch import each_change
from pixelproof.ui.canvas.looks import category_color, score_text
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.document import Document
from pixelproof.ui.icons import swatch
from pixelproof.ui.new_project import DEFAULT_CATEGORY
from pixelproof.ui.panels.base import Panel
from pixelproof.ui.shortcuts import REGISTRY, key_label
from pixelproof.ui.theme import muted_text

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.shell import Shell

KIND_LABELS = {"box": "box", "polygon": "polygon", "mask": "mask"}
REVIEW_MARKS = {"accepted": "✓", "rejected": "✗"}
# the row of a void class's object: the Images panel counts one object fewer than the list has rows
VOID_TIP = (
    "void: a region left out of scoring and counts (QA scores nothing there; the Images panel's"
    " Objects column does not count it)"
)
MAX_PENDING = 200  # more row additions/removals than this in one event-loop turn: rebuild the list instead


def describe(doc: Document, ann: Annotation) -> str:
    cat = doc.project.categories.get(ann.category_id)
    parts = [shown_name(cat.name) if cat else "?", KIND_LABELS.get(ann.kind, ann.kind)]
    if ann.score is not None:
        parts.append(score_text(ann.score))  # as the canvas tag of a pending prediction
    track = track_of(ann)
    if track is not None:  # a video's: "track 0 key" or "track 0 interpolated", as CVAT's sidebar shows
        parts.append(f"track {track} {'interpolated' if untouched_fill(ann) else 'key'}")
    text = "  ·  ".join(parts)
    mark = REVIEW_MARKS.get(ann.review or "")
    return f"#{ann.id}  {text}" + (f"  {mark}" if mark else "")


def row_matches(ann_id: int, text: str, query: str) -> bool:
    """Whether a row passes the Annotations filter: every word of ``query`` is in the row's text (case
    ignored), a word ``#N`` naming the object's id exactly (``#25`` is not ``#2508``, which lint names)."""
    low = text.lower()
    for word in query.lower().split():
        if word.startswith("#") and word[1:].isdigit():
            if int(word[1:]) != ann_id:
                return False
        elif word not in low:
            return False
    return True


# how each drawing tool starts an object (the empty list's hint); a tool not here (select, eraser, measure)
# draws nothing on an empty image: the hint then names the box tool
TOOL_HINTS = {
    "box": "drag to draw a box",
    "polygon": "click the corners of an object's outline; Enter closes it",
    "brush": "drag to paint a mask",
    "fill": "click a region of similar colour to make it a mask",
    "assist": "drag a box around an object (or click it); Enter adds the model's outline",
}


def empty_hint(doc: Document, tool: str | None = None, missing: str = "") -> str:
    """What to do on an image without objects with the ``tool`` in hand (its name), or else the box tool,
    named with the keys in force (the user may have changed them); ``missing``: what the tool lacks to
    draw (the assist tool's model), said instead of a gesture that would do nothing."""
    if tool in TOOL_HINTS:
        entry, keys = REGISTRY.get(f"tool.{tool}"), REGISTRY.text(f"tool.{tool}")
        how = f"{entry.label}, key {keys}: " if keys else f"{entry.label}: "
        if missing:
            return f"No annotations on this image yet.\n{how}{missing}."
        hint = f"No annotations on this image yet.\n{how}{TOOL_HINTS[tool]}"
    else:
        first = REGISTRY.sequences("tool.box")[:1]  # its main key (B), not LabelMe's second (Ctrl+R) too
        key = key_label(first[0]) if first else "the Box tool"
        hint = f"No annotations on this image yet.\nPress {key} and {TOOL_HINTS['box']}"
    if not doc.project.categories:
        return hint + f" (the first object adds the category “{DEFAULT_CATEGORY}”, to rename or keep)."
    return hint + "."


class AnnotationsPanel(Panel):
    title = "Annotations"
    object_name = "annotationsDock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setAccessibleName("Annotations")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(12, 12))
        self.list.itemSelectionChanged.connect(self._selection_from_list)
        self.list.itemDoubleClicked.connect(self._zoom_to_row)
        self.filter = QLineEdit()  # a slide's thousands of nuclei: find #2508 or "necrosis mask"
        self.filter.setPlaceholderText("Filter: #id, class, kind… (Enter: go to the first)")
        self.filter.setAccessibleName("Filter annotations")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.returnPressed.connect(self._go_to_first_shown)
        self.canvas: CanvasView | None = None  # ``install``: the view a double-clicked row zooms to
        self._hidden_marked: set[int] = set()  # the objects whose rows say "(hidden)" (``_mark_hidden``)
        self._hidden_cats: set[int] = set()  # the categories whose rows say it (``_mark_hidden_categories``)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        self._items: dict[int, QListWidgetItem] = {}
        self._rows: dict[int, int] | None = None  # id -> row, None after the rows changed (``_row_of``)
        self._pending: dict[int, None] = {}  # annotations added or removed since the last update, in order
        self._pending_timer = QTimer(self)
        self._pending_timer.setSingleShot(True)
        self._pending_timer.setInterval(0)
        self._pending_timer.timeout.connect(self._apply_pending)
        REGISTRY.changed.connect(self._keys_changed)  # the hint names a tool's key

    def bind(self, doc: Document) -> list:
        return [
            (doc.currentImageChanged, self.schedule_refresh),
            (doc.annotationAdded, self._structure_changed),
            (doc.annotationRemoved, self._structure_changed),
            (doc.annotationChanged, self._changed),
            (doc.annotationsBatch, self._batch),
            (doc.annotationsRestacked, self._restacked),
            (doc.categoriesChanged, self.schedule_refresh),
            (doc.selectionChanged, self._selection_from_doc),
        ]

    def _restacked(self, image_id: int) -> None:
        """Bring to Front / Send to Back: the rows are the image's objects in their stacking, back first."""
        if self.document is not None and image_id == self.document.current_image_id:
            self.schedule_refresh()

    def refresh(self) -> None:
        self._pending.clear()
        self._pending_timer.stop()
        self.list.blockSignals(True)
        self.list.clear()
        self._items.clear()
        self._rows = None
        doc = self.document
        if doc is not None and doc.current_image_id != -1:
            for ann in doc.project.annotations_of(doc.current_image_id):
                item = QListWidgetItem()
                self._fill(item, ann)
                self.list.addItem(item)
                self._items[ann.id] = item
        self.list.blockSignals(False)
        self._apply_filter()
        self._show_empty()
        self._selection_from_doc()

    def _keys_changed(self, _id: str) -> None:
        self._show_empty()

    def _tool_hint_changed(self) -> None:
        if self.empty.isVisibleTo(self):  # the measure and polygon tools say this at each move
            self._show_empty()

    def _show_empty(self) -> None:
        doc = self.document
        has = bool(self._items)
        self.list.setVisible(has)
        self.filter.setVisible(has)
        self.empty.setVisible(not has and doc is not None and doc.current_image_id != -1)
        if doc is not None and not has:
            tool = self.canvas.tool if self.canvas is not None else None
            if tool is None:
                self.empty.setText(empty_hint(doc))
            else:  # what the tool lacks (the assist tool's model), as its status line says
                self.empty.setText(empty_hint(doc, tool.name, tool.missing()))

    def _fill(self, item: QListWidgetItem, ann: Annotation) -> None:
        doc = self.document
        cat = doc.project.categories.get(ann.category_id)
        shown = self.canvas.show_filter if self.canvas is not None else None
        one_hidden = shown is not None and ann.id in shown.objects  # Shift+H
        cat_hidden = shown is not None and ann.category_id in shown.hidden  # Masks > Show Categories
        hidden = one_hidden or cat_hidden
        locked = is_locked(ann)  # Alt+L: kept from moves, strokes and Delete
        void = cat is not None and cat.void  # a region to ignore (LabelMe's __ignore__), not an object
        marks = (
            ("  (void)" if void else "") + ("  (locked)" if locked else "") + ("  (hidden)" if hidden else "")
        )
        item.setText(describe(doc, ann) + marks)
        item.setIcon(swatch(category_color(cat)))
        item.setData(Qt.ItemDataRole.UserRole, ann.id)
        source = source_text(ann, doc.project.images.get(ann.image_id), edits=False)  # no decode a row
        tip = [f"source: {source}", f"review: {ann.review or 'not reviewed'}"]
        if ann.note:
            tip.append(f"note: {note_preview(ann.note)}")
        if void:
            tip.append(VOID_TIP)
        if locked:
            unlock = REGISTRY.text("edit.lock") or "Edit > Lock"
            tip.append(f"locked: not moved, reshaped, painted, reclassified or deleted ({unlock} unlocks it)")
        if cat_hidden:  # the canvas is bare where the list names it: say why, and how it shows again
            name = shown_name(cat.name) if cat is not None else "its category"
            tip.append(f"hidden: {name} is hidden (Masks > Show Categories); picking the row shows it")
        elif one_hidden:
            tip.append("hidden: View > Hide Selected Objects; picking the row shows it")
        item.setToolTip(as_text("\n".join(tip)))  # the source and note come from a file
        if ann.review == "rejected" or hidden:
            item.setForeground(muted_text())
        else:
            item.setData(Qt.ItemDataRole.ForegroundRole, None)  # the theme's (accepted after a rejection)

    def _structure_changed(self, image_id: int, ann_id: int) -> None:
        """An annotation of the current image came or went: queue its row (not a rebuild of all rows, which
        costs ~35 ms at 300 objects and is what ended every brush stroke)."""
        if self.document is None or image_id != self.document.current_image_id:
            return
        if self._refresh_timer.isActive():
            return  # a rebuild is coming anyway
        self._pending[ann_id] = None
        if len(self._pending) > MAX_PENDING:  # a burst (undo of a mass deletion): one rebuild is cheaper
            self.schedule_refresh()
        else:
            self._pending_timer.start()

    def _batch(self, changes: Changes) -> None:
        each_change(changes, self._structure_changed, self._changed, self._structure_changed)

    def _apply_pending(self) -> None:
        """Add or drop the queued rows (coalesced like ``schedule_refresh``). A new row goes where the image's
        order puts it, as a rebuild would: last when drawn, back in its place when an undo restores it (it
        was listed last, under objects it had stood above)."""
        doc = self.document
        pending, self._pending = self._pending, {}
        if doc is None or self._refresh_timer.isActive():
            return
        self.list.blockSignals(True)  # taking a selected row must not reach the document's selection
        self._rows = None
        new: dict[int, QListWidgetItem] = {}
        for ann_id in pending:
            ann = doc.project.annotations.get(ann_id)
            item = self._items.get(ann_id)
            if ann is not None and ann.image_id == doc.current_image_id:
                if item is None:
                    item = new[ann_id] = QListWidgetItem()
                    self._items[ann_id] = item
                self._fill(item, ann)
            elif item is not None:
                del self._items[ann_id]
                self.list.takeItem(self.list.row(item))
        if new:
            self._insert_in_order(new)
        self.list.blockSignals(False)
        if new and self.filter.text().strip():
            self._apply_filter()
        self._show_empty()
        self._selection_from_doc()

    def _insert_in_order(self, new: dict[int, QListWidgetItem]) -> None:
        """Insert the ``new`` rows at their places in the image's order (the others are in it already)."""
        row = 0
        for ann in self.document.project.annotations_of(self.document.current_image_id):
            item = new.get(ann.id)
            if item is not None:
                self.list.insertItem(row, item)
            if ann.id in self._items:
                row += 1

    def _changed(self, image_id: int, ann_id: int) -> None:
        item = self._items.get(ann_id)
        if item is not None and self.document is not None:
            self._fill(item, self.document.project.annotations[ann_id])
            query = self.filter.text()
            if query.strip():  # a class changed: the row may leave or join the filter
                item.setHidden(not row_matches(ann_id, item.text(), query))

    def _apply_filter(self, *_: object) -> None:
        """Hide the rows the filter leaves out (the objects stay on the canvas: it filters the list)."""
        query = self.filter.text()
        role = Qt.ItemDataRole.UserRole
        for r in range(self.list.count()):
            item = self.list.item(r)
            item.setHidden(bool(query.strip()) and not row_matches(item.data(role), item.text(), query))

    def _go_to_first_shown(self) -> None:
        """Enter in the filter: select the first row it shows and zoom to its object."""
        for r in range(self.list.count()):
            item = self.list.item(r)
            if not item.isHidden():
                self.list.setCurrentItem(item)  # selects it: the canvas follows
                self._zoom_to_row(item)
                return

    def _mark_hidden(self, *_: object) -> None:
        """Objects hidden or shown one by one (Shift+H): their rows say so (only those that changed)."""
        now = set(self.canvas.show_filter.objects) if self.canvas is not None else set()
        flipped, self._hidden_marked = now ^ self._hidden_marked, now
        for ann_id in flipped:
            self._changed(-1, ann_id)

    def _mark_hidden_categories(self) -> None:
        """Categories hidden or shown (Masks > Show Categories): the rows of their objects say so."""
        now = set(self.canvas.show_filter.hidden) if self.canvas is not None else set()
        flipped, self._hidden_cats = now ^ self._hidden_cats, now
        doc = self.document
        if doc is None or not flipped:
            return
        for ann_id in list(self._items):
            ann = doc.project.annotations.get(ann_id)
            if ann is not None and ann.category_id in flipped:
                self._changed(-1, ann_id)

    def _selection_from_doc(self) -> None:
        """Select the document's selection as runs of consecutive rows, in one call: selecting row by row
        re-merges the whole selection each time (5,000 rows took 25 s). The rows are found from the selected
        ids (``_row_of``), not by reading every row: a click on an image of 20,000 objects read them all
        (~60 ms a click)."""
        if self.document is None or self._refresh_timer.isActive() or self._pending_timer.isActive():
            return  # the rows are about to change; the update ends by syncing the selection
        row_of = self._row_of()
        rows = sorted({r for r in map(row_of.get, self.document.selection) if r is not None})
        model = self.list.model()
        runs = QItemSelection()
        start = prev = None
        for row in rows:
            if start is None:
                start = row
            elif row != prev + 1:
                runs.select(model.index(start, 0), model.index(prev, 0))
                start = row
            prev = row
        if start is not None:
            runs.select(model.index(start, 0), model.index(prev, 0))
        self.list.blockSignals(True)
        self.list.selectionModel().select(runs, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.blockSignals(False)
        if rows:
            self.list.scrollToItem(self.list.item(rows[0]))

    def _row_of(self) -> dict[int, int]:
        """Annotation id -> its row, read from the list once after the rows change (``_rows``)."""
        if self._rows is None:
            item, role = self.list.item, Qt.ItemDataRole.UserRole
            self._rows = {item(r).data(role): r for r in range(self.list.count())}
        return self._rows

    def install(self, shell: Shell) -> None:
        self.canvas = shell.canvas
        self.canvas.toolChanged.connect(self._show_empty)  # the hint says how the tool in hand draws
        self.canvas.hintChanged.connect(self._tool_hint_changed)  # or what it lacks (the assist tool's model)
        self.canvas.objectsHidden.connect(self._mark_hidden)
        self.canvas.categoriesHidden.connect(self._mark_hidden_categories)
        self._show_empty()

    def _zoom_to_row(self, item: QListWidgetItem) -> None:
        """A double-clicked object is shown zoomed with its surroundings: a defect of a few pixels on a
        large picture is a speck at fit zoom."""
        if self.document is None or self.canvas is None:
            return
        ann = self.document.project.annotations.get(item.data(Qt.ItemDataRole.UserRole))
        if ann is not None and ann.image_id == self.document.current_image_id:
            x, y, w, h = ann.bbox
            self.canvas.zoom_to(QRectF(x, y, w, h))

    def _selection_from_list(self) -> None:
        if self.document is not None:
            ids = [it.data(Qt.ItemDataRole.UserRole) for it in self.list.selectedItems()]
            self.document.set_selection(ids)
