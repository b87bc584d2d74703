"""Shell: what a feature of the window (the Masks menu, the review view, the Model panel, Import/Export)
may use of it — the open document, the canvas, menus, window-wide actions, tool bars, the status bar, the
central view — and nothing else. The main window makes one and hands it to each feature, so no feature
imports or reaches into ``MainWindow`` (the window only wires the parts together).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QLineEdit,
    QMainWindow,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QStatusBar,
    QTabBar,
    QToolBar,
    QWidget,
)

from pixelproof.core.message_log import MessageLog
from pixelproof.ui.shortcut_entry import VIEW_CONTEXT, WORKS_IN
from pixelproof.ui.status_message import MessageTime

if TYPE_CHECKING:
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.document import Document


class ViewStack(QStackedWidget):
    """The central views, sized by the one in sight: a hidden view (the review view's wide header) must
    not take the docks' room while the workbench shows (QStackedWidget asks every page)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(self.updateGeometry)

    def sizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()


def behind_a_tab(widget: QWidget | None) -> bool:
    """In a dock that another dock's tab covers: Qt keeps such a dock shown, but off-screen."""
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget is not None and widget.isVisible() and widget.visibleRegion().isEmpty()


class Shell(QObject):
    """The window's services for its features. ``documentChanged`` follows the open document; ``closing``
    fires when the window is asked to close (before it saves its layout; it may still refuse)."""

    documentChanged = Signal(object)  # Document or None
    closing = Signal()
    viewChanged = Signal(object)  # the central view now shown (the canvas or one given to add_view)
    readingFolderChanged = Signal(str)  # ``reading_folder``
    messageLogged = Signal(object)  # a core.message_log.Message ``status`` kept in ``messages``

    def __init__(
        self,
        window: QMainWindow,
        canvas: CanvasView,
        *,
        open_document: Callable[[Document], bool],
        choose_tool: Callable[[str], None],
        selected_image_ids: Callable[[], list[int]],
    ) -> None:
        super().__init__(window)
        self._window = window
        self.canvas = canvas
        self.document: Document | None = None
        self.reading_folder = ""  # a folder a new project is being read from in the background, else ''
        self.menus: list[QMenu] = []  # menu-bar order: what Help > Shortcuts lists
        self.messages = MessageLog()  # every status message of the session: View > Messages…
        self.message_time: MessageTime | None = None  # made with the status bar, at the first message
        self._open_document = open_document
        self.choose_tool = choose_tool
        self.selected_image_ids = selected_image_ids  # the Images panel's selection (several), else []
        self._views = ViewStack(window)
        self._views.setObjectName("viewStack")
        self._views.addWidget(canvas)
        self._contexts: dict[QWidget, str] = {canvas: "labeling"}  # the shortcut context of each view
        window.setProperty(VIEW_CONTEXT, "labeling")
        window.setCentralWidget(self._views)
        window.installEventFilter(self)

    @property
    def widget(self) -> QWidget:
        """The parent for dialogs and menus."""
        return self._window

    # -- document ----------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        """For the window: announce the document it now shows."""
        self.document = doc
        self._show_selection()
        self.documentChanged.emit(doc)

    def set_reading_folder(self, folder: str) -> None:
        """For the project files: a new project's folder is being read ('': no longer), so what shows no
        project meanwhile (the empty canvas) says that rather than how to open one."""
        self.reading_folder = folder
        self.readingFolderChanged.emit(folder)

    def open_document(self, doc: Document) -> bool:
        """Show a new document (an import) after the usual unsaved-changes question; False if refused."""
        return self._open_document(doc)

    # -- status, actions, menus, tool bars ---------------------------------------------------------
    def status(self, text: str, msecs: int = 4000, kind: str = "info", keep: bool = True) -> None:
        """``text`` on the status bar for ``msecs`` (0: until the next); one still cut by the readouts when
        they are up stays ``status_message.LONG_MS`` at least, whole in the bar's tooltip meanwhile. Every
        message is kept in ``messages`` with its ``kind`` (info, warning, error): View > Messages… lists
        them after the bar moved on, unless not ``keep`` (an undo's echo: a run of Ctrl+Z pushed an import's
        warnings out of the log). The window's one way to say something on its status bar."""
        if self.message_time is None:
            self.message_time = MessageTime(self.status_bar)
        self.message_time.show(text, msecs)
        if keep:
            self.log(text, kind)

    def log(self, text: str, kind: str = "info") -> None:
        """Keep ``text`` in View > Messages… without showing it on the bar: a report's lines (an import's
        skipped files), each too many or too long for it, found there after the report was closed."""
        message = self.messages.add(text, kind)
        if message is not None:
            self.messageLogged.emit(message)

    @property
    def status_bar(self) -> QStatusBar:
        return self._window.statusBar()

    def add_action(self, action: QAction) -> None:
        """Make ``action``'s shortcut work anywhere in the window (even with the menu bar hidden)."""
        self._window.addAction(action)

    def add_menu(self, menu: QMenu) -> None:
        """A top-level menu, placed before Help."""
        bar = self._window.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        bar.insertMenu(help_menu, menu) if help_menu is not None else bar.addMenu(menu)
        at = next((i for i, m in enumerate(self.menus) if m.title().replace("&", "") == "Help"), None)
        self.menus.insert(len(self.menus) if at is None else at, menu)

    def add_file_actions(self, actions: list[QAction]) -> None:
        """Actions in the File menu's own section just above Close Project (Import, Export)."""
        file_menu = next(m for m in self.menus if m.objectName() == "fileMenu")
        close = next(a for a in file_menu.actions() if a.objectName() == "closeProject")
        sep = file_menu.insertSeparator(close)
        file_menu.insertActions(sep, actions)

    def add_edit_actions(self, actions: list[QAction]) -> None:
        """Actions in the Edit menu just above Delete (Copy, Paste, Duplicate); ``ui.edit_menu`` sets the
        menu's sections once every part has added its items."""
        edit_menu = next(m for m in self.menus if m.title().replace("&", "") == "Edit")
        delete = next(a for a in edit_menu.actions() if a.property("shortcut_id") == "edit.delete")
        sep = edit_menu.insertSeparator(delete)
        edit_menu.insertActions(sep, actions)

    def add_toolbar(self, toolbar: QToolBar, new_row: bool = False, first_row: bool = False) -> None:
        """A tool bar at the end of the top rows (``new_row``: on a row of its own below), or with
        ``first_row`` at the end of the main tool bar's row, which has room at 1366 px."""
        w, top = self._window, Qt.ToolBarArea.TopToolBarArea
        bars = [b for b in w.findChildren(QToolBar) if w.toolBarArea(b) == top and not b.isFloating()]
        below = next((b for b in bars if w.toolBarBreak(b)), None)  # the first tool bar of row 2
        if first_row and below is not None:
            w.removeToolBarBreak(below)
            w.insertToolBar(below, toolbar)
            w.insertToolBarBreak(below)
            return
        if new_row:
            w.addToolBarBreak(top)
        w.addToolBar(top, toolbar)

    # -- the central view --------------------------------------------------------------------------
    def add_view(self, widget: QWidget, context: str) -> None:
        """Another central view beside the canvas (the review view), shown with ``show_view``; the keys of
        ``context`` (``ui.shortcuts``: "review", or "labeling" for a view of the labeling work) act while
        it is shown, the others' not."""
        self._views.addWidget(widget)
        self._contexts[widget] = context

    def show_view(self, widget: QWidget | None = None) -> None:
        """Show a view added with ``add_view``; None: back to the canvas."""
        shown = widget if widget is not None else self.canvas
        self._views.setCurrentWidget(shown)
        self._window.setProperty(VIEW_CONTEXT, self._contexts.get(shown, "window"))
        self._tab_stops_follow(self._contexts.get(shown, "window"))
        self._show_selection()
        self.viewChanged.emit(self._views.currentWidget())

    def _tab_stops_follow(self, context: str) -> None:
        """A control marked as working in one view (``WORKS_IN``: the main tool bar's Category box, for
        the labeling view) is no Tab stop while another is shown, and one again when its view is back:
        in the review view Tab stopped on a Category box that does nothing there."""
        for w in self._window.findChildren(QWidget):
            works_in = w.property(WORKS_IN)
            if works_in is None:
                continue
            if w.property("tab_policy") is None:  # its own policy, given back
                w.setProperty("tab_policy", w.focusPolicy())
            on = works_in == context or context == "window"
            w.setFocusPolicy(w.property("tab_policy") if on else Qt.FocusPolicy.NoFocus)

    def _show_selection(self) -> None:
        """The document's selection exists only while the canvas shows it (``Document.set_selection``)."""
        if self.document is not None:
            self.document.selection_shown = self.current_view() is self.canvas
            if not self.document.selection_shown:
                self.document.set_selection([])

    def current_view(self) -> QWidget:
        return self._views.currentWidget()

    def hide_side_parts(self) -> QByteArray:
        """Hide the docks and tool bars but the main one; returns the layout to give back later."""
        state = self._window.saveState()
        for w in self._window.findChildren(QDockWidget) + self._window.findChildren(QToolBar):
            if w.parent() is self._window and w.objectName() != "mainToolbar":
                w.hide()
        self._dock_tabs_take_focus(False)
        return state

    def restore_side_parts(self, state: QByteArray) -> None:
        self._window.restoreState(state)
        self._dock_tabs_take_focus(True)

    def _dock_tabs_take_focus(self, on: bool) -> None:
        """The tabs of stacked docks a Tab stop or not. With their docks hidden Qt moves the emptied bar off
        screen but keeps it shown (a hide is undone at the next layout): Tab stopped there, out of sight."""
        policy = Qt.FocusPolicy.TabFocus if on else Qt.FocusPolicy.NoFocus
        for bar in self._window.findChildren(QTabBar):
            if bar.parentWidget() is self._window:
                bar.setFocusPolicy(policy)

    def is_visible(self) -> bool:
        return self._window.isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.closing.emit()
        elif watched is self._window and isinstance(event, QKeyEvent) and self._hands_back(event):
            self.keys_back()
            return True
        return False

    def keys_back(self, *_: object) -> None:
        """The keys go back to the central view (the canvas, or the review view)."""
        self.current_view().setFocus(Qt.FocusReason.OtherFocusReason)

    def keys_back_after_choice(self, *combos: QComboBox) -> None:
        """A choice made in these drop-downs gives the keys back to the central view, as Enter in a field
        does: a labeler who picked a box's class in Properties with the mouse pressed Up to nudge the box,
        and the box's class changed back instead (the drop-down kept the keys)."""
        for combo in combos:
            combo.activated.connect(self.keys_back)

    def _hands_back(self, event: QKeyEvent) -> bool:
        """Esc, or Enter in a field, that a control of a dock or tool bar left unused (a drop-down's open list
        and a list's cell editor take Esc themselves): the keys go back to the central view. A labeler who
        typed a note or clicked a list otherwise typed the next D into the note, or moved the list's row with
        the arrows meant for the selected box."""
        if event.type() != QEvent.Type.KeyPress or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        focus = QApplication.focusWidget()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not isinstance(focus, QLineEdit | QAbstractSpinBox):  # a field (a spin box's own one too)
                return False
        elif event.key() != Qt.Key.Key_Escape:
            return False
        if isinstance(focus, QTabBar) and focus.parentWidget() is self._window:
            return (
                True  # the tabs of docks stacked in one place (Properties / History / Model): Tab stops there
            )
        part = focus
        while part is not None and not isinstance(part, QDockWidget | QToolBar):
            part = part.parentWidget()
        return part is not None and part.parentWidget() is self._window


class PanelScroll(QScrollArea):
    """Never narrower than its panel's minimum (plus a vertical scroll bar): it does not scroll
    sideways, so a narrower dock would cut the panel's right side off (the Model dock at 1366x768)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        panel = self.widget()
        if panel is None:
            return hint
        width = panel.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), width), hint.height())


def scrollable(panel: QWidget) -> QScrollArea:
    """A dock's content in a frameless scroll area: a tall panel (the Model dock's form) then scrolls
    instead of forcing the whole window taller than a 768-px laptop screen."""
    area = PanelScroll()
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own: Tab goes to the panel's controls
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
