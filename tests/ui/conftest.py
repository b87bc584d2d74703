"""Fixtures for the GUI tests: isolated settings, a small project on disk, the real main window on it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pytest

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

pytest.importorskip("pytestqt")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own settings file (window layout, recent projects, last tool) and data folder
    (new projects' recovery files)."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "data"))
    return folder


@pytest.fixture(autouse=True)
def background_work_finished():  # type: ignore[no-untyped-def]
    """A test's loads and jobs end with the test: none may still run in the thread pool while its
    window is deleted during the next test's event processing."""
    yield
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(30000)


@pytest.fixture(autouse=True)
def no_menu_left_open():  # type: ignore[no-untyped-def]
    """A menu a failed check left open is closed: a popup takes the next test's mouse and keys."""
    yield
    from PySide6.QtWidgets import QApplication

    for _ in range(5):  # a submenu over its menu: one popup at a time
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.close()


def make_project(folder: Path, n_images: int = 3, size: tuple[int, int] = (240, 320)) -> Path:
    """A project over ``n_images`` gradient images (h x w) with categories cat (1) and dog (2)."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    project = new_project(["cat", "dog"])
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n_images):
        img = np.dstack([(xx * 255 // w), (yy * 255 // h), np.full_like(xx, 40 * i)]).astype(np.uint8)
        name = f"images/img{i}.png"
        cv2.imwrite(str(folder / name), img)
        project.add_image(ImageRecord(i + 1, name, w, h))
    path = folder / "project.json"
    save_project(project, path)
    return path


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def no_prompts(monkeypatch: pytest.MonkeyPatch) -> list:
    """QMessageBox questions answer Discard (and are recorded) so no test blocks on a dialog."""
    from PySide6.QtWidgets import QMessageBox

    asked: list = []

    def question(parent, title, text, *args, **kwargs):
        asked.append((title, text))
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """QMessageBox.critical records (title, text) instead of blocking."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def critical(parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    return shown


@pytest.fixture
def window(qtbot, project_file: Path, no_prompts):
    """The real main window, 1200x800, showing the first image of ``project_file`` (loaded)."""
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)  # window shortcuts (B, D, Ctrl+S) need the active window
    assert win.open_path(project_file)
    wait_loaded(qtbot, win)
    yield win
    if win.document is not None:
        win.document.undo_stack.setClean()
    win.close()


@pytest.fixture
def problems_window(qtbot, window):  # type: ignore[no-untyped-def]
    """``window`` for the Problems panel's tests: a lint run or model still going is stopped at the end."""
    yield window
    panel = window.panels["problemsDock"]
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
    window.panels["modelDock"].session.wait()


def open_main_window(qtbot, project: Path | None = None):  # type: ignore[no-untyped-def]
    """The real main window, 1200x800, shown and active; on ``project`` with its first image loaded."""
    from pixelproof.ui.app import create_app
    from pixelproof.ui.main_window import MainWindow

    create_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitActive(win)
    if project is not None:
        assert win.open_path(project)
        wait_loaded(qtbot, win)
    return win


def wait_loaded(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.canvas.image_item is not None and not win.canvas.is_loading, timeout=20000)


def click_button(button) -> None:  # type: ignore[no-untyped-def]
    """A user's left click on ``button``, which must be in sight and enabled (``button.click()`` emits
    ``clicked`` for a hidden or covered button too)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    assert button.isVisible() and button.isEnabled(), f"{button.text()!r} cannot be clicked"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def click_item(view, item) -> None:  # type: ignore[no-untyped-def]
    """A user's left click on ``item`` of a QTreeWidget or QListWidget, or on a ``ListRow`` of a QListView
    (scrolled into sight first)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    if isinstance(item, ListRow):
        view.scrollTo(item.index)
        pos = view.visualRect(item.index).center()
    else:
        view.scrollToItem(item)
        pos = view.visualItemRect(item).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


