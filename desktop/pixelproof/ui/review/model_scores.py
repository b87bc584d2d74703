"""The model's figures in the review view: mAP beside the "Per class" heading and, behind its button, a
dialog with the class confusion matrix as a heat map and COCO AP per class, one tab each, and a
Keypoints tab (mean OKS, keypoint AP) when both sides have keypoints (a QA run's ``ap``, ``confusion`` and
``keypoints``, ``core.qa_ap``; the wording of ``core.report_ap``, as the CLI and the HTML
report). Its first form stacked three tables in 760x560 px, each scrolling, 5 classes and 2 matrix rows in
sight.

A cell clicked (or Enter on it) keeps the review view's Images table to the images its objects are on
(the run's ``confusion_images``), as FiftyOne's interactive matrix does; a count alone said where to look
but not which images."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.names import shown_name
from pixelproof.core.qa_difference import DIFF_AGREE, DIFF_COLORS, DIFF_FN, DIFF_FP, DIFF_WRONG_CLASS
from pixelproof.core.report_ap import (
    KEYPOINT_SUMMARY,
    SUMMARY_NAMES,
    TYPE_NAMES,
    figure,
    iou_types,
    keypoint_heading,
    map_text,
)
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.fitted_table import content_need
from pixelproof.ui.review.parts import table

HEAT_FLOOR = 0.18  # the lightest shade a cell with any object gets (1 of 1,000 still shows)
MIN_CELL = 36  # px: a count column's narrowest width, so the heat map's cells stay cells
# the tabs' Alt letters: never C, the Close button's under desktop themes (a shared letter only focuses)
MNEMONIC_TAB = {"bbox": "AP, &boxes", "segm": "AP, m&asks"}
SCREEN_MARGIN = 80  # px the dialog leaves free of the screen's available area
FRAME = 2  # px: the current cell's frame


class ModelScores(QWidget):
    """ "mAP boxes 0.512 · masks 0.498 · keypoints 0.471" (or why none) and a "Confusion…" button opening
    ``ModelDialog``; hidden when the run has no objects to match (a semantic reference). ``chosen``: the
    matrix cell whose images the Images table lists (``cell_images``), by its classes' names (None: the
    background) and whether it is the row's total (any candidate class), so a re-run keeps it;
    ``cellChosen`` when the user picks or clears one."""

    cellChosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ap: dict[str, Any] = {}
        self.confusion: dict[str, Any] = {}
        self.keypoints: dict[str, Any] | None = None  # the run's keypoints section (None: no keypoints)
        self.images: dict[tuple[int, int], list[int]] = {}  # the run's confusion_images
        self.lacking: dict[str, int] = {}  # per class, missed objects on reference images with no pair
        self.chosen: tuple[str | None, str | None, bool] | None = None
        self.dialog: ModelDialog | None = None
        self.label = QLabel()
        self.label.setObjectName("reviewMap")
        self.button = QToolButton()  # as high as the heading: the Images table keeps its rows
        self.button.setText("Confusion…")  # framed: flat, it read as the end of the mAP text
        self.button.setFixedHeight(self.label.fontMetrics().height() + 6)
        self.button.setObjectName("reviewConfusion")
        self.button.setToolTip(
            "COCO AP per class and the class confusion matrix of the matched objects; click a cell to list "
            "its images"
        )
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
        self.keypoints = getattr(result, "keypoints", None) or None
        self.images = dict(getattr(result, "confusion_images", None) or {})
        self.lacking = {k: c.fn for k, c in (getattr(result, "missed", None) or {}).items() if c.fn}
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        kp = self.keypoints if self.keypoints and self.keypoints.get("computed") else None
        if self.ap.get("computed") or kp:
            shown = [f"{TYPE_NAMES[t]} {figure(self.ap[t]['summary']['AP'])}" for t in iou_types(self.ap)]
            if kp:  # a pose model's figure too: boxes and masks alone hid it behind the dialog's tab
                shown.append(f"keypoints {figure(kp['summary']['AP'])}")
            self.label.setText("mAP " + " · ".join(shown))
            tip = "COCO mAP, AP@[.50:.95] as pycocotools' COCOeval"
            self.label.setToolTip(f"{tip}; {self.ap['note']}" if self.ap.get("note") else tip)
        else:
            self.label.setText("mAP: no scores" if "score" in (self.ap.get("reason") or "") else "mAP: n/a")
            self.label.setToolTip(map_text(self.ap))
        self.setVisible(len(self.confusion.get("labels") or []) >= 2)

    def open_dialog(self) -> None:
        self.dialog = ModelDialog(self.ap, self.confusion, self.window(), self.keypoints)
        self.dialog.matrix.chosen.connect(self.choose)
        self.dialog.show_all.clicked.connect(self.clear_cell)
        self._tell_dialog(self.cell_images())
        self.dialog.show()

    def _cell(self, r: int, c: int) -> tuple[str | None, str | None, bool]:
        labels = self.confusion.get("labels") or []
        bg = len(labels) - 1
        return None if r == bg else labels[r], None if c >= bg else labels[c], c == len(labels)

    def choose(self, r: int, c: int) -> None:
        """Cell [r][c] picked in the matrix (column ``len(labels)``: the row's total): list its images,
        unless it counts none (the dialog says so and the list stays)."""
        was, self.chosen = self.chosen, self._cell(r, c)
        lacking, found = self._lacking(), self.cell_images()
        if found is None:
            self.chosen = was
            if self.dialog is not None:
                self.dialog.cell_note.setText(
                    f"That cell's {plural(lacking, 'missed object')} {'is' if lacking == 1 else 'are'} on "
                    "reference images the candidate lacks, "
                    "which the Images table cannot list: it stays as it is."
                    if lacking
                    else "That cell counts no objects: the Images table stays as it is."
                )
            return
        self._tell_dialog(found)
        self.cellChosen.emit()

    def clear_cell(self) -> None:
        """List every image again (the typed filter stays)."""
        self.chosen = None
        self._tell_dialog(None)
        self.cellChosen.emit()

    def cell_images(self) -> tuple[str, set[int]] | None:
        """The chosen cell's words and candidate image ids in the current run; None when no cell is chosen
        or, after a re-run, its classes or its objects are gone (the choice then dropped)."""
        if self.chosen is None:
            return None
        labels = list(self.confusion.get("labels") or [])
        names = {name: i for i, name in enumerate(labels[:-1])}
        ref, cand, whole_row = self.chosen
        r = len(labels) - 1 if ref is None else names.get(ref)
        c = len(labels) if whole_row else len(labels) - 1 if cand is None else names.get(cand)
        if r is None or c is None or r == c == len(labels) - 1:
            self.chosen = None
            return None
        row = range(len(labels)) if c == len(labels) else (c,)
        ids = set().union(*(self.images.get((r, k), ()) for k in row))
        if not ids:
            self.chosen = None
            return None
        return cell_words(labels, r, c), ids

    def _lacking(self) -> int:
        """The chosen cell's missed objects on reference images the candidate lacks (no image to list)."""
        ref, cand, whole_row = self.chosen or (None, None, False)
        return self.lacking.get(ref, 0) if ref is not None and (cand is None or whole_row) else 0

    def _tell_dialog(self, found: tuple[str, set[int]] | None) -> None:
        if self.dialog is None:
            return
        self.dialog.show_all.setEnabled(found is not None)
        n = self._lacking()
        lacking = f" ({n} more missed on reference images the candidate lacks)" if n else ""
        self.dialog.cell_note.setText(
            f"The Images table lists {_images(len(found[1]))}: {found[0]}{lacking}." if found else CHOOSE_TIP
        )


CHOOSE_TIP = "Click a cell (or move to it with the arrow keys and press Enter) to list its images."


def _images(n: int) -> str:
    return f"{n} {'image' if n == 1 else 'images'}"


def cell_words(labels: list[str], r: int, c: int) -> str:
    """What the images of cell [r][c] (column ``len(labels)``: the row's total) hold, in a few words for
    the Images table's bar: "reference cat matched as dog", "reference cat missed", "candidate dog extra";
    the names as the tables show them."""
    bg = len(labels) - 1
    ref = shown_name(labels[r])
    if r == bg:
        return "candidate objects extra" if c == len(labels) else f"candidate {shown_name(labels[c])} extra"
    if c == len(labels):
        return f"reference {ref}, any candidate class"
    return f"reference {ref} missed" if c == bg else f"reference {ref} matched as {shown_name(labels[c])}"


def _item(text: str, align_right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _objects(n: int) -> str:
    return f"{n} {'object' if n == 1 else 'objects'}"


def cell_tip(labels: list[str], r: int, c: int, row: list[int]) -> str:
    """What cell [r][c] of the confusion matrix counts, in words ("12 reference cat objects matched as
    dog"), with its share of the row's total; the names whole (the headers may cut them)."""
    bg = len(labels) - 1
    n, total, ref, cand = row[c], sum(row), labels[r], labels[c]
    if r == bg and c == bg:
        return "Nothing is counted here (neither side has an object)"
    if r == bg:
        said = f"{_objects(n)} of class {cand} in the candidate extra: no reference object matched"
        whole = f"the {_objects(total)} extra in the candidate"
    else:
        said = f"{n} reference {ref} {'object' if n == 1 else 'objects'} " + (
            "missed: no candidate object matched" if c == bg else f"matched as {cand}"
        )
        whole = f"the {total} reference {ref} {'object' if total == 1 else 'objects'}"
    return f"{said} ({n / total:.0%} of {whole})" if total else said


def _kind(r: int, c: int, bg: int) -> QColor:
    """The hue of a cell, as the review view's difference colours: agreement on the diagonal, wrong
    class off it, missed in the background column, extra in the background row."""
    code = DIFF_AGREE if r == c else DIFF_FP if r == bg else DIFF_FN if c == bg else DIFF_WRONG_CLASS
    return QColor(*DIFF_COLORS[code][:3])


def heat(base: QColor, hue: QColor, share: float) -> QColor:
    """``base`` (the table's background) blended toward ``hue`` by a cell's share of its row: an empty
    cell stays ``base``, a whole row's count is the hue itself; one hue's cells read by lightness alone, so
    the ramp holds for every kind of colour vision."""
    if share <= 0:
        return QColor(base)
    t = HEAT_FLOOR + (1 - HEAT_FLOOR) * min(share, 1.0)
    return QColor(*(round(a + (b - a) * t) for a, b in zip(base.getRgb()[:3], hue.getRgb()[:3], strict=True)))


def _ink(fill: QColor) -> QColor:
    """Black or white text, whichever reads on ``fill``."""
    r, g, b = fill.redF(), fill.greenF(), fill.blueF()
    return QColor(
        Qt.GlobalColor.black if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else Qt.GlobalColor.white
    )


class FullTable(QTableWidget):
    """A read-only table whose size hint shows every row and column (the dialog sizes itself to it, up to
    the screen), its rows as compact as the review view's tables. ``fit_columns`` sizes the columns to
    their contents and keeps that width for the hint: a stretched column's width follows the dialog's."""

    needed = 0  # px: the columns' widths as fitted

    def fit_columns(self) -> None:
        """Each column as wide as its title as drawn and its cells (``content_need``), at least
        ``MIN_CELL``: ``resizeColumnsToContents`` measured every title bold, a few pixels too many in each
        column whose title is wider than its figures (`reference`, `AP50`, a class name)."""
        for c in range(self.columnCount()):
            self.setColumnWidth(c, max(content_need(self, c), MIN_CELL))
        self.needed = self.horizontalHeader().length()

    def sizeHint(self) -> QSize:
        frame = 2 * self.frameWidth()
        head = self.verticalHeader()
        side = head.sizeHint().width() if not head.isHidden() else 0
        w = frame + side + (self.needed or self.horizontalHeader().length())
        h = frame + self.horizontalHeader().sizeHint().height() + head.length()
        return QSize(w + 2, h + 2)


class CurrentFrame(QStyledItemDelegate):
    """Frames the current cell (the one Enter picks, the last clicked) in the highlight colour: without a
    selection, whose fill would hide the heat map, the arrow keys moved an invisible cursor."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        view = self.parent()
        if isinstance(view, QAbstractItemView) and index == view.currentIndex():
            painter.save()
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), FRAME))
            painter.drawRect(option.rect.adjusted(1, 1, -FRAME + 1, -FRAME + 1))
            painter.restore()


class MatrixTable(FullTable):
    """The confusion matrix: ``chosen(r, c)`` on a click on a cell or Enter / Return on the current one
    (the arrow keys move it, framed), taken here: the dialog's default button never sees that Enter."""

    chosen = Signal(int, int)

    def __init__(self, rows: int, columns: int) -> None:
        super().__init__(rows, columns)
        self.setItemDelegate(CurrentFrame(self))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        index = self.indexAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and index.isValid():
            self.chosen.emit(index.row(), index.column())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            event.accept()
            self.chosen.emit(self.currentRow(), self.currentColumn())
            return
        super().keyPressEvent(event)


def _full_table(
    rows: int, columns: int, name: str, said: str, kind: type[FullTable] = FullTable
) -> FullTable:
    t = kind(rows, columns)
    table(name, said, t)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    return t


class ModelDialog(QDialog):
    """Tabs: the confusion matrix first (what a user opens it for; rows the reference's classes, columns the
    candidate's, ``background`` for the missed (column) and the extra (row)), a heat map by each cell's
    share of its row, then COCO AP per class for each IoU type (or why none), the mAP row first and bold,
    and, when both sides have keypoints (``keypoints``, the run's section), their mean OKS and COCO keypoint
    AP per class. Sized to its tables, up to the screen."""

    def __init__(
        self,
        ap: dict[str, Any],
        confusion: dict[str, Any],
        parent: QWidget | None = None,
        keypoints: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model: COCO AP and class confusion")
        self.setObjectName("reviewModelDialog")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reviewModelTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._matrix_page(confusion), "Confusion &matrix")
        self.ap_tables: dict[str, QTableWidget] = {}
        if not ap.get("computed"):
            reason = QLabel(map_text(ap))
            reason.setTextFormat(Qt.TextFormat.PlainText)  # text from the report, never markup
            reason.setWordWrap(True)
            reason.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            reason.setContentsMargins(8, 8, 8, 8)
            self.tabs.addTab(reason, "&AP")
        for t in iou_types(ap) if ap.get("computed") else []:
            self.ap_tables[t] = self._ap_table(t, ap[t])
            self.tabs.addTab(self.ap_tables[t], MNEMONIC_TAB[t])
            self.tabs.setTabToolTip(self.tabs.count() - 1, f"COCO AP per class, {TYPE_NAMES[t]} ({t})")
        self.keypoint_table: QTableWidget | None = None
        if keypoints:
            self.tabs.addTab(self._keypoint_page(keypoints), "&Keypoints")
            self.tabs.setTabToolTip(self.tabs.count() - 1, "Mean OKS and COCO keypoint AP per class")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)  # Esc, as the Close button
        self.show_all = QPushButton("Show all &images")  # Alt+I: the tabs hold M, B and A
        self.show_all.setObjectName("reviewConfusionShowAll")
        self.show_all.setToolTip("List every image in the Images table again (a typed filter stays)")
        self.show_all.setAutoDefault(False)  # Enter in the matrix picks a cell, never this
        self.show_all.setEnabled(False)
        buttons.addButton(self.show_all, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self._fit_to_screen()

    def _matrix_page(self, confusion: dict[str, Any]) -> QWidget:
        labels = list(confusion.get("labels") or [])
        k = len(labels)
        rows = [[*row[:k], *[0] * (k - len(row))] for row in (confusion.get("matrix") or [])[:k]]  # k x k
        self.matrix: MatrixTable = _full_table(  # type: ignore[assignment]
            k, k + 1, "reviewConfusionMatrix", "Confusion matrix", MatrixTable
        )
        m = self.matrix
        m.verticalHeader().show()
        m.setAlternatingRowColors(False)  # the cells' colours are the figures
        m.setShowGrid(True)
        m.setHorizontalHeaderLabels([*(shown_name(n) for n in labels), "total"])
        m.setVerticalHeaderLabels([shown_name(n) for n in labels])
        for i, name in enumerate(labels):
            m.horizontalHeaderItem(i).setToolTip(as_text(f"candidate: {name}"))
            m.verticalHeaderItem(i).setToolTip(as_text(f"reference: {name}"))
        if k:  # background: no class; set apart from the class names
            italic = QFont(m.font())
            italic.setItalic(True)
            m.horizontalHeaderItem(k - 1).setFont(italic)
            m.verticalHeaderItem(k - 1).setFont(italic)
        m.horizontalHeaderItem(k).setToolTip(
            "The row's objects: a reference class's, or the candidate's extra"
        )
        base = m.palette().color(QPalette.ColorRole.Base)
        faint = m.palette().color(QPalette.ColorRole.PlaceholderText)
        bold = QFont(m.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            total = sum(row)
            for c, n in enumerate(row):
                item = _item(str(n))
                item.setToolTip(as_text(cell_tip(labels, r, c, row)))
                fill = heat(base, _kind(r, c, k - 1), n / total if total else 0.0)
                if n:
                    item.setBackground(QBrush(fill))
                    item.setForeground(QBrush(_ink(fill)))
                else:  # zeros recede, so the counts stand out
                    item.setForeground(QBrush(faint))
                if r == c and r != k - 1:
                    item.setFont(bold)  # the diagonal: told apart by weight too, not by hue alone
                m.setItem(r, c, item)
            total_item = _item(str(total))
            total_item.setFont(bold)
            m.setItem(r, k, total_item)
        m.fit_columns()
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 6, 0, 0)
        note = QLabel(
            "Rows: reference class, columns: candidate class; background: missed (column), extra (row).\n"
            "The stronger a cell's colour, the more of its row's objects it holds; hover it for its count."
        )
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setToolTip(
            "Green: matched as their class (the diagonal, bold), purple: matched as another class, "
            "orange: missed, blue: extra, as the review view's difference colours."
        )
        box.addWidget(note)
        box.addWidget(m, 1)
        self.cell_note = QLabel(CHOOSE_TIP)
        self.cell_note.setObjectName("reviewConfusionChosen")
        self.cell_note.setTextFormat(Qt.TextFormat.PlainText)  # class names, never markup
        box.addWidget(self.cell_note)
        return page

    def _ap_table(self, t: str, figures: dict[str, Any]) -> QTableWidget:
        """One IoU type's AP per class, the mAP row first (bold: it never scrolls away under the classes)."""
        rows = [{**figures["summary"], "category": "(all: mAP)", "n_reference": ""}, *figures["per_class"]]
        table_ = _full_table(len(rows), 2 + len(SUMMARY_NAMES), f"reviewAp_{t}", f"COCO AP, {TYPE_NAMES[t]}")
        table_.setHorizontalHeaderLabels(["category", "reference", *SUMMARY_NAMES])
        bold = QFont(table_.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            name = _item(shown_name(row["category"]), align_right=False)  # one short line; whole in
            name.setToolTip(as_text(row["category"]))  # the tooltip, as the review tables show names
            cells = [name, _item(str(row["n_reference"]))]
            cells += [_item(figure(row.get(n))) for n in SUMMARY_NAMES]
            for c, item in enumerate(cells):
                if r == 0:
                    item.setFont(bold)
                table_.setItem(r, c, item)
        table_.fit_columns()
        table_.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # names: the rest
        return table_

    def _keypoint_page(self, section: dict[str, Any]) -> QWidget:
        """The keypoint figures as the terminal says them (``keypoint_heading``) over a table per class:
        reference objects, matched pairs with keypoints, mean OKS and, when computed, keypoint AP; the
        ``(all)`` row first and bold, as the AP tabs'."""
        names = KEYPOINT_SUMMARY if section["computed"] else ()
        rows = [{**section["summary"], "category": "(all)", "n_reference": ""}, *section["per_class"]]
        self.keypoint_table = t = _full_table(
            len(rows), 4 + len(names), "reviewKeypoints", "Mean OKS and COCO keypoint AP"
        )
        t.setHorizontalHeaderLabels(["category", "reference", "pairs", "mean OKS", *names])
        bold = QFont(t.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            name = _item(shown_name(row["category"]), align_right=False)
            name.setToolTip(as_text(row["category"]))
            cells = [name, _item(str(row.get("n_reference", ""))), _item(str(row["pairs"]))]
            cells += [_item(figure(row.get(n))) for n in ("mean_oks", *names)]
            for c, item in enumerate(cells):
                if r == 0:
                    item.setFont(bold)
                t.setItem(r, c, item)
        t.fit_columns()
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 6, 0, 0)
        self.keypoint_note = QLabel("\n".join(keypoint_heading(section)))
        self.keypoint_note.setObjectName("reviewKeypointsNote")
        self.keypoint_note.setTextFormat(Qt.TextFormat.PlainText)  # the report's text, never markup
        self.keypoint_note.setWordWrap(True)
        box.addWidget(self.keypoint_note)
        box.addWidget(t, 1)
        return page

    def _fit_to_screen(self) -> None:
        """As large as the tabs' tables need, within the screen's free area (less a margin)."""
        screen = (
            self.parentWidget().screen() if self.parentWidget() else None
        ) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() - QSize(SCREEN_MARGIN, SCREEN_MARGIN)
        want = self.sizeHint().expandedTo(QSize(420, 240))
        self.resize(want.boundedTo(room))
