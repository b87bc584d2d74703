"""ReviewMode: puts the review view into the window beside the labeling canvas (``Shell.add_view``),
switches with Ctrl+Tab, and owns the Review menu and its keys.

The review keys avoid DESIGN.md §4 (A/D navigate; V B P R E F M are tools; 1-9 categories; L labels):
Ctrl+Enter accept / Ctrl+Backspace reject the selected object, with Shift for the whole image; N goes to
the note field, O toggles outlines, F5 re-runs QA; . and , step through the image's problem objects, W and
Shift+W through the images with a problem, worst first. They are enabled only while the review view is shown,
so they never shadow a labeling key.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSignalBlocker
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu

from pixelproof.core.edits import SetReference
from pixelproof.core.references import reference_path, stored_reference
from pixelproof.interop.coco_io import coco_files_in
from pixelproof.interop.formats import FORMATS, Format, detect_formats, readable
from pixelproof.ui.review.export_report import export_report
from pixelproof.ui.review.view import ReviewView
from pixelproof.ui.shortcuts import grey_with_reason, make_action

VERSIONS_TIP = (  # the app's words: no command-line flag the app has no box for (a report file keeps qa's)
    "On a merged project's images holding annotators' versions side by side: score every annotator's "
    "version, each copy an object of its own, not only the consensus objects the team agreed; Export "
    "Report uses the same setting"
)

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


def folder_formats(folder: Path) -> list[Format]:
    """The formats offered for a reference folder its layout does not tell: those read from a folder, and
    first COCO JSON when the folder holds COCO files (LabelMe's ``labelme2coco`` writes ``annotations.json``
    beside ``JPEGImages/``; auto-detection leaves a folder's own .json files alone, and the list offered
    COCO panoptic first, which cannot read them)."""
    formats = [f for f in readable() if not f.input_is_file]
    return [FORMATS["coco"], *formats] if coco_files_in(folder) else formats


class ReviewMode(QObject):
    """The review view, its menu and the switch between labeling and review."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.view = ReviewView(lambda: [k for act in self.decisions for k in act.shortcuts()])
        self.view.statusMessage.connect(lambda m: shell.status(m, 6000))
        self.view.decisionsChanged.connect(self._update_actions)
        shell.add_view(self.view, "review")
        self._labeling_state: QByteArray | None = None

        a = self._action
        tip = "Reference | candidate | difference, metrics and decisions (Ctrl+Tab again: back to labeling)"
        self.act_toggle = a("review.toggle", self.toggle, tip, toggled=True)
        self.act_choose_project = a("review.choose_project", self.choose_project,
                                    "A COCO project with the reference masks or boxes")  # fmt: skip
        folder_tip = (
            "PNG masks or a dataset in any format PixelProof reads (Cityscapes gtFine, KITTI, CVAT, "
            "Open Images, MVTec, LabelMe, VOC, YOLO …), recognised from its layout"
        )
        self.act_choose_folder = a("review.choose_folder", self.choose_folder, folder_tip)
        self.act_run = a("review.run", self.view.run, "Score the candidate against the reference again")
        self.act_export = a("review.export_report", lambda: export_report(shell, self.view),
                            "Write pixelproof qa's report (HTML, JSON or CSV, by the type chosen) for the "
                            "reference and the project as it is now, decisions included")  # fmt: skip
        self.act_versions = a("review.all_versions", self.set_versions, VERSIONS_TIP, toggled=True)
        self.act_accept = a("review.accept_object", lambda: self.view.decide("accepted"),
                            "Mark the selected object accepted, with the note if one is typed")  # fmt: skip
        self.act_reject = a("review.reject_object", lambda: self.view.decide("rejected"),
                            "Mark the selected object rejected, with the note if one is typed")  # fmt: skip
        self.act_accept_image = a("review.accept_image", lambda: self.view.decide("accepted", True),
                                  "Undecided objects accepted; image status Reviewed")  # fmt: skip
        self.act_reject_image = a("review.reject_image", lambda: self.view.decide("rejected", True),
                                  "Undecided objects rejected; image status Reviewed")  # fmt: skip
        self.decisions = [self.act_accept, self.act_reject, self.act_accept_image, self.act_reject_image]
        self.act_note = a(
            "review.note", self.view.focus_note, "Type the note that goes with the next decision"
        )
        self.act_next_problem = a("review.next_problem", lambda: self.view.step_problem(1),
                                  "Select the image's next missed, extra or wrong-class object")  # fmt: skip
        self.act_previous_problem = a("review.previous_problem", lambda: self.view.step_problem(-1),
                                      "Select the image's previous problem object")  # fmt: skip
        worst_tip = "Images with a problem, worst Dice first; those decided as a whole are passed over"
        self.act_next_worst = a("review.next_worst", lambda: self.view.step_worst(1),
                                "Go to the next image with a problem. " + worst_tip)  # fmt: skip
        self.act_previous_worst = a("review.previous_worst", lambda: self.view.step_worst(-1),
                                    "Go back to a worse image with a problem. " + worst_tip)  # fmt: skip
        self.walking = [self.act_next_problem, self.act_previous_problem, self.act_next_worst,
                        self.act_previous_worst]  # fmt: skip
        outline_tip = "Outlines instead of filled regions in the three views"
        self.act_outline = a("review.outlines", self.view.set_outline, outline_tip, toggled=True)
        header = self.view.header
        header.outline_box.toggled.connect(self.act_outline.setChecked)
        self.act_outline.toggled.connect(header.outline_box.setChecked)
        header.choose_menu.addActions([self.act_choose_project, self.act_choose_folder])
        self.view.no_reference.project_button.clicked.connect(self.act_choose_project.trigger)
        self.view.no_reference.folder_button.clicked.connect(self.act_choose_folder.trigger)
        self.review_only = [self.act_run, self.act_accept, self.act_reject, self.act_accept_image,
                            self.act_reject_image, self.act_note, self.act_outline,
                            *self.walking]  # fmt: skip

        self.menu = QMenu("&Review", shell.widget)
        self.menu.setObjectName("reviewMenu")
        self.menu.addAction(self.act_toggle)
        self.menu.addSeparator()
        self.menu.addActions([self.act_choose_project, self.act_choose_folder, self.act_run])
        self.menu.addActions([self.act_versions, self.act_export])
        self.menu.addSeparator()
        self.menu.addActions([self.act_accept, self.act_reject, self.act_accept_image, self.act_reject_image])
        self.menu.addAction(self.act_note)
        self.menu.addSeparator()
        self.menu.addActions(self.walking)
        self.menu.addSeparator()
        self.menu.addAction(self.act_outline)
        shell.add_menu(self.menu)

        shell.documentChanged.connect(self._on_document)
        shell.closing.connect(self._leave_before_close)
        shell.viewChanged.connect(self._view_changed)
        self._on_document(shell.document)

    def _action(self, id: str, slot, tip: str = "", toggled: bool = False) -> QAction:  # type: ignore[no-untyped-def]
        act = make_action(id, self.shell.widget, slot, tip=tip, toggled=toggled)
        self.shell.add_action(act)  # shortcuts work with the menu bar hidden
        return act

    # -- switching -------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.shell.current_view() is self.view

    def toggle(self, on: bool | None = None) -> None:
        """Ctrl+Tab: labeling <-> review."""
        self.set_active(not self.active if on is None or not isinstance(on, bool) else on)

    def set_active(self, on: bool) -> None:
        if on == self.active:
            self.act_toggle.setChecked(on)
            return
        shell, canvas = self.shell, self.shell.canvas
        if on:
            if canvas.tool is not None:
                canvas.tool.cancel()
            # the labeling docks and tool bars make no sense here: hide them, give them back on return
            self._labeling_state = shell.hide_side_parts()
            shell.show_view(self.view)  # which empties the selection (Shell._show_selection)
            self.view.activate()
            self.view.images.image_table.setFocus()
        else:
            shell.show_view(None)
            if self._labeling_state is not None:
                shell.restore_side_parts(self._labeling_state)
                self._labeling_state = None
            canvas.setFocus()
        self.act_toggle.setChecked(on)
        self._update_actions()

    def _view_changed(self, widget: object) -> None:
        # another view took the review view's place (Review > Annotators Side by Side): review is left,
        # so the labeling docks and tool bars it hid come back now, not never
        if widget is not self.view and self._labeling_state is not None:
            self.shell.restore_side_parts(self._labeling_state)
            self._labeling_state = None
            self.act_toggle.setChecked(False)
            self._update_actions()

    def _leave_before_close(self) -> None:
        # leave review before the window saves its layout on close, so the labeling docks are saved
        if self.active:
            self.set_active(False)

    # -- document --------------------------------------------------------------------------------
    def _on_document(self, doc) -> None:  # type: ignore[no-untyped-def]
        self.view.options = replace(self.view.options, versions="agreed")  # a project starts on the default
        with QSignalBlocker(self.act_versions):
            self.act_versions.setChecked(False)
        self.view.set_document(doc)
        if doc is not None and self.active:
            self.view.activate()
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.shell.document is not None
        self.act_toggle.setEnabled(has or self.active)
        self.act_choose_project.setEnabled(has)
        self.act_choose_folder.setEnabled(has)
        self.act_export.setEnabled(has)
        for act in self.review_only:
            act.setEnabled(has and self.active)
        if has and self.active:
            obj, img = self.view.can_decide_object(), self.view.can_decide_image()
            self.act_accept.setEnabled(obj)
            self.act_reject.setEnabled(obj)
            self.act_accept_image.setEnabled(img)
            self.act_reject_image.setEnabled(img)
        scored = self.view.scored
        held = scored is not None and scored.holds_versions
        why = (
            "" if held else "No image of the project holds several annotators' versions side by side (QA run)"
        )
        grey_with_reason(self.act_versions, why if has and self.active else "Only in the review view",
                         VERSIONS_TIP)  # fmt: skip

    def set_versions(self, every: bool) -> None:
        """Score Every Annotator's Version: QA (and Export Report) of a merged project scores every
        annotator's version of its overlap images (``qa --versions all``), or, unchecked, what the team
        agreed, their consensus (``agreed``, the default); the run shown is scored again."""
        versions = "all" if every else "agreed"
        if self.view.options.versions != versions:
            self.view.options = replace(self.view.options, versions=versions)
            self.view.refresh()  # the reference as read is kept; new options score every image again

    # -- reference -------------------------------------------------------------------------------
    def _start_folder(self) -> str:
        doc = self.shell.document
        current = reference_path(doc.project) if doc is not None else None
        if current is not None:
            return str(current.parent)
        return str(doc.project.path.parent) if doc is not None and doc.project.path else ""

    def choose_project(self) -> None:
        """A reference file: a COCO project, or any file format read; asked as ``read_as`` asks."""
        path, _ = QFileDialog.getOpenFileName(
            self.shell.widget,
            "Choose the reference project",
            self._start_folder(),
            "Projects (*.json);;All files (*)",
        )
        if path and (picked := self.read_as(Path(path))) is not None:
            self.set_reference(Path(path), picked or None)

    def choose_folder(self) -> None:
        """A reference folder in any readable format; asked as ``read_as`` asks."""
        path = QFileDialog.getExistingDirectory(
            self.shell.widget, "Choose a reference folder (masks or a dataset)", self._start_folder()
        )
        if path and (picked := self.read_as(Path(path))) is not None:
            self.set_reference(Path(path), picked or None)

    def read_as(self, path: Path) -> str | None:
        """The format to read ``path`` as: "" when its layout tells one alone (auto-detected, as ``qa``);
        when it looks like several (a Cityscapes ``gtFine/`` beside Open Images CSVs), or like none, the
        user picks, from those it looks like (the one auto-detection reads first), else from every format
        read from a folder (``folder_formats``) or a file: ``qa``'s ``--ref-format`` in the app. None: the
        user cancelled."""
        matches = detect_formats(path)
        if len(matches) == 1:
            return ""
        if matches:
            formats, why = matches, "looks like several formats"
        else:
            formats = folder_formats(path) if path.is_dir() else [f for f in readable() if f.input_is_file]
            why = "is not recognised"
        titles = [f"{f.title} ({f.name})" for f in formats]
        title, ok = QInputDialog.getItem(
            self.shell.widget, "Reference format", f"{path.name} {why}. Read it as:", titles, 0, False
        )
        return formats[titles.index(title)].name if ok and title in titles else None

    def set_reference(self, path: Path, fmt: str | None = None) -> None:
        """Store ``path`` (and a format the user named) as the project's reference (undoable); the view
        re-scores and shows problems."""
        doc = self.shell.document
        if doc is None:
            return
        value = stored_reference(doc.project, path)
        if value != doc.project.reference or fmt != doc.project.app.get("reference_format"):
            doc.push(SetReference(value, fmt))
        else:
            self.view.run()
        if not self.active:
            self.set_active(True)
