"""The Model dock: pre-labeling with a backend (DESIGN.md §5) and the review of its predictions.

One part per job: ``backends`` (choose and configure the backend: model file, minimum score, its options;
not-ready ones say why; nothing is downloaded), ``mapping`` (model classes -> project categories, or
ignored), ``batch`` (run over images in the window's ``ModelSession`` worker, one undo step per image as
it arrives), ``review`` (accept / reject pending predictions, score filter). This module puts them in the
dock and owns the Model menu: ``M`` pre-labels the current image (with an interactive backend it picks
the assist tool instead); "Pre-label all" runs over every image, or the images selected in the Images
panel when several are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QVBoxLayout

from pixelproof.inference.base import Backend
from pixelproof.ui.document import Document
from pixelproof.ui.panels.base import Panel
from pixelproof.ui.panels.prelabel.backends import BackendChooser
from pixelproof.ui.panels.prelabel.batch import BatchRunner, text_button
from pixelproof.ui.panels.prelabel.mapping import ClassMapping
from pixelproof.ui.panels.prelabel.review import PredictionReview
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
            "Run the model on this image (interactive backends: the assist tool)",
        )  # fmt: skip
        self.act_prelabel_all = a(
            "model.prelabel_all", self.prelabel_all,
            "Run the model on every image (or on the images selected in the Images panel)",
        )  # fmt: skip
        self.act_cancel = a("model.cancel", self.cancel_batch, "Stop after the image being processed")
        self.backends = BackendChooser(self.session)
        self.mapping = ClassMapping()
        self.batch = BatchRunner(self.session, self.act_cancel)
        self.review = PredictionReview(self._action)
        for part in (self.backends, self.batch, self.review):
            part.message.connect(self._message)
        self.backends.configured.connect(self._fill_mapping)
        self.review.scoreFilterChanged.connect(self._redraw_predictions)
        self.session.changed.connect(self._update_actions)

        run_row = QHBoxLayout()
        run_row.addWidget(text_button(self.act_prelabel, "Pre-label image (M)"))
        run_row.addWidget(text_button(self.act_prelabel_all, "Pre-label all images"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.backends)
        layout.addWidget(QLabel("Class mapping"))
        layout.addWidget(self.mapping, 1)
        layout.addLayout(run_row)
        layout.addWidget(self.batch)
        layout.addWidget(self.review)
        self.backends.refresh()

    def _action(self, id: str, slot: Callable[[], None], tip: str = "") -> QAction:
        return make_action(id, self, lambda _checked=False: slot(), tip=tip)  # slots take no `checked`

    def install(self, shell: Shell) -> None:
        """A Model menu (before Help) so the keys show in menus and in Help > Shortcuts; window-wide keys;
        the assist tool finds the session on the canvas; a batch stops when the window closes."""
        self.shell = shell
        shell.canvas.model_session = self.session
        menu = QMenu("&Model", shell.widget)
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
            (doc.selectionChanged, self.schedule_refresh),
            (doc.annotationAdded, self.schedule_refresh),
            (doc.annotationRemoved, self.schedule_refresh),
            (doc.annotationChanged, self.schedule_refresh),
            (doc.categoriesChanged, self._fill_mapping),
        ]

    def refresh(self) -> None:
        self._update_actions()

    def _fill_mapping(self, *_: object) -> None:
        backend = self.session.backend
        doc = self.document
        self.mapping.fill(
            backend.categories() if backend is not None else [],
            [c.name for c in doc.project.categories.values()] if doc is not None else [],
        )

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
        return backend

    def prelabel_current(self) -> None:
        """M: pre-label the current image; an interactive backend needs clicks, so M picks the assist tool."""
        doc = self.document
        if doc is None or doc.current_image_id == -1:
            return
        backend = self._ready_backend()
        if backend is None:
            return
        if backend.kind == "interactive":
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
        self.start_batch(self.selected_image_ids())

    def start_batch(self, image_ids: list[int]) -> bool:
        """Pre-label ``image_ids`` in the worker; each image's result becomes one undo step on arrival."""
        doc = self.document
        if doc is None or not image_ids:
            return False
        if self.session.batch_running:
            self._message("Pre-labeling is already running")
            return False
        backend = self._ready_backend()
        if backend is None:
            return False
        if backend.kind == "interactive":
            self._message(f"{backend.name} is interactive: use the assist tool on each object")
            return False
        spec = self.backends.spec(backend)
        self.batch.start(doc, list(image_ids), backend, self.mapping.values(), spec)
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
        self.act_prelabel_all.setEnabled(
            doc is not None and ready and not running and backend.kind != "interactive"
        )
        self.backends.set_frozen(running)
        self.review.update_state()

    def _redraw_predictions(self) -> None:
        if self.shell is not None:
            self.shell.canvas.refresh_display()
        self._update_actions()

    def _message(self, text: str) -> None:
        """A non-modal note in the status bar."""
        if self.shell is not None:
            self.shell.status(text, 6000)
