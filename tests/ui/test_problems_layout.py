"""The Problems panel on a 1366x768 laptop screen: opened (F6) under the image, it took about two thirds of
the window's height from the canvas; now it opens at most ~30 % high with four rows of its list in sight,
and a height the user dragged it to is kept (also in the next window)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from tests.ui.conftest import open_main_window, settle

LEFT, NOMOD = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def laptop(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    win.resize(1366, 768)
    qtbot.waitUntil(lambda: win.height() == 768 and win.width() == 1366, timeout=10000)


def open_problems(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """F6 (Find Problems) over the canvas: it runs and shows the panel."""
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_F6)
    dock = win.docks["problemsDock"]
    qtbot.waitUntil(lambda: dock.isVisible() and not win.panels["problemsDock"].runner.running, timeout=10000)
    settle()  # the window sizes the dock once shown (``window_geometry.FirstHeight``, queued)


def rows_in_sight(win) -> float:  # type: ignore[no-untyped-def]
    table = win.panels["problemsDock"].table
    return table.viewport().height() / table.verticalHeader().defaultSectionSize()


def test_f6_at_1366x768_leaves_the_canvas_most_of_the_height(qtbot, problems_window) -> None:
    win = problems_window
    laptop(qtbot, win)
    open_problems(qtbot, win)
    dock = win.docks["problemsDock"]
    qtbot.waitUntil(lambda: dock.height() <= 0.31 * win.height(), timeout=10000)  # sized once laid out
    assert win.canvas.height() >= 0.55 * win.height(), (win.canvas.height(), dock.height())
    assert rows_in_sight(win) >= 4
    # closed and opened again in this window: the same height
    height = dock.height()
    dock.close()
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=10000)
    open_problems(qtbot, win)
    assert dock.height() == height


def separator_drag(qtbot, win, dy: int) -> None:  # type: ignore[no-untyped-def]
    """Drag the splitter between the canvas area and the Problems dock by ``dy`` pixels (real events on the
    main window, where QMainWindow handles its dock separators)."""
    dock = win.docks["problemsDock"]
    top = dock.mapTo(win, QPoint(dock.width() // 2, 0))
    central_bottom = win.centralWidget().mapTo(win, QPoint(0, win.centralWidget().height()))
    at = QPoint(top.x(), (top.y() + central_bottom.y()) // 2)
    QTest.mouseMove(win, at)  # over the separator first, as a hand gets there
    QTest.mousePress(win, LEFT, NOMOD, at)
    for step in range(1, 5):
        QTest.mouseMove(win, at + QPoint(0, dy * step // 4))
        QApplication.processEvents()  # the layout applies a separator move on its next pass
    QTest.mouseRelease(win, LEFT, NOMOD, at + QPoint(0, dy))


def test_a_height_the_user_dragged_is_kept_in_the_next_window(qtbot, problems_window, project_file) -> None:
    win = problems_window
    laptop(qtbot, win)
    open_problems(qtbot, win)
    dock = win.docks["problemsDock"]
    before = dock.height()
    separator_drag(qtbot, win, -120)  # taller: the user wants more of the list
    dragged = dock.height()
    assert dragged > before + 60 and dragged > 0.31 * win.height()
    dock.close()
    open_problems(qtbot, win)
    assert dock.height() == dragged  # shown again: not shrunk back to the default
    win.close()  # saves the layout
    again = open_main_window(qtbot, project_file)
    laptop(qtbot, again)
    try:
        open_problems(qtbot, again)
        assert abs(again.docks["problemsDock"].height() - dragged) <= 2
    finally:
        panel = again.panels["problemsDock"]
        panel.cancel()
        qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
        again.close()


def one_row(panel) -> bool:  # type: ignore[no-untyped-def]
    """The filters as the user sees them: "show dismissed" beside the kind filter, not under it."""
    kind, dismissed = (w.mapTo(panel, w.rect().center()) for w in (panel.kind_filter, panel.show_dismissed))
    return abs(kind.y() - dismissed.y()) < panel.show_dismissed.height() // 2


def cut_widgets(win, scrolls: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """The Problems panel's controls narrower than their minimum or reaching out of the dock's view (or its
    bottom out of the view, unless it ``scrolls``: a tall panel in a short side dock does)."""
    panel = win.panels["problemsDock"]
    view = win.docks["problemsDock"].widget().viewport()
    parts = (panel.source, panel.pictures, panel.kind_filter, panel.class_filter, panel.min_score)
    parts += (panel.show_dismissed, panel.rules_button, *panel.findChildren(QPushButton))
    cut = []
    for w in parts:
        if not w.isVisible():
            continue
        at = w.mapTo(view, QPoint())
        inside = at.x() >= 0 and at.x() + w.width() <= view.width()
        if w.width() < w.minimumSizeHint().width() or not inside:
            cut.append(f"{w.objectName() or w.text()}: {w.width()} px at x {at.x()} of {view.width()}")
    summary = panel.summary  # the line under the list: whole lines only, a cut text whole in its tooltip
    shown, fm = summary.shown_text(), summary.fontMetrics()
    room = summary.contentsRect()
    drawn = fm.boundingRect(room.adjusted(0, 0, 0, 1 << 20), Qt.TextFlag.TextWordWrap, shown).height()
    if drawn > room.height() or (shown != summary.text() and summary.toolTip() != summary.text()):
        cut.append(f"the summary: {drawn} px of lines in {room.height()} px; tooltip {summary.toolTip()!r}")
    if (
        panel.height() > view.height() and not scrolls
    ):  # the dock scrolls it: its bottom (the summary) out of sight
        cut.append(f"the panel: {panel.height()} px high in {view.height()}")
    return cut


def test_a_narrower_window_puts_the_filters_back_in_two_rows(qtbot, problems_window) -> None:
    """The filters in one row made the panel ~700 px wide at least: in a 1024-px window (or a narrower one)
    the panel stayed in one row and kept the window 1156 px wide at least, the side docks squeezed."""
    win = problems_window
    laptop(qtbot, win)
    open_problems(qtbot, win)
    panel = win.panels["problemsDock"]
    qtbot.waitUntil(lambda: one_row(panel), timeout=10000)  # 1366 px: one row, Rules… beside Compare pictures
    assert not cut_widgets(win)
    for width, height in ((1024, 768), (1000, 700)):
        win.resize(width, height)
        qtbot.waitUntil(lambda w=width, h=height: (win.width(), win.height()) == (w, h), timeout=10000)
        qtbot.waitUntil(lambda: not one_row(panel), timeout=10000)
        settle()
        assert not cut_widgets(win), cut_widgets(win)
        assert panel.arrangement.wide  # still beside the list: a wide dock under the image
    laptop(qtbot, win)  # and back: one row again
    qtbot.waitUntil(lambda: one_row(panel), timeout=10000)
    settle()
    assert not cut_widgets(win), cut_widgets(win)


def side_separator_drag(win, dx: int) -> None:  # type: ignore[no-untyped-def]
    """Drag the separator right of the left docks (the Images panel) by ``dx`` pixels with real events."""
    left = win.docks["imagesDock"]
    edge = left.mapTo(win, QPoint(left.width(), left.height() // 2))
    central = win.centralWidget().mapTo(win, QPoint())
    at = QPoint((edge.x() + central.x()) // 2, edge.y())
    QTest.mouseMove(win, at)
    QTest.mousePress(win, LEFT, NOMOD, at)
    for step in range(1, 5):
        QTest.mouseMove(win, at + QPoint(dx * step // 4, 0))
        QApplication.processEvents()
    QTest.mouseRelease(win, LEFT, NOMOD, at + QPoint(dx, 0))


def test_a_side_dock_dragged_wider_takes_the_room_and_the_filters_go_in_two_rows(
    qtbot, problems_window
) -> None:
    """Dragging the Images dock wider at 1366x768 stopped ~12 px further: the Problems panel in one row
    would not get narrower than ~700 px; it now goes back to two rows and the dock gets the room."""
    win = problems_window
    laptop(qtbot, win)
    open_problems(qtbot, win)
    panel = win.panels["problemsDock"]
    qtbot.waitUntil(lambda: one_row(panel), timeout=10000)
    left, right = win.docks["imagesDock"], win.docks["propertiesDock"]
    before, right_before = left.width(), right.width()
    side_separator_drag(win, 130)
    qtbot.waitUntil(lambda: not one_row(panel), timeout=10000)
    settle()
    assert left.width() >= before + 125, (before, left.width())
    assert right.width() == right_before
    assert not cut_widgets(win), cut_widgets(win)


def test_docked_at_a_side_the_panel_stacks_its_parts(qtbot, problems_window) -> None:
    """Moved to a side (right of the image, short among the docks there), the panel stayed wide and held the
    side ~540 px wide (~700 before in one row); narrowed, it now goes tall: controls, the list with its
    filters in two rows, then the details, nothing cut at the side dock's width (it scrolls down)."""
    win = problems_window
    laptop(qtbot, win)
    open_problems(qtbot, win)
    panel, dock = win.panels["problemsDock"], win.docks["problemsDock"]
    qtbot.waitUntil(lambda: one_row(panel), timeout=10000)
    win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)  # what dropping it there does
    win.resizeDocks([dock], [340], Qt.Orientation.Horizontal)  # as the separator's drag does
    qtbot.waitUntil(lambda: dock.width() == 340 and not one_row(panel), timeout=10000)
    settle()
    assert not panel.arrangement.wide and not panel.arrangement.side.isVisible()
    tops = [w.mapTo(panel, QPoint()).y() for w in (panel.head, panel.listing, panel.foot)]
    assert tops == sorted(tops)
    assert not cut_widgets(win, scrolls=True), cut_widgets(win, scrolls=True)
    win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)  # back under the image: wide again
    qtbot.waitUntil(lambda: panel.arrangement.wide, timeout=10000)
    settle()
    assert not cut_widgets(win, scrolls=True), cut_widgets(win, scrolls=True)
