"""The Images dock's width follows its Split column: the column appears once an image of the project has a
split, and the dock had been sized (``window_state.default_layout``, ``ImagesPanel.preferred_width``) for
Image, Status and Objects alone, so the split took its room from the file names (a 1366 px window's names
lost a sixth of theirs). A dock at the width it was given grows by the column when it shows and gives it
back when it hides; a width the user dragged is theirs and stays, and the canvas keeps ``MIN_CANVAS``
(a 1024 px window has no room to give: the names give way there, as they do to the Problems panel)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

LEAST_DOCK = 300  # px: the default layout's least Images dock width (``window_state.default_layout``)
MIN_CANVAS = 600  # px the canvas keeps when the dock grows
SLACK = 4  # px: a dock this near the width it was given is taken as untouched


class DockFollowsPanel(QObject):
    """Resize ``dock`` (in ``window``) from the panel's width for its columns ``before`` to ``after``
    (``ImagesPanel.widthWanted``), once the window has laid the change out."""

    def __init__(self, window: QMainWindow, panel: QWidget) -> None:
        super().__init__(panel)
        self.window, self.panel = window, panel

    def dock(self) -> QDockWidget | None:
        widget = self.panel.parentWidget()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        return widget

    def wanted(self, before: int, after: int) -> None:
        QTimer.singleShot(0, lambda: self._apply(before, after))

    def _apply(self, before: int, after: int) -> None:
        dock, window = self.dock(), self.window
        sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        if (
            dock is None
            or dock.isFloating()
            or not dock.isVisible()
            or window.dockWidgetArea(dock) not in sides
        ):
            return
        if abs(dock.width() - max(LEAST_DOCK, before)) > SLACK:
            return  # a width the user chose (or an older layout's): theirs
        want = max(LEAST_DOCK, after)
        central = window.centralWidget()
        if (
            want > dock.width()
            and central is not None
            and central.width() - (want - dock.width()) < MIN_CANVAS
        ):
            return
        window.resizeDocks([dock], [want], Qt.Orientation.Horizontal)
