"""The widgets the review view is built from, one job each: the header (reference, run / cancel, progress,
legend, outlines, fit, and the error banner), the image list (filter, per-image metrics, per-class summary,
Dice histogram) and the decision box (note and the four decisions). ``ReviewView`` wires them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core import qa_difference
from pixelproof.core.limits import MAX_NOTE
from pixelproof.ui.fitted_table import FittedTable
from pixelproof.ui.icons import swatch
from pixelproof.ui.review.histogram import DiceHistogram
from pixelproof.ui.review.no_reference import NoReferenceCard
from pixelproof.ui.review.panes import ReviewPane
from pixelproof.ui.review.tables import (
    DEFAULT_METRICS,
    REVIEW_WORDS,
    ClassSummaryModel,
    ImageFilterProxy,
    ImageTableModel,
    ObjectTableModel,
)
from pixelproof.ui.shortcuts import REGISTRY

RUN_TIP = "Score the candidate against the reference again (F5)"
LEGEND = (
    qa_difference.DIFF_AGREE,
    qa_difference.DIFF_FN,
    qa_difference.DIFF_FP,
    qa_difference.DIFF_WRONG_CLASS,
    qa_difference.DIFF_VOID,
)


def table(name: str, said: str, t: QTableView | None = None) -> QTableView:
    """A read-only, row-selecting table as the review view uses them (``t``, or a new one); ``said``: its
    name for a screen reader."""
    t = t if t is not None else QTableView()
    t.setAccessibleName(said)
    t.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
    t.setObjectName(name)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.setShowGrid(False)
    t.setWordWrap(False)
    t.verticalHeader().hide()
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 6)
    t.horizontalHeader().setHighlightSections(False)
    return t


def heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setContentsMargins(0, 6, 0, 2)
    return label


class Legend(QWidget):
    """Colour swatches of the difference pane."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.labels: dict[int, QWidget] = {}
        for code in LEGEND:
            rgb = QColor(*qa_difference.DIFF_COLORS[code][:3]).name()
            icon = QLabel()
            icon.setPixmap(swatch(rgb, 12).pixmap(12, 12))
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(4)
            row.addWidget(icon)
            row.addWidget(QLabel(qa_difference.DIFF_NAMES[code]))
            layout.addWidget(box)
            self.labels[code] = box
        self.labels[qa_difference.DIFF_VOID].hide()

    def show_void(self, on: bool) -> None:
        self.labels[qa_difference.DIFF_VOID].setVisible(on)


class ReviewHeader(QWidget):
    """Reference: name, Choose (``choose_menu``), Run QA / Cancel with progress, the legend, Outlines and
    Fit; under it the banner that shows why QA cannot run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reference_label = QLabel("No reference")
        self.reference_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reference_label.setTextFormat(Qt.TextFormat.PlainText)  # a file name: never rich text
        self.choose_button = QToolButton()
        self.choose_button.setText("Choose Reference…")
        self.choose_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.choose_menu = QMenu(self.choose_button)
        self.choose_button.setMenu(self.choose_menu)
        self.run_button = QPushButton("Run QA")
        self.run_button.setToolTip(RUN_TIP)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.outline_box = QCheckBox("Outlines")
        self.outline_box.setToolTip("Difference and masks as 1-px outlines instead of filled regions (O)")
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Whole image in the views (double-click a view, or Ctrl+0 in a view)")
        self.legend = Legend()
        row = QHBoxLayout()
        row.setContentsMargins(6, 4, 6, 2)
        row.addWidget(QLabel("<b>Reference:</b>"))
        row.addWidget(self.reference_label, 1)
        for w in (self.choose_button, self.run_button, self.progress, self.cancel_button):
            row.addWidget(w)
        row.addSpacing(16)
        row.addWidget(self.legend)
        row.addSpacing(12)
        row.addWidget(self.outline_box)
        row.addWidget(self.fit_button)
        self.banner = QLabel()
        self.banner.setObjectName("reviewBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # file names and messages shown as written
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet(
            "#reviewBanner { background: #5c2b29; color: #ffe9e7; padding: 8px; border-radius: 4px; }"
        )
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.banner)


class ImageTable(FittedTable):
    """The images' table fitted to its pane: the figures and Review as wide as their headers (Review as
    its longest word, before any decision is made), Image the rest. Sized to their contents, the columns
    were 29 px wider than the 470-px pane: a scroll bar hid the Review column's right part."""

    def __init__(self) -> None:
        super().__init__(flexible=(0,))

    def column_need(self, col: int) -> int:
        need = super().column_need(col)
        if col == self.horizontalHeader().count() - 1:  # Review
            margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
            words = max(self.fontMetrics().horizontalAdvance(w) for w in REVIEW_WORDS)
            need = max(need, words + 2 * margin)
        return need


