"""The Problems panel and the Images filter (README, "Filtering the Images list"): the filter's
``problems>0`` and ``problem:KIND`` terms read the panel's list as it stands (re-checked after edits,
dismissed problems left out, at the panel's lowest score), and the list's context menu puts the term for
the problems it lists into the Images filter (Filter Images to These), so D / A walk those images."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QMenu

from pixelproof.core.found_problems import FoundProblems

if TYPE_CHECKING:
    from pixelproof.ui.panels.images import ImagesPanel
    from pixelproof.ui.panels.problems import ProblemsPanel

FILTER_TEXT = "Filter Images to These"


class ProblemsImageFilter(QObject):
    """Gives the Images panel the problems the Problems panel holds (``found``), tells it when they change
    (once per event-loop turn: a re-check after an edit resets the list once per image), and adds the
    Problems list's context menu."""

    def __init__(self, problems: ProblemsPanel, images: ImagesPanel) -> None:
        super().__init__(problems)
        self._problems, self._images = problems, images
        self._found: FoundProblems | None = None
        self._stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(images.problems_changed)
        images.found_problems = self.found
        model = problems.model
        for signal in (model.modelReset, model.dataChanged, problems.min_score.valueChanged):
            signal.connect(self._changed)  # a run, a re-check, X or its undo, the lowest score listed
        table = problems.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)

    def found(self) -> FoundProblems | None:
        """The problems that count now, per image; None before a run on the document the Images panel shows
        (a closed project's run is no run of the next)."""
        panel = self._problems
        if panel.result is None or panel.document is None or panel.document is not self._images.document:
            return None
        if self._stale or self._found is None:
            model = panel.model
            self._found = FoundProblems(model.problems, model.dismissed, panel.min_score.value())
            self._stale = False
        return self._found

    def _changed(self, *_: object) -> None:
        self._stale = True
        self._timer.start()

    def term(self) -> str:
        """The Images filter's term for the problems the panel lists: of the kind chosen in its Kind filter,
        else of any kind (the class filter has no term: an Images ``class:`` is about objects)."""
        kind = self._problems.kind_filter.currentData()
        return f"problem:{kind}" if kind else "problems>0"

    def filter_images(self) -> None:
        """Filter Images to These: the term in the Images filter, the first image it lists shown unless the
        one shown is, and the keys back to the canvas, where D walks them."""
        if self.found() is None:
            return
        self._images.filter_to(self.term())
        shell = self._problems.shell
        if shell is not None:
            shell.keys_back()

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self._problems.table)
        act = menu.addAction(f"{FILTER_TEXT}: {self.term()}")
        act.setObjectName("filterImagesToProblems")
        act.setToolTip("List in the Images panel only the images with these problems; D / A walk them")
        act.setEnabled(self.found() is not None)
        act.triggered.connect(self.filter_images)
        menu.exec(self._problems.table.viewport().mapToGlobal(pos))
        menu.deleteLater()
