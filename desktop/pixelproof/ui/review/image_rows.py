"""The review Images table's rows out of the app: the list of images to relabel or retrain on.

A reviewer who filtered the table to ``Dice < 0.9`` had no way to take those images elsewhere (FiftyOne
exports a view). Right-click the table: **Copy N File Names** (the rows the filter shows, in the table's
order, one a line), **Copy Selected Rows** (Ctrl+C: the selected rows as the table shows them,
tab-separated under a header line, for a spreadsheet) and **Save Shown Rows as CSV…** (``pixelproof qa
--images-csv``'s columns, by its one writer ``core.report_images``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QTableView

from pixelproof.core.errors import error_text
from pixelproof.core.report_images import image_csv_row, write_images_csv
from pixelproof.core.safe_csv import cell
from pixelproof.core.wording import plural
from pixelproof.ui import dialogs
from pixelproof.ui.copy_rows import copy_key, to_clipboard
from pixelproof.ui.review.tables import ImageTableModel, image_decision

CSV_NAME = "review-images.csv"  # the name offered, in the project's folder


class ImageRows(QObject):
    """Copy and save ``table``'s rows (a proxy over ``model``): its context menu and Ctrl+C.
    ``said``: what was done, for the status bar."""

    said = Signal(str)

    def __init__(self, table: QTableView, model: ImageTableModel) -> None:
        super().__init__(table)
        self.table, self.model = table, model
        self.menu: QMenu | None = None  # the open context menu (kept: it pops up without blocking)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._menu)
        copy_key(table, self.copy_selected)  # its selected rows, not the window's Copy (objects)

    # -- rows ---------------------------------------------------------------------------------------
    def shown_rows(self) -> list[dict[str, Any]]:
        """The model's rows the table shows, as sorted and filtered."""
        proxy = self.table.model()
        return [self.model.rows[proxy.mapToSource(proxy.index(r, 0)).row()] for r in range(proxy.rowCount())]

    def selected_rows(self) -> list[dict[str, Any]]:
        """The selected rows, top to bottom as the table shows them."""
        proxy = self.table.model()
        picked = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[proxy.mapToSource(proxy.index(r, 0)).row()] for r in picked]

    def rows_text(self, rows: list[dict[str, Any]]) -> str:
        """``rows`` as the table shows them, its visible columns in their order, tab-separated under a
        header line; the Image column with the whole file name (the cell may be cut), formula-guarded."""
        header, proxy = self.table.horizontalHeader(), self.table.model()
        columns = [header.logicalIndex(v) for v in range(header.count())]
        columns = [c for c in columns if not self.table.isColumnHidden(c)]
        lines = ["\t".join(str(proxy.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
        for row in rows:
            source = self.model.row_of(row["image_id"])
            cells = [  # a file name a spreadsheet would run as a formula: guarded as the CSV guards it
                cell(row["file_name"]) if c == 0 else str(self.model.index(source, c).data() or "")
                for c in columns
            ]
            lines.append("\t".join(cells))
        return "\n".join(lines)

    # -- actions ------------------------------------------------------------------------------------
    def copy_names(self) -> None:
        names = [r["file_name"] for r in self.shown_rows()]
        if names:
            to_clipboard("\n".join(names) + "\n")
            self.said.emit(f"Copied the file names of {_images(len(names))}")

    def copy_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            to_clipboard(self.rows_text(rows) + "\n")
            self.said.emit(f"Copied the rows of {_images(len(rows))}")

    def save_shown(self) -> None:
        rows = self.shown_rows()
        if not rows:
            return
        project = self.model.project
        folder = project.path.parent if project is not None and project.path else Path.cwd()
        path, _ = QFileDialog.getSaveFileName(
            self.table, "Save shown rows as CSV", str(folder / CSV_NAME), "CSV (*.csv)"
        )
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"  # a name the dialog did not ask about: ask before replacing it
            if os.path.lexists(path) and not dialogs.ask_replace(self.table, path):
                return
        if dialogs.refuses_dataset_file(
            self.table, "Could not save", path, project
        ):  # an image, the reference
            return
        decisions = []
        if project is not None:
            for row in rows:
                entry = image_decision(project, row["image_id"]) or {}
                decisions.append({"image_id": row["image_id"], **entry})
        try:
            n = write_images_csv([image_csv_row(r) for r in rows], path, decisions)
        except OSError as e:
            dialogs.show_error(self.table, "Could not save", f"Cannot write {path}: {error_text(e)}")
            return
        self.said.emit(f"Saved {_images(n)} to {path}")

    def _menu(self, at: QPoint) -> None:
        shown, selected = self.table.model().rowCount(), len(self.selected_rows())
        if self.menu is not None:
            self.menu.deleteLater()
        menu = self.menu = QMenu(self.table)
        menu.setObjectName("reviewImagesMenu")
        names = menu.addAction(f"Copy {plural(shown, 'File Name')}", self.copy_names)
        names.setToolTip("The file names of the images the filter shows, in the table's order, one a line")
        key = QKeySequence(QKeySequence.StandardKey.Copy).toString(QKeySequence.SequenceFormat.NativeText)
        rows = menu.addAction(f"Copy Selected Rows\t{key}", self.copy_selected)  # the key: the table's own
        menu.addSeparator()
        save = menu.addAction(f"Save {plural(shown, 'Shown Row')} as CSV…", self.save_shown)
        names.setEnabled(shown > 0)
        rows.setEnabled(selected > 0)
        save.setEnabled(shown > 0)
        menu.popup(self.table.viewport().mapToGlobal(at))


def _images(n: int) -> str:
    return plural(n, "image")
