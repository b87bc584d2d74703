"""The options form of one format's reader or writer, generated from its declaration
(``pixelproof.interop.formats.Option``): the same names, types, defaults and help as ``pixelproof convert``
(DESIGN.md §9: one declaration, every surface generated from it).

A ``bool`` is a check box, a ``choice`` a combo box of its labelled choices, an ``int``/``float`` a spin
box within its declared range (an optional number, default None, is a text field: empty = not given), a
``folder``/``file`` a path field with Browse…, ``text`` a text field. ``values()`` gives the keyword
arguments to pass: empty fields are left out, so the function's default applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from pixelproof.interop.formats import Option
from pixelproof.ui.menu_text import with_mnemonics

_INT_RANGE = 2**31 - 1


class FormatOptionsForm(QWidget):
    """One row per declared option; each widget's object name is the option's name (for tests and
    style sheets), its tooltip the option's help. Each row's label (its buddy the widget) or check box has
    an Alt+letter of its own, none of ``taken`` (the dialog's other letters): keyboard users reach an
    option without tabbing through the rows above it."""

    def __init__(
        self, options: Sequence[Option], parent: QWidget | None = None, taken: Iterable[str] = ()
    ) -> None:
        super().__init__(parent)
        self.options = tuple(options)
        self.widgets: dict[str, QWidget] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        if not self.options:
            form.addRow(QLabel("No options for this format."))
        titles = with_mnemonics([opt.title for opt in self.options], taken)
        for opt, title in zip(self.options, titles, strict=True):
            widget = self._make(opt, title)
            widget.setObjectName(opt.name)
            widget.setToolTip(opt.help[:1].upper() + opt.help[1:])
            self.widgets[opt.name] = widget
            if isinstance(widget, QCheckBox):
                form.addRow("", widget)
            elif opt.type in ("folder", "file"):
                row = with_browse(widget, lambda o=opt, w=widget: self._browse(o, w))
                form.addRow(title, row)
                form.labelForField(row).setBuddy(widget)  # Alt+letter focuses the path field, not its row
            else:
                form.addRow(title, widget)

    def _make(self, opt: Option, title: str) -> QWidget:
        if opt.type == "bool":
            box = QCheckBox(title)
            box.setChecked(bool(opt.default))
            return box
        if opt.type == "choice":
            combo = QComboBox()
            for value, text in opt.choices.items():
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(opt.default)))
            return combo
        if opt.type in ("int", "float") and opt.default is not None:
            spin: QSpinBox | QDoubleSpinBox = QSpinBox() if opt.type == "int" else QDoubleSpinBox()
            low = opt.minimum if opt.minimum is not None else -_INT_RANGE
            high = opt.maximum if opt.maximum is not None else _INT_RANGE
            if isinstance(spin, QDoubleSpinBox):
                spin.setDecimals(2)
                spin.setSingleStep(0.05 if high - low <= 1 else 1.0)
                spin.setRange(float(low), float(high))
                spin.setValue(float(opt.default))
            else:
                spin.setRange(int(low), int(high))
                spin.setValue(int(opt.default))
            return spin
        edit = QLineEdit()
        edit.setPlaceholderText(opt.empty or ("(optional)" if opt.default is None else str(opt.default)))
        return edit

    def _browse(self, opt: Option, edit: QLineEdit) -> None:
        browse_path(self, edit, opt.title, opt.type == "folder")

    def values(self) -> dict[str, Any]:
        """Keyword arguments for the reader or writer; ValueError naming the option when a typed number
        is not one (checked against the declared range)."""
        out: dict[str, Any] = {}
        for opt in self.options:
            w = self.widgets[opt.name]
            if isinstance(w, QCheckBox):
                out[opt.name] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[opt.name] = w.currentData()
            elif isinstance(w, QSpinBox | QDoubleSpinBox):
                out[opt.name] = w.value()
            elif isinstance(w, QLineEdit) and w.text().strip():
                try:
                    out[opt.name] = opt.parse(w.text().strip())
                except ValueError as e:
                    raise ValueError(f"{opt.title}: {e}") from None
        return out


def with_browse(edit: QWidget, browse: Callable[[], None]) -> QWidget:
    """``edit`` with a Browse… button to its right (the button is the row's ``browse_button`` property)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    button = QPushButton("Browse…")
    button.clicked.connect(browse)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    row.setProperty("browse_button", button)
    return row


def browse_path(parent: QWidget, edit: QLineEdit, title: str, folder: bool) -> None:
    start = edit.text().strip()
    if folder:
        path = QFileDialog.getExistingDirectory(parent, title, start)
    else:
        path, _ = QFileDialog.getOpenFileName(parent, title, start)
    if path:
        edit.setText(path)
