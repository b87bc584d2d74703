"""The main window: wires the canvas, tools, panels, menus, toolbar and status bar to one Document.

Behaviour lives in the parts — canvas/, tools/, panels/, document.py, project_files.py (open, save, close),
status_readout.py, and the features (masks_menu, review, interop_dialogs, image_list_actions, the Model
panel), which get the window's ``Shell`` rather than the window. Keys come from ``ui.shortcuts``. Only the
app entry imports this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QToolBar,
    QWidget,
)

from pixelproof.core import edits
from pixelproof.core.model import IMAGE_STATES
from pixelproof.core.wording import plural
from pixelproof.ui import dialogs
from pixelproof.ui.canvas.aspect import aspect_action
from pixelproof.ui.canvas.guide_lines import guides_action
from pixelproof.ui.canvas.image_view import ZOOM_STEP
from pixelproof.ui.canvas.overview import overview_action
from pixelproof.ui.canvas.view import CanvasView
from pixelproof.ui.category_chooser import CategoryChooser
from pixelproof.ui.channels_menu import ChannelsMenu
from pixelproof.ui.clipboard_actions import ClipboardActions
from pixelproof.ui.demo_action import DemoAction
from pixelproof.ui.document import Document
from pixelproof.ui.edit_menu import arrange_edit_menu
from pixelproof.ui.icons import TOOLBAR_SIZE, icon
from pixelproof.ui.image_list_actions import ImageListActions
from pixelproof.ui.interop_dialogs import InteropActions
from pixelproof.ui.masks_menu import MasksMenu
from pixelproof.ui.menu_text import with_mnemonics
from pixelproof.ui.messages_window import MessagesActions
from pixelproof.ui.object_steps import ObjectSteps
from pixelproof.ui.panel_actions import fill_panels_menu
from pixelproof.ui.panels import PANEL_CLASSES, Panel
from pixelproof.ui.panels.problems.image_filter import ProblemsImageFilter
from pixelproof.ui.project_files import ProjectFiles
from pixelproof.ui.review import ReviewMode
from pixelproof.ui.settings import number_value, settings
from pixelproof.ui.shell import Shell, behind_a_tab, scrollable
from pixelproof.ui.shortcuts import REGISTRY, describe, make_action, plain
from pixelproof.ui.slices import SliceActions
from pixelproof.ui.status_message import MessageBar
from pixelproof.ui.status_readout import StatusReadout
from pixelproof.ui.tag_actions import save_tag_actions, tag_actions
from pixelproof.ui.teams import TeamsActions
from pixelproof.ui.theme import THEMES, theme
from pixelproof.ui.tool_actions import ToolActions
from pixelproof.ui.tools import TOOL_CLASSES, Tool
from pixelproof.ui.video_add_actions import AddVideoFrames
from pixelproof.ui.video_frames_actions import VideoFramesActions
from pixelproof.ui.window_geometry import PROBLEMS_SIZED, FirstHeight, place_window
from pixelproof.ui.window_state import Workspace, default_layout, update_layout


class MainWindow(QMainWindow):
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
        self.canvas = CanvasView(self)
        self.setStatusBar(MessageBar())  # a message too long for it cut after a whole word, with …
        self.canvas.listed_images = lambda: self.panels["imagesDock"].listed_image_ids()  # D / A's list
        self.shell = Shell(
            self,
            self.canvas,
            open_document=lambda doc: self.files.open_document(doc),
            choose_tool=self.choose_tool,
            selected_image_ids=lambda: self.panels["imagesDock"].selected_image_ids(),
        )
        self.menus = self.shell.menus
        self.files = ProjectFiles(self.shell, self.set_document)
        self.video_frames = VideoFramesActions(self.shell, self.files.open_folder, self.files.maybe_save)
        self.open_path = self.files.open_path  # what the app entry, the recent menu and tests call
        self.open_project = self.files.open_project
        self.close_project = self.files.close_project
        self.maybe_save = self.files.maybe_save
        self.recent_projects = self.files.recent_projects
        files = self.files  # its actions, under the names the window always had
        self.act_open, self.act_open_folder = files.act_open, files.act_open_folder
        self.act_save, self.act_save_as, self.act_close = files.act_save, files.act_save_as, files.act_close
        self.tools: dict[str, Tool] = {cls.name: cls(self.canvas) for cls in TOOL_CLASSES}
        self._make_docks()
        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self.readout = StatusReadout(self.statusBar(), self.shell)
        self.pos_label, self.value_label = self.readout.pos_label, self.readout.value_label
        self.window_label = self.readout.window_label
        # the features get the shell, never the window
        self.masks_menu = MasksMenu(self.shell)  # Masks menu + mask tools / display toolbar
        for panel in self.panels.values():
            panel.install(self.shell)  # e.g. the Model menu: M, pre-label all, accept / reject
            panel.refresh()  # a first start shows what Close Project leaves, not the empty widgets as built
        self.review = ReviewMode(self.shell)  # review view (Ctrl+Tab) + Review menu
        for pane in self.review.view.panes:
            self.readout.watch(pane)  # the cursor's pixel over the review panes, as over the canvas
        self.clipboard = ClipboardActions(self.shell)  # Edit > Copy, Paste, Duplicate
        self.object_steps = ObjectSteps(self.shell)  # S / Shift+S step objects, Z zooms to them
        self.image_list = ImageListActions(self.shell)  # File > Add Images, Locate Missing Images
        self.add_video = AddVideoFrames(self.shell, self.image_list)  # File > Add Video Frames
        self.interop = InteropActions(self.shell)  # File > Import / Export
        self.files.run_import = self.interop.run_import  # a LabelMe folder opened as a folder: its labels
        self.teams = TeamsActions(self.shell)  # File > Split / Merge, Review > Annotators Side by Side
        self.teams.view.paneAdded.connect(self.readout.watch)  # its panes' cursor, zoom and window too
        self.slices = SliceActions(self.shell)  # Volume menu (PgUp / PgDn, window presets), Slices bar
        self.messages = MessagesActions(self.shell)  # View > Messages…: the status messages, kept
        self.demo = DemoAction(self.shell, self.files.open_project)  # Help > Open Demo Project
        arrange_edit_menu(self.edit_menu)  # the parts' Edit items in sections, once all are in
        self.canvas.message.connect(lambda m: self.shell.status(m, 6000))
        self.canvas.imageFailed.connect(lambda m: self.shell.status(m, 6000, "warning"))  # not shown: why
        self.canvas.hugeImage.connect(self._ask_huge_image)
        self.canvas.windowChanged.connect(self._update_actions)
        self.canvas.imageShown.connect(self._update_actions)
        theme().changed.connect(self._refresh_icons)
        self.workspace = Workspace(self, self.panels_menu.parent())  # View > Reset Layout: caught first
        self._restore_settings()
        self._update_actions()

    # -- building --------------------------------------------------------------------------------
    def _make_docks(self) -> None:
        self.panels: dict[str, Panel] = {}
        self.docks: dict[str, QDockWidget] = {}
        for cls in PANEL_CLASSES:
            panel = cls()
            dock = QDockWidget(cls.title, self)
            dock.setObjectName(cls.object_name)
            dock.setWidget(scrollable(panel))
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            )
            self.addDockWidget(cls.area, dock)
            self.panels[cls.object_name] = panel
            self.docks[cls.object_name] = dock
        self.panels["imagesDock"].listedChanged.connect(self.canvas.read_ahead)  # a new filter's next image
        # the Images filter's problems>0 reads the Problems panel's list; its Filter Images to These
        self.problem_terms = ProblemsImageFilter(self.panels["problemsDock"], self.panels["imagesDock"])
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

    def _action(self, id: str, slot, icon_name: str = "", tip: str = "", checkable: bool = False) -> QAction:  # type: ignore[no-untyped-def]
        act = make_action(id, self, slot, tip=tip, checkable=checkable)
        _set_icon(act, icon_name)
        self.addAction(act)  # shortcuts work even with the menu bar hidden
        return act

    def _make_actions(self) -> None:
        a, files = self._action, self.files
        for act, name in (
            (files.act_open, "open"),
            (files.act_open_folder, "folder"),
            (files.act_save, "save"),
        ):
            _set_icon(act, name)
        self.addActions([files.act_open, files.act_open_folder, files.act_save])
        self.addActions([files.act_save_as, files.act_close])
        self.act_quit = a("file.quit", self.close)
        self.act_undo = a("edit.undo", self._undo, "undo")
        self.act_redo = a("edit.redo", self._redo, "redo")
        self.act_delete = a("edit.delete", self.delete_selection, "delete", "Delete the selected objects")
        self.act_select_all = a("edit.select_all", self.select_all)
        self.act_fit = a("view.fit", self.canvas.fit, "zoom-fit", "Whole image in the window")
        self.act_fill = a("view.fill", self.canvas.fill, tip="A line scan's height across the window")
        self.act_zoom_in = a("view.zoom_in", lambda: self.canvas.zoom_by_key(ZOOM_STEP), "zoom-in")
        self.act_zoom_out = a("view.zoom_out", lambda: self.canvas.zoom_by_key(1 / ZOOM_STEP), "zoom-out")
        self.act_zoom_1 = a("view.actual_pixels", lambda: self.canvas.set_zoom(1.0))
        keep_tip = "D / A keep the zoom and position instead of fitting"
        self.act_keep_zoom = a("view.keep_zoom", self._set_keep_zoom, tip=keep_tip, checkable=True)
        self.act_aspect = aspect_action(a)  # app-wide: every window's canvas and review panes
        self.act_overview = overview_action(a, self.canvas.overview)  # the navigator over the canvas
        self.act_guides = guides_action(a, self.canvas)  # the box tool's lines (Shift+B)
        self.act_labels, self.act_labels_selected = tag_actions(a, self.canvas, settings())  # L, Shift+L
        shown_tip = "Off: no annotation drawn, to see the image under them (drawing shows them again)"
        self.act_show_annotations = a("view.annotations", self.canvas.set_show_annotations, tip=shown_tip,
                                      checkable=True)  # fmt: skip
        self.act_show_annotations.setChecked(True)
        self.act_show_annotations.setStatusTip(shown_tip)
        self.canvas.annotationsShown.connect(self.act_show_annotations.setChecked)  # drawing showed them
        self.act_window = a("view.window_level", self.window_level_dialog, "contrast",
                            "Display range for 16-bit and float images (or right-drag)")  # fmt: skip
        self.act_auto_window = a("view.auto_window", self.canvas.auto_window)
        review = " in the Images list, as its filter shows it (in the review view: the %s in its table)"
        self.act_next = a("image.next", lambda: self.step_image(1), "next",
                          "Go to the next image" + review % "next row")  # fmt: skip
        self.act_prev = a("image.previous", lambda: self.step_image(-1), "previous",
                          "Go to the previous image" + review % "row above")  # fmt: skip
        self.act_pixel_limit = a("image.pixel_limit", self.pixel_limit_dialog)
        self.act_shortcuts = a("help.shortcuts", self.show_shortcuts, "keyboard")
        self.act_about = a("help.about", self.about)
        tools = self.tool_buttons = ToolActions(
            self.shell, self.tools, a, self.choose_tool
        )  # off: no project
        self.tool_group, self.tool_actions = tools.group, tools.actions
        self.status_actions = {
            s: a(f"image.{s}", lambda _=False, s=s: self.set_image_status(s)) for s in IMAGE_STATES
        }
        self.act_done_next = a(
            "image.done_next", self.done_and_next, "next", "Mark this image done and go to the next one"
        )
        self.act_next_unfinished = a(
            "image.next_unfinished",
            self.next_unfinished,
            tip="Go to the next image not marked done or reviewed",
        )
        self.act_preferences = a("edit.preferences", self.preferences)
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        names = [t.capitalize() if t != "system" else "Follow System" for t in THEMES]
        for t, text in zip(THEMES, with_mnemonics(names), strict=True):
            act = QAction(text, self, checkable=True)
            act.triggered.connect(lambda _=False, t=t: self.set_theme(t))
            self.theme_group.addAction(act)
            self.theme_actions[t] = act

    def _make_menus(self) -> None:
        mb, files = self.menuBar(), self.files
        m = mb.addMenu("&File")
        m.setObjectName("fileMenu")
        m.addActions([files.act_open_folder, self.video_frames.act_from_video, files.act_open])
        m.addMenu(files.recent_menu)
        m.addSeparator()
        m.addActions([files.act_save, files.act_save_as])
        m.addSeparator()
        m.addActions([files.act_close, self.act_quit])
        m = self.edit_menu = mb.addMenu("&Edit")  # its order and sections: ``arrange_edit_menu``
        m.addActions([self.act_undo, self.act_redo, self.act_delete, self.act_select_all])
        self.category_menu = m.addMenu("Set &Category")
        m.addAction(self.act_preferences)
        m = mb.addMenu("&View")
        m.addActions([self.act_fit, self.act_fill, self.act_zoom_in, self.act_zoom_out, self.act_zoom_1])
        m.addSeparator()
        m.addActions([self.act_keep_zoom, self.act_aspect, self.act_overview])
        m.addSeparator()  # what is drawn over the image (Hide Selected Objects... follow: ObjectVisibility)
        m.addActions([self.act_guides, self.act_labels, self.act_labels_selected, self.act_show_annotations])
        m.addSeparator()
        m.addActions([self.act_window, self.act_auto_window])
        m.addSeparator()
        m.addMenu("&Theme").addActions(list(self.theme_actions.values()))
        self.panels_menu = m.addMenu("&Panels")  # the docks' items: ``fill_panels_menu``
        mb.addMenu("&Tools").addActions(list(self.tool_actions.values()))
        m = mb.addMenu("&Image")
        m.addActions([self.act_next, self.act_prev])
        m.addSeparator()
        m.addActions([self.act_done_next, self.act_next_unfinished])
        m.addActions(list(self.status_actions.values()))
        m.addSeparator()
        m.addAction(self.act_pixel_limit)
        m.addSeparator()
        self.channels_menu = ChannelsMenu(self.shell, m)  # a multichannel image's channels
        mb.addMenu("&Help").addActions([self.act_shortcuts, self.act_about])
        self.menus[:] = [a.menu() for a in mb.actions() if a.menu() is not None]

    def _make_toolbar(self) -> None:
        tb = QToolBar("Main toolbar", self)
        tb.setObjectName("mainToolbar")
        tb.setIconSize(QSize(TOOLBAR_SIZE, TOOLBAR_SIZE))
        tb.setMovable(False)
        tb.addActions([self.files.act_open_folder, self.files.act_open, self.files.act_save])
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
        self.categories = CategoryChooser(self.shell, self.category_menu, tb)  # digit keys, Category box
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb
        fill_panels_menu(self.panels_menu, self.docks, tb)  # View > Panels, keyed from the registry

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
        place_window(self, geometry)  # the saved geometry if it fits a screen now, else the screen's size
        restored = isinstance(state, QByteArray) and not state.isEmpty() and self.restoreState(state)
        sized = restored and s.value(PROBLEMS_SIZED, False, type=bool)  # older layouts: sized once
        self.problems_height = FirstHeight(self, self.docks["problemsDock"], sized)
        if not restored:
            default_layout(self)
        elif number_value(s.value("window/layout"), 1, 0, 2**31) < LAYOUT:
            update_layout(self)
        self.workspace.restore(s)  # the tables' sorts
        self.act_keep_zoom.setChecked(s.value("view/keep_zoom", False, type=bool))
        self.canvas.keep_zoom = self.act_keep_zoom.isChecked()
        self.masks_menu.restore_settings(s)  # fill opacity, Outline only
        self.review.view.splitter.restore_settings(s)
        self.theme_actions.get(theme().mode, self.theme_actions["system"]).setChecked(True)
        last = str(s.value("tools/last", "select"))
        self.choose_tool(last if last in self.tools else "select")

    def save_settings(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/layout", LAYOUT)
        s.setValue(PROBLEMS_SIZED, self.problems_height.sized)
        self.workspace.save(s)
        s.setValue("view/keep_zoom", self.act_keep_zoom.isChecked())
        save_tag_actions(s, self.act_labels, self.act_labels_selected)
        self.masks_menu.save_settings(s)
        self.review.view.splitter.save_settings(s)
        s.setValue("theme", theme().mode)
        s.sync()

    # -- document --------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        """Show ``doc`` everywhere (None: nothing open). The previous document is dropped."""
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
        self.shell.document = doc  # the features read it while the document is being shown
        if doc is not None and doc.current_image_id == -1 and doc.project.images:
            last = number_value(settings().value(_last_image_key(doc)), -1, -1, 2**63) if doc.path else -1
            doc.set_current_image(last if last in doc.project.images else doc.image_ids()[0])
        self._update_title()
        self._update_actions()
        self.readout.show_image()
        self.shell.set_document(doc)
        if old is not None:
            old.deleteLater()

    def _document_connections(self, doc: Document) -> list:
        """The window's (signal, slot) pairs on a document: one list, so connect and disconnect match."""
        return [
            (doc.modifiedChanged, self._update_title),
            (doc.pathChanged, self._update_title),
            (doc.pathChanged, self._remember_image),
            (doc.undo_stack.canUndoChanged, self._update_actions),
            (doc.undo_stack.canRedoChanged, self._update_actions),
            (doc.selectionChanged, self._update_actions),
            (doc.currentImageChanged, self._on_image_changed),
            (doc.autosaveFailed, self._autosave_failed),
        ]

    def _autosave_failed(self, reason: str) -> None:
        self.shell.status(f"Autosave failed: {reason}", 10000, "warning")

    def _update_title(self, *_: object) -> None:
        doc = self.document
        if doc is None:
            self.setWindowTitle("PixelProof")
            self.setWindowModified(False)
            return
        self.setWindowTitle(f"{doc.title_name}[*] — PixelProof")
        self.setWindowModified(doc.is_modified())
        if doc.path is not None:
            self.setWindowFilePath(str(doc.path))

    def _update_actions(self, *_: object) -> None:
        doc = self.document
        has = doc is not None
        files = self.files
        for act in (files.act_save, files.act_save_as, files.act_close, self.act_select_all, self.act_next,
                    self.act_prev, self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_zoom_1,
                    self.act_done_next, self.act_next_unfinished, *self.status_actions.values()):  # fmt: skip
            act.setEnabled(has)
        self.act_undo.setEnabled(has and doc.undo_stack.canUndo())
        self.act_redo.setEnabled(has and doc.undo_stack.canRedo())
        self.act_undo.setText(f"&Undo {plain(doc.undo_stack.undoText())}".strip() if has else "&Undo")
        self.act_redo.setText(f"&Redo {plain(doc.undo_stack.redoText())}".strip() if has else "&Redo")
        self.act_delete.setEnabled(has and bool(doc.selection))
        loaded = self.canvas.loaded is not None
        self.act_window.setEnabled(loaded)
        self.act_auto_window.setEnabled(loaded)

    def _remember_image(self, *_: object) -> None:
        """Kept on each image change once the project has a file, and when it gets one (its first save)."""
        doc = self.document
        if doc is not None and doc.path is not None and doc.current_image_id != -1:
            settings().setValue(_last_image_key(doc), doc.current_image_id)

    def _on_image_changed(self, image_id: int) -> None:
        self._remember_image()
        self.readout.show_image()
        self.readout.clear_pixel()
        self._update_actions()

    def focusNextPrevChild(self, forward: bool) -> bool:
        """Tab passes over the docks behind another dock's tab: the focus must not go where no one sees it."""
        for _ in range(1000):
            if not super().focusNextPrevChild(forward):
                return False
            if not behind_a_tab(QApplication.focusWidget()):
                return True
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.save_settings()
        if self.document is not None:
            self.document.close()
        event.accept()

    # -- editing ---------------------------------------------------------------------------------
    def choose_tool(self, name: str) -> None:
        self.canvas.set_tool(self.tools[name])  # its action checked: ``ToolActions``
        settings().setValue("tools/last", name)

    def delete_selection(self) -> None:
        doc = self.document
        if doc is not None and doc.selection:
            doc.push(edits.RemoveAnnotations(doc.selection))

    def select_all(self) -> None:
        """The objects of the image that are shown: Delete or an arrow never acts on one the labeler cannot
        see (a hidden category's, a proposal under the score slider), as a click or a band never picks it."""
        doc = self.document
        if doc is not None and doc.current_image_id != -1:
            anns = doc.project.annotations_of(doc.current_image_id)
            doc.set_selection(a.id for a in anns if self.canvas.show_filter.shows_annotation(a))

    def set_image_status(self, status: str) -> None:
        doc = self.document
        image_id = doc.current_image_id if doc is not None else -1
        if image_id != -1 and doc.project.image_status(image_id) != status:
            doc.push(edits.SetImageStatus(image_id, status))

    def done_and_next(self) -> None:
        """One key at the end of an image: it is done (one undo step), and the next one is shown."""
        doc = self.document
        if doc is None or doc.current_image_id == -1:
            return
        if (
            self.canvas.tool is not None
        ):  # an outline being drawn, a wand fill: the image's, before it is done
            self.canvas.tool.finish_pending("before marking the image done")
        if doc.project.image_status(doc.current_image_id) != "reviewed":  # reviewed is past done
            self.set_image_status("done")
        self.step_image(1)

    def next_unfinished(self) -> None:
        """Shift+G: the next image to work on, in the Images list as its filter shows it; none left says
        how far the project is."""
        doc, images = self.document, self.panels["imagesDock"]
        if doc is None or doc.current_image_id == -1:
            return
        listed = images.listed_image_ids()
        image_id = doc.next_unfinished(listed)
        if image_id is not None:
            doc.set_current_image(image_id)
            return
        ids = doc.image_ids()
        done = f"{doc.project.done_count(ids)} of {plural(len(ids), 'image')} done"
        where = "" if listed is None else f" in the Images filter's list ({images.filter_summary()})"
        self.shell.status(f"No other image left to do{where}: {done}", 4000)

    def preferences(self) -> None:
        from pixelproof.ui.preferences import PreferencesDialog

        PreferencesDialog(self).exec()

    def _undo(self) -> None:
        """Ctrl+Z: a drawing in progress is taken back first (a polygon's last vertex, a stroke), and only
        that: the edit before it stays."""
        if self.document is not None:
            tool = self.canvas.tool
            if tool is not None and tool.undo_gesture():
                return
            self._cancel_gesture()
            self._step_stack("Undone", self.document.undo_stack.undoText(), self.document.undo_stack.undo)

    def _redo(self) -> None:
        if self.document is not None:
            self._cancel_gesture()
            self._step_stack("Redone", self.document.undo_stack.redoText(), self.document.undo_stack.redo)

    def _step_stack(self, done: str, text: str, step: Callable[[], None]) -> None:
        """Undo or redo, the status bar saying what (a decision's "Image rejected" stayed after its undo),
        unless the step said something itself (a hidden category shown again); not kept in View > Messages
        (the Edit menu names the steps; a run of Ctrl+Z would push the session's warnings out)."""
        at, said = self.document.undo_stack.index(), self.statusBar().currentMessage()
        step()
        quiet = self.statusBar().currentMessage() == said
        if quiet and self.document is not None and self.document.undo_stack.index() != at:
            self.shell.status(f"{done}: {plain(text)}" if text else done, 4000, keep=False)

    def _cancel_gesture(self) -> None:
        if self.canvas.tool is not None:
            self.canvas.tool.cancel()

    def step_image(self, step: int) -> None:
        """D / A (and G's move): the Images panel's list as its filter shows it (file order without one); in
        the review view the Images table's order (a reviewer walks the worst images first). At the end of
        the list, how many are done ("Last image" alone said nothing) and which list ended."""
        if self.review.active and self.review.view.step_image(step):
            return
        doc, images = self.document, self.panels["imagesDock"]
        listed = images.listed_image_ids()
        if doc is not None and not doc.step_image(step, listed):
            ids = doc.image_ids()
            where = "" if listed is None else f" the Images filter shows ({images.filter_summary()})"
            last = f"Last image{where}: {doc.project.done_count(ids)} of {plural(len(ids), 'image')} done"
            self.shell.status(last if step > 0 else f"First image{where}", 4000)

    def _ask_huge_image(self, image_id: int, info: object) -> None:
        """A plain image over the pixel limit: its memory estimate, and open downsampled or not."""
        k = info.factor()
        if dialogs.ask_open_downsampled(self, info.describe(k), k):
            self.canvas.open_reduced(image_id, k)

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
        self.shell.status(f"Images of up to {max_pixels():,} pixels are decoded at once", 6000)

    # -- view ------------------------------------------------------------------------------------
    def _set_keep_zoom(self, on: bool) -> None:
        self.canvas.keep_zoom = on

    def set_theme(self, mode: str) -> None:
        theme().apply(mode)
        settings().setValue("theme", mode)

    def window_level_dialog(self) -> None:
        if self.canvas.loaded is not None:
            dialogs.WindowLevelDialog(self.canvas, self).exec()

    def show_shortcuts(self) -> None:
        dialogs.ShortcutsDialog(REGISTRY.rows(), self).exec()

    def about(self) -> None:
        dialogs.show_about(self)


def _set_icon(act: QAction, name: str) -> None:
    """An icon that follows the theme (``_refresh_icons``)."""
    if name:
        act.setIcon(icon(name))
        act.setProperty("icon_name", name)
        describe(act, act.property("tip_text") or "")


LAYOUT = 2  # the tool bars' arrangement saved with the window's state (2: the Slices bar on the main row)


def _last_image_key(doc: Document) -> str:
    digest = hashlib.sha1(str(Path(doc.project.path).resolve()).encode()).hexdigest()[:16]
    return f"last_image/{digest}"
