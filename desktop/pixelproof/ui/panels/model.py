"""Model dock: pre-labeling with a backend (DESIGN.md §5) and the review of its predictions.

Choose a backend (not-ready ones say why), a model file (nothing is downloaded), the score threshold and
the backend's own options; map model classes to project categories (or ignore them). ``M`` pre-labels
the current image (with an interactive backend it picks the assist tool instead); "Pre-label all"
runs over every image (or the images selected in the Images panel, when several are). Discovery, model
loading, image reading and inference run in the window's ``ModelSession`` pool; each image's result is
applied on the UI thread as one undo step as it arrives. A failing image is reported and skipped.

Predictions enter with ``source``, ``score`` and review "pending" and are drawn dashed. Accept sets review
"accepted" (solid outline); Reject deletes the prediction (undoable) — a rejected guess holds no human
work, and keeping it would leak model false positives into exports and QA. The score slider only hides
low-scoring pending predictions on the canvas.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.edits import RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation
from pixelproof.inference.apply import Rebaser
from pixelproof.inference.base import Backend, BackendError
from pixelproof.ui.app import settings
from pixelproof.ui.canvas.items import AnnotationItemMixin, is_pending_prediction
from pixelproof.ui.dialogs import action_tooltip
from pixelproof.ui.document import Document
from pixelproof.ui.model_jobs import (
    BackendRow,
    ModelSession,
    configure_backend,
    discover_rows,
    run_batch,
)
from pixelproof.ui.panels.base import Panel

if TYPE_CHECKING:
    from pixelproof.ui.main_window import MainWindow

NEW = "\x00new"  # mapping combo data: create the category as the model names it
IGNORE = "\x00ignore"
SPECIAL_OPTIONS = ("model_path", "score_threshold")  # have their own widgets


def format_eta(seconds: float) -> str:
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass(eq=False)
class _Batch:
    doc: Document
    image_ids: list[int]
    rebaser: Rebaser
    cancel: threading.Event
    backend: str
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    added: int = 0
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # image id, file, reason

    @property
    def total(self) -> int:
        return len(self.image_ids)


class ModelPanel(Panel):
    title = "Model"
    object_name = "modelDock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.win = parent
        self.canvas = getattr(parent, "canvas", None)
        self.session = ModelSession(self)
        if self.canvas is not None:
            self.canvas.model_session = self.session  # the assist tool finds the backend here
        self.rows: list[BackendRow] = []
        self.option_edits: dict[str, QLineEdit] = {}
        self._config_seq = 0
        self._batch: _Batch | None = None
        self.last_batch: _Batch | None = None
        self.status_text = ""

        self._make_actions()
        self._make_widgets()
        self.session.changed.connect(self._update_actions)
        self.refresh_backends()

    # -- building ----------------------------------------------------------------------------------
    def _action(self, text: str, slot, keys: str = "", tip: str = "") -> QAction:
        act = QAction(text, self)
        if keys:
            act.setShortcut(QKeySequence(keys))
        act.triggered.connect(lambda _checked=False: slot())  # slots take no `checked`
        action_tooltip(act, tip)
        if self.win is not None:
            self.win.addAction(act)  # window-wide shortcut, like the tools'
        return act

    def _make_actions(self) -> None:
        a = self._action
        self.act_prelabel = a(
            "&Pre-label Image",
            self.prelabel_current,
            "M",
            "Run the model on this image (interactive backends: the assist tool)",
        )
        self.act_prelabel_all = a(
            "Pre-label &All Images",
            self.prelabel_all,
            "",
            "Run the model on every image (or on the images selected in the Images panel)",
        )
        self.act_cancel = a(
            "&Cancel Pre-labeling", self.cancel_batch, "", "Stop after the image being processed"
        )
        self.act_accept = a("A&ccept Selected", self.accept_selected, "", "Selected predictions: keep them")
        self.act_reject = a("&Reject Selected", self.reject_selected, "", "Selected predictions: delete them")
        self.act_accept_all = a("Accept All on &Image", self.accept_all, "", "Every prediction on this image")
        self.act_reject_all = a("Reject All on I&mage", self.reject_all, "", "Every prediction on this image")
        self.act_reject_below = a(
            "Reject &Below Score", self.reject_below, "", "Predictions on this image scoring below the slider"
        )

    def _button(self, act: QAction) -> QToolButton:
        b = QToolButton()
        b.setDefaultAction(act)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return b

    def _make_widgets(self) -> None:
        self.backend_combo = QComboBox()
        self.backend_combo.setObjectName("modelBackend")
        self.backend_combo.setToolTip("Backends found through the pixelproof.backends entry points")
        self.backend_combo.currentIndexChanged.connect(self._backend_chosen)
        self.state_label = QLabel("Looking for backends…")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model_edit = QLineEdit()
        self.model_edit.setObjectName("modelFile")
        self.model_edit.setPlaceholderText("model file (.onnx, .xml…)")
        self.model_edit.setToolTip("The model file this backend loads; nothing is downloaded")
        self.model_edit.editingFinished.connect(self._model_edited)
        self.browse = QToolButton()
        self.browse.setText("…")
        self.browse.setToolTip("Choose the model file")
        self.browse.clicked.connect(self.browse_model)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_edit, 1)
        model_row.addWidget(self.browse)

        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setObjectName("scoreThreshold")
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(2)
        self.threshold_spin.setToolTip("Predictions below this confidence are not produced")
        self.threshold_spin.valueChanged.connect(self._threshold_changed)

        form = QFormLayout()
        form.addRow("Backend", self.backend_combo)
        form.addRow("", self.state_label)
        form.addRow("Model", model_row)
        form.addRow("Min. score", self.threshold_spin)

        self.options_box = QGroupBox("Options")
        self.options_form = QFormLayout(self.options_box)

        self.mapping = QTableWidget(0, 2)
        self.mapping.setObjectName("classMapping")
        self.mapping.setHorizontalHeaderLabels(["Model class", "Project category"])
        self.mapping.verticalHeader().hide()
        self.mapping.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.mapping.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.mapping.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping.setToolTip("Where each model class goes: a project category, a new one, or ignore")
        self.mapping.setMinimumHeight(90)

        self.progress = QProgressBar()
        self.progress.setObjectName("prelabelProgress")
        self.eta_label = QLabel()
        self.cancel_button = self._button(self.act_cancel)
        self.cancel_button.setText("Cancel")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("prelabelProblems")
        self.problems.setToolTip("Images the model failed on; double-click to go there")
        self.problems.setMaximumHeight(90)
        self.problems.itemDoubleClicked.connect(self._go_to_problem)

        self.score_slider = QSlider(Qt.Orientation.Horizontal)
        self.score_slider.setObjectName("scoreFilter")
        self.score_slider.setRange(0, 100)
        self.score_slider.setToolTip("Hide pending predictions scoring below this (display only)")
        self.score_slider.valueChanged.connect(self._score_filter_changed)
        self.score_label = QLabel("≥ 0.00")
        self.pending_label = QLabel()
        review = QGroupBox("Review predictions (dashed)")
        grid = QGridLayout(review)
        grid.addWidget(QLabel("Show"), 0, 0)
        grid.addWidget(self.score_slider, 0, 1)
        grid.addWidget(self.score_label, 0, 2)
        grid.addWidget(self._button(self.act_accept), 1, 0, 1, 2)
        grid.addWidget(self._button(self.act_reject), 1, 2)
        grid.addWidget(self._button(self.act_accept_all), 2, 0, 1, 2)
        grid.addWidget(self._button(self.act_reject_all), 2, 2)
        self.reject_below_button = self._button(self.act_reject_below)
        grid.addWidget(self.reject_below_button, 3, 0, 1, 3)
        grid.addWidget(self.pending_label, 4, 0, 1, 3)

        run_row = QHBoxLayout()
        self.prelabel_button = self._button(self.act_prelabel)
        self.prelabel_button.setText("Pre-label image (M)")
        self.prelabel_all_button = self._button(self.act_prelabel_all)
        self.prelabel_all_button.setText("Pre-label all images")
        run_row.addWidget(self.prelabel_button)
        run_row.addWidget(self.prelabel_all_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(form)
        layout.addWidget(self.options_box)
        layout.addWidget(QLabel("Class mapping"))
        layout.addWidget(self.mapping, 1)
        layout.addLayout(run_row)
        layout.addLayout(progress_row)
        layout.addWidget(self.eta_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems)
        layout.addWidget(review)
        self._show_progress(False)
        self.problems.hide()

    def install(self, win: MainWindow) -> None:
        """A Model menu (before Help) so the keys show in menus and in Help > Shortcuts."""
        menu = QMenu("&Model", win)
        menu.setObjectName("modelMenu")
        menu.addActions([self.act_prelabel, self.act_prelabel_all, self.act_cancel])
        menu.addSeparator()
        menu.addActions(
            [
                self.act_accept,
                self.act_reject,
                self.act_accept_all,
                self.act_reject_all,
                self.act_reject_below,
            ]
        )
        bar = win.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        bar.insertMenu(help_menu, menu) if help_menu is not None else bar.addMenu(menu)
        if hasattr(win, "menus"):
            win.menus.insert(max(0, len(win.menus) - 1), menu)
        self.menu = menu
        win.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel_batch)  # the pool waits for its job when torn down

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and watched is self.win:
            QTimer.singleShot(0, self._window_closed)  # after the window decided (it may ask to save)
        return False

    def _window_closed(self) -> None:
        if self.win is not None and not self.win.isVisible():
            self.cancel_batch()

    # -- document ----------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        if self._batch is not None and doc is not self._batch.doc:
            self._batch.cancel.set()  # its results belong to the document being closed
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

    # -- backends ----------------------------------------------------------------------------------
    def refresh_backends(self) -> None:
        """Discover the backends again (in the worker: importing plugins takes a while)."""
        self.backend_combo.setEnabled(False)
        self._set_state("Looking for backends…")
        self.session.submit(lambda _report: discover_rows(), self._rows_arrived, self._rows_failed)

    def _rows_failed(self, reason: str) -> None:
        self._set_state(f"Cannot list backends: {reason}", error=True)

    def _rows_arrived(self, rows: object) -> None:
        self.rows = list(rows)  # type: ignore[call-overload]
        combo = self.backend_combo
        combo.blockSignals(True)
        combo.clear()
        model = combo.model()
        for i, row in enumerate(self.rows):
            name = row.info.name
            if row.info.cls is None:
                text, tip = f"{name} — cannot load", row.reason
            elif not row.ready:
                text, tip = f"{name} — {row.reason}", f"{row.kind}; not ready: {row.reason}"
            else:
                text, tip = f"{name} ({row.kind})", f"{row.kind}; ready"
            combo.addItem(text, name)
            combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
            if row.info.cls is None and isinstance(model, QStandardItemModel):
                model.item(i).setEnabled(False)
        combo.setEnabled(bool(self.rows))
        saved = str(settings().value("model/backend", "threshold"))
        usable = [r.info.name for r in self.rows if r.info.cls is not None]
        choice = saved if saved in usable else ("threshold" if "threshold" in usable else None)
        if choice is None and usable:
            choice = usable[0]
        combo.setCurrentIndex(combo.findData(choice) if choice is not None else -1)
        combo.blockSignals(False)
        if choice is None:
            self._set_state("No backend installed", error=True)
        else:
            self._backend_chosen(combo.currentIndex())

    def choose_backend(self, name: str) -> None:
        """Select a backend by name (as the user does with the combo)."""
        self.backend_combo.setCurrentIndex(self.backend_combo.findData(name))

    def _row(self) -> BackendRow | None:
        i = self.backend_combo.currentIndex()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def _backend_chosen(self, _index: int) -> None:
        row = self._row()
        if row is None:
            return
        name = row.info.name
        settings().setValue("model/backend", name)
        options = row.options or {}
        has_model = "model_path" in options
        self.model_edit.setEnabled(has_model)
        self.browse.setEnabled(has_model)
        self.model_edit.setText(str(settings().value(f"model/{name}/model_path", "")) if has_model else "")
        self.model_edit.setToolTip(options.get("model_path", "This backend needs no model file"))
        self.threshold_spin.setEnabled("score_threshold" in options)
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_edits = {}
        for key, help_text in options.items():
            if key in SPECIAL_OPTIONS:
                continue
            edit = QLineEdit()
            edit.setObjectName(f"option_{key}")
            edit.setPlaceholderText("default")
            edit.setToolTip(help_text)
            edit.editingFinished.connect(self.reconfigure)
            self.options_form.addRow(key, edit)
            self.option_edits[key] = edit
        self.options_box.setVisible(bool(self.option_edits))
        self.reconfigure(keep_threshold=False)

    def option_values(self) -> dict[str, object]:
        row = self._row()
        options = (row.options or {}) if row is not None else {}
        values: dict[str, object] = {
            k: e.text().strip() for k, e in self.option_edits.items() if e.text().strip()
        }
        model = self.model_edit.text().strip()
        if model and "model_path" in options:
            values["model_path"] = model
        return values

    def reconfigure(self, keep_threshold: bool = True) -> None:
        """Make a new backend instance with the panel's settings, in the worker (models load slowly)."""
        row = self._row()
        if row is None or row.info.cls is None:
            return
        values = self.option_values()
        if keep_threshold and self.threshold_spin.isEnabled():
            values["score_threshold"] = self.threshold_spin.value()
        self._config_seq += 1
        seq = self._config_seq
        self.session.set_backend(None)
        self._set_state(f"Loading {row.info.name}…")
        info = row.info
        self.session.submit(
            lambda _report: configure_backend(info, values),
            lambda backend: self._configured(seq, backend),  # type: ignore[arg-type]
            lambda reason: self._config_failed(seq, reason),
        )

    def _configured(self, seq: int, backend: Backend) -> None:
        if seq != self._config_seq:
            return
        self.threshold_spin.blockSignals(True)
        self.threshold_spin.setValue(backend.score_threshold)
        self.threshold_spin.blockSignals(False)
        self.session.set_backend(backend)
        ok, reason = backend.ready()
        if ok:
            n = len(backend.categories())
            classes = f" · {n} class{'es' if n != 1 else ''}" if n else ""
            hint = " · click/drag with the assist tool" if backend.kind == "interactive" else ""
            self._set_state(f"✓ Ready · {backend.kind}{classes}{hint}")
        else:
            self._set_state(f"Not ready: {reason}", error=True)
        self._fill_mapping()

    def _config_failed(self, seq: int, reason: str) -> None:
        if seq != self._config_seq:
            return
        self.session.set_backend(None)
        self._set_state(f"✗ {reason}", error=True)
        self._message(reason)
        self._fill_mapping()

    def _set_state(self, text: str, error: bool = False) -> None:
        self.status_text = text
        self.state_label.setText(text)
        self.state_label.setStyleSheet("color: #d9534f;" if error else "")

    def _model_edited(self) -> None:
        row = self._row()
        if row is None or not self.model_edit.isEnabled():
            return
        path = self.model_edit.text().strip()
        key = f"model/{row.info.name}/model_path"
        if path == str(settings().value(key, "")) and self.session.backend is not None:
            return
        settings().setValue(key, path)
        self.reconfigure()

    def set_model_path(self, path: str | Path) -> None:
        self.model_edit.setText(str(path))
        self._model_edited()

    def browse_model(self) -> None:
        start = self.model_edit.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the model file", start, "Models (*.onnx *.xml);;All files (*)"
        )
        if path:
            self.set_model_path(path)

    def _threshold_changed(self, value: float) -> None:
        backend = self.session.backend
        if backend is None or self.session.batch_running:
            return
        try:
            backend.configure(score_threshold=value)  # an attribute: no model reload
        except BackendError as e:
            self._set_state(str(e), error=True)

    # -- class mapping -----------------------------------------------------------------------------
    def _fill_mapping(self, *_: object) -> None:
        old = self.mapping_values(include_new=True)
        backend = self.session.backend
        names = backend.categories() if backend is not None else []
        doc = self.document
        cats = [c.name for c in doc.project.categories.values()] if doc is not None else []
        table = self.mapping
        table.setRowCount(len(names))
        for r, name in enumerate(names):
            item = QTableWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(r, 0, item)
            combo = QComboBox()
            if name not in cats:
                combo.addItem(f"+ new “{name}”", NEW)
            for c in cats:
                combo.addItem(c, c)
            combo.addItem("ignore", IGNORE)
            want = old.get(name, name if name in cats else NEW)
            index = combo.findData(want if want is not None else IGNORE)
            combo.setCurrentIndex(max(index, 0))
            table.setCellWidget(r, 1, combo)

    def mapping_values(self, include_new: bool = False) -> dict[str, str | None]:
        """{model class: project category name, or None = ignore} as the table says."""
        out: dict[str, str | None] = {}
        for r in range(self.mapping.rowCount()):
            item, combo = self.mapping.item(r, 0), self.mapping.cellWidget(r, 1)
            if item is None or not isinstance(combo, QComboBox):
                continue
            data = combo.currentData()
            if data == NEW:
                if include_new:
                    out[item.text()] = NEW
            else:
                out[item.text()] = None if data == IGNORE else data
        return out

    def set_mapping(self, model_class: str, category: str | None) -> None:
        """Map a model class to a category name (None = ignore), as choosing in the table does."""
        for r in range(self.mapping.rowCount()):
            if self.mapping.item(r, 0).text() == model_class:
                combo = self.mapping.cellWidget(r, 1)
                combo.setCurrentIndex(combo.findData(IGNORE if category is None else category))

    # -- running -----------------------------------------------------------------------------------
    def _ready_backend(self) -> Backend | None:
        backend = self.session.backend
        if backend is None:
            self._message(self.status_text or "Choose a backend in the Model panel")
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
            if self.win is not None and hasattr(self.win, "choose_tool"):
                self.win.choose_tool("assist")
            self._message(f"{backend.name}: click +, right-click −, drag a box; Enter accepts, Esc drops")
            return
        self.start_batch([doc.current_image_id])

    def selected_image_ids(self) -> list[int]:
        """Images selected in the Images panel when several are, else every image."""
        doc = self.document
        if doc is None:
            return []
        panel = getattr(self.win, "panels", {}).get("imagesDock") if self.win is not None else None
        if panel is not None and hasattr(panel, "table"):
            rows = panel.table.selectionModel().selectedRows()
            ids = [panel.proxy.data(i, Qt.ItemDataRole.UserRole) for i in rows]
            if len(ids) > 1:
                return [i for i in doc.image_ids() if i in set(ids)]
        return doc.image_ids()

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
        snap = doc.project.snapshot(image_ids)
        mapping = {k: v for k, v in self.mapping_values().items()}
        batch = _Batch(doc, list(image_ids), Rebaser(snap), threading.Event(), backend.name)
        self._batch = batch
        self.problems.clear()
        self.problems.hide()
        self.summary_label.clear()
        self.session.set_batch_running(True)
        self._show_progress(True)
        self._show_batch_progress(batch)
        self.session.submit(
            lambda report: run_batch(report, backend, snap, batch.image_ids, mapping, batch.cancel),
            lambda cancelled: self._batch_done(batch, bool(cancelled)),
            lambda reason: self._batch_crashed(batch, reason),
            lambda payload: self._batch_report(batch, payload),
        )
        return True

    def cancel_batch(self) -> None:
        if self._batch is not None:
            self._batch.cancel.set()
            self.eta_label.setText("Cancelling after the current image…")
            self.act_cancel.setEnabled(False)

    def is_running(self) -> bool:
        return self.session.batch_running

    def _batch_report(self, batch: _Batch, payload: object) -> None:
        if batch is not self._batch or batch.cancel.is_set() or batch.doc is not self.document:
            return
        doc = batch.doc
        kind, image_id = payload[0], payload[1]  # type: ignore[index]
        rec = doc.project.images.get(image_id)
        if kind == "done" and rec is not None:
            proposal = batch.rebaser.rebase(doc.project, payload[2])  # type: ignore[index]
            if proposal.annotations:
                n = len(proposal.annotations)
                doc.push(proposal.edit(f"Pre-label {Path(rec.file_name).name} ({n})"))
                batch.added += n
        elif kind == "failed":
            file_name, reason = payload[2], payload[3]  # type: ignore[index]
            batch.failures.append((image_id, file_name, reason))
            item = QListWidgetItem(f"{file_name}: {reason}")
            item.setData(Qt.ItemDataRole.UserRole, image_id)
            item.setForeground(QColor("#d9534f"))
            self.problems.addItem(item)
            self.problems.show()
            self._message(f"Pre-labeling {file_name} failed: {reason} — going on")
        batch.done += 1
        self._show_batch_progress(batch)

    def _show_batch_progress(self, batch: _Batch) -> None:
        self.progress.setRange(0, batch.total)
        self.progress.setValue(batch.done)
        self.progress.setFormat(f"%v / %m images · {batch.backend}")
        if batch.done == 0:
            self.eta_label.setText("Starting…")
            return
        elapsed = time.monotonic() - batch.started
        eta = elapsed / batch.done * (batch.total - batch.done)
        rate = batch.done / elapsed if elapsed > 0 else 0.0
        self.eta_label.setText(f"{rate:.2f} images/s · ETA {format_eta(eta)} · {batch.added} objects")

    def _batch_done(self, batch: _Batch, cancelled: bool) -> None:
        if batch is self._batch:
            self._batch = None
        self.last_batch = batch
        self._show_progress(False)
        failed = len(batch.failures)
        text = (
            f"Cancelled after {batch.done} of {batch.total} images"
            if cancelled
            else f"Pre-labeled {batch.done - failed} of {batch.total} images"
        )
        text += f": {batch.added} predictions"
        if failed:
            text += f"; {failed} image{'s' if failed != 1 else ''} failed (listed below)"
        self.summary_label.setText(text)
        self._message(text)
        self.session.set_batch_running(False)

    def _batch_crashed(self, batch: _Batch, reason: str) -> None:
        batch.failures.append((-1, "(batch)", reason))
        self.problems.addItem(f"pre-labeling stopped: {reason}")
        self.problems.show()
        self._batch_done(batch, cancelled=False)

    def _show_progress(self, on: bool) -> None:
        for w in (self.progress, self.cancel_button, self.eta_label):
            w.setVisible(on)
        self.act_cancel.setEnabled(on)

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        image_id = item.data(Qt.ItemDataRole.UserRole)
        if self.document is not None and isinstance(image_id, int):
            self.document.set_current_image(image_id)

    # -- review ------------------------------------------------------------------------------------
    def pending_on_image(self) -> list[Annotation]:
        doc = self.document
        if doc is None or doc.current_image_id == -1:
            return []
        return [a for a in doc.project.annotations_of(doc.current_image_id) if is_pending_prediction(a)]

    def _selected_pending(self) -> list[Annotation]:
        doc = self.document
        return [a for a in doc.selected_annotations() if is_pending_prediction(a)] if doc is not None else []

    def _accept(self, anns: list[Annotation], what: str) -> None:
        if not anns:
            self._message("No pending predictions there (predictions are dashed)")
            return
        after = []
        for a in anns:
            b = clone(a)
            b.review = "accepted"
            after.append(b)
        self.document.push(ReplaceAnnotations(after, f"Accept {what}"))

    def _reject(self, anns: list[Annotation], what: str) -> None:
        if not anns:
            self._message("No pending predictions there (predictions are dashed)")
            return
        self.document.push(RemoveAnnotations([a.id for a in anns], f"Reject {what}"))

    @staticmethod
    def _count(n: int) -> str:
        return f"{n} prediction{'s' if n != 1 else ''}"

    def accept_selected(self) -> None:
        anns = self._selected_pending()
        self._accept(anns, self._count(len(anns)))

    def reject_selected(self) -> None:
        anns = self._selected_pending()
        self._reject(anns, self._count(len(anns)))

    def accept_all(self) -> None:
        anns = self.pending_on_image()
        self._accept(anns, f"all {self._count(len(anns))} on the image")

    def reject_all(self) -> None:
        anns = self.pending_on_image()
        self._reject(anns, f"all {self._count(len(anns))} on the image")

    def score_cut(self) -> float:
        return self.score_slider.value() / 100

    def reject_below(self, score: float | None = None) -> None:
        """Reject the pending predictions on this image scoring below ``score`` (default: the slider)."""
        cut = self.score_cut() if score is None else score
        anns = [a for a in self.pending_on_image() if a.score is not None and a.score < cut]
        self._reject(anns, f"{self._count(len(anns))} below {cut:.2f}")

    def _score_filter_changed(self, value: int) -> None:
        AnnotationItemMixin.min_score = value / 100
        self.score_label.setText(f"≥ {value / 100:.2f}")
        self.act_reject_below.setText(f"Reject Below {value / 100:.2f}")
        if self.canvas is not None:
            for item in self.canvas.items_by_id.values():
                item.refresh_display()
        self._update_actions()

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
        for w in (self.backend_combo, self.model_edit, self.browse, self.options_box):
            w.setEnabled(not running and (w is not self.backend_combo or bool(self.rows)))
        if not running:
            row = self._row()
            has_model = row is not None and "model_path" in (row.options or {})
            self.model_edit.setEnabled(has_model)
            self.browse.setEnabled(has_model)
        pending = self.pending_on_image() if has_image else []
        selected = self._selected_pending() if has_image else []
        below = [a for a in pending if a.score is not None and a.score < self.score_cut()]
        self.act_accept.setEnabled(bool(selected))
        self.act_reject.setEnabled(bool(selected))
        self.act_accept_all.setEnabled(bool(pending))
        self.act_reject_all.setEnabled(bool(pending))
        self.act_reject_below.setEnabled(bool(below))
        hidden = len(below)
        text = f"{len(pending)} pending on this image" if pending else ""
        self.pending_label.setText(text + (f" · {hidden} hidden" if hidden else ""))

    def _message(self, text: str) -> None:
        """A non-modal note in the status bar (the canvas forwards it)."""
        if self.canvas is not None:
            self.canvas.message.emit(text)
