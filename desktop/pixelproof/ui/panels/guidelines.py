"""Guidelines dock: what the current category means - its description, its labelling guideline (Markdown)
and example crops - so an annotator checks the rule without leaving the image. Edit… changes them as
one undoable edit (``core.taxonomy.describe_category``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core import taxonomy
from pixelproof.core.names import shown_name
from pixelproof.ui.dialogs import as_text, ok_cancel
from pixelproof.ui.document import Document
from pixelproof.ui.panels.base import Panel

THUMB = 96  # example crops are shown at most this many pixels on their long side
# the panel's one grey line when there is nothing to show
NO_GUIDELINE = "No guideline yet. Edit… adds one (Markdown)."
NO_PROJECT = "No project open: no guidelines to show."
NO_CATEGORY = "Choose a category to see its guideline."
# a project started without categories has none to choose: say how it gets its first
NO_CATEGORIES = "No categories yet: draw an object (it adds one) or press + in the Categories panel."


def tooltip(name: str, info: dict) -> str:
    """The category list's hover text: name, description and the guideline's first lines."""
    parts = [f"<b>{_escape(name)}</b>"]
    if info.get("description"):
        parts.append(_escape(info["description"]))
    guide = (info.get("guideline") or "").strip().splitlines()
    if guide:
        shown = "<br>".join(_escape(line) for line in guide[:6])
        parts.append(f"<i>{shown}{' …' if len(guide) > 6 else ''}</i>")
    return "<br>".join(parts)


def open_web_link(url: QUrl) -> None:
    """A link clicked in a guideline: http(s) and mail links go to the system's browser or mail program."""
    if url.scheme().lower() in ("http", "https", "mailto"):
        QDesktopServices.openUrl(url)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class GuidelineBrowser(QTextBrowser):
    """Shows a guideline without reading anything it names: an image's path may be a device
    (``/dev/zero`` exhausts memory), a FIFO (blocks for good) or a ``\\\\host\\share`` path (Windows
    sends its login there); a taxonomy or project from elsewhere carries guidelines."""

    def loadResource(self, type: int, name: QUrl) -> QImage:
        return QImage()  # a null image: Qt then reads no file either (empty bytes would let it)


class GuidelinesPanel(Panel):
    title = "Guidelines"
    object_name = "guidelinesDock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.browser = GuidelineBrowser()
        self.browser.setAccessibleName("Guideline")
        # a link never replaces the guideline with what it points to (a local file, another page): web
        # links open in the web browser, others do nothing
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(open_web_link)
        # no guideline: one line of hint, not an empty text box (whose frame and margins did not fit the
        # ~75 px a 1366x768 screen leaves the dock, and it showed a scroll bar)
        self.empty = QLabel(NO_GUIDELINE)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-style: italic;")
        self.empty.hide()
        self.examples = QWidget()
        self.examples_row = QHBoxLayout(self.examples)
        self.examples_row.setContentsMargins(0, 0, 0, 0)
        self.examples_area = QScrollArea()
        self.examples_area.setWidget(self.examples)
        self.examples_area.setWidgetResizable(True)
        self.examples_area.setFixedHeight(THUMB + 36)
        self.examples_area.hide()  # shown when the category has examples
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Change the description, guideline and examples of this category")
        self.edit_button.setAccessibleName("Edit guideline")  # "Edit…" said alone: edit what?
        self.edit_button.clicked.connect(self.edit)
        # Edit… beside the name, not below everything: the dock is short on a 768-px screen and the
        # empty-guideline hint points at the button
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.description)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.examples_area)
        self._pixmaps: list[QPixmap] = []

    def bind(self, doc: Document) -> list:
        return [
            (doc.currentCategoryChanged, self.schedule_refresh),
            (doc.categoriesChanged, self.schedule_refresh),
        ]

    def _category(self):  # type: ignore[no-untyped-def]
        doc = self.document
        if doc is None:
            return None
        return doc.project.categories.get(doc.current_category_id)

    def refresh(self) -> None:
        cat = self._category()
        self.edit_button.setEnabled(cat is not None)
        while self.examples_row.count():
            item = self.examples_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._pixmaps = []
        self.examples_area.setVisible(bool(cat is not None and taxonomy.info(cat).get("examples")))
        for part in (self.heading, self.description, self.edit_button):
            part.setVisible(cat is not None)
        if cat is None:  # one grey line that says why, not an empty text box under an unusable Edit…
            self.heading.clear()
            self.description.clear()
            self.browser.clear()
            self.browser.hide()
            doc = self.document
            self.empty.setText(
                NO_PROJECT if doc is None else NO_CATEGORY if doc.project.categories else NO_CATEGORIES
            )
            self.empty.show()
            return
        self.empty.setText(NO_GUIDELINE)
        info = taxonomy.info(cat)
        self.heading.setText(f"<b>{_escape(shown_name(cat.name))}</b>")
        self.description.setText(_escape(info.get("description", "")) or "<i>No description</i>")
        guideline = info.get("guideline", "")
        self.browser.setMarkdown(guideline)
        self.browser.setVisible(bool(guideline))
        self.empty.setVisible(not guideline)
        for ex in info.get("examples", []):
            png = taxonomy.example_png(self.document.project, ex)
            label = QLabel()
            pix = QPixmap()
            if png is not None and pix.loadFromData(png):
                # THUMB screen pixels: on a 200 % screen that is twice as many device pixels
                ratio = self.devicePixelRatioF()
                side = round(THUMB * ratio)
                pix = pix.scaled(
                    side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
                pix.setDevicePixelRatio(ratio)
                label.setPixmap(pix)
                self._pixmaps.append(pix)
            else:
                label.setText("(missing)")
            label.setToolTip(as_text(ex.get("caption") or ex.get("file_name", "example")))
            self.examples_row.addWidget(label)
        self.examples_row.addStretch(1)

    def edit(self) -> None:
        cat = self._category()
        if cat is None or self.document is None:
            return
        dialog = GuidelineDialog(cat.name, taxonomy.info(cat), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        edit = taxonomy.describe_category(self.document.project, cat.name, **dialog.values())
        self.document.push(edit)


class GuidelineDialog(QDialog):
    """Description (one line) and guideline (Markdown) of a category."""

    def __init__(self, name: str, info: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Guideline of {name}")
        self.description = QLineEdit(info.get("description", ""))
        self.guideline = QPlainTextEdit(info.get("guideline", ""))
        self.guideline.setPlaceholderText("# What counts as this class\nMarkdown: lists, *emphasis*, links…")
        form = QFormLayout()
        form.addRow("Description", self.description)
        form.addRow("Guideline (Markdown)", self.guideline)
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 420)

    def values(self) -> dict:
        return {"description": self.description.text().strip(), "guideline": self.guideline.toPlainText()}
