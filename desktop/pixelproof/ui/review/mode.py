"""ReviewMode: puts the review view into a main window beside the labeling canvas (a QStackedWidget),
switches with Ctrl+Tab, and owns the Review menu and its keys.

The review keys avoid DESIGN.md §4 (A/D navigate; V B P R E F M are tools; 1-9 categories; L labels):
Ctrl+Enter accept / Ctrl+Backspace reject the selected object, with Shift for the whole image; N goes to
the note field, O toggles outlines, F5 re-runs QA. They are enabled only while the review view is shown,
so they never shadow a labeling key.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu, QStackedWidget, QToolBar

from pixelproof.core.edits import SetReference
from pixelproof.core.references import reference_path, stored_reference
from pixelproof.ui.dialogs import action_tooltip
from pixelproof.ui.review.view import ReviewView

if TYPE_CHECKING:
    from pixelproof.ui.main_window import MainWindow

ACCEPT_OBJECT = ["Ctrl+Return", "Ctrl+Enter"]
REJECT_OBJECT = ["Ctrl+Backspace"]
ACCEPT_IMAGE = ["Ctrl+Shift+Return", "Ctrl+Shift+Enter"]
REJECT_IMAGE = ["Ctrl+Shift+Backspace"]
TOGGLE_KEY = "Ctrl+Tab"


class ReviewMode(QObject):
    """The review view, its menu and the switch between labeling and review."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        decision_keys = [QKeySequence(k) for k in ACCEPT_OBJECT + REJECT_OBJECT + ACCEPT_IMAGE + REJECT_IMAGE]
        self.view = ReviewView(decision_keys)
        self.view.statusMessage.connect(lambda m: win.statusBar().showMessage(m, 6000))
        self.view.decisionsChanged.connect(self._update_actions)
        canvas = win.takeCentralWidget()
        self.stack = QStackedWidget(win)
        self.stack.setObjectName("viewStack")
        self.stack.addWidget(canvas)
        self.stack.addWidget(self.view)
        win.setCentralWidget(self.stack)
        self._labeling_state: QByteArray | None = None

        a = self._action
        tip = "Reference | candidate | difference, metrics and decisions (Ctrl+Tab again: back to labeling)"
        self.act_toggle = a("&Review View", self.toggle, TOGGLE_KEY, tip, checkable=True)
        self.act_choose_project = a("Choose Reference &Project…", self.choose_project, None,
                                    "A COCO project with the reference masks or boxes")  # fmt: skip
        self.act_choose_folder = a("Choose Reference Mask &Folder…", self.choose_folder, None,
                                   "A folder of PNG masks (instance or semantic; 255 = void)")  # fmt: skip
        self.act_run = a("Re-run &QA", self.view.run, "F5", "Score the candidate against the reference again")
        self.act_accept = a("&Accept Object", lambda: self.view.decide("accepted"), ACCEPT_OBJECT,
                            "Mark the selected object accepted, with the note if one is typed")  # fmt: skip
        self.act_reject = a("Re&ject Object", lambda: self.view.decide("rejected"), REJECT_OBJECT,
                            "Mark the selected object rejected, with the note if one is typed")  # fmt: skip
        self.act_accept_image = a("Accept &Image", lambda: self.view.decide("accepted", True), ACCEPT_IMAGE,
                                  "Undecided objects accepted; image status Reviewed")  # fmt: skip
        self.act_reject_image = a("Reject Ima&ge", lambda: self.view.decide("rejected", True), REJECT_IMAGE,
                                  "Undecided objects rejected; image status Reviewed")  # fmt: skip
        self.act_note = a(
            "Write a &Note", self.view.focus_note, "N", "Type the note that goes with the next decision"
        )
        self.act_outline = a("Difference &Outlines", self.view.set_outline, "O", "Outlines instead of filled "
                             "regions in the three views", checkable=True)  # fmt: skip
        self.view.outline_box.toggled.connect(self.act_outline.setChecked)
        self.act_outline.toggled.connect(self.view.outline_box.setChecked)
        self.view.choose_menu.addActions([self.act_choose_project, self.act_choose_folder])
        self.review_only = [self.act_run, self.act_accept, self.act_reject, self.act_accept_image,
                            self.act_reject_image, self.act_note, self.act_outline]  # fmt: skip

        self.menu = QMenu("Re&view", win)
        self.menu.setObjectName("reviewMenu")
        self.menu.addAction(self.act_toggle)
        self.menu.addSeparator()
        self.menu.addActions([self.act_choose_project, self.act_choose_folder, self.act_run])
        self.menu.addSeparator()
        self.menu.addActions([self.act_accept, self.act_reject, self.act_accept_image, self.act_reject_image])
        self.menu.addAction(self.act_note)
        self.menu.addSeparator()
        self.menu.addAction(self.act_outline)
        bar = win.menuBar()
        help_menu = next((m for m in bar.actions() if m.text().replace("&", "") == "Help"), None)
        bar.insertMenu(help_menu, self.menu) if help_menu is not None else bar.addMenu(self.menu)
        if hasattr(win, "menus"):
            win.menus.insert(max(0, len(win.menus) - 1), self.menu)

        win.documentChanged.connect(self._on_document)
        win.installEventFilter(self)
        self._on_document(win.document)

    def _action(self, text: str, slot, keys, tip: str = "", checkable: bool = False) -> QAction:  # type: ignore[no-untyped-def]
        act = QAction(text, self.win)
        if isinstance(keys, list):
            act.setShortcuts([QKeySequence(k) for k in keys])
        elif keys:
            act.setShortcut(QKeySequence(keys))
        act.setCheckable(checkable)
        (act.toggled if checkable else act.triggered).connect(slot)
        action_tooltip(act, tip)
        self.win.addAction(act)  # shortcuts work with the menu bar hidden
        return act

    # -- switching -------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.stack.currentWidget() is self.view

    def toggle(self, on: bool | None = None) -> None:
        """Ctrl+Tab: labeling <-> review."""
        self.set_active(not self.active if on is None or not isinstance(on, bool) else on)

    def set_active(self, on: bool) -> None:
        if on == self.active:
            self.act_toggle.setChecked(on)
            return
        win = self.win
        if on:
            if win.canvas.tool is not None:
                win.canvas.tool.cancel()
            # the labeling docks and tool bars make no sense here: hide them, give them back on return
            self._labeling_state = win.saveState()
            for w in win.findChildren(QDockWidget) + win.findChildren(QToolBar):
                if w.parent() is win and w.objectName() != "mainToolbar":
                    w.hide()
            self.stack.setCurrentWidget(self.view)
            self.view.activate()
            self.view.image_table.setFocus()
        else:
            self.stack.setCurrentWidget(win.canvas)
            if self._labeling_state is not None:
                win.restoreState(self._labeling_state)
                self._labeling_state = None
            win.canvas.setFocus()
        self.act_toggle.setChecked(on)
        self._update_actions()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # leave review before the window saves its layout on close, so the labeling docks are saved
        if watched is self.win and event.type() == QEvent.Type.Close and self.active:
            self.set_active(False)
        return False

    # -- document --------------------------------------------------------------------------------
    def _on_document(self, doc) -> None:  # type: ignore[no-untyped-def]
        self.view.set_document(doc)
        if doc is not None and self.active:
            self.view.activate()
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.win.document is not None
        self.act_toggle.setEnabled(has or self.active)
        self.act_choose_project.setEnabled(has)
        self.act_choose_folder.setEnabled(has)
        for act in self.review_only:
            act.setEnabled(has and self.active)
        if has and self.active:
            obj, img = self.view.can_decide_object(), self.view.can_decide_image()
            self.act_accept.setEnabled(obj)
            self.act_reject.setEnabled(obj)
            self.act_accept_image.setEnabled(img)
            self.act_reject_image.setEnabled(img)

    # -- reference -------------------------------------------------------------------------------
    def _start_folder(self) -> str:
        doc = self.win.document
        current = reference_path(doc.project) if doc is not None else None
        if current is not None:
            return str(current.parent)
        return str(doc.project.path.parent) if doc is not None and doc.project.path else ""

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.win, "Choose the reference project", self._start_folder(), "Projects (*.json);;All files (*)"
        )
        if path:
            self.set_reference(Path(path))

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self.win, "Choose a folder of reference masks", self._start_folder()
        )
        if path:
            self.set_reference(Path(path))

    def set_reference(self, path: Path) -> None:
        """Store ``path`` as the project's reference (undoable); the view re-scores and shows problems."""
        doc = self.win.document
        if doc is None:
            return
        value = stored_reference(doc.project, path)
        if value != doc.project.reference:
            doc.push(SetReference(value))
        else:
            self.view.run()
        if not self.active:
            self.set_active(True)
