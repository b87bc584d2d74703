"""The window's workspace beyond ``saveState``: the default arrangement of the docks, View > Reset Layout
back to it from whatever was dragged, floated or closed, and the sort order of the Problems list and of the
review's Images table, kept between sessions (Qt's window state holds the docks and tool bars only).

A table's sort is kept by its column's title, not its number: a later version that adds or moves a column
sorts by the same column, and a title it no longer has leaves the table's own default order."""

from __future__ import annotations

import json
from collections.abc import Mapping

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QTableView

from pixelproof.ui.settings import json_value
from pixelproof.ui.shortcuts import make_action

# ``window`` below is the app's main window, given by it (features name no MainWindow: tests/test_layers.py):
# what is read of it beyond QMainWindow's own is its ``docks``, ``panels``, ``slices``, ``shell``,
# ``panels_menu`` and ``review``.
SORT_KEY = "tables/{}_sort"  # {"column": its title, "descending": bool}


def default_layout(window: QMainWindow) -> None:
    """The first run's arrangement: Images over Categories on the left, Annotations over the tabbed
    Properties / History / Model group on the right, Problems hidden until F6."""
    d = window.docks
    window.splitDockWidget(d["imagesDock"], d["categoriesDock"], Qt.Orientation.Vertical)
    window.splitDockWidget(d["annotationsDock"], d["propertiesDock"], Qt.Orientation.Vertical)
    window.tabifyDockWidget(d["propertiesDock"], d["historyDock"])
    window.tabifyDockWidget(d["propertiesDock"], d["modelDock"])
    d["propertiesDock"].raise_()
    d["problemsDock"].hide()  # Problems > Find Problems (F6) shows it
    images_width = max(300, window.panels["imagesDock"].preferred_width())
    window.resizeDocks(
        [d["imagesDock"], d["annotationsDock"]], [images_width, 320], Qt.Orientation.Horizontal
    )
    window.resizeDocks([d["imagesDock"], d["categoriesDock"]], [560, 300], Qt.Orientation.Vertical)
    right = [d[name] for name in ("annotationsDock", "propertiesDock", "guidelinesDock") if name in d]
    # the tabbed Properties / History / Model group gets the most height: the Model panel's form is the
    # tallest (on a 1366x768 screen it would otherwise get a third of the column)
    window.resizeDocks(right, [300, 520, 160][: len(right)], Qt.Orientation.Vertical)


def update_layout(window: QMainWindow) -> None:
    """A layout saved by an older version, where restoreState put it: what moved since moved once (the
    Slices bar to the main tool bar's row, from the end of the second row, where its readout went into the
    overflow menu at 1366 px), unless the user had taken it off the top rows."""
    bar, top = window.slices.toolbar, Qt.ToolBarArea.TopToolBarArea
    if window.toolBarArea(bar) == top and not bar.isFloating() and not window.toolBarBreak(bar):
        shown = not bar.isHidden()
        window.removeToolBar(bar)  # which hides it
        window.shell.add_toolbar(bar, first_row=True)
        bar.setVisible(shown)


def sort_of(table: QTableView) -> dict[str, object] | None:
    """``table``'s sort as kept: its column's title and the direction; None when it is not sorted."""
    header, model = table.horizontalHeader(), table.model()
    col = header.sortIndicatorSection()
    if model is None or not header.isSortIndicatorShown() or not 0 <= col < model.columnCount():
        return None
    title = model.headerData(col, Qt.Orientation.Horizontal)
    descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    return {"column": str(title), "descending": descending}


def sort_by(table: QTableView, kept: object) -> bool:
    """Sort ``table`` as ``kept`` (``sort_of``'s, read back) says; False, nothing changed, when it names no
    column the table has (a damaged setting, a column since removed)."""
    model = table.model()
    if not isinstance(kept, dict) or model is None or not isinstance(kept.get("descending"), bool):
        return False
    titles = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    if kept.get("column") not in titles:
        return False
    order = Qt.SortOrder.DescendingOrder if kept["descending"] else Qt.SortOrder.AscendingOrder
    table.sortByColumn(titles.index(kept["column"]), order)
    return True


class Workspace:
    """View > Reset Layout, and the kept sort of the window's sortable tables. Made once every dock and
    tool bar is in the window and before the saved layout is restored: the arrangement it then has (each
    dock docked and shown in its own area, each tool bar in its place) is the one a reset goes back to."""

    def __init__(self, window: QMainWindow, view_menu: QMenu) -> None:
        self.window = window
        self.pristine = window.saveState()
        self.act_reset: QAction = make_action("view.reset_layout", window, self.reset)
        view_menu.insertAction(window.panels_menu.menuAction(), self.act_reset)
        self.sorted: set[str] = set()  # tables the user sorted (a click on a title, or a kept sort)
        for name, table in self.tables().items():
            table.horizontalHeader().sectionClicked.connect(lambda _col, n=name: self.sorted.add(n))

    def tables(self) -> Mapping[str, QTableView]:
        """The sortable tables whose sort is kept, by the name of their setting."""
        w = self.window
        return {"problems": w.panels["problemsDock"].table, "review_images": w.review.view.images.image_table}

    def reset(self) -> None:
        """Every dock back in its first place and size, shown (Problems hidden), none floating; every tool
        bar back in its row and shown. From the review view, the labeling view comes back first (its docks
        are hidden there and would come back as they were)."""
        w = self.window
        w.shell.show_view(None)
        slices = not w.slices.toolbar.isHidden()  # the Slices bar follows the image: a volume's keeps it
        w.restoreState(self.pristine)
        w.slices.toolbar.setVisible(slices)
        default_layout(w)
        w.problems_height.sized = False  # Problems, shown again, gets its first height
        w.shell.status("Panels and tool bars are back in their first places", 4000)

    def restore(self, s: QSettings) -> None:
        for name, table in self.tables().items():
            if sort_by(table, json_value(s.value(SORT_KEY.format(name)))):
                self.sorted.add(name)
        if "review_images" in self.sorted:
            self.window.review.view.worst_first = False  # the user's sort, not worst Dice first, once scored

    def save(self, s: QSettings) -> None:
        """The sorts the user chose; a table left in its own order keeps no setting."""
        for name, table in self.tables().items():
            kept = sort_of(table) if name in self.sorted else None
            if kept is None:
                s.remove(SORT_KEY.format(name))
            else:
                s.setValue(SORT_KEY.format(name), json.dumps(kept))
