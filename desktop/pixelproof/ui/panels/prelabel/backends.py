"""Choosing and configuring the pre-label backend: the backend list (discovered in the session's worker:
importing plugins is slow), its state line, and the options form (model file, minimum score, the
backend's own options). Every change makes a new backend instance in the worker (models load slowly);
the last request wins."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.wording import plural
from pixelproof.inference.base import Backend, BackendError, model_info_lines
from pixelproof.inference.batch import BackendSpec
from pixelproof.ui.collapsible import CollapsibleSection
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.import_words import model_words
from pixelproof.ui.one_line import FewLinesLabel
from pixelproof.ui.panels.prelabel.session import BackendRow, ModelSession, configure_backend, discover_rows
from pixelproof.ui.settings import settings
from pixelproof.ui.theme import readable

ERROR_RED = QColor(217, 83, 79)  # a state that stops the model (#d9534f), made readable on the panel

SPECIAL_OPTIONS = ("model_path", "score_threshold")  # have their own widgets


class OptionsForm(QWidget):
    """Model file, minimum score and the chosen backend's other options (free text: the backend parses
    and checks them). ``edited``: an option changed; ``modelEdited``: the model file field was left."""

    edited = Signal()
    modelEdited = Signal()
    thresholdChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row: BackendRow | None = None
        self.option_edits: dict[str, QLineEdit] = {}
        self.model_edit = QLineEdit()
        self.model_edit.setObjectName("modelFile")
        self.model_edit.setAccessibleName("Model file")
        self.model_edit.setPlaceholderText("model file (.onnx, .xml…)")
        self.model_edit.setToolTip("The model file this backend loads; nothing is downloaded")
        self.model_edit.editingFinished.connect(self.modelEdited)
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
        self.threshold_spin.valueChanged.connect(self.thresholdChanged)
        # the backend's free-text options fold away (the panel places the section under its run buttons):
        # open when the user left it open for this backend, or when a field is set or a failure names one
        self.section = CollapsibleSection("Options")
        self.section.setObjectName("modelOptions")
        self.section.openedByUser.connect(self._remember_open)
        self.options_box = self.section.body
        self.options_form = QFormLayout(self.options_box)
        self.options_form.setContentsMargins(12, 0, 0, 0)  # indented under the header's arrow
        self.form = QFormLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Model", model_row)
        self.form.addRow("Min. score", self.threshold_spin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)

    @property
    def has_model(self) -> bool:
        return self.row is not None and "model_path" in (self.row.options or {})

    @property
    def has_threshold(self) -> bool:
        return self.row is not None and "score_threshold" in (self.row.options or {})

    def show_row(self, row: BackendRow) -> None:
        """The fields of ``row``'s backend, with the model file remembered for it."""
        self.row = row
        options = row.options or {}
        self.model_edit.setEnabled(self.has_model)
        self.browse.setEnabled(self.has_model)
        remembered = settings().value(f"model/{row.info.name}/model_path", "")
        self.model_edit.setText(str(remembered) if self.has_model else "")
        self.model_edit.setToolTip(
            as_text(str(options.get("model_path", "This backend needs no model file")))
        )
        self.threshold_spin.setEnabled(self.has_threshold)
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
            edit.editingFinished.connect(self.edited)
            edit.textChanged.connect(self._show_count)
            self.options_form.addRow(key, edit)
            self.option_edits[key] = edit
        self.section.setVisible(bool(self.option_edits))
        self.section.set_open(settings().value(self._open_key(), False, type=bool))
        self._show_count()

    def _open_key(self) -> str:
        return f"model/{self.row.info.name if self.row else ''}/options_open"

    def _remember_open(self, on: bool) -> None:
        settings().setValue(self._open_key(), on)

    def _show_count(self) -> None:
        """The header says how many options there are and how many are set, seen while closed."""
        n, given = len(self.option_edits), sum(bool(e.text().strip()) for e in self.option_edits.values())
        self.section.set_title(f"Options ({given} of {n} set)" if given else f"Options ({n})")

    def reveal(self, text: str = "") -> None:
        """Open the options when one is set or ``text`` (a backend's failure) names one: the field to fix
        must not hide behind a closed header. Not remembered: the user's own choice stays."""
        set_ = any(e.text().strip() for e in self.option_edits.values())
        if set_ or any(key in text for key in self.option_edits):
            self.section.set_open(True)

    def values(self, with_threshold: bool) -> dict[str, object]:
        """The options given (empty fields keep the backend's defaults)."""
        values: dict[str, object] = {
            k: e.text().strip() for k, e in self.option_edits.items() if e.text().strip()
        }
        model = self.model_edit.text().strip()
        if model and self.has_model:
            values["model_path"] = model
        if with_threshold and self.has_threshold:
            values["score_threshold"] = self.threshold_spin.value()
        return values

    def fields(self) -> dict[str, str]:
        """What the form's fields hold (the model file under ``""``), for ``set_fields``."""
        return {"": self.model_edit.text(), **{k: e.text() for k, e in self.option_edits.items()}}

    def set_fields(self, fields: dict[str, str]) -> None:
        self.model_edit.setText(fields.get("", ""))
        for key, edit in self.option_edits.items():
            edit.setText(fields.get(key, ""))
        self.reveal()

    def show_threshold(self, value: float) -> None:
        self.threshold_spin.blockSignals(True)
        self.threshold_spin.setValue(value)
        self.threshold_spin.blockSignals(False)

    def without_folders(self, text: str) -> str:
        """``text`` with the folders of the form's files left out (the fields show them; the tooltip keeps
        them): a reason starts with the model's path, which filled the state's two lines at 1366x768 and
        hid what was wrong with the file."""
        files = [
            str(v) for k, v in self.values(with_threshold=False).items() if k.endswith(("_path", "_file"))
        ]
        for value in files:
            for form in (value, os.path.abspath(os.path.expanduser(value))):
                folder = os.path.dirname(form)
                if folder and folder != os.sep:
                    text = text.replace(folder + os.sep, "")
        return text

    def set_frozen(self, frozen: bool) -> None:
        """No changes while a batch runs (the minimum score too: the running backend keeps its own)."""
        self.options_box.setEnabled(not frozen)
        self.threshold_spin.setEnabled(not frozen and self.has_threshold)
        self.model_edit.setEnabled(not frozen and self.has_model)
        self.browse.setEnabled(not frozen and self.has_model)

    def browse_model(self) -> None:
        start = self.model_edit.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the model file", start, "Models (*.onnx *.xml);;All files (*)"
        )
        if path:
            self.model_edit.setText(path)
            self.modelEdited.emit()


