"""The main window: wires the canvas, tools, panels, menus, toolbar and status bar to one Document.
Behaviour lives in the parts (canvas/, tools/, panels/, document.py, commands.py); this file connects them
and handles the file lifecycle (open, save, close, ask before losing changes)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QToolBar,
    QWidget,
)

from pixelproof import __version__
from pixelproof.core import edits
from pixelproof.core.coco import ProjectConflictError, ProjectFormatError, ProjectSaveError
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.lock import read_lock
from pixelproof.core.model import IMAGE_STATES, Project
from pixelproof.ui import dialogs
from pixelproof.ui.app import THEMES, settings, theme
from pixelproof.ui.canvas.view import ZOOM_STEP, CanvasView
from pixelproof.ui.document import Document
from pixelproof.ui.icons import icon, swatch
from pixelproof.ui.interop_dialogs import InteropActions
from pixelproof.ui.mask_actions import MaskActions
from pixelproof.ui.panels import PANEL_CLASSES, Panel
from pixelproof.ui.panels.images import STATUS_LABELS
from pixelproof.ui.review import ReviewMode
from pixelproof.ui.tools import TOOL_CLASSES, Tool
from pixelproof.ui.workers import Job

MAX_RECENT = 8
CURSOR_READOUT_S = 0.03  # status-bar cursor position/value: at most this often


class MainWindow(QMainWindow):
    documentChanged = Signal(object)  # Document or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("PixelProof")
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        self.document: Document | None = None
        self._folder_job: Job | None = None  # reading a folder of images (open_folder)
        self.canvas = CanvasView(self)
        self.setCentralWidget(self.canvas)
        self.tools: dict[str, Tool] = {cls.name: cls(self.canvas) for cls in TOOL_CLASSES}
        self.panels: dict[str, Panel] = {}
        self.docks: dict[str, QDockWidget] = {}
        for cls in PANEL_CLASSES:
            panel = cls(self)
            dock = QDockWidget(cls.title, self)
            dock.setObjectName(cls.object_name)
            dock.setWidget(_scrollable(panel))
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            )
            self.addDockWidget(cls.area, dock)
            self.panels[cls.object_name] = panel
            self.docks[cls.object_name] = dock
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

        self._make_actions()
        self._make_menus()
        self._make_toolbars()
        self._make_status_bar()
        self.mask_actions = MaskActions(self)  # Masks menu + mask tools / display toolbar (issue 4)
        self.panels["modelDock"].install(self)  # Model menu: M, pre-label all, accept / reject (issue 5)
        self.review = ReviewMode(self)  # review view (Ctrl+Tab) + Review menu (issue 6)
        self.interop = InteropActions(self)  # File > Import / Export (issue 7)
        self._cursor_shown_at = 0.0
        self._cursor_pending = None
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.timeout.connect(self._show_pending_cursor)
        self.canvas.cursorMoved.connect(self._show_cursor)
        self.canvas.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f}%"))
        self.canvas.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.canvas.windowChanged.connect(self._show_window)
        self.canvas.imageShown.connect(lambda _id: self._update_image_label())
        theme().changed.connect(self._refresh_icons)
        self._restore_settings()
        self._update_actions()

    # -- building --------------------------------------------------------------------------------
    def _action(
        self, text: str, slot, keys: str | list | QKeySequence.StandardKey | None = None, icon_name: str = "",
        tip: str = "", checkable: bool = False,
    ) -> QAction:  # fmt: skip
        act = QAction(text, self)
        if keys is not None:
            if isinstance(keys, list):
                act.setShortcuts([QKeySequence(k) for k in keys])
            else:
                act.setShortcut(QKeySequence(keys))
        if icon_name:
            act.setIcon(icon(icon_name))
            act.setProperty("icon_name", icon_name)
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        dialogs.action_tooltip(act, tip)
        self.addAction(act)  # shortcuts work even with the menu bar hidden
        return act

    def _make_actions(self) -> None:
        a = self._action
        self.act_open = a("&Open Project…", self.open_dialog, QKeySequence.StandardKey.Open, "open",
                          "Open a project file (.json)")  # fmt: skip
        self.act_open_folder = a("Open &Folder…", self.open_folder_dialog, "Ctrl+Shift+O", "folder",
                                 "Start a new project over a folder of images")  # fmt: skip
        self.act_save = a("&Save", self.save, QKeySequence.StandardKey.Save, "save", "Save the project")
        self.act_save_as = a("Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs, "", "")
        self.act_close = a("&Close Project", self.close_project, QKeySequence.StandardKey.Close)
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_undo = a("&Undo", self._undo, "Ctrl+Z", "undo")
        self.act_redo = a("&Redo", self._redo, ["Ctrl+Shift+Z", "Ctrl+Y"], "redo")
        self.act_delete = a("&Delete", self.delete_selection, ["Del", "Backspace"], "delete",
                            "Delete the selected objects")  # fmt: skip
        self.act_select_all = a("Select &All", self.select_all, QKeySequence.StandardKey.SelectAll)
        self.act_fit = a("&Fit Image", self.canvas.fit, "Ctrl+0", "zoom-fit", "Whole image in the window")
        self.act_zoom_in = a(
            "Zoom &In", lambda: self.canvas.zoom_by(ZOOM_STEP), ["Ctrl+=", "Ctrl++"], "zoom-in"
        )
        self.act_zoom_out = a("Zoom &Out", lambda: self.canvas.zoom_by(1 / ZOOM_STEP), "Ctrl+-", "zoom-out")
        self.act_zoom_1 = a("&Actual Pixels", lambda: self.canvas.set_zoom(1.0), "Ctrl+1", "")
        keep_tip = "D / A keep the zoom and position instead of fitting"
        self.act_keep_zoom = a("&Keep Zoom When Changing Image", self._set_keep_zoom, None, "", keep_tip,
                               checkable=True)  # fmt: skip
        self.act_labels = a("Show &Labels", self._set_show_labels, "L", "", "Category names on the canvas",
                            checkable=True)  # fmt: skip
        self.act_window = a("&Window / Level…", self.window_level_dialog, "Ctrl+L", "contrast",
                            "Display range for 16-bit and float images (or right-drag)")  # fmt: skip
        self.act_auto_window = a("A&uto Window / Level", self.canvas.auto_window, "Ctrl+Shift+L")
        self.act_next = a("&Next Image", lambda: self.step_image(1), "D", "next", "Go to the next image")
        self.act_prev = a("&Previous Image", lambda: self.step_image(-1), "A", "previous",
                          "Go to the previous image")  # fmt: skip
        self.act_shortcuts = a("&Shortcuts…", self.show_shortcuts, ["Ctrl+/", "F1"], "keyboard")
        self.act_about = a("&About PixelProof", self.about)

        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for name, tool in self.tools.items():
            act = a(tool.label, lambda _=False, n=name: self.choose_tool(n), tool.shortcut, tool.icon,
                    tool.tooltip, checkable=True)  # fmt: skip
            act.setObjectName(f"tool_{name}")
            self.tool_group.addAction(act)
            self.tool_actions[name] = act

        self.status_actions: dict[str, QAction] = {}
        for s in IMAGE_STATES:
            self.status_actions[s] = a(
                f"Mark as {STATUS_LABELS[s]}", lambda _=False, s=s: self.set_image_status(s)
            )
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for t in THEMES:
            label = t.capitalize() if t != "system" else "Follow System"
            act = a(label, lambda _=False, t=t: self.set_theme(t), checkable=True)
            self.theme_group.addAction(act)
            self.theme_actions[t] = act
        self.category_actions: list[QAction] = []

    def _make_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addActions([self.act_open, self.act_open_folder])
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addActions([self.act_close, self.act_quit])
        m = mb.addMenu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        m.addActions([self.act_delete, self.act_select_all])
        m.addSeparator()
        self.category_menu = m.addMenu("Set &Category")
        m = mb.addMenu("&View")
        m.addActions([self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_zoom_1])
        m.addSeparator()
        m.addActions([self.act_keep_zoom, self.act_labels])
        m.addSeparator()
        m.addActions([self.act_window, self.act_auto_window])
        m.addSeparator()
        theme_menu = m.addMenu("&Theme")
        theme_menu.addActions(list(self.theme_actions.values()))
        self.panels_menu = m.addMenu("&Panels")
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        m = mb.addMenu("&Tools")
        m.addActions(list(self.tool_actions.values()))
        m = mb.addMenu("&Image")
        m.addActions([self.act_next, self.act_prev])
        m.addSeparator()
        m.addActions(list(self.status_actions.values()))
        m.addSeparator()
        m.addAction("&Pixel Limit…", self.pixel_limit_dialog)
        m = mb.addMenu("&Help")
        m.addActions([self.act_shortcuts, self.act_about])
        self.menus = [a.menu() for a in mb.actions() if a.menu() is not None]

    def _make_toolbars(self) -> None:
        tb = QToolBar("Main toolbar", self)
        tb.setObjectName("mainToolbar")
        tb.setIconSize(QSize(22, 22))
        tb.setMovable(False)
        tb.addActions([self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addSeparator()
        tb.addActions(list(self.tool_actions.values()))
        tb.addAction(self.act_delete)
        tb.addSeparator()
        tb.addActions([self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_window])
        tb.addSeparator()
        tb.addActions([self.act_prev, self.act_next])
        tb.addSeparator()
        label = QLabel(" Category ")
        self.category_combo = QComboBox()
        self.category_combo.setMinimumContentsLength(12)
        self.category_combo.setToolTip("Category of new objects (keys 1-9 also set it for the selection)")
        self.category_combo.activated.connect(self._category_combo_chosen)
        tb.addWidget(label)
        tb.addWidget(self.category_combo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb
        self.panels_menu.addSeparator()
        self.panels_menu.addAction(tb.toggleViewAction())

    def _make_status_bar(self) -> None:
        sb = self.statusBar()
        self.pos_label = QLabel()
        self.value_label = QLabel()
        self.window_label = QLabel()
        self.zoom_label = QLabel()
        self.image_label = QLabel()
        self.pos_label.setMinimumWidth(110)
        self.value_label.setMinimumWidth(150)
        self.pos_label.setToolTip("Cursor position in image pixels (x, y)")
        self.value_label.setToolTip("Stored pixel value under the cursor (raw, before window/level)")
        self.window_label.setToolTip("Display window (black – white); right-drag or Ctrl+L to change")
        self.zoom_label.setToolTip("Zoom: screen pixels per image pixel")
        for w in (self.pos_label, self.value_label, self.window_label, self.zoom_label, self.image_label):
            sb.addPermanentWidget(w)

    def _refresh_icons(self, _dark: bool = False) -> None:
        for act in self.findChildren(QAction):
            name = act.property("icon_name")
            if name:
                act.setIcon(icon(name))
        for panel in self.panels.values():
            panel.refresh()

    # -- settings --------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = settings()
        geometry = s.value("window/geometry")
        state = s.value("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1600, 1000)
        restored = isinstance(state, QByteArray) and not state.isEmpty() and self.restoreState(state)
        if not restored:
            self._default_layout()
        self.act_keep_zoom.setChecked(s.value("view/keep_zoom", False, type=bool))
        self.act_labels.setChecked(s.value("view/show_labels", True, type=bool))
        self.canvas.keep_zoom = self.act_keep_zoom.isChecked()
        self.canvas.show_labels = self.act_labels.isChecked()
        self.theme_actions.get(theme().mode, self.theme_actions["system"]).setChecked(True)
        last = str(s.value("tools/last", "select"))
        self.choose_tool(last if last in self.tools else "select")

    def _default_layout(self) -> None:
        d = self.docks
        self.splitDockWidget(d["imagesDock"], d["categoriesDock"], Qt.Orientation.Vertical)
        self.splitDockWidget(d["annotationsDock"], d["propertiesDock"], Qt.Orientation.Vertical)
        self.tabifyDockWidget(d["propertiesDock"], d["historyDock"])
        self.tabifyDockWidget(d["propertiesDock"], d["modelDock"])
        d["propertiesDock"].raise_()
        self.resizeDocks([d["imagesDock"], d["annotationsDock"]], [300, 320], Qt.Orientation.Horizontal)
        self.resizeDocks([d["imagesDock"], d["categoriesDock"]], [560, 300], Qt.Orientation.Vertical)
        self.resizeDocks([d["annotationsDock"], d["propertiesDock"]], [430, 430], Qt.Orientation.Vertical)

    def _save_settings(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("view/keep_zoom", self.act_keep_zoom.isChecked())
        s.setValue("view/show_labels", self.act_labels.isChecked())
        s.setValue("theme", theme().mode)
        s.sync()

    def recent_projects(self) -> list[str]:
        value = settings().value("recent/projects", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def _add_recent(self, path: Path) -> None:
        p = str(path.resolve())
        recent = [p] + [r for r in self.recent_projects() if r != p]
        settings().setValue("recent/projects", recent[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_projects()
        for r in recent:
            act = self.recent_menu.addAction(Path(r).name)
            act.setToolTip(r)
            act.setStatusTip(r)
            act.triggered.connect(lambda _=False, r=r: self.open_path(Path(r)))
        if not recent:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", lambda: settings().setValue("recent/projects", []))

    # -- document --------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        """Show ``doc`` everywhere (None: nothing open). The previous document is dropped."""
        if doc is not None and self._folder_job is not None:
            self._folder_job.cancel()  # a folder being read is no longer wanted
            self._folder_job = None
        old = self.document
        if old is not None:
            old.close()
            for signal, slot in self._document_connections(old):
                signal.disconnect(slot)
        self.document = doc
        if doc is not None:
            doc.setParent(self)
            for signal, slot in self._document_connections(doc):
                signal.connect(slot)
        self.canvas.set_document(doc)
        for panel in self.panels.values():
            panel.set_document(doc)
        self._rebuild_category_actions()
        if doc is not None and doc.current_image_id == -1 and doc.project.images:
            last = settings().value(_last_image_key(doc), -1, type=int) if doc.path else -1
            doc.set_current_image(last if last in doc.project.images else doc.image_ids()[0])
        self._update_title()
        self._update_actions()
        self._update_image_label()
        self.documentChanged.emit(doc)
        if old is not None:
            old.deleteLater()

    def _document_connections(self, doc: Document) -> list:
        """The window's (signal, slot) pairs on a document: one list, so connect and disconnect match."""
        return [
            (doc.modifiedChanged, self._update_title),
            (doc.pathChanged, self._update_title),
            (doc.undo_stack.canUndoChanged, self._update_actions),
            (doc.undo_stack.canRedoChanged, self._update_actions),
            (doc.selectionChanged, self._update_actions),
            (doc.currentImageChanged, self._on_image_changed),
            (doc.categoriesChanged, self._rebuild_category_actions),
            (doc.currentCategoryChanged, self._fill_category_combo),
            (doc.autosaveFailed, self._autosave_failed),
        ]

    def _update_title(self, *_: object) -> None:
        doc = self.document
        if doc is None:
            self.setWindowTitle("PixelProof")
            self.setWindowModified(False)
            return
        self.setWindowTitle(f"{doc.display_name}[*] — PixelProof")
        self.setWindowModified(doc.is_modified())
        if doc.path is not None:
            self.setWindowFilePath(str(doc.path))

    def _update_actions(self, *_: object) -> None:
        doc = self.document
        has = doc is not None
        for act in (self.act_save, self.act_save_as, self.act_close, self.act_select_all, self.act_next,
                    self.act_prev, self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_zoom_1,
                    *self.status_actions.values()):  # fmt: skip
            act.setEnabled(has)
        self.act_undo.setEnabled(has and doc.undo_stack.canUndo())
        self.act_redo.setEnabled(has and doc.undo_stack.canRedo())
        self.act_undo.setText(f"&Undo {doc.undo_stack.undoText()}".strip() if has else "&Undo")
        self.act_redo.setText(f"&Redo {doc.undo_stack.redoText()}".strip() if has else "&Redo")
        self.act_delete.setEnabled(has and bool(doc.selection))
        loaded = self.canvas.loaded is not None
        self.act_window.setEnabled(loaded)
        self.act_auto_window.setEnabled(loaded)

    def _rebuild_category_actions(self) -> None:
        """Digit keys choose a category: for new objects, and for the selection (DESIGN.md §4)."""
        for act in self.category_actions:
            self.removeAction(act)
            act.deleteLater()
        self.category_actions = []
        self.category_menu.clear()
        doc = self.document
        if doc is None:
            return
        for n in range(1, 10):
            cat = doc.category_for_key(str(n))
            if cat is None:
                continue
            act = QAction(cat.name, self)
            act.setShortcut(QKeySequence(str(n)))
            act.triggered.connect(lambda _=False, cid=cat.id: self.choose_category(cid))
            self.addAction(act)
            self.category_menu.addAction(act)
            self.category_actions.append(act)
        self.category_menu.setEnabled(bool(self.category_actions))
        self._fill_category_combo()

    def _fill_category_combo(self, *_: object) -> None:
        combo = self.category_combo
        combo.blockSignals(True)
        combo.clear()
        doc = self.document
        if doc is not None:
            keys = {c.id: str(n) for n in range(9, 0, -1) if (c := doc.category_for_key(str(n)))}
            for cat in doc.project.categories.values():
                text = f"{cat.name}  ({keys[cat.id]})" if cat.id in keys else cat.name
                combo.addItem(swatch(cat.color or "#ff00ff"), text, cat.id)
            combo.setCurrentIndex(combo.findData(doc.current_category_id))
        combo.setEnabled(combo.count() > 0)
        combo.blockSignals(False)

    def _category_combo_chosen(self, index: int) -> None:
        if self.document is not None:
            self.document.set_current_category(self.category_combo.itemData(index))
            self.canvas.setFocus()

    def _on_image_changed(self, image_id: int) -> None:
        if self.document is not None and self.document.path is not None and image_id != -1:
            settings().setValue(_last_image_key(self.document), image_id)  # reopen where the user was
        self._update_image_label()
        self._update_actions()
        self.pos_label.clear()
        self.value_label.clear()
        self.window_label.clear()

    def _update_image_label(self) -> None:
        doc = self.document
        if doc is None or doc.current_image is None:
            self.image_label.setText("")
            return
        ids = doc.image_ids()
        rec = doc.current_image
        self.image_label.setText(
            f"{Path(rec.file_name).name} · {rec.width}×{rec.height} · {ids.index(rec.id) + 1} / {len(ids)}"
        )
        self._update_actions()

    # -- opening, saving, closing ----------------------------------------------------------------
    def open_path(self, path: Path) -> bool:
        """A project file or a folder of images (a new, unsaved project)."""
        return self.open_folder(path) if Path(path).is_dir() else self.open_project(path)

    def open_project(self, path: Path) -> bool:
        if not self.maybe_save():
            return False
        holder = read_lock(path)
        in_use = holder is not None and not (holder.is_me() or holder.is_stale())
        if in_use and not dialogs.ask_open_locked(self, Path(path).name, holder.describe()):
            return False
        try:
            doc = Document.open(path, ask_recover=lambda auto: dialogs.ask_recover(self, auto.name))
        except ProjectFormatError as e:
            dialogs.show_format_error(self, e)
            return False
        doc.hold_lock(Path(os.path.abspath(path)), force=True)
        self.set_document(doc)
        self._add_recent(Path(path))
        self.statusBar().showMessage(f"Opened {path}", 4000)
        return True

    def open_folder(self, folder: Path) -> bool:
        """A new, unsaved project over a folder of images. The current project is closed first (after the
        usual question); the image headers are read in a background job, progress in the status bar."""
        if not self.maybe_save():
            return False
        self.set_document(None)
        folder = Path(folder).resolve()
        skipped: list[str] = []

        def read(job: Job) -> Project:
            return project_from_folder(
                folder, folder / "project.json", on_skip=skipped.append, progress=job.step
            )

        job = self._folder_job = Job(read, self)
        job.progress.connect(
            lambda done, total: self.statusBar().showMessage(f"Reading {folder}: {done} / {total}")
        )
        job.finished.connect(lambda project: self._folder_read(job, folder, project, skipped))
        job.failed.connect(lambda reason: dialogs.show_error(self, "Could not open the folder", reason))
        job.start()
        return True

    def _folder_read(self, job: Job, folder: Path, project: Project, skipped: list[str]) -> None:
        if job is not self._folder_job or self.document is not None:
            return  # another project was opened meanwhile
        self._folder_job = None
        if not project.images:
            dialogs.show_error(self, "No images", f"{folder} holds no images this app can read.")
            return
        self.set_document(Document(project, untitled=True))  # project.path: where relative names point from
        note = f"; {len(skipped)} unreadable files skipped" if skipped else ""
        self.statusBar().showMessage(f"New project over {len(project.images)} images in {folder}{note}", 8000)

    def open_dialog(self) -> None:
        start = str(Path(self.recent_projects()[0]).parent) if self.recent_projects() else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open project", start, "Projects (*.json);;All files (*)")
        if path:
            self.open_project(Path(path))

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of images")
        if folder:
            self.open_folder(Path(folder))

    def save(self) -> bool:
        doc = self.document
        if doc is None:
            return False
        if doc.untitled:
            return self.save_as()
        return self._save_to(None)

    def save_as(self) -> bool:
        doc = self.document
        if doc is None:
            return False
        start = str(doc.project.path) if doc.project.path else "project.json"
        path, _ = QFileDialog.getSaveFileName(self, "Save project as", start, "Projects (*.json)")
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path | None, overwrite: bool = False) -> bool:
        doc = self.document
        try:
            target = doc.save(path, overwrite=overwrite)
        except ProjectConflictError as e:
            return self._resolve_conflict(e.path, path)
        except ProjectSaveError as e:
            dialogs.show_error(self, "Could not save", f"{e}\n\nThe project is still open with your changes.")
            return False
        self._add_recent(target)
        self.statusBar().showMessage(f"Saved {target}", 4000)
        self._update_title()
        return True

    def _resolve_conflict(self, on_disk: Path, path: Path | None) -> bool:
        """The file changed on disk since it was opened: Save as…, Reload (discard mine) or Overwrite."""
        choice = dialogs.ask_conflict(self, on_disk)
        if choice == "save_as":
            return self.save_as()
        if choice == "overwrite":
            return self._save_to(path, overwrite=True)
        if choice == "reload":
            doc = self.document
            doc.undo_stack.setClean()  # the user chose to discard these edits
            doc.discard_autosave()
            self.open_project(on_disk)
        return False

    def maybe_save(self) -> bool:
        """Ask before unsaved changes are lost; False means the user cancelled."""
        doc = self.document
        if doc is None or not doc.is_modified():
            return True
        answer = dialogs.ask_save_changes(self, doc.display_name)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            doc.discard_autosave()
            return True
        return False

    def close_project(self) -> bool:
        if not self.maybe_save():
            return False
        self.set_document(None)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self._save_settings()
        if self.document is not None:
            self.document.close()
        event.accept()

    def pixel_limit_dialog(self) -> None:
        """Image > Pixel Limit: the largest image decoded at once (core.limits), kept in the settings."""
        from pixelproof.core.limits import max_pixels, parse_pixel_count, set_max_pixels
        from pixelproof.ui.app import PIXEL_LIMIT_KEY

        text, ok = dialogs.ask_pixel_limit(self, f"{max_pixels():,}")
        if not ok:
            return
        try:
            value = parse_pixel_count(text) if text.strip() else None
        except ValueError as e:
            dialogs.show_error(self, "Pixel limit", str(e))
            return
        settings().setValue(PIXEL_LIMIT_KEY, "" if value is None else str(value))
        set_max_pixels(value)
        self.statusBar().showMessage(f"Images of up to {max_pixels():,} pixels are decoded at once", 6000)

    def _autosave_failed(self, reason: str) -> None:
        self.statusBar().showMessage(f"Autosave failed: {reason}", 10000)

    # -- editing ---------------------------------------------------------------------------------
    def choose_tool(self, name: str) -> None:
        self.canvas.set_tool(self.tools[name])
        self.tool_actions[name].setChecked(True)
        settings().setValue("tools/last", name)

    def choose_category(self, category_id: int) -> None:
        """Digit key: the category of new objects, and of the selected ones."""
        doc = self.document
        if doc is None:
            return
        doc.set_current_category(category_id)
        edit = edits.set_category(doc.project, doc.selection, category_id)
        if edit is not None:
            doc.push(edit)
        self.statusBar().showMessage(f"Category: {doc.project.categories[category_id].name}", 2500)

    def delete_selection(self) -> None:
        doc = self.document
        if doc is not None and doc.selection:
            doc.push(edits.RemoveAnnotations(doc.selection))

    def select_all(self) -> None:
        doc = self.document
        if doc is not None and doc.current_image_id != -1:
            doc.set_selection(a.id for a in doc.project.annotations_of(doc.current_image_id))

    def set_image_status(self, status: str) -> None:
        doc = self.document
        image_id = doc.current_image_id if doc is not None else -1
        if image_id != -1 and doc.project.image_status(image_id) != status:
            doc.push(edits.SetImageStatus(image_id, status))

    def _undo(self) -> None:
        if self.document is not None:
            self._cancel_gesture()
            self.document.undo_stack.undo()

    def _redo(self) -> None:
        if self.document is not None:
            self._cancel_gesture()
            self.document.undo_stack.redo()

    def _cancel_gesture(self) -> None:
        if self.canvas.tool is not None:
            self.canvas.tool.cancel()

    def step_image(self, step: int) -> None:
        doc = self.document
        if doc is not None and not doc.step_image(step):
            self.statusBar().showMessage("Last image" if step > 0 else "First image", 2000)

    # -- view ------------------------------------------------------------------------------------
    def _set_keep_zoom(self, on: bool) -> None:
        self.canvas.keep_zoom = on

    def _set_show_labels(self, on: bool) -> None:
        self.canvas.set_show_labels(on)

    def set_theme(self, mode: str) -> None:
        theme().apply(mode)
        settings().setValue("theme", mode)

    def window_level_dialog(self) -> None:
        if self.canvas.loaded is not None:
            dialogs.WindowLevelDialog(self.canvas, self).exec()

    def _show_cursor(self, pos) -> None:
        # At most one readout per 30 ms: relaying out and repainting the status bar on every mouse move
        # costs about as much as the brush's whole dirty-rect repaint (bench brush). A move after a pause
        # shows at once; during a fast drag the last position shows when the drag slows or stops.
        now = time.monotonic()
        if now - self._cursor_shown_at >= CURSOR_READOUT_S:
            self._cursor_shown_at = now
            self._cursor_timer.stop()
            self._show_cursor_now(pos)
            return
        self._cursor_pending = None if pos is None else QPointF(pos)
        if not self._cursor_timer.isActive():
            self._cursor_timer.start(max(1, int((CURSOR_READOUT_S - (now - self._cursor_shown_at)) * 1000)))

    def _show_pending_cursor(self) -> None:
        self._cursor_shown_at = time.monotonic()
        self._show_cursor_now(self._cursor_pending)

    def _show_cursor_now(self, pos) -> None:
        if pos is None:
            self.pos_label.setText("")
            self.value_label.setText("")
            return
        x, y = int(pos.x()), int(pos.y())
        self.pos_label.setText(f"x {x}, y {y}")
        value = self.canvas.pixel_value(x, y)
        self.value_label.setText(format_pixel(value) if value is not None else "")

    def _show_window(self, lo: float, hi: float) -> None:
        loaded = self.canvas.loaded
        if loaded is not None and loaded.needs_window:
            self.window_label.setText(f"W/L {lo:.6g} – {hi:.6g}")
        else:
            self.window_label.setText("")
        self._update_actions()

    def show_shortcuts(self) -> None:
        dialogs.ShortcutsDialog(dialogs.shortcut_rows(self.menus), self).exec()

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About PixelProof",
            f"<b>PixelProof {__version__}</b><p>Label images with boxes, polygons and masks, and review "
            "label quality against reference masks — offline.</p><p>Projects are COCO JSON files.</p>",
        )


def _last_image_key(doc: Document) -> str:
    digest = hashlib.sha1(str(Path(doc.project.path).resolve()).encode()).hexdigest()[:16]
    return f"last_image/{digest}"


def _scrollable(panel: QWidget) -> QScrollArea:
    """A dock's content in a frameless scroll area: a tall panel (the Model dock's form) then scrolls
    instead of forcing the whole window taller than a 768-px laptop screen."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def format_pixel(value: np.ndarray) -> str:
    """Status-bar text for a stored pixel: raw numbers, with the bit depth when it is not 8-bit."""
    v = np.asarray(value)
    depth = {np.dtype(np.uint16): " (16-bit)", np.dtype(np.int16): " (16-bit)", np.dtype(np.uint8): ""}
    suffix = depth.get(v.dtype, f" ({v.dtype.name})")

    def fmt(x: np.generic) -> str:
        return f"{float(x):.4g}" if np.issubdtype(v.dtype, np.floating) else str(int(x))

    if v.ndim == 0:
        return f"value {fmt(v)}{suffix}"
    names = "RGBA" if v.size in (3, 4) else "C" * v.size
    return " ".join(f"{n} {fmt(x)}" for n, x in zip(names, v, strict=False)) + suffix