class ListRow:
    """Row ``row`` of a QListView (the Annotations panel's), read live from its model as a QListWidgetItem
    reads: its text, tooltip, icon, brush, id (UserRole) and whether it is selected. It follows its row
    through insertions and removals (a persistent index)."""

    def __init__(self, view, row: int) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QPersistentModelIndex

        self.view = view
        self.persistent = QPersistentModelIndex(view.model().index(row, 0))

    @property
    def index(self):  # type: ignore[no-untyped-def]
        return self.view.model().index(self.persistent.row(), 0)

    def data(self, role):  # type: ignore[no-untyped-def]
        return self.persistent.data(role)

    def text(self) -> str:
        from PySide6.QtCore import Qt

        return self.data(Qt.ItemDataRole.DisplayRole) or ""

    def toolTip(self) -> str:
        from PySide6.QtCore import Qt

        return self.data(Qt.ItemDataRole.ToolTipRole) or ""

    def icon(self):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt

        return self.data(Qt.ItemDataRole.DecorationRole)

    def foreground(self):  # type: ignore[no-untyped-def]
        """The row's text brush: its own, else the view's palette text (as a QListWidgetItem's paints)."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QBrush

        own = self.data(Qt.ItemDataRole.ForegroundRole)
        return QBrush(own) if own is not None else QBrush(self.view.palette().text())

    def row(self) -> int:
        return self.persistent.row()

    def isSelected(self) -> bool:
        return self.view.selectionModel().isSelected(self.index)


def list_rows(view) -> list[ListRow]:  # type: ignore[no-untyped-def]
    """Every row of a QListView, in order (``ListRow``)."""
    return [ListRow(view, r) for r in range(view.model().rowCount())]


def row_ids(view) -> list[int]:  # type: ignore[no-untyped-def]
    """The ids (UserRole) of a QListView's rows, in order."""
    from PySide6.QtCore import Qt

    model = view.model()
    return [model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(model.rowCount())]


def selected_ids(view) -> list[int]:  # type: ignore[no-untyped-def]
    """The ids (UserRole) of a QListView's selected rows, as its selection model holds them."""
    from PySide6.QtCore import Qt

    return [i.data(Qt.ItemDataRole.UserRole) for i in view.selectionModel().selectedIndexes()]


