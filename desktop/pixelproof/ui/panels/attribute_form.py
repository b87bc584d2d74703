"""The CVAT part of the Properties panel, as CVAT's object sidebar: the Occluded flag and one field per
attribute the selected objects' label declares (a checkbox, a list of its values, a number in its range,
a line of text), each change one undoable edit; several objects of one label show a value they share,
"(several)" otherwise, and a value set goes to all. What CVAT keeps that is not edited here (z order,
group, attributes the label does not declare) is one read-only line. The meaning is in
``core.cvat_attributes``; this module is only its widgets."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QWidget,
)

from pixelproof.core.cvat_attributes import (
    MAX_VALUE,
    AttributeSpec,
    checked,
    declared_attributes,
    effective_attributes,
    from_cvat,
    is_occluded,
    number_of,
    number_text,
    shared_value,
    stored_attributes,
    value_problem,
    with_occluded,
    with_value,
)
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.limits import note_preview
from pixelproof.core.model import Annotation
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.document import Document
from pixelproof.ui.one_line import OneLineLabel
from pixelproof.ui.panels.base import esc_reverts, scroll_safe

MIXED = "(several)"
_LABEL_WIDTH = 96  # pixels of an attribute's name before it is elided (the full name in its tooltip)


def kept_text(ann: Annotation, specs: list[AttributeSpec]) -> str:
    """What CVAT recorded on the object that the form does not edit (its ``z_order``, ``group_id`` and the
    attributes its label does not declare), as one line; "" when none."""
    extra = ann.app_extra
    parts = [
        f"{word} {extra[key]}" for key, word in (("z_order", "z"), ("group_id", "group")) if extra.get(key)
    ]
    declared = {s.name for s in specs}
    parts += [f"{k}: {v}" for k, v in stored_attributes(ann).items() if k not in declared]
    return " · ".join(parts)


def _describe(spec: AttributeSpec) -> str:
    if spec.input_type == "number" and spec.number is not None:
        low, high, step = (number_text(spec, v) for v in spec.number)
        return f"a number from {low} to {high}, step {step}"
    if spec.input_type in ("select", "radio"):
        return "one of: " + ", ".join(spec.values)
    return {"checkbox": "true or false", "number": "a number"}.get(spec.input_type, "text")


def _literal(name: str) -> str:
    """A name from a file as a checkbox's or a buddy label's text: Qt reads "&D" there as a shortcut
    (an attribute "R&D" was shown "RD" and took Alt+D), "&&" as an ampersand."""
    return name.replace("&", "&&")


class AttributeForm(QObject):
    """Rows put into the Properties panel's form under the category (``first_row``), so they line up with
    its other rows; ``occluded`` is placed by the panel (beside its heading) and ``kept`` is a row of its
    own there."""

    choiceMade = Signal()  # a value picked in a drop-down: the panel gives the keys back to the canvas

    def __init__(self, form: QFormLayout, first_row: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.form = form
        self.first_row = first_row
        self.document: Document | None = None
        self.occluded = QCheckBox("Occluded")
        self.occluded.setToolTip("CVAT's occluded flag: the object is partly hidden behind another")
        self.occluded.clicked.connect(self._occluded_clicked)
        # one line cut with … at the dock's edge rather than widening it; every value in the tooltip
        self.kept = OneLineLabel(selectable=True)
        self.fields: dict[str, QWidget] = {}
        self._specs: list[AttributeSpec] = []
        self._ids: tuple[int, ...] = ()
        self._shown: dict[str, str | None] = {}  # the value each field shows (None: mixed)

    # -- showing ------------------------------------------------------------------------------------
    def show_for(self, doc: Document | None, anns: list[Annotation]) -> None:
        """Show the CVAT values of ``anns`` (the selection); what was typed into a text field for the
        objects shown before goes to them first."""
        ids = tuple(a.id for a in anns)
        if ids != self._ids:
            self._commit_typing()
        self.document = doc
        self._ids = ids
        if doc is None or not anns:
            self._build([])
            self.occluded.hide()
            return
        project = doc.project
        specs_of = {
            cid: declared_attributes(project.categories.get(cid)) for cid in {a.category_id for a in anns}
        }
        specs = next(iter(specs_of.values())) if len(specs_of) == 1 else []  # one label: its attributes
        if specs != self._specs:
            self._build(specs)
        cvat = [from_cvat(a, project.images.get(a.image_id), specs_of[a.category_id]) for a in anns]
        self.occluded.setVisible(any(cvat))
        _show_check(self.occluded, shared_value([str(is_occluded(a)).lower() for a in anns]))
        values = [effective_attributes(a, specs) for a in anns]
        for spec in specs:
            self._show(spec, shared_value([v[spec.name] for v in values]))
        kept = shared_value([kept_text(a, specs_of[a.category_id]) for a in anns])
        kept = MIXED if kept is None else kept
        self.kept.set_line(
            kept,
            as_text(kept.replace(" · ", "\n") + "\n\nKept from the imported file and written back on export"),
        )
        self.form.setRowVisible(self.kept, kept != "")
        label = self.form.labelForField(self.kept)  # says where the values came from: CVAT, or another tool
        if isinstance(label, QLabel):
            label.setText("CVAT" if any(cvat) else "Attributes")

    def _build(self, specs: list[AttributeSpec]) -> None:
        for widget in self.fields.values():
            widget.blockSignals(True)  # its editingFinished on losing the focus as it goes: nothing to write
            self.form.removeRow(widget)
        self.fields = {}
        self._shown = {}
        self._specs = specs
        for k, spec in enumerate(specs):
            widget = self._field(spec)
            widget.setToolTip(as_text(f"{spec.name}: {_describe(spec)}"))
            elide = Qt.TextElideMode.ElideRight
            if isinstance(widget, QCheckBox):
                # named beside its box on a row of its own, as CVAT's sidebar: in the field column, a
                # long name next to a long one's label made the panel wider than a laptop's dock
                widget.setText(_literal(widget.fontMetrics().elidedText(spec.name, elide, 2 * _LABEL_WIDTH)))
                self.form.insertRow(self.first_row + k, widget)
            else:
                label = QLabel()
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setText(_literal(label.fontMetrics().elidedText(spec.name, elide, _LABEL_WIDTH)))
                label.setToolTip(as_text(spec.name))
                label.setBuddy(widget)
                self.form.insertRow(self.first_row + k, label, widget)
            self.fields[spec.name] = widget

    def _field(self, spec: AttributeSpec) -> QWidget:
        def send(value: str) -> None:
            self._set(spec.name, value)

        if spec.input_type == "checkbox":
            box = QCheckBox(spec.name)  # named beside its box, as CVAT's sidebar; a click on the name too
            box.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            box.clicked.connect(lambda on: send("true" if on else "false"))
            return box
        if spec.input_type in ("select", "radio"):
            combo = QComboBox()
            combo.setAccessibleName(spec.name)  # said by its value alone otherwise
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)  # a long value must not widen the dock
            combo.activated.connect(lambda index: send(combo.itemData(index)))
            combo.activated.connect(self.choiceMade)
            scroll_safe(combo)
            return combo
        if spec.input_type == "number" and spec.number is not None:
            spin = QDoubleSpinBox()
            spin.setKeyboardTracking(False)  # typed digits count on Return or leaving; arrows at once
            # as wide as the column, not as its range's longest number (-1e308 to 1e308: 18 digits wide)
            spin.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            spin.setDecimals(spec.decimals)
            spin.setSingleStep(spec.number[2])
            spin.valueChanged.connect(lambda value: self._spun(spec, spin, value))
            scroll_safe(spin)
            return spin
        edit = QLineEdit()
        edit.setMaxLength(MAX_VALUE)
        edit.editingFinished.connect(lambda: self._typed(spec, edit))
        esc_reverts(edit)  # Esc drops the typing, as in the Note
        return edit

    def _show(self, spec: AttributeSpec, value: str | None) -> None:
        """Put ``value`` (None: the objects differ) into the field of ``spec``, as it is: a value the label
        does not allow is shown as read (kept until the user changes it), never clamped or replaced."""
        widget = self.fields[spec.name]
        self._shown[spec.name] = value
        problem = value_problem(spec, value) if value is not None else None
        tip = f"{spec.name}: {_describe(spec)}"
        widget.setToolTip(
            as_text(tip if problem is None else f"{tip}\n\n{value!r} is {problem}: kept as read")
        )
        widget.blockSignals(True)
        if isinstance(widget, QCheckBox):
            _show_check(widget, value)
        elif isinstance(widget, QComboBox):
            widget.clear()
            for v in spec.values:
                widget.addItem(v, v)
            if value is not None and value not in spec.values:
                widget.addItem(f"{note_preview(value)}  (not declared)", value)
            widget.setCurrentIndex(-1 if value is None else widget.findData(value))
            widget.setPlaceholderText(MIXED)
        elif isinstance(widget, QDoubleSpinBox):
            self._show_number(spec, widget, value)
        elif isinstance(widget, QLineEdit) and (not widget.hasFocus() or not widget.isModified()):
            widget.setModified(False)
            widget.setReadOnly(value is not None and len(value) > MAX_VALUE)  # shown cut, kept whole
            widget.setText("" if value is None else note_preview(value) if len(value) > MAX_VALUE else value)
            widget.setCursorPosition(0)
            widget.setPlaceholderText(MIXED if value is None else "")
        widget.blockSignals(False)

    @staticmethod
    def _show_number(spec: AttributeSpec, spin: QDoubleSpinBox, value: str | None) -> None:
        low, high, step = spec.number  # type: ignore[misc]
        number = number_of(value) if value is not None else None
        fits = number is not None and low <= number <= high and round(number, spec.decimals) == number
        if fits:
            spin.setSpecialValueText("")
            spin.setRange(low, high)
            spin.setValue(number)  # type: ignore[arg-type]
        else:  # mixed, or a value the range cannot show: the text one step below the range stands for it
            spin.setRange(low - step, high)
            spin.setSpecialValueText(MIXED if value is None else note_preview(value))
            spin.setValue(low - step)

    # -- editing ------------------------------------------------------------------------------------
    def _spun(self, spec: AttributeSpec, spin: QDoubleSpinBox, value: float) -> None:
        if spin.specialValueText() and value == spin.minimum():
            return  # back to the text standing for mixed / the value as read: nothing to write
        self._set(spec.name, number_text(spec, value))

    def _typed(self, spec: AttributeSpec, edit: QLineEdit, ids: tuple[int, ...] | None = None) -> None:
        if edit.isReadOnly() or not edit.isModified():
            return  # a value over CVAT's limit shown cut, or a mixed field left empty: kept as they are
        text = edit.text()
        if (problem := value_problem(spec, text)) is not None:
            edit.setToolTip(as_text(f"{spec.name}: {text!r} is {problem}; not set"))
            shown = self._shown.get(spec.name)
            edit.setText(shown or "")
        else:
            self._set(spec.name, text, ids)
        edit.setModified(False)

    def _commit_typing(self) -> None:
        """Text typed into a field and not yet written, for the objects it was typed for (the selection
        changed under it: a shortcut, a click on the canvas that keeps the focus); a number's digits too
        (counted on Return or leaving: the next object's value replaced them)."""
        for spec in self._specs:
            edit = self.fields.get(spec.name)
            if isinstance(edit, QLineEdit) and edit.isModified():
                self._typed(spec, edit, self._ids)
            elif isinstance(edit, QDoubleSpinBox):
                edit.interpretText()  # a changed value goes to ``self._ids`` (``_spun``), still those shown

    def _occluded_clicked(self, on: bool) -> None:
        self.occluded.setTristate(False)
        self._edit(lambda a: with_occluded(a, on), "Set occluded" if on else "Clear occluded")

    def _set(self, name: str, value: str, ids: tuple[int, ...] | None = None) -> None:
        specs = self._specs

        def change(a: Annotation) -> Annotation | None:
            return with_value(a, specs, name, value)

        self._edit(change, f"Set {name} to {note_preview(value)}", ids)

    def _edit(
        self, change: Callable[[Annotation], Annotation | None], text: str, ids: tuple[int, ...] | None = None
    ) -> None:
        """One undoable edit of the objects shown (``ids``: those, when the selection has moved on)."""
        doc = self.document
        if doc is None:
            return
        anns = doc.project.annotations
        targets = [anns[i] for i in (self._ids if ids is None else ids) if i in anns]
        changed = [b for a in targets if (b := change(a)) is not None]
        if changed:
            edit = ReplaceAnnotations(changed, text)
            # the objects shown stay selected, those that had the value already too (the edit's own focus
            # is the ones it changed); objects no longer selected (the panel has not followed the selection
            # yet, or it has and this is what was typed before): the selection made since stays
            shown = {a.id for a in targets}
            edit.focus = edit.revert_focus = list(shown) if shown == set(doc.selection) else None
            doc.push(edit)


def _show_check(box: QCheckBox, value: str | None) -> None:
    """A checkbox showing "true"/"false", partly checked for objects that differ or a value that is
    neither (a click then checks it)."""
    state = checked(value) if value is not None else None
    box.blockSignals(True)
    box.setTristate(state is None)
    box.setCheckState(
        Qt.CheckState.PartiallyChecked
        if state is None
        else Qt.CheckState.Checked
        if state
        else Qt.CheckState.Unchecked
    )
    box.blockSignals(False)
