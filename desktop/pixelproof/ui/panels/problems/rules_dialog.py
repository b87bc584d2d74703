"""Problems > Lint Rules…: the project's ``pixelproof.rules`` as a table (one row per class, a first row
for every class) and the thresholds as a form. Sizes are typed as lint reads them: pixels (``12``) or a
percentage of the image (``5%``); an empty cell is no limit (inherited from the first row for classes).
Checked / unchecked / partly checked = yes / no / as the first row. The document is validated as it is
typed (``core.lint.parse_rules``) and saved as one undoable edit."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.edits import SetLintRules
from pixelproof.core.lint import RulesError, parse_rules
from pixelproof.core.lint.rules import CLASS_KEYS, DEFAULT_CLASS_RULES, THRESHOLDS, UNIT_THRESHOLDS
from pixelproof.core.names import shown_name
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.document import Document
from pixelproof.ui.fitted_table import ContentColumns
from pixelproof.ui.window_geometry import resize_within_screen

DEFAULT_ROW = "(every class)"
NAME_CHARS = 14  # a class name's room the per-class table keeps, however many columns it shows
TEXT_KEYS = [k for k, kind in CLASS_KEYS.items() if kind in ("size", "number", "kinds")]
FLAG_KEYS = [k for k, kind in CLASS_KEYS.items() if kind == "bool"]
HEADERS = {
    "min_width": "min w",
    "max_width": "max w",
    "min_height": "min h",
    "max_height": "max h",
    "min_area": "min area",
    "max_area": "max area",
    "min_aspect": "min w/h",
    "max_aspect": "max w/h",
    "kinds": "kinds",
    "border": "border",
    "countable": "countable",
}


class RulesTable(QTableWidget):
    """The per-class rules: the class names (the rows' titles) take what the columns leave, at least
    ``NAME_CHARS`` characters, a longer name cut at its end (whole in its tooltip). Sized to its longest
    name, the titles pushed countable and border out of sight behind a sideways scroll bar."""

    def __init__(self, rows: int, columns: int) -> None:
        super().__init__(rows, columns)
        self.verticalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)  # a header clips by default
        self.horizontalHeader().sectionResized.connect(lambda *_: self.fit_names())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_names()

    def fit_names(self) -> None:
        bar = self.verticalScrollBar()
        room = self.width() - 2 * self.frameWidth() - self.horizontalHeader().length()
        room -= bar.sizeHint().width() if bar.isVisible() else 0
        most = max(room, NAME_CHARS * self.fontMetrics().horizontalAdvance("x"))
        if self.verticalHeader().maximumWidth() != most:
            self.verticalHeader().setMaximumWidth(most)
            self.updateGeometries()


class RulesDialog(QDialog):
    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lint rules")
        self.setObjectName("lintRulesDialog")
        self.doc = doc
        self.edit: SetLintRules | None = None
        stored = doc.project.app.get("rules")
        self.original: dict[str, Any] = copy.deepcopy(stored) if isinstance(stored, dict) else {}
        names = [c.name for c in doc.project.categories.values() if not c.void]
        names += [n for n in self.original.get("classes", {}) if n not in names]  # rules of absent classes
        self.rows = [DEFAULT_ROW, *names]

        self.table = RulesTable(len(self.rows), len(CLASS_KEYS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setObjectName("rulesTable")
        self.table.setHorizontalHeaderLabels([HEADERS[k] for k in CLASS_KEYS])
        self.table.setVerticalHeaderLabels([DEFAULT_ROW, *(shown_name(n) for n in self.rows[1:])])
        for row, name in enumerate(self.rows[1:], start=1):
            self.table.verticalHeaderItem(row).setToolTip(as_text(name))  # whole, where its title is cut
        # each column its title as drawn or its widest cell, growing as one is typed (ContentColumns)
        self.columns = ContentColumns(self.table, range(len(CLASS_KEYS)))
        self.table.setToolTip(
            "Sizes: pixels (12) or a percentage of the image (5%); aspect: width / height; kinds: box, "
            "polygon, mask. Empty: no limit (classes: as the first row). A polygon or mask is under min w "
            "/ min h only when its length (longest extent, any direction) is: a thin line is not tiny."
        )
        self._fill_table()
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.dice_set = QCheckBox("min mask dice")
        self.dice_set.setObjectName("threshold_min_mask_dice_set")
        self.dice_set.setToolTip("Unchecked: not set (low mask agreement flags by the class's median only)")
        thresholds = (
            self.original.get("thresholds", {}) if isinstance(self.original.get("thresholds"), dict) else {}
        )
        # two columns of thresholds: in one they took the height the per-class table needs
        forms = (QFormLayout(), QFormLayout())
        for n, (key, (default, help_text)) in enumerate(THRESHOLDS.items()):
            spin = QDoubleSpinBox()
            spin.setObjectName(f"threshold_{key}")
            value = thresholds.get(key, default)
            # a count (20 objects, 16 px, 6 bits) reads "20", not "20.000"; a fraction a file set is kept
            whole = type(default) is int and (not isinstance(value, float) or value.is_integer())
            spin.setDecimals(0 if whole else 3)
            spin.setRange(0.0, 1.0 if key in UNIT_THRESHOLDS else 1e6)
            spin.setSingleStep(0.05 if spin.maximum() == 1.0 else 1.0)
            spin.setValue(float(value) if isinstance(value, int | float) else float(default or 0.0))
            spin.setToolTip(help_text)
            spin.valueChanged.connect(self._validate)
            self.spins[key] = spin
            form = forms[n * 2 // len(THRESHOLDS)]
            if key == "min_mask_dice":  # the one threshold that is off unless set: its label switches it
                self.dice_set.setChecked(thresholds.get(key) is not None)
                spin.setEnabled(self.dice_set.isChecked())
                self.dice_set.toggled.connect(spin.setEnabled)
                self.dice_set.toggled.connect(self._validate)
                form.addRow(self.dice_set, spin)
            else:
                form.addRow(key.replace("_", " "), spin)
        box = QGroupBox("Thresholds")
        columns = QHBoxLayout(box)
        for form in forms:
            columns.addLayout(form, 1)
        hint = QLabel(
            "Sizes: pixels (12) or a percentage of the image (5%); aspect: width / height; kinds: box, "
            "polygon, mask. An empty cell is no limit; in a class's row, an empty cell or a grey check box "
            "is as the first row. Hover a threshold for what it does."
        )
        hint.setObjectName("rulesHint")
        hint.setWordWrap(True)
        self.problems = QLabel()
        self.problems.setObjectName("rulesProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #d55e00")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Per class</b> (first row: every class)"))
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.table.itemChanged.connect(self._validate)
        resize_within_screen(self, 900, 620)
        self._validate()

    # -- table <-> document ------------------------------------------------------------------------
    def _entry(self, row: int) -> dict[str, Any]:
        if row == 0:  # the built-in limits show (and can be changed or cleared) like any other
            default = self.original.get("default")
            built_in = {k: v.to_json() for k, v in DEFAULT_CLASS_RULES.items()}
            return {**built_in, **(default if isinstance(default, dict) else {})}
        classes = self.original.get("classes")
        entry = classes.get(self.rows[row]) if isinstance(classes, dict) else None
        return entry if isinstance(entry, dict) else {}

    def _fill_table(self) -> None:
        self.table.blockSignals(True)
        for row in range(len(self.rows)):
            entry = self._entry(row)
            for col, key in enumerate(CLASS_KEYS):
                value = entry.get(key)
                if key in FLAG_KEYS:
                    item = QTableWidgetItem()
                    flags = (
                        Qt.ItemFlag.ItemIsUserCheckable
                        | Qt.ItemFlag.ItemIsEnabled
                        | Qt.ItemFlag.ItemIsSelectable
                    )
                    if row > 0:
                        flags |= Qt.ItemFlag.ItemIsUserTristate
                    item.setFlags(flags)
                    on = (key == "border") if value is None else bool(value)
                    state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
                    item.setCheckState(Qt.CheckState.PartiallyChecked if value is None and row > 0 else state)
                else:
                    text = (
                        "" if value is None else ", ".join(value) if isinstance(value, list) else str(value)
                    )
                    item = QTableWidgetItem(text)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)

    def document(self) -> dict[str, Any]:
        """The rules document the dialog shows (keys it does not edit are kept as they were)."""
        doc = copy.deepcopy(self.original)
        entries = []
        for row in range(len(self.rows)):
            entry = {k: v for k, v in self._entry(row).items() if k not in CLASS_KEYS}  # threshold overrides
            for col, key in enumerate(CLASS_KEYS):
                item = self.table.item(row, col)
                if key in FLAG_KEYS:
                    state = item.checkState()
                    if state != Qt.CheckState.PartiallyChecked:
                        value = state == Qt.CheckState.Checked
                        if row > 0 or value != (key == "border"):
                            entry[key] = value
                    continue
                text = item.text().strip()
                built_in = (
                    DEFAULT_CLASS_RULES[key].to_json() if row == 0 and key in DEFAULT_CLASS_RULES else None
                )
                if not text:
                    if built_in is not None:
                        entry[key] = None  # the built-in minimum, switched off
                    continue
                value = _typed(key, text)
                if value != built_in:
                    entry[key] = value
            entries.append(entry)
        default, classes = entries[0], {n: e for n, e in zip(self.rows[1:], entries[1:], strict=True) if e}
        doc.pop("default", None)
        doc.pop("classes", None)
        if default:
            doc["default"] = default
        if classes:
            doc["classes"] = classes
        thresholds = {k: v for k, v in (doc.get("thresholds") or {}).items() if k not in THRESHOLDS}
        for key, spin in self.spins.items():
            default_value = THRESHOLDS[key][0]
            if key == "min_mask_dice":
                if self.dice_set.isChecked():
                    thresholds[key] = spin.value()
                continue
            if abs(spin.value() - float(default_value or 0.0)) > 1e-9:
                thresholds[key] = int(spin.value()) if spin.value().is_integer() else spin.value()
        doc.pop("thresholds", None)
        if thresholds:
            doc["thresholds"] = thresholds
        return doc

    # -- validation ----------------------------------------------------------------------------------
    def _validate(self, *_: object) -> bool:
        try:
            parse_rules(self.document(), "rules")
        except RulesError as e:
            self.problems.setText("\n".join(_readable(p, self.rows) for p in e.problems))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return False
        self.problems.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        return True

    def _accept(self) -> None:
        if not self._validate():
            return
        doc = self.document()
        if doc != self.original:
            self.edit = SetLintRules(doc or None)
        self.accept()


def _typed(key: str, text: str) -> Any:
    """Cell text as the rules document writes it (numbers as numbers; "5%" and kinds as typed)."""
    if key == "kinds":
        return [k.strip() for k in text.replace(";", ",").split(",") if k.strip()]
    if text.endswith("%"):
        return text
    try:
        value = float(text)
    except ValueError:
        return text  # parse_rules says what is wrong with it
    return int(value) if value.is_integer() else value


def _readable(problem: str, rows: list[str]) -> str:
    """``rules.default.min_area: ...`` -> ``every class, min area: ...``."""
    head, _, rest = problem.partition(": ")
    parts = head.split(".")
    if len(parts) >= 3 and parts[1] == "default":
        return f"every class, {parts[2].replace('_', ' ')}: {rest}"
    if len(parts) >= 4 and parts[1] == "classes":
        return f"{parts[2]}, {parts[3].replace('_', ' ')}: {rest}"
    return problem