class ImageList(QWidget):
    """The images with their metrics (a filter box such as "Dice < 0.9"), the per-class summary and the
    histogram of per-image Dice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("reviewFilter")
        self.filter_edit.setAccessibleName("Filter images")
        self.filter_edit.setPlaceholderText("Filter, e.g. Dice < 0.9 and FP > 0")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_note = QLabel()
        self.filter_note.setWordWrap(True)
        self.filter_note.hide()
        self.image_model = ImageTableModel()
        self.image_proxy = ImageFilterProxy()
        self.image_proxy.setSourceModel(self.image_model)
        self.image_table = table("reviewImages", "Images", ImageTable())
        self.image_table.setModel(self.image_proxy)
        self.image_table.setSortingEnabled(True)
        self.image_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.image_table.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.image_table.horizontalHeader().customContextMenuRequested.connect(self._column_menu)
        for n, name in enumerate(self.image_model.metrics, start=1):
            self.image_table.setColumnHidden(n, name not in DEFAULT_METRICS)
        self.class_model = ClassSummaryModel()
        self.class_table = table("reviewClasses", "Per class", FittedTable(flexible=(0,)))  # Class the rest
        self.class_table.setModel(self.class_model)
        self.class_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.histogram = DiceHistogram()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 6)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.filter_note)
        layout.addWidget(self.image_table, 5)
        layout.addWidget(heading("Per class"))
        layout.addWidget(self.class_table, 3)
        layout.addWidget(self.histogram, 2)

    def _column_menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        """Right-click on the header: show or hide each metric column."""
        menu = QMenu(self)
        for n in range(1, len(self.image_model.metrics) + 1):
            act = menu.addAction(str(self.image_model.headerData(n, Qt.Orientation.Horizontal)))
            act.setCheckable(True)
            act.setChecked(not self.image_table.isColumnHidden(n))
            act.toggled.connect(lambda on, n=n: self.image_table.setColumnHidden(n, not on))
        menu.exec(self.image_table.horizontalHeader().mapToGlobal(pos))


class PaneRow(QWidget):
    """Reference | candidate | difference side by side, and the card that takes their place while the
    project has no reference."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panes = [ReviewPane("Reference"), ReviewPane("Candidate"), ReviewPane("Difference")]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        for pane, name in zip(
            self.panes, ("reviewReference", "reviewCandidate", "reviewDifference"), strict=True
        ):
            pane.setObjectName(name)
            layout.addWidget(pane, 1)
        self.no_reference = NoReferenceCard()
        self.no_reference.hide()
        layout.insertWidget(0, self.no_reference, 2)


class ObjectList(QWidget):
    """The objects of the image shown: matched, missed, extra and wrong-class pairs with their figures and
    decisions, under a title that counts them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.object_model = ObjectTableModel()
        # the figures as wide as they read, Category and Review (decision and note) share the rest, Review
        # never below its header: a long class name is cut (its tooltip says it whole) rather than pushing
        # the figures out of sight
        self.object_table = table("reviewObjects", "Objects", FittedTable(flexible=(1, 7), keep_headers=(7,)))
        self.object_table.setModel(self.object_model)
        self.object_title = heading("Objects")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.object_title)
        layout.addWidget(self.object_table)


class NoteEdit(QLineEdit):
    """The note field. The review keys (Ctrl+Enter, Ctrl+Backspace, with or without Shift) act even while
    typing here: a line edit would otherwise take Ctrl+Backspace as "delete the previous word"."""

    def __init__(self, keys: Callable[[], list[QKeySequence]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys  # read when a key comes: the user may rebind them (ui.shortcuts)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            seq = QKeySequence(event.keyCombination())
            if any(seq.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in self.keys()):
                event.ignore()
                return False
        return super().event(event)


class DecisionBox(QWidget):
    """The note and the four decisions (object / image, accept / reject), and the image's decision."""

    def __init__(self, keys: Callable[[], list[QKeySequence]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note_edit = NoteEdit(keys)
        self.note_edit.setObjectName("reviewNote")
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("Note (optional)")  # the keys, cut off at 1366 px, are in tooltips
        self.note_edit.setMaxLength(MAX_NOTE)  # Qt's own limit is 32,767; a paste is cut to it
        self.note_full = QLabel(f"A note holds up to {MAX_NOTE:,} characters: no more is taken.")
        self.note_full.setObjectName("reviewNoteFull")
        self.note_full.setWordWrap(True)
        self.note_full.hide()
        self.note_edit.textChanged.connect(self._note_length)
        self.accept_object_button = QPushButton("Accept object")
        self.reject_object_button = QPushButton("Reject object")
        self.accept_image_button = QPushButton("Accept image")
        self.reject_image_button = QPushButton("Reject image")
        self._describe_keys()
        REGISTRY.changed.connect(self._describe_keys)  # a method: disconnected when the box goes
        self.image_decision_label = QLabel()
        self.image_decision_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Decision"))
        layout.addWidget(self.note_edit)
        layout.addWidget(self.note_full)
        for a, b in (
            (self.accept_object_button, self.reject_object_button),
            (self.accept_image_button, self.reject_image_button),
        ):
            row = QHBoxLayout()
            row.addWidget(a)
            row.addWidget(b)
            layout.addLayout(row)
        layout.addWidget(self.image_decision_label)
        layout.addStretch(1)

    def _note_length(self, text: str) -> None:
        """Say the note is full when it is: the editor takes no more, silently otherwise."""
        self.note_full.setVisible(len(text) >= MAX_NOTE)

    def _describe_keys(self, *_: object) -> None:
        """Tooltips with the decision keys the user has now."""
        buttons = {
            "review.accept_object": self.accept_object_button,
            "review.reject_object": self.reject_object_button,
            "review.accept_image": self.accept_image_button,
            "review.reject_image": self.reject_image_button,
        }
        for id, button in buttons.items():
            keys = REGISTRY.text(id)
            button.setToolTip(f"{button.text()} ({keys})" if keys else button.text())
        accept, reject = REGISTRY.text("review.accept_object"), REGISTRY.text("review.reject_object")
        self.note_edit.setToolTip(
            f"A note for the decision: {accept or 'Accept object'} accepts, {reject or 'Reject object'} "
            f"rejects the object with it (up to {MAX_NOTE:,} characters)"
        )
