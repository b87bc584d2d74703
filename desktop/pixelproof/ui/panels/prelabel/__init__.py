"""The Model dock: pre-labeling with a backend (DESIGN.md §5) and the review of its predictions.

One part per job: ``backends`` (choose and configure the backend: model file, minimum score, its options;
not-ready ones say why; nothing is downloaded), ``mapping`` (model classes -> project categories, or
ignored; remembered per model in the project, a single-class model goes to the current category by
default), ``run_options`` (skip what is labeled, only unlabeled images, tiles), ``batch`` (run over images
in the window's ``ModelSession`` worker, one undo step per image as it arrives), ``review`` (accept /
reject pending predictions, score filter). This module puts them in the dock and owns the Model menu:
``M`` pre-labels the current image (with an interactive backend it outlines the selected boxes — detect,
then segment — or, with no box selected, picks the assist tool); "Pre-label all" runs over every image,
or the images selected in the Images panel when several are (an interactive backend outlines every box).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QLabel, QMenu, QVBoxLayout

from pixelproof.core.edits.model_mapping import RememberMapping
from pixelproof.core.edits.prelabel_choice import SetOnlyExisting, only_existing
from pixelproof.core.edits.prelabel_run import plan_run
from pixelproof.core.model import IdsExhausted
from pixelproof.inference.apply import is_unlabeled
from pixelproof.inference.base import Backend
from pixelproof.inference.class_filter import ClassFilter, keeps_none
from pixelproof.inference.class_mapping import effective_mapping, mapping_key, remembered_for
from pixelproof.inference.from_boxes import box_annotations
from pixelproof.ui.dialogs import show_error
from pixelproof.ui.document import Document
from pixelproof.ui.panels.base import Panel, scroll_safe
from pixelproof.ui.panels.prelabel.backends import BackendChooser
from pixelproof.ui.panels.prelabel.batch import ONLY_EXISTING_HINT, BatchRunner, text_button
from pixelproof.ui.panels.prelabel.mapping import ClassMapping
from pixelproof.ui.panels.prelabel.resume import ask_continue, changed_note, new_token, run_inputs
from pixelproof.ui.panels.prelabel.review import PredictionReview
from pixelproof.ui.panels.prelabel.run_options import RunOptions
from pixelproof.ui.panels.prelabel.session import ModelSession
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


class PrelabelPanel(Panel):
    title = "Model"
    object_name = "modelDock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self) -> None:
        super().__init__()
        self.shell: Shell | None = None
        self.session = ModelSession(self)
        self.menu: QMenu | None = None
        a = self._action
        self.act_prelabel = a(
            "model.prelabel", self.prelabel_current,
            "Run the model on this image (interactive backends: outline the selected boxes, or the "
            "assist tool)",
        )  # fmt: skip
        self.act_prelabel_all = a(
            "model.prelabel_all", self.prelabel_all,
            "Run the model on every image (or on the images selected in the Images panel); an "
            "interactive backend outlines every box",
        )  # fmt: skip
        self.act_cancel = a("model.cancel", self.cancel_batch, "Stop after the image being processed")
        self.backends = BackendChooser(self.session)
        scroll_safe(self.backends.combo, self.backends.options.threshold_spin)
        self.mapping = ClassMapping()
        self.only_existing = QCheckBox("Only this project's classes")
        self.only_existing.setObjectName("onlyExisting")
        self.only_existing.setToolTip(
            "Predictions of classes that are not (mapped to) one of the project's categories are dropped: "
            "no new categories. Remembered in the project; off, a model's other classes become new ones"
        )
        self.only_existing.clicked.connect(self._set_only_existing)  # the user's click, not a refill
        self.run_options = RunOptions()
        self._shown_mapping: tuple[str, dict] | None = None  # (model key, remembered mapping) in the table
        self.batch = BatchRunner(self.session, self.act_cancel)
        self.review = PredictionReview(self._action)
        for part in (self.backends, self.batch, self.review):
            part.message.connect(self._message)
        self.backends.configured.connect(self._fill_mapping)
        self.mapping.edited.connect(self._remember_mapping)
        self.review.scoreFilterChanged.connect(self._redraw_predictions)
        self.session.changed.connect(self._update_actions)

        # what a user needs to run the model comes first, in the height a 1366x768 screen leaves the dock:
        # backend and model, the run buttons, the batch's progress; then what is set once per model
        run_row = QVBoxLayout()  # one above the other: side by side they widen the dock (and narrow the
        run_row.setSpacing(2)  # image and the Images panel) on a 1024-px screen
        run_row.addWidget(text_button(self.act_prelabel))
        run_row.addWidget(text_button(self.act_prelabel_all))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.backends)
        layout.addLayout(run_row)
        layout.addWidget(self.batch)
        layout.addWidget(self.only_existing)
        layout.addWidget(self.backends.options.section)
        layout.addWidget(QLabel("Class mapping"))
        layout.addWidget(self.mapping)
        layout.addWidget(self.run_options)
        layout.addWidget(self.review)
        layout.addStretch(1)
        self.backends.refresh()

    def _action(self, id: str, slot: Callable[[], None], tip: str = "") -> QAction:
        return make_action(id, self, lambda _checked=False: slot(), tip=tip)  # slots take no `checked`

    def install(self, shell: Shell) -> None:
        """A Model menu (before Help) so the keys show in menus and in Help > Shortcuts; window-wide keys;
        the assist tool finds the session on the canvas; a batch stops when the window closes."""
        self.shell = shell
        shell.canvas.model_session = self.session
        shell.canvas.set_score_cut(self.review.score_cut())  # the canvas hides what the slider says
        menu = QMenu("Mo&del", shell.widget)
        menu.setObjectName("modelMenu")
        menu.addActions([self.act_prelabel, self.act_prelabel_all, self.act_cancel])
        menu.addSeparator()
        menu.addActions(self.review.actions_list)
        for act in menu.actions():
            shell.add_action(act)
        shell.add_menu(menu)
        self.menu = menu
        shell.closing.connect(lambda: QTimer.singleShot(0, self._window_closed))  # after it may ask to save
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel_batch)  # the pool waits for its job when torn down

    def _window_closed(self) -> None:
        if self.shell is not None and not self.shell.is_visible():
            self.cancel_batch()

    # -- document ----------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        self.batch.set_document(doc)
        self.review.document = doc
        super().set_document(doc)
        self._fill_mapping()

    def bind(self, doc: Document) -> list:
        return [
            (doc.currentImageChanged, self.schedule_refresh),
            (doc.imagesChanged, self.schedule_refresh),
            (doc.selectionChanged, self.review.update_selection),  # the rest does not follow it
            (doc.currentCategoryChanged, self.schedule_refresh),  # the menu names the category
            (doc.annotationAdded, self.schedule_refresh),
            (doc.annotationRemoved, self.schedule_refresh),
            (doc.annotationChanged, self.schedule_refresh),
            (doc.annotationsBatch, self.schedule_refresh),
            (doc.categoriesChanged, self._fill_mapping),
            (doc.currentCategoryChanged, self._fill_mapping),
            (doc.undo_stack.indexChanged, self._mapping_maybe_changed),
        ]

    def refresh(self) -> None:
        self._update_actions()

    def _fill_mapping(self, *_: object) -> None:
        """The table as the project remembers it for this model; a single-class model whose class the
        project lacks goes to the current category (as ``prelabel --category``)."""
        backend, doc = self.session.backend, self.document
        classes = backend.categories() if backend is not None else []
        self.only_existing.setChecked(doc is not None and only_existing(doc.project))
        self.mapping.only_existing = self.only_existing.isChecked()  # no "+ new" while checked
        if doc is None or backend is None:
            self._shown_mapping = None
            self.mapping.fill(classes, [])
            return
        project = doc.project
        self._shown_mapping = (mapping_key(backend), remembered_for(project, backend))
        current = project.categories.get(doc.current_category_id)
        mapping = effective_mapping(project, backend, None, current.name if current else None)
        self.mapping.fill(classes, [c.name for c in project.categories.values()], mapping)

    def _remember_mapping(self) -> None:
        """The user chose a row: the whole table is remembered for this model (one undo step)."""
        backend, doc = self.session.backend, self.document
        if backend is None or doc is None:
            return
        key, values = mapping_key(backend), self.mapping.values()
        if values != remembered_for(doc.project, backend):
            self._shown_mapping = (key, values)
            doc.push(RememberMapping(key, values))

    def _set_only_existing(self, on: bool) -> None:
        """The user (un)checked "Only this project's classes": remembered in the project (one undo step)."""
        doc = self.document
        if doc is not None and on != only_existing(doc.project):
            doc.push(SetOnlyExisting(on))

    def _mapping_maybe_changed(self, *_: object) -> None:
        """Undo / redo of a remembered mapping or of "Only this project's classes" shows in the panel."""
        if self.document is not None:
            self.only_existing.setChecked(only_existing(self.document.project))
            if self.mapping.only_existing != self.only_existing.isChecked():
                self._fill_mapping()  # "+ new" offered again, or "(dropped)"
                return
        backend = self.session.backend
        if self._shown_mapping is not None and self.document is not None and backend is not None:
            key, shown = self._shown_mapping
            if key != mapping_key(backend) or remembered_for(self.document.project, backend) != shown:
                self._fill_mapping()

    # -- running -----------------------------------------------------------------------------------
    def _ready_backend(self) -> Backend | None:
        backend = self.session.backend
        if backend is None:
            self._message(self.backends.status_text or "Choose a backend in the Model panel")
            return None
        ok, reason = backend.ready()
        if not ok:
            self._message(f"{backend.name}: not ready: {reason}")
            return None
        changed = self.session.reload_if_changed()
        if changed:
            self._message(changed)
            return None
        return backend

    def prelabel_current(self) -> None:
        """M: pre-label the current image. An interactive backend outlines the selected boxes (detect, then
        segment); with no box selected it needs clicks, so M picks the assist tool."""
        doc = self.document
        if doc is None or doc.current_image_id == -1:
            return
        backend = self._ready_backend()
        if backend is None:
            return
        if backend.kind == "interactive":
            selected = [
                a for i in doc.selection
                if (a := doc.project.annotations.get(i)) is not None and a.kind == "box"
                and a.image_id == doc.current_image_id
            ]  # fmt: skip
            if selected:
                ids = [
                    a.id for a in box_annotations(doc.project, doc.current_image_id, [a.id for a in selected])
                ]
                if not ids:
                    self._message(
                        "The selected box already has a mask made from it: accept or reject it first"
                    )
                    return
                self.start_batch([doc.current_image_id], from_boxes=True, box_ids=ids)
                return
            if self.shell is not None:
                self.shell.choose_tool("assist")
            self._message(f"{backend.name}: click +, right-click −, drag a box; Enter accepts, Esc drops")
            return
        self.start_batch([doc.current_image_id])

    def selected_image_ids(self) -> list[int]:
        """Images selected in the Images panel when several are, else every image."""
        if self.document is None:
            return []
        chosen = self.shell.selected_image_ids() if self.shell is not None else []
        return chosen if len(chosen) > 1 else self.document.image_ids()

    def prelabel_all(self) -> None:
        """Every image (or the selected ones); only those without objects when the Run box says so. An
        interactive backend outlines every box that has no mask made from it yet."""
        doc, backend = self.document, self.session.backend
        if doc is None or backend is None:
            return
        ids = self.selected_image_ids()
        if backend.kind == "interactive":
            ids = [i for i in ids if box_annotations(doc.project, i)]
            if not ids:
                self._message(f"{backend.name}: no box without a mask to outline (detect, then segment)")
                return
            self.start_batch(ids, from_boxes=True)
            return
        if self.run_options.settings().unlabeled_only:
            ids = [i for i in ids if is_unlabeled(doc.project, i)]
            if not ids:
                self._message("Every image has objects (Run: unlabeled images only)")
                return
        self.start_batch(ids, resumable=True)

    def start_batch(
        self,
        image_ids: list[int],
        from_boxes: bool = False,
        box_ids: list[int] | None = None,
        resumable: bool = False,
    ) -> bool:
        """Pre-label ``image_ids`` in the worker; each image's result becomes one undo step on arrival.
        ``from_boxes``: an interactive backend outlines the boxes (only ``box_ids`` when given).
        ``resumable`` ("Pre-label all"): each image is marked done in the project as its result lands,
        and the images an unfinished run of the same model and options did are offered to be left out
        (``resume``)."""
        doc = self.document
        if doc is None or not image_ids:
            return False
        if self.session.batch_running:
            self._message("Pre-labeling is already running")
            return False
        try:  # no object id left at all: refused before the model runs, as the CLI refuses it
            doc.project.next_annotation_id()
        except IdsExhausted as e:
            show_error(self, "Outline boxes" if from_boxes else "Pre-label", str(e))
            return False
        backend = self._ready_backend()
        if backend is None:
            return False
        if backend.kind == "interactive" and not from_boxes:
            self._message(f"{backend.name} is interactive: use the assist tool on each object")
            return False
        spec = self.backends.spec(backend)
        run = dataclasses.replace(self.run_options.settings(), only_existing=only_existing(doc.project))
        mapping = self.mapping.values()
        if run.only_existing and not from_boxes:  # said before the model runs, never a silent nothing
            names = frozenset(c.name for c in doc.project.categories.values())
            why = keeps_none(backend.categories(), ClassFilter(mapping, True, names))
            if why:
                text = f"{backend.name}: nothing to pre-label: {why}; {ONLY_EXISTING_HINT}"
                self.batch.summary_label.setText(text)
                self._message(text)
                return False
        todo, mark, note, shrunk = list(image_ids), None, "", []
        if resumable and spec is not None and not from_boxes:
            inputs, labels = run_inputs(spec, mapping, run)
            plan = plan_run(doc.project, todo, inputs, new_token(), labels)
            if plan.done:
                chosen = ask_continue(self, plan)
                if chosen is None:
                    return False
                plan = chosen
            todo, mark, note, shrunk = plan.todo, plan.mark, changed_note(plan), plan.shrunk
        self.batch.start(doc, todo, backend, mapping, spec, run, from_boxes, box_ids, mark, note, shrunk)
        if note:
            self._message(note)
        return True

    def cancel_batch(self) -> None:
        self.batch.cancel()

    def is_running(self) -> bool:
        return self.batch.is_running()

    # -- state -------------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        doc = self.document
        has_image = doc is not None and doc.current_image_id != -1
        running = self.session.batch_running
        backend = self.session.backend
        ready = backend is not None and backend.ready()[0]
        self.act_prelabel.setEnabled(has_image and ready and not running)
        self.act_prelabel_all.setEnabled(doc is not None and ready and not running)
        self.backends.set_frozen(running)
        self.mapping.set_frozen(running)  # a running batch keeps the table it started with
        self.only_existing.setEnabled(not running)
        self.run_options.setEnabled(not running)
        self.review.update_state()

    def _redraw_predictions(self) -> None:
        if self.shell is not None:
            self.shell.canvas.set_score_cut(self.review.score_cut())
        self._update_actions()

    def _message(self, text: str) -> None:
        """A non-modal note in the status bar."""
        if self.shell is not None:
            self.shell.status(text, 6000)
