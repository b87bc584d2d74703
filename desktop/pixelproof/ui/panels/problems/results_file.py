"""The Problems panel's source "+ a results file…": picking it asks for a COCO results file (the list
``pycocotools.COCO.loadRes`` reads, as ``pixelproof lint --predictions FILE`` takes it), remembered for the
next start; Cancel in the file dialog goes back to the source chosen before (picked again to change the
file, it keeps the file it had). The runner reads the file
(``core.lint.read_predictions``) when problems are found, so a file rewritten since is read as it is now."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QComboBox, QFileDialog

from pixelproof.ui.settings import settings

RESULTS_SETTING = "lint/results_file"  # the last results file chosen
FILE_SOURCE = "file"


class ResultsFileSource(QObject):
    """Asks for the results file when its source is picked in ``combo`` (also picked again: to change
    it); ``path`` is the file chosen, "" before any. Made once ``combo`` shows the source restored from
    the settings: a later change to this source is taken for the user's switch to it."""

    def __init__(self, combo: QComboBox, document: Callable[[], Any] = lambda: None) -> None:
        super().__init__(combo)
        self.combo = combo
        self.document = document  # the open document: its folder is where the first dialog opens
        self.path = str(settings().value(RESULTS_SETTING, "") or "")
        now = combo.currentData()
        self._before = now if now != FILE_SOURCE else "none"  # the source to go back to on Cancel
        self._switched = False  # the source was just switched to a results file (not picked again)
        self._tip()
        combo.activated.connect(self._picked)  # a user's pick, also of the current item; not setCurrentIndex
        combo.currentIndexChanged.connect(self._changed)

    def _changed(self, _index: int) -> None:
        now = self.combo.currentData()
        self._switched = now == FILE_SOURCE
        if now != FILE_SOURCE:
            self._before = now

    def _picked(self, _index: int) -> None:
        if self.combo.currentData() != FILE_SOURCE:
            return
        doc = self.document()
        project = doc.project.path if doc is not None else None
        start = self.path or (str(Path(project).parent) if project else "")
        path, _ = QFileDialog.getOpenFileName(
            self.combo.window(),
            "Choose a COCO results file (image_id, category_id, bbox, score)",
            start,
            "COCO results (*.json);;All files (*)",
        )
        switched, self._switched = self._switched, False
        if not path:  # cancelled: the source chosen before; picked again, the file it had
            if switched or not self.path:
                self.combo.setCurrentIndex(max(0, self.combo.findData(self._before)))
            return
        self.path = str(Path(path))
        settings().setValue(RESULTS_SETTING, self.path)
        self._tip()

    def _tip(self) -> None:
        """The file in the item's tooltip: the item's text stays short (a 1280-px window)."""
        at = self.combo.findData(FILE_SOURCE)
        tip = self.path or "Choose a COCO results file of your own model: the list of its detections"
        self.combo.setItemData(at, tip, Qt.ItemDataRole.ToolTipRole)

    def chosen(self) -> str | None:
        """The file to read when the source is a results file, else None."""
        return self.path if self.combo.currentData() == FILE_SOURCE else None
