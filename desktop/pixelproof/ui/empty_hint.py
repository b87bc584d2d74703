"""What the canvas says when it has nothing to show: no project open (first start, after Close Project), a
new project's folder being read, or a project without images. A blank grey canvas left a new user guessing
where to start."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.theme import readable

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell


HINT_RATIO = 7.0  # contrast of the hint's text with the canvas (WCAG AAA)


HINT_WIDTH = 620  # px at most: a line of the hint with its key ('... Folder... (Ctrl+Shift+O)') unbroken


def _item(id: str, menu: str = "File") -> str:
    name = REGISTRY.get(id).text.replace("&", "")
    keys = REGISTRY.text(id)
    return f"{menu} &gt; <b>{name}</b>" + (f" ({keys})" if keys else "")


class EmptyHint(QObject):
    """A centred label over the canvas's viewport, shown only while there is no image to show and no modal
    dialog (the new project's categories, a file dialog) is up in front of it."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        viewport = shell.canvas.viewport()
        self.label = QLabel(viewport)
        self.label.setObjectName("emptyHint")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._restyle()
        viewport.installEventFilter(self)
        self._doc: Document | None = None
        shell.documentChanged.connect(self._follow)
        shell.readingFolderChanged.connect(self.update)
        REGISTRY.changed.connect(self.update)  # a method: disconnected when the hint goes
        app = QApplication.instance()
        if isinstance(app, QApplication):  # a modal dialog up or gone moves the focus
            app.focusChanged.connect(self._focus_moved)
        self._follow(shell.document)

    def _follow(self, doc: Document | None) -> None:
        if self._doc is not None:
            self._doc.imagesChanged.disconnect(self.update)
        self._doc = doc
        if doc is not None:
            doc.imagesChanged.connect(self.update)
        self.update()

    def _focus_moved(self, *_: object) -> None:
        QTimer.singleShot(0, self, self.update)  # once the dialog is off the modal stack too

    def update(self, *_: object) -> None:
        doc = self._doc
        if QApplication.activeModalWidget() is not None:
            self.label.hide()  # it showed behind the new project's categories dialog, 'Label a folder...'
            return
        if doc is None and self.shell.reading_folder:  # a new project's folder (its categories given)
            text = (
                f"<p><b>Reading {html.escape(self.shell.reading_folder)}…</b></p>"
                "<p>The new project opens when its images are read (progress in the status bar).</p>"
            )
        elif doc is None:
            text = (
                "<p><b>No project open</b></p>"
                f"<p>Label a folder of images: {_item('file.open_folder')}<br>"
                f"Open a project: {_item('file.open')}</p>"
                f"<p>New here? Try the demo: {_item('help.demo', 'Help')}</p>"
            )
        elif not doc.project.images:
            text = (
                "<p><b>This project has no images yet</b></p>"
                f"<p>{_item('file.add_images')}<br>or {_item('file.add_image_folder')}</p>"
            )
        else:
            self.label.hide()
            return
        self.label.setText(text)
        self._place()
        self.label.show()

    def _place(self) -> None:
        view = self.label.parentWidget().rect()
        width = min(view.width() - 20, HINT_WIDTH)
        height = min(self.label.heightForWidth(width), view.height())
        self.label.setGeometry((view.width() - width) // 2, (view.height() - height) // 2, width, height)

    def _restyle(self) -> None:
        """The palette's hint grey, made readable on the canvas's background (7:1, WCAG AAA: it is all the
        canvas says); it was a fixed #c8cacd, whatever the theme or the background."""
        grey = QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        colour = readable(grey, self.shell.canvas.backgroundBrush().color(), ratio=HINT_RATIO)
        style = f"color: {colour.name()}; font-size: 11pt;"
        if self.label.styleSheet() != style:
            self.label.setStyleSheet(style)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize and self.label.isVisible():
            self._place()
        elif kind in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()  # another theme
        return False
