"""The Annotations panel on a whole-slide image of 20,000 cells: the panel's model/view (``AnnotationRows``
in a QListView) against the QListWidget it replaced, one widget item a row filled with the same row text,
swatch, tooltip and greying (the reference, ``ItemRows`` below: that panel's code path).

``python -m bench annotations_panel [--objects N] [--runs R]``

Three figures, each the median of R runs of CPU time (the machine is shared: wall time measures the
neighbours), the reference run beside it in the same process, the panel 320x700 on screen (offscreen
platform) and repainted at the end of each step:

- refresh: the image shown anew (an image switch, a restack): the rows rebuilt.
- batch: one edit reclassifying every object (``doc.annotationsBatch`` of N changes): each row says so.
- Ctrl+A in the list: every row selected, handed to the document as ids, and the document's selection
  selected back (both panels follow it: it may leave out what is hidden).

Backs README's three lines under "Converting other formats" (after ``bench slide_objects``'s: the
Annotations panel on a slide's cells).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable


def _project(n: int):  # type: ignore[no-untyped-def]
    """One 40,000 x 30,000 slide with ``n`` small boxes (two classes), and a second, empty image."""
    from pixelproof.core.coco import new_project
    from pixelproof.core.model import Annotation, ImageRecord

    project = new_project(["nucleus", "tumour"])
    project.add_image(ImageRecord(1, "slide.tif", 40000, 30000))
    project.add_image(ImageRecord(2, "other.tif", 400, 300))
    cols = 200
    for i in range(n):
        x, y = 190.0 * (i % cols), 290.0 * (i // cols)
        project.add_annotation(Annotation(i + 1, 1, 1 + i % 2, [x, y, 12.0, 12.0], None, 144.0, score=0.9))
    return project


class ItemRows:
    """The reference: the QListWidget panel's rows, one ``QListWidgetItem`` filled per object (text, swatch,
    id, tooltip, greying), its selection read back with ``selectedItems`` (the code this bench replaced)."""

    def __init__(self, describe: Callable) -> None:  # type: ignore[type-arg]
        from PySide6.QtCore import QSize
        from PySide6.QtWidgets import QAbstractItemView, QListWidget

        self.describe = describe
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(12, 12))
        self.items: dict = {}
        self.rows: dict[int, int] | None = None

    def fill(self, item, ann_id: int) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        from pixelproof.ui.icons import swatch
        from pixelproof.ui.theme import muted_text

        row = self.describe(ann_id)
        item.setText(row.text)
        item.setIcon(swatch(row.color))
        item.setData(Qt.ItemDataRole.UserRole, ann_id)
        item.setToolTip(row.tip)
        if row.muted:
            item.setForeground(muted_text())
        else:
            item.setData(Qt.ItemDataRole.ForegroundRole, None)

    def refresh(self, ids: list[int]) -> None:
        from PySide6.QtWidgets import QListWidgetItem

        self.list.blockSignals(True)
        self.list.clear()
        self.items.clear()
        self.rows = None
        for ann_id in ids:
            item = QListWidgetItem()
            self.fill(item, ann_id)
            self.list.addItem(item)
            self.items[ann_id] = item
        self.list.blockSignals(False)

    def changed(self, ids: list[int]) -> None:
        for ann_id in ids:
            self.fill(self.items[ann_id], ann_id)

    def select_all(self, doc) -> list[int]:  # type: ignore[no-untyped-def]
        """Ctrl+A as that panel took it: the selected items' ids to ``doc`` (a document nothing else
        follows), then the document's selection selected back as runs of rows (its ``_selection_from_doc``,
        the id -> row map read once and kept, as it kept it until the rows changed)."""
        from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt

        self.list.selectAll()
        doc.set_selection([it.data(Qt.ItemDataRole.UserRole) for it in self.list.selectedItems()])
        if self.rows is None:
            item, role = self.list.item, Qt.ItemDataRole.UserRole
            self.rows = {item(r).data(role): r for r in range(self.list.count())}
        rows = sorted({r for r in map(self.rows.get, doc.selection) if r is not None})
        model, runs = self.list.model(), QItemSelection()
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
        return list(doc.selection)


def _timed(step: Callable[[], object], paint) -> float:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    t0 = time.process_time()
    step()
    QApplication.processEvents()
    paint()
    return time.process_time() - t0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench annotations_panel", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--objects", type=int, default=20000, help="objects on the slide")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (the median is printed)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from pixelproof.core.edits import ReplaceAnnotations
    from pixelproof.core.geometry import clone
    from pixelproof.ui.app import create_app
    from pixelproof.ui.document import Document
    from pixelproof.ui.panels.annotations import AnnotationsPanel

    create_app()
    n = args.objects
    doc = Document(_project(n))
    doc.set_current_image(1)
    panel = AnnotationsPanel()
    panel.resize(320, 700)
    panel.show()
    panel.set_document(doc)
    QApplication.processEvents()
    ids = doc.project.annotation_ids_of(1)
    ref = ItemRows(panel._row)
    ref.list.resize(320, 700)
    ref.list.show()
    batches: list = []
    doc.annotationsBatch.connect(batches.append)
    edited = [clone(a) for a in doc.project.annotations_of(1)]
    for a in edited:
        a.category_id = 3 - a.category_id
    doc.push(ReplaceAnnotations(edited, "Reclassify"))
    changes = batches[-1]
    doc.annotationsBatch.disconnect(batches.append)
    QApplication.processEvents()

    def ours_refresh() -> None:
        panel.refresh()

    def ours_batch() -> None:
        doc.annotationsBatch.emit(changes)

    def ours_select_all() -> None:
        panel.list.selectAll()
        assert len(doc.selection) == n

    other = Document(doc.project)  # the reference's document: nothing follows it
    other.set_current_image(1)

    def ref_select_all() -> None:
        assert len(ref.select_all(other)) == n

    steps = [
        ("refresh (the rows rebuilt)", ours_refresh, lambda: ref.refresh(ids)),
        ("batch (every object reclassified)", ours_batch, lambda: ref.changed(ids)),
        ("Ctrl+A in the list (ids to the document)", ours_select_all, ref_select_all),
    ]
    ref.refresh(ids)
    for name, ours, theirs in steps:
        mine, refs = [], []
        for _ in range(args.runs):
            doc.set_selection([])
            other.set_selection([])
            ref.list.clearSelection()
            QApplication.processEvents()
            mine.append(_timed(ours, panel.list.viewport().repaint))
            refs.append(_timed(theirs, ref.list.viewport().repaint))
        t, tr = statistics.median(mine), statistics.median(refs)
        print(
            f"Annotations panel, {n:,} objects, {name}: {t * 1000:.0f} ms CPU (median of {args.runs}) vs "
            f"a QListWidget item a row: {tr * 1000:.0f} ms -> {t / tr:.2f}x"
        )
    doc.undo_stack.setClean()
    panel.close()
    ref.list.close()
    return 0
