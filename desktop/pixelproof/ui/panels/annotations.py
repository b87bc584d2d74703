"""Annotations dock: the objects of the current image; its selection is the canvas selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QRectF, QSize, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QVBoxLayout, QWidget

from pixelproof.core.clipboard import track_of
from pixelproof.core.edits import Changes
from pixelproof.core.keypoints import keypoints_of
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
from pixelproof.ui.new_project import DEFAULT_CATEGORY
from pixelproof.ui.panels.annotation_rows import AnnotationRows, Row, RowsView
from pixelproof.ui.panels.base import Panel
from pixelproof.ui.shortcuts import REGISTRY, key_label

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
    image = doc.project.images.get(ann.image_id) if ann.extra else None
    kp = keypoints_of(ann, image, cat) if image is not None else None
    if kp is not None:  # a pose object: how many of its points are labelled, as CVAT's sidebar counts them
        parts.append(f"{len(kp.shown())} of {len(kp.points)} keypoints")
    track = track_of(ann)
    if track is not None:  # a video's: "track 0 key" or "track 0 interpolated", as CVAT's sidebar shows
        parts.append(f"track {track} {'interpolated' if untouched_fill(ann) else 'key'}")
    text = "  ·  ".join(parts)
    mark = REVIEW_MARKS.get(ann.review or "")
    return f"#{ann.id}  {text}" + (f"  {mark}" if mark else "")


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
        self.rows = AnnotationRows(self._row)
        self.list = RowsView()  # a view of ``rows``: a slide's 20,000 rows are a list of ids, not widgets
        self.list.setModel(self.rows)
        self.list.setAccessibleName("Annotations")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(12, 12))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().selectionChanged.connect(self._selection_from_list)
        self.list.doubleClicked.connect(self._zoom_to_row)
        self._syncing = False  # the panel itself sets the view's selection: not the user's pick
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

    def _order(self) -> list[int]:
        doc = self.document
        if doc is None or doc.current_image_id == -1:
            return []
        return doc.project.annotation_ids_of(doc.current_image_id)

    def refresh(self) -> None:
        self._pending.clear()
        self._pending_timer.stop()
        self._syncing = True
        try:
            self.rows.reset(self._order())
        finally:
            self._syncing = False
        self._show_empty()
        self._selection_from_doc()

    def _keys_changed(self, _id: str) -> None:
        self._show_empty()

    def _tool_hint_changed(self) -> None:
        if self.empty.isVisibleTo(self):  # the measure and polygon tools say this at each move
            self._show_empty()

    def _show_empty(self) -> None:
        doc = self.document
        has = bool(self.rows.order)
        self.list.setVisible(has)
        self.filter.setVisible(has)
        self.empty.setVisible(not has and doc is not None and doc.current_image_id != -1)
        if doc is not None and not has:
            tool = self.canvas.tool if self.canvas is not None else None
            if tool is None:
                self.empty.setText(empty_hint(doc))
            else:  # what the tool lacks (the assist tool's model), as its status line says
                self.empty.setText(empty_hint(doc, tool.name, tool.missing()))

    def _row(self, ann_id: int) -> Row | None:
        """Object ``ann_id``'s row: its description and marks, swatch, tooltip, greying (``AnnotationRows``
        asks when the view shows the row)."""
        doc = self.document
        ann = doc.project.annotations.get(ann_id) if doc is not None else None
        if ann is None:
            return None
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
        text = describe(doc, ann) + marks
        tooltip = as_text("\n".join(tip))  # the source and note come from a file
        return Row(text, category_color(cat), tooltip, ann.review == "rejected" or hidden)

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
        """One edit's many changes: rows queued for those that came or went, the changed ones described
        again in one go (a batch reclassifies a slide's thousands of cells)."""
        changed: list[int] = []
        each_change(
            changes,
            self._structure_changed,
            lambda _i, ann_id: changed.append(ann_id),
            self._structure_changed,
        )
        self._rows_changed(changed)

    def _apply_pending(self) -> None:
        """Add or drop the queued rows (coalesced like ``schedule_refresh``). A new row goes where the image's
        order puts it, as a rebuild would: last when drawn, back in its place when an undo restores it (it
        was listed last, under objects it had stood above)."""
        pending, self._pending = self._pending, {}
        if self.document is None or self._refresh_timer.isActive():
            return
        self._syncing = True  # taking a selected row must not reach the document's selection
        try:
            self.rows.update(self._order(), pending)
        finally:
            self._syncing = False
        self._show_empty()
        self._selection_from_doc()

    def _changed(self, image_id: int, ann_id: int) -> None:
        self._rows_changed([ann_id])

    def _rows_changed(self, ann_ids: list[int]) -> None:
        """Objects changed: their rows say so; a class changed may take a row into or out of the filter."""
        if self.rows.changed(ann_ids):
            self._refilter(self.rows.refilter)

    def _apply_filter(self, *_: object) -> None:
        """Show the rows the filter keeps (the objects stay on the canvas: it filters the list)."""
        self._refilter(lambda: self.rows.set_query(self.filter.text()))

    def _refilter(self, change: Callable[[], None]) -> None:
        """The rows change under the filter: the document's selection, kept, is selected again among them."""
        self._syncing = True
        try:
            change()
        finally:
            self._syncing = False
        self._selection_from_doc()

    def _go_to_first_shown(self) -> None:
        """Enter in the filter: select the first row it shows and zoom to its object."""
        if self.rows.rowCount():
            first = self.rows.index(0, 0)
            self.list.setCurrentIndex(first)  # selects it: the canvas follows
            self._zoom_to_row(first)

    def _mark_hidden(self, *_: object) -> None:
        """Objects hidden or shown one by one (Shift+H): their rows say so (only those that changed)."""
        now = set(self.canvas.show_filter.objects) if self.canvas is not None else set()
        flipped, self._hidden_marked = now ^ self._hidden_marked, now
        self._rows_changed(list(flipped))

    def _mark_hidden_categories(self) -> None:
        """Categories hidden or shown (Masks > Show Categories): the rows of their objects say so."""
        now = set(self.canvas.show_filter.hidden) if self.canvas is not None else set()
        flipped, self._hidden_cats = now ^ self._hidden_cats, now
        doc = self.document
        if doc is None or not flipped:
            return
        got = doc.project.annotations.get
        self._rows_changed(
            [i for i in self.rows.order if (a := got(i)) is not None and a.category_id in flipped]
        )

    def _selection_from_doc(self) -> None:
        """Select the document's selection as runs of consecutive rows, in one call (``AnnotationRows.runs``).
        The rows are found from the selected ids, not by reading every row: a click on an image of 20,000
        objects read them all (~60 ms a click)."""
        if self.document is None or self._refresh_timer.isActive() or self._pending_timer.isActive():
            return  # the rows are about to change; the update ends by syncing the selection
        runs = self.rows.runs(self.document.selection)
        self._syncing = True
        try:
            self.list.selectionModel().select(runs, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._syncing = False
        if not runs.isEmpty():
            self.list.scrollTo(runs[0].topLeft())

    def install(self, shell: Shell) -> None:
        self.canvas = shell.canvas
        self.canvas.toolChanged.connect(self._show_empty)  # the hint says how the tool in hand draws
        self.canvas.hintChanged.connect(self._tool_hint_changed)  # or what it lacks (the assist tool's model)
        self.canvas.objectsHidden.connect(self._mark_hidden)
        self.canvas.categoriesHidden.connect(self._mark_hidden_categories)
        self._show_empty()

    def _zoom_to_row(self, index: QModelIndex) -> None:
        """A double-clicked object is shown zoomed with its surroundings: a defect of a few pixels on a
        large picture is a speck at fit zoom."""
        if self.document is None or self.canvas is None:
            return
        ann = self.document.project.annotations.get(index.data(Qt.ItemDataRole.UserRole))
        if ann is not None and ann.image_id == self.document.current_image_id:
            x, y, w, h = ann.bbox
            self.canvas.zoom_to(QRectF(x, y, w, h))

    def _selection_from_list(self, *_: object) -> None:
        if self.document is not None and not self._syncing:
            self.document.set_selection(self.rows.ids_in(self.list.selectionModel().selection()))
