"""Annotations dock: the objects of the current image; its selection is the canvas selection."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from pixelproof.core.model import Annotation
from pixelproof.ui.document import Document
from pixelproof.ui.icons import swatch
from pixelproof.ui.panels.base import Panel

KIND_LABELS = {"box": "box", "polygon": "polygon", "mask": "mask"}
REVIEW_MARKS = {"accepted": "✓", "rejected": "✗"}


def describe(doc: Document, ann: Annotation) -> str:
    cat = doc.project.categories.get(ann.category_id)
    parts = [f"{cat.name if cat else '?'}", KIND_LABELS.get(ann.kind, ann.kind)]
    if ann.score is not None:
        parts.append(f"{ann.score:.2f}")
    text = "  ·  ".join(parts)
    mark = REVIEW_MARKS.get(ann.review or "")
    return f"#{ann.id}  {text}" + (f"  {mark}" if mark else "")


class AnnotationsPanel(Panel):
    title = "Annotations"
    object_name = "annotationsDock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(12, 12))
        self.list.itemSelectionChanged.connect(self._selection_from_list)
        self.empty = QLabel("No annotations on this image yet.\nPress B and drag to draw a box.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        self._items: dict[int, QListWidgetItem] = {}

    def bind(self, doc: Document) -> list:
        return [
            (doc.currentImageChanged, self.schedule_refresh),
            (doc.annotationAdded, self._structure_changed),
            (doc.annotationRemoved, self._structure_changed),
            (doc.annotationChanged, self._changed),
            (doc.categoriesChanged, self.schedule_refresh),
            (doc.selectionChanged, self._selection_from_doc),
        ]

    def refresh(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self._items.clear()
        doc = self.document
        if doc is not None and doc.current_image_id != -1:
            for ann in doc.project.annotations_of(doc.current_image_id):
                item = QListWidgetItem()
                self._fill(item, ann)
                self.list.addItem(item)
                self._items[ann.id] = item
        self.list.blockSignals(False)
        has = bool(self._items)
        self.list.setVisible(has)
        self.empty.setVisible(not has and doc is not None and doc.current_image_id != -1)
        self._selection_from_doc()

    def _fill(self, item: QListWidgetItem, ann: Annotation) -> None:
        doc = self.document
        cat = doc.project.categories.get(ann.category_id)
        item.setText(describe(doc, ann))
        item.setIcon(swatch(cat.color if cat and cat.color else "#ff00ff"))
        item.setData(Qt.ItemDataRole.UserRole, ann.id)
        tip = [f"source: {ann.source or 'manual'}", f"review: {ann.review or 'pending'}"]
        if ann.note:
            tip.append(f"note: {ann.note}")
        item.setToolTip("\n".join(tip))
        item.setForeground(QColor(150, 150, 150) if ann.review == "rejected" else item.foreground())

    def _structure_changed(self, image_id: int, _ann_id: int) -> None:
        if self.document is not None and image_id == self.document.current_image_id:
            self.schedule_refresh()

    def _changed(self, image_id: int, ann_id: int) -> None:
        item = self._items.get(ann_id)
        if item is not None and self.document is not None:
            self._fill(item, self.document.project.annotations[ann_id])

    def _selection_from_doc(self) -> None:
        if self.document is None or self._refresh_timer.isActive():
            return
        sel = set(self.document.selection)
        self.list.blockSignals(True)
        first = None
        for ann_id, item in self._items.items():
            item.setSelected(ann_id in sel)
            if ann_id in sel and first is None:
                first = item
        self.list.blockSignals(False)
        if first is not None:
            self.list.scrollToItem(first)

    def _selection_from_list(self) -> None:
        if self.document is not None:
            ids = [it.data(Qt.ItemDataRole.UserRole) for it in self.list.selectedItems()]
            self.document.set_selection(ids)
