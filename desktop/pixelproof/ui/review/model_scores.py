"""The model's figures in the review view: mAP beside the "Per class" heading and, behind its button, a
dialog with COCO AP per class and the class confusion matrix (a QA run's ``ap`` and ``confusion``,
``core.qa_ap``; the wording of ``core.report_ap``, as the CLI and the HTML report)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.names import shown_name
from pixelproof.core.report_ap import SUMMARY_NAMES, TYPE_NAMES, figure, iou_types, map_text
from pixelproof.ui.dialogs import as_text

CONFUSED = QColor(255, 205, 205)  # a cell off the diagonal with objects in it


class ModelScores(QWidget):
    """ "mAP boxes 0.512 · masks 0.498" (or why none) and a "Confusion…" button opening ``ModelDialog``;
    hidden when the run has no objects to match (a semantic reference)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ap: dict[str, Any] = {}
        self.confusion: dict[str, Any] = {}
        self.dialog: ModelDialog | None = None
        self.label = QLabel()
        self.label.setObjectName("reviewMap")
        self.button = QToolButton()  # flat, as high as the heading: the Images table keeps its rows
        self.button.setText("Confusion…")
        self.button.setAutoRaise(True)
        self.button.setFixedHeight(self.label.fontMetrics().height() + 6)
        self.button.setObjectName("reviewConfusion")
        self.button.setToolTip("COCO AP per class and the class confusion matrix of the matched objects")
        self.button.clicked.connect(self.open_dialog)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.hide()

    def set_result(self, result: Any) -> None:
        """Show a QA result's figures (None: nothing to show)."""
        self.ap = dict(getattr(result, "ap", None) or {})
        self.confusion = dict(getattr(result, "confusion", None) or {})
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        if self.ap.get("computed"):
            shown = (f"{TYPE_NAMES[t]} {figure(self.ap[t]['summary']['AP'])}" for t in iou_types(self.ap))
            self.label.setText("mAP " + " · ".join(shown))
            self.label.setToolTip("COCO mAP, AP@[.50:.95] as pycocotools' COCOeval")
        else:
            self.label.setText("mAP: no scores" if "score" in (self.ap.get("reason") or "") else "mAP: n/a")
            self.label.setToolTip(map_text(self.ap))
        self.setVisible(len(self.confusion.get("labels") or []) >= 2)

    def open_dialog(self) -> None:
        self.dialog = ModelDialog(self.ap, self.confusion, self.window())
        self.dialog.show()


def _item(text: str, align_right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ModelDialog(QDialog):
    """AP per class for each IoU type (or why none) above the confusion matrix: rows the reference's
    classes, columns the candidate's, ``background`` for the missed (column) and the extra (row)."""

    def __init__(self, ap: dict[str, Any], confusion: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model: COCO AP and class confusion")
        self.setObjectName("reviewModelDialog")
        layout = QVBoxLayout(self)
        self.ap_tables: dict[str, QTableWidget] = {}
        if not ap.get("computed"):
            reason = QLabel(map_text(ap))
            reason.setTextFormat(Qt.TextFormat.PlainText)  # text from the report, never markup
            layout.addWidget(reason)
        for t in iou_types(ap) if ap.get("computed") else []:
            layout.addWidget(QLabel(f"<b>COCO AP, {TYPE_NAMES[t]} ({t})</b>"))
            rows = [*ap[t]["per_class"], {**ap[t]["summary"], "category": "(all: mAP)", "n_reference": ""}]
            table = QTableWidget(len(rows), 2 + len(SUMMARY_NAMES))
            table.setObjectName(f"reviewAp_{t}")
            table.setHorizontalHeaderLabels(["category", "reference", *SUMMARY_NAMES])
            table.verticalHeader().hide()
            for r, row in enumerate(rows):
                name = _item(shown_name(row["category"]), align_right=False)  # one short line; whole in
                name.setToolTip(as_text(row["category"]))  # the tooltip, as the review tables show names
                table.setItem(r, 0, name)
                table.setItem(r, 1, _item(str(row["n_reference"])))
                for c, name in enumerate(SUMMARY_NAMES, start=2):
                    table.setItem(r, c, _item(figure(row.get(name))))
            table.resizeColumnsToContents()
            self.ap_tables[t] = table
            layout.addWidget(table)
        layout.addWidget(QLabel("<b>Confusion matrix</b> — rows: reference, columns: candidate"))
        labels = confusion.get("labels") or []
        self.matrix = QTableWidget(len(labels), len(labels))
        self.matrix.setObjectName("reviewConfusionMatrix")
        self.matrix.setHorizontalHeaderLabels([shown_name(n) for n in labels])
        self.matrix.setVerticalHeaderLabels([shown_name(n) for n in labels])
        for r, row in enumerate(confusion.get("matrix") or []):
            for c, n in enumerate(row):
                item = _item(str(n))
                if n and r != c:
                    item.setBackground(QBrush(CONFUSED))
                self.matrix.setItem(r, c, item)
        self.matrix.resizeColumnsToContents()
        layout.addWidget(self.matrix, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 560)