class BackendChooser(QWidget):
    """The backend list, its state line and the options form; configures the session's backend.
    ``configured`` follows every new backend (or failure), ``message`` is for the status bar."""

    configured = Signal()
    message = Signal(str)

    def __init__(self, session: ModelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.reloader = self.reload_if_changed  # the assist tool asks before each click
        self.rows: list[BackendRow] = []
        self.status_text = ""
        self._config_seq = 0
        self._working: tuple[Backend, dict[str, str]] | None = None  # the last ready backend, its fields
        self._attempt: tuple[BackendSpec, tuple] | None = None  # the last load's files and their stamps
        self._threshold_chosen = False  # the user set Min. score: kept for every model loaded after
        self.combo = QComboBox()
        self.combo.setObjectName("modelBackend")
        self.combo.setToolTip("Backends found through the pixelproof.backends entry points")
        self.combo.currentIndexChanged.connect(self._backend_chosen)
        self.state_label = FewLinesLabel("Looking for backends…")  # two lines at most, the rest in its tip
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.found_label = QLabel()  # what the backend found the model to be, and what it assumed
        self.found_label.setObjectName("modelFound")
        self.found_label.setWordWrap(True)
        self.found_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.found_label.setStyleSheet("color: palette(placeholder-text);")
        self.found_label.hide()
        self.options = OptionsForm()
        self.options.edited.connect(self.reconfigure)
        self.options.modelEdited.connect(self._model_edited)
        self.options.thresholdChanged.connect(self._threshold_changed)
        self.options.form.insertRow(0, "Backend", self.combo)  # one form: the labels line up
        self.options.form.insertRow(1, "", self.state_label)
        self.options.form.addRow("", self.found_label)  # under the model file and its minimum score
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.options)

    # -- discovery ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Discover the backends again (in the worker: importing plugins takes a while)."""
        self.combo.setEnabled(False)
        self._set_state("Looking for backends…")
        self.session.submit(
            lambda _report: discover_rows(),
            self._rows_arrived,
            lambda reason: self._set_state(f"Cannot list backends: {reason}", error=True),
        )

    def _rows_arrived(self, rows: object) -> None:
        self.rows = list(rows)  # type: ignore[call-overload]
        combo = self.combo
        combo.blockSignals(True)
        combo.clear()
        model = combo.model()
        for i, row in enumerate(self.rows):
            combo.addItem("", row.info.name)
            self._label_item(i, row.kind, row.ready, row.reason, row.info.cls is None)
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

    def _label_item(self, i: int, kind: str, ready: bool, reason: str, broken: bool = False) -> None:
        """The backend's line in the list: its kind when ready, else why not (as last configured)."""
        name = self.combo.itemData(i)
        if broken:
            text, tip = f"{name} — cannot load", reason
        elif not ready:
            text, tip = f"{name} — {reason}", f"{kind}; not ready: {reason}"
        else:
            text, tip = f"{name} ({kind})", f"{kind}; ready"
        self.combo.setItemText(i, text)
        self.combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)

    def _show_found(self, backend: Backend | None) -> None:
        """What ``backend`` found its model to be (family, layout, class names' source, assumptions)."""
        lines = [line.strip() for line in model_info_lines(backend.model_info() if backend else None)]
        shown = [line for line in lines if not line.startswith("layout:")]  # long: in the tooltip
        self.found_label.setText("\n".join(shown))
        self.found_label.setToolTip("\n".join(lines))
        self.found_label.setVisible(bool(lines))
        if backend is not None:  # the list said "no model file chosen" next to a ready model
            ok, reason = backend.ready()
            self._label_item(self.combo.currentIndex(), backend.kind, ok, reason)

    def choose_backend(self, name: str) -> None:
        """Select a backend by name (as the user does with the combo)."""
        self.combo.setCurrentIndex(self.combo.findData(name))

    def row(self) -> BackendRow | None:
        i = self.combo.currentIndex()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def _backend_chosen(self, _index: int) -> None:
        row = self.row()
        if row is None:
            return
        settings().setValue("model/backend", row.info.name)
        self._working = None  # another backend: the last one's model is not kept in memory
        self._threshold_chosen = False
        self._show_found(None)
        self.options.show_row(row)
        self.reconfigure(keep_threshold=False)

    def spec(self, backend: Backend) -> BackendSpec | None:
        """The configured backend as worker processes rebuild it (large batches run on a local pool);
        None when the form no longer describes ``backend``."""
        row = self.row()
        if row is None or row.info.name != backend.name:
            return None
        values = self.options.values(with_threshold=False)
        if "score_threshold" in backend.options:
            values["score_threshold"] = backend.score_threshold
        return BackendSpec(backend.name, tuple(values.items()))

    # -- configuration -----------------------------------------------------------------------------
    def reconfigure(self, keep_threshold: bool = True) -> None:
        """Make a new backend instance with the form's settings, in the worker."""
        row = self.row()
        if row is None or row.info.cls is None:
            return
        # a minimum score the user did not set is the shown model's default, not this one's
        with_threshold = keep_threshold and self._threshold_chosen
        values, fields = self.options.values(with_threshold=with_threshold), self.options.fields()
        self._config_seq += 1
        seq = self._config_seq
        self.session.set_backend(None, loading=row.info.name)
        self._set_state(f"Loading {row.info.name}…")
        info = row.info
        files = self._files_spec()
        self._attempt = (files, files.stamps()) if files is not None else None
        self.session.submit(
            lambda _report: configure_backend(info, values),
            lambda backend: self._configured(seq, backend, fields),  # type: ignore[arg-type]
            lambda reason: self._config_failed(seq, reason),
        )

    def _configured(self, seq: int, backend: Backend, fields: dict[str, str]) -> None:
        if seq != self._config_seq:
            return
        self.options.show_threshold(backend.score_threshold)
        self.session.set_backend(backend)
        ok, reason = backend.ready()
        if not ok and self._keep_working(f"Not ready: {reason}"):
            return
        self._show_found(backend)
        if ok:
            self._working = (backend, fields)
            n = len(backend.categories())
            classes = f" · {plural(n, 'class')}" if n else ""
            hint = " · click/drag with the assist tool" if backend.kind == "interactive" else ""
            self._set_state(f"✓ Ready · {backend.kind}{classes}{hint}")
        else:
            self._set_state(f"Not ready: {reason}", error=True)
        self.configured.emit()

    def _config_failed(self, seq: int, reason: str) -> None:
        if seq != self._config_seq:
            return
        self.message.emit(reason)
        if self._keep_working(f"✗ {reason}"):
            return
        row = self.row()
        name = row.info.name if row is not None else "the model"
        self.session.set_backend(None, failed=(name, self.options.without_folders(reason)))
        self._show_found(None)
        if row is not None:  # the list said "no model file chosen" beside a file that failed to load
            self._label_item(self.combo.currentIndex(), row.kind, False, "the model did not load")
        self._set_state(f"✗ {reason}", error=True)
        self.configured.emit()

    def _keep_working(self, failure: str) -> bool:
        """After a failed change of this backend's options (a typo in the model path), go back to the
        model that worked, its file back in the field and the settings, and say so. False when there is
        none (another backend, or nothing loaded before)."""
        row = self.row()
        if self._working is None or row is None or self._working[0].name != row.info.name:
            return False
        backend, fields = self._working
        self.options.set_fields(fields)
        model_text = fields[""]
        settings().setValue(f"model/{row.info.name}/model_path", model_text)
        self.options.show_threshold(backend.score_threshold)
        self.session.set_backend(backend)
        self._show_found(backend)
        kept = Path(model_text).name if model_text else "the previous settings"
        self._set_state(f"{failure} · still using {kept}", error=True)
        self.configured.emit()
        return True

    def _files_spec(self) -> BackendSpec | None:
        """The form's files (model, decoder, classes file...) as a spec, for their stamps."""
        row = self.row()
        if row is None:
            return None
        values = self.options.values(with_threshold=False)
        return BackendSpec(
            row.info.name, tuple((k, v) for k, v in values.items() if k.endswith(("_path", "_file")))
        )

    def changed_files(self) -> list[str]:
        """Files of the loaded model (its card, a decoder found by name) written, replaced or removed since
        it was loaded; []
        when the form names other files (they load when their field is left)."""
        files = self._files_spec()
        if files is None or self._attempt is None or self._attempt[0] != files:
            return []
        then, now = ({s[0]: s[1:] for s in stamps} for stamps in (self._attempt[1], files.stamps()))
        return [Path(p).name for p in sorted(set(then) | set(now)) if then.get(p) != now.get(p)]

    def reload_if_changed(self) -> str:
        """Load the model again when its files changed on disk since it was loaded (a retrained model
        written over it, a card fixed beside it): a batch's other lanes and worker processes would load
        the new files while this one ran the old model. The message to show, or "" when nothing changed."""
        names = self.changed_files()
        if not names:
            return ""
        self.reconfigure()
        files = ", ".join(names)
        return f"{files} changed on disk since it was loaded: loading it again; run it once it is ready"

    def set_model_path(self, path: str | Path) -> None:
        self.options.model_edit.setText(str(path))
        self._model_edited()

    def _model_edited(self) -> None:
        """Remember the model file of this backend and load it (unless it is the one loaded)."""
        row, edit = self.row(), self.options.model_edit
        if row is None or not edit.isEnabled():
            return
        path = edit.text().strip()
        key = f"model/{row.info.name}/model_path"
        if (
            path == str(settings().value(key, ""))
            and self.session.backend is not None
            and not self.changed_files()  # Return on the same file reads a card fixed beside it
        ):
            return
        settings().setValue(key, path)
        self.reconfigure()

    def _threshold_changed(self, value: float) -> None:
        self._threshold_chosen = True
        backend = self.session.backend
        if backend is None or self.session.batch_running:
            return
        try:
            backend.configure(score_threshold=value)  # an attribute: no model reload
        except BackendError as e:
            self._set_state(str(e), error=True)

    def _set_state(self, text: str, error: bool = False) -> None:
        text = model_words(text) if error else text  # a backend's reason names prelabel's flags
        self.status_text = text
        self.state_label.set_line(self.options.without_folders(text), text)
        red = readable(ERROR_RED, self.palette().color(QPalette.ColorRole.Window), ratio=4.5)
        self.state_label.setStyleSheet(f"color: {red.name()};" if error else "")
        if error:
            self.options.reveal(text)

    def set_frozen(self, frozen: bool) -> None:
        self.combo.setEnabled(not frozen and bool(self.rows))
        self.options.set_frozen(frozen)