def header_option(table, col: int):  # type: ignore[no-untyped-def]
    """Column ``col``'s header section as the header paints it: its title (bold where the header highlights
    a selected row's sections), the sort arrow only when the table is sorted by it."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QStyleOptionHeader

    from pixelproof.ui.fitted_table import header_of

    header = header_of(table)
    opt = QStyleOptionHeader()
    opt.initFrom(header)
    own = table.model().headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole)
    font = QFont(own) if isinstance(own, QFont) else header.font()  # the section's own, as painted
    font.setBold(font.bold() or header.highlightSections())
    opt.fontMetrics = QFontMetrics(font)
    opt.orientation = Qt.Orientation.Horizontal
    opt.section = col
    opt.text = str(table.model().headerData(col, Qt.Orientation.Horizontal))
    opt.textAlignment = header.defaultAlignment()
    arrow = header.isSortIndicatorShown() and header.sortIndicatorSection() == col
    none, down = QStyleOptionHeader.SortIndicator.None_, QStyleOptionHeader.SortIndicator.SortDown
    opt.sortIndicator = down if arrow else none
    opt.rect = header.rect()
    opt.rect.setLeft(header.sectionViewportPosition(col))
    opt.rect.setWidth(header.sectionSize(col))
    return opt


def header_reads_whole(table, col: int) -> bool:  # type: ignore[no-untyped-def]
    """Column ``col``'s header title fits the room its style leaves for the label (beside the sort arrow
    in the column sorted by), so it is drawn uncut."""
    from PySide6.QtWidgets import QStyle

    from pixelproof.ui.fitted_table import header_of

    header = header_of(table)
    opt = header_option(table, col)
    label = header.style().subElementRect(QStyle.SubElement.SE_HeaderLabel, opt, header)
    return opt.fontMetrics.horizontalAdvance(opt.text) <= label.width()


def hover(win, p, view=None) -> None:  # type: ignore[no-untyped-def]
    """A mouse move with no button held, delivered to the viewport of ``view`` (the canvas by default;
    QTest.mouseMove without buttons goes through the platform cursor, whose offscreen mapping is not
    reliable)."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    vp = (view if view is not None else win.canvas).viewport()
    ev = QMouseEvent(QEvent.Type.MouseMove, QPointF(p), QPointF(vp.mapToGlobal(p)), Qt.MouseButton.NoButton,
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(vp, ev)


def render_at(win, ratio: float) -> QImage:
    """The canvas viewport painted as on a screen of ``ratio`` device pixels per screen pixel (a HiDPI
    screen, e.g. 2.0 for a 200 % laptop), whatever screen the tests run on."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    vp = win.canvas.viewport()
    img = QImage(round(vp.width() * ratio), round(vp.height() * ratio), QImage.Format.Format_ARGB32)
    img.setDevicePixelRatio(ratio)
    img.fill(0)
    p = QPainter(img)
    win.canvas.render(p, QRectF(0, 0, vp.width(), vp.height()), vp.rect())
    p.end()
    return img


def run_at_scale(scale: float, script: str, *args: str, screen: tuple[int, int] | None = None) -> str:
    """Run ``script`` (Python) in a fresh process whose Qt scales the screen by ``scale`` (QT_SCALE_FACTOR,
    as on a 150 / 200 % laptop; the tests' own QApplication cannot change its scale) and return its output.
    The script gets ``args`` in ``sys.argv[1:]``. ``screen``: the screen's size in device pixels (e.g.
    1366x768, which at 1.25 is a 1093x614 screen for the widgets), else the offscreen platform's 800x800."""
    import json
    import os
    import subprocess
    import sys
    import tempfile

    import pixelproof

    platform, path = "offscreen", ""
    if screen is not None:
        w, h = screen
        config = {"screens": [{"name": "laptop", "x": 0, "y": 0, "width": w, "height": h, "dpr": 1}]}
        fd, path = tempfile.mkstemp(suffix=".json", prefix="pixelproof-screen-")
        with os.fdopen(fd, "w") as out:
            json.dump(config, out)
        platform = f"offscreen:configfile={path}"
    env = dict(os.environ, QT_QPA_PLATFORM=platform, QT_SCALE_FACTOR=str(scale))
    here = str(Path(pixelproof.__file__).parents[1])  # the code under test, not another install
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        if path:
            os.unlink(path)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def tip_text(tip: str) -> str:
    """A tooltip as it reads on screen: rich text (a name from a file shown escaped, ``dialogs.as_text``)
    as its plain text, plain text as it is."""
    from PySide6.QtGui import Qt as GuiQt
    from PySide6.QtGui import QTextDocumentFragment

    return QTextDocumentFragment.fromHtml(tip).toPlainText() if GuiQt.mightBeRichText(tip) else tip


def settle(turns: int = 10) -> None:
    """Let chained zero-interval work finish (a column fit queued by a resize queued by a layout): turns of
    the event loop, not milliseconds: a ``qWait(50)`` on a loaded machine can spend its 50 ms in one turn."""
    from PySide6.QtWidgets import QApplication

    for _ in range(turns):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def jobs_ended() -> None:
    """Wait until the thread pool's jobs have ended, then deliver what they queued (results, repaints): to
    check that a cancelled or stale job changes nothing. A fixed ``qWait`` may end before the job does on
    a loaded machine, where the check then passes without checking anything (or the job lands later)."""
    from PySide6.QtCore import QThreadPool

    assert QThreadPool.globalInstance().waitForDone(30000), "a background job still runs after 30 s"
    settle()


def tooltip_of(qtbot, widget, pos, want: str = "") -> str:  # type: ignore[no-untyped-def]
    """Rest the pointer on ``widget`` at ``pos`` as a user does and return the tooltip Qt shows. Qt shows
    tooltips only in the active window, so the window is made active first (under a loaded parallel run a
    window can still be waiting to become active). The move goes through the platform (``QTest.mouseMove``):
    Qt starts its tooltip timer only for such spontaneous moves, not for a sent event as ``hover``'s."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QToolTip

    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    QTest.mouseMove(window, window.rect().bottomRight())  # from elsewhere: an Enter, then the rest
    QTest.mouseMove(widget, pos)

    def shown() -> bool:
        return QToolTip.isVisible() and want in QToolTip.text()

    try:
        qtbot.waitUntil(shown, timeout=10000)
    except qtbot.TimeoutError:  # Qt's hover timer did not fire (seen only in loaded parallel CI runs):
        # deliver what it sends, the help event at the pointer, so the widget's own tooltip is what shows
        QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, pos, widget.mapToGlobal(pos)))
        qtbot.waitUntil(shown, timeout=10000)
    return QToolTip.text()


@pytest.fixture
def open_on(qtbot, no_prompts):  # type: ignore[no-untyped-def]
    """Opens a project in the real main window, the canvas focused; closes the windows at the end."""
    wins = []

    def opener(path: Path):  # type: ignore[no-untyped-def]
        win = open_main_window(qtbot, path)
        wins.append(win)
        win.canvas.setFocus()
        return win

    yield opener
    for win in wins:
        if win.document is not None:
            win.document.undo_stack.setClean()
        win.close()
