"""The widgets the review view is built from, one job each: the header (reference, run / cancel, progress,
legend, outlines, fit, and the banner), the split between the image list and the panes, the panes, the
objects and the decision box (note and the four decisions); the image list (left) is in ``image_list``.
``ReviewView`` wires them."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core import qa_difference
from pixelproof.core.limits import MAX_NOTE
from pixelproof.ui.icons import swatch
from pixelproof.ui.one_line import OneLineLabel
from pixelproof.ui.review.banner import ReviewBanner
from pixelproof.ui.review.no_reference import NoReferenceCard
from pixelproof.ui.review.object_table import ObjectTable
from pixelproof.ui.review.panes import ReviewPane
from pixelproof.ui.review.tables import (
    ObjectTableModel,
)
from pixelproof.ui.shell import scrollable
from pixelproof.ui.shortcuts import REGISTRY

LEFT_SHARE = 0.36  # of the review view's width: the image list's (the panes the rest)
LEFT_MIN = 480  # px: the Images table's figures and a slice's cut name (1366x768) at least, unless dragged
SHARE_KEY = "review/left_share"  # the setting of a dragged share
RUN_TIP = "Score the candidate against the reference again (F5)"
LEGEND = (
    qa_difference.DIFF_AGREE,
    qa_difference.DIFF_FN,
    qa_difference.DIFF_FP,
    qa_difference.DIFF_WRONG_CLASS,
    qa_difference.DIFF_VOID,
)


class ShareSplitter(QSplitter):
    """The image list beside the panes: the list gets ``share`` of the width, at least ``LEFT_MIN`` px,
    as the window is resized (fixed at 480 px, it left wide screens' room to the panes alone). A drag of
    the handle sets the share, kept as is from then on (``dragged``; saved with the window's layout)."""

    def __init__(self) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.share = LEFT_SHARE
        self.dragged = False
        self.splitterMoved.connect(self._moved)

    def set_share(self, value: object) -> bool:
        """A share saved before (a setting: text or a number); False, nothing changed, for anything but a
        number between 0.05 and 0.95 (a damaged or hand-edited setting)."""
        try:
            share = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        if not 0.05 <= share <= 0.95:  # NaN too
            return False
        self.share, self.dragged = share, True
        self.apply_share()
        return True

    def restore_settings(self, s: QSettings) -> None:
        self.set_share(s.value(SHARE_KEY))  # dragged before, if it was

    def save_settings(self, s: QSettings) -> None:
        """The share the user dragged to; none: the default's."""
        if self.dragged:
            s.setValue(SHARE_KEY, self.share)
        else:
            s.remove(SHARE_KEY)

    def apply_share(self) -> None:
        total = sum(self.sizes())
        if self.count() != 2 or total <= 0:
            return
        left = round(total * self.share)
        if not self.dragged:
            left = max(left, min(LEFT_MIN, total // 2))
        self.setSizes([left, total - left])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.apply_share()

    def _moved(self, _pos: int, _index: int) -> None:
        """Only a user's drag moves the handle (``setSizes`` does not emit ``splitterMoved``)."""
        left, right = self.sizes()
        if left + right > 0:
            self.share, self.dragged = left / (left + right), True


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


class OneLineHeading(OneLineLabel):
    """A bold heading that never wraps nor widens its pane: cut at its end (``…``) where its room is
    narrower, the whole heading then first in its tooltip. Wrapping, the per-class heading took two lines
    beside the mAP at 1366x768 and pushed the class rows down."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.setContentsMargins(0, 6, 0, 2)
        self.set_line(text)

    def set_heading(self, text: str, tip: str = "") -> None:
        """Show ``text`` (cut to the room); ``tip``: what the tooltip says under it."""
        self.set_line(text, tip)

    def tooltip_text(self) -> str:
        return "\n\n".join(t for t in (self.whole if self.is_cut() else "", self.tip) if t)


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
        self.setToolTip(
            "Colours of the Difference pane. In the Reference and Candidate panes an object QA left "
            "unmatched is drawn in the same colour with a dashed edge: missed (orange, Reference), extra "
            "(blue, Candidate), wrong class (pink edge, class colour kept); matched objects keep their "
            "class colour"
        )

    def show_void(self, on: bool) -> None:
        self.labels[qa_difference.DIFF_VOID].setVisible(on)


class ReviewHeader(QWidget):
    """Reference: name, Choose (``choose_menu``), Run QA / Cancel with progress, the legend, Outlines and
    Fit; under it the banner: why QA cannot run, or the warnings of the last run (``ReviewBanner``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # what is compared with what (``reference_line``), cut with … where the row is narrow: a long file
        # name must not widen the window past a 1366 px screen
        self.reference_label = OneLineLabel("none", selectable=True)
        self.choose_button = QToolButton()
        self.choose_button.setText("Choose Reference…")
        self.choose_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.choose_menu = QMenu(self.choose_button)
        self.choose_button.setMenu(self.choose_menu)
        self.run_button = QPushButton("Run QA")
        self.run_button.setToolTip(RUN_TIP)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setMinimumWidth(60)  # gives way in a narrow window rather than widening it
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
        self.banner = ReviewBanner()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.banner)


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


class ObjectTitle(QLabel):
    """ "Objects of <name> — counts" over the Objects table, never wider than its room: as a plain label its
    whole line was the panes' minimum width, so at 1024x576 a long file name pushed the left side from its
    480 px to 360 and the Images table's names to "…". The counts are cut at their end and the name in its
    middle (its end kept, as the Images table cuts it) where the room is short; the whole in the tooltip."""

    def __init__(self) -> None:
        super().__init__()
        self.setContentsMargins(0, 6, 0, 2)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.name, self.counts = "", ""
        self._show()

    def set_title(self, name: str, counts: str) -> None:
        """The image's shown name and what its objects count (both empty: no image)."""
        self.name, self.counts = name, counts
        self._show()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def _show(self) -> None:
        if not self.name:
            self.setText("<b>Objects</b>")
            self.setToolTip("")
            return
        bold = QFont(self.font())
        bold.setBold(True)
        strong, plain_metrics = QFontMetrics(bold), self.fontMetrics()
        room, head = self.contentsRect().width(), "Objects of "
        rest = f" — {self.counts}" if self.counts else ""
        # the name first (12 characters' room at least), the counts cut at their end in what is left
        need = min(strong.horizontalAdvance(self.name), strong.horizontalAdvance("x" * 12))
        left = room - strong.horizontalAdvance(head) - need
        rest = plain_metrics.elidedText(rest, Qt.TextElideMode.ElideRight, max(left, 0))
        rest = "" if rest in ("…", " …", " — …") else rest
        name_room = room - strong.horizontalAdvance(head) - plain_metrics.horizontalAdvance(rest)
        name = strong.elidedText(self.name, Qt.TextElideMode.ElideMiddle, max(name_room, 0))
        self.setText(f"<b>{escape(head + name)}</b>{escape(rest)}")
        whole = f"{head}{self.name} — {self.counts}" if self.counts else head + self.name
        self.setToolTip(
            whole if name != self.name or rest != (f" — {self.counts}" if self.counts else "") else ""
        )


class ObjectList(QWidget):
    """The objects of the image shown: matched, missed, extra and wrong-class pairs with their figures and
    decisions, under a title that counts them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.object_model = ObjectTableModel()
        # the figures as wide as they read, Category and Review (decision and note) share the rest, Review
        # never below its header: a long class name is cut (its tooltip says it whole) rather than pushing
        # the figures out of sight, and the ids and Dice give way in a narrow pane
        self.object_table = table("reviewObjects", "Objects", ObjectTable())
        self.object_table.setModel(self.object_model)
        self.object_title = ObjectTitle()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.object_title)
        layout.addWidget(self.object_table)


class NoteEdit(QLineEdit):
    """The note field. The review keys (Ctrl+Enter, Ctrl+Backspace, with or without Shift) act even while
    typing here: a line edit would otherwise take Ctrl+Backspace as "delete the previous word". Undo and
    Redo act on the project once the field has nothing of its own to undo (a decision empties it with no
    history): a reviewer who decided from here and pressed Ctrl+Z got the note back, the decision kept."""

    def __init__(self, keys: Callable[[], list[QKeySequence]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys  # read when a key comes: the user may rebind them (ui.shortcuts)

    def _passed_on(self) -> list[QKeySequence]:
        """The keys this field leaves to the window now: the decisions', and Undo / Redo when it has none."""
        keys = list(self.keys())
        if not self.isUndoAvailable():
            keys += REGISTRY.sequences("edit.undo")
        if not self.isRedoAvailable():
            keys += REGISTRY.sequences("edit.redo")
        return keys

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            seq = QKeySequence(event.keyCombination())
            if any(seq.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in self._passed_on()):
                event.ignore()
                return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A decision key reaches the field only when its action is greyed (a missed object's row): it
        does nothing here, not the line edit's delete-the-previous-word, which ate the typed note."""
        seq = QKeySequence(event.keyCombination())
        if any(seq.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in self.keys()):
            event.accept()
            return
        super().keyPressEvent(event)


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
        self.accept_object_button = QPushButton("Accept Object")
        self.reject_object_button = QPushButton("Reject Object")
        self.accept_image_button = QPushButton("Accept Image")
        self.reject_image_button = QPushButton("Reject Image")
        self._describe_keys()
        REGISTRY.changed.connect(self._describe_keys)  # a method: disconnected when the box goes
        self.image_decision_label = QLabel()
        self.image_decision_label.setWordWrap(True)
        self.heading = heading("Decision")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.note_edit)
        layout.addWidget(self.note_full)
        # the buttons and the hint under them scroll, the heading and the note stay: scrolled as a whole,
        # the box lost both from sight at 1024x576 whenever the hint was brought into it
        buttons = QWidget()
        below = QVBoxLayout(buttons)
        below.setContentsMargins(0, 0, 0, 0)
        for a, b in (
            (self.accept_object_button, self.reject_object_button),
            (self.accept_image_button, self.reject_image_button),
        ):
            row = QHBoxLayout()
            row.addWidget(a)
            row.addWidget(b)
            below.addLayout(row)
        below.addWidget(self.image_decision_label)
        below.addStretch(1)
        self.area = scrollable(buttons)
        self.area.setMinimumHeight(buttons.minimumSizeHint().height())  # the buttons, always in sight
        layout.addWidget(self.area, 1)
        self._to_label = QTimer(self)  # once the label is laid out at its new height
        self._to_label.setSingleShot(True)
        self._to_label.setInterval(0)
        self._to_label.timeout.connect(self._scroll_to_label)

    def show_decision(self, text: str) -> None:
        """The image's decision and a missed row's hint under the buttons (rich text; "": none), scrolled
        into sight where the box is shorter than they are."""
        if text != self.image_decision_label.text():
            self.image_decision_label.setText(text)
            if text:
                self._to_label.start()

    def _scroll_to_label(self) -> None:
        """At 1024x576 the hint under the buttons was cut off unseen: it is scrolled into sight."""
        self.area.ensureWidgetVisible(self.image_decision_label, 0, 0)

    @staticmethod
    def missed_hint(image_decided: bool = False) -> str:
        """Why Accept / Reject Object are greyed on a missed row (its keys did nothing, unsaid): there is
        no candidate annotation to mark. Names the keys the user has now. On an image decided as a whole
        it does not say to reject the image (under "This image: rejected" that read as undone, and the
        longer hint was cut at 1366x768)."""
        reject, back = REGISTRY.text("review.reject_image"), REGISTRY.text("review.toggle")
        return (
            "A missed object has no candidate annotation to accept or reject: "
            + ("" if image_decided else "reject the image" + (f" ({reject})" if reject else "") + ", or ")
            + "draw it in the labeling view"
            + (f" ({back})" if back else "")
        )

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
