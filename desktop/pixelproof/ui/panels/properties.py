"""Properties dock: category (and a CVAT label's attributes, ``attribute_form``), a video's track
(``track_field``), source (where it came from: ``interop.provenance``), score, review state and note of the
selection (several objects: shared values shown, a change applies to all).
Every change is one undoable command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core import measure
from pixelproof.core.edits import Changes, ReplaceAnnotations, set_category
from pixelproof.core.geometry import clone
from pixelproof.core.keypoints import keypoints_of, keypoints_summary
from pixelproof.core.labels import set_review
from pixelproof.core.limits import MAX_NOTE, note_preview
from pixelproof.core.model import REVIEW_STATES
from pixelproof.core.names import shown_name
from pixelproof.core.object_lock import is_locked
from pixelproof.core.qa_objects import image_spacing
from pixelproof.interop.cvat_writer import kept_shapes
from pixelproof.interop.geojson_cells import stale_measurements
from pixelproof.interop.labelstudio_inputs import kept_results
from pixelproof.interop.provenance import TIP as SOURCE_TIP
from pixelproof.interop.provenance import source_text
from pixelproof.interop.qupath_measurements import shown_qupath
from pixelproof.ui.annotation_batch import each_change
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.document import Document
from pixelproof.ui.icons import swatch
from pixelproof.ui.keypoint_placing import placeable
from pixelproof.ui.object_flags import toggle_flag
from pixelproof.ui.one_line import OneLineLabel
from pixelproof.ui.panels.attribute_form import AttributeForm
from pixelproof.ui.panels.base import Panel, esc_reverts
from pixelproof.ui.panels.measurement_table import KEPT_TIP, MeasurementTable
from pixelproof.ui.panels.track_field import TrackField
from pixelproof.ui.shortcuts import REGISTRY

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

MIXED = "(several)"


NOT_REVIEWED = "—  not reviewed"


KEYPOINTS_TIP = (
    "Labelled: visible or occluded. With the select tool (V) a drag moves a point, Shift+V over one sets "
    "it visible, occluded or not labelled"
)


class PropertiesPanel(Panel):
    title = "Properties"
    object_name = "propertiesDock"
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: 600;")
        self.category = QComboBox()
        self.category.activated.connect(self._category_chosen)
        self.kind = QLabel()
        self.geometry_label = QLabel()
        self.geometry_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.geometry_label.setWordWrap(True)  # long numbers must not widen the dock
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setToolTip(SOURCE_TIP)
        for label in (self.kind, self.source):  # values from the project file: never read as rich text
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.score = QLabel()
        self.review = QComboBox()
        self.review.setToolTip(
            "Pending: a model's proposal nobody has accepted yet; a drawn object is not reviewed"
        )
        self.review.addItem(NOT_REVIEWED, None)
        for r in REVIEW_STATES:
            self.review.addItem(r.capitalize(), r)
        self.review.activated.connect(self._review_chosen)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Add a note…")
        self.note.setMaxLength(MAX_NOTE)  # as the review's note field (Qt's own limit is 32,767)
        self.note.setToolTip(f"A note on the object (up to {MAX_NOTE:,} characters)")
        # for the objects the field shows: the selection may have moved on before the panel follows it (a
        # Return queued behind the key that moved it)
        self.note.editingFinished.connect(lambda: self._note_edited(self._note_ids))
        esc_reverts(self.note)
        # a note longer than MAX_NOTE (made before the limit, or outside the app): shown cut, read-only,
        # kept whole; Clear note, an undoable edit, is the one way to drop it here
        self.note_long = QLabel()
        self.note_long.setWordWrap(True)
        self.note_long.setToolTip("Written before the limit, or outside the app")
        self.note_long.hide()
        self.clear_note = QPushButton("Clear note")
        self.clear_note.clicked.connect(lambda: self._set_field("note", None, "Clear note"))
        self.clear_note.hide()
        self._note_mixed = False  # the selected objects have different notes (the field shows none)
        self._note_ids: tuple[int, ...] = ()  # the objects whose note the field holds
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("Category", self.category)
        # CVAT's attributes under the label, as CVAT's sidebar has them (their rows go in at row 1), then
        # what CVAT recorded that is not edited here, on one read-only line; Occluded beside the heading
        self.cvat = AttributeForm(self.form, 1, self)
        self.form.addRow("CVAT", self.cvat.kept)
        # QuPath's object type and name of one object, read-only (its measurements: the table below)
        self.qupath = OneLineLabel(selectable=True)
        self.form.addRow("QuPath", self.qupath)
        self.form.addRow("Box", self.geometry_label)
        self.area_label = QLabel()
        self.form.addRow("Area", self.area_label)
        # one object's keypoints counted (15 of 17 labelled), or how to give them when its category
        # names some; no row for an object of a class without keypoints
        self.keypoints = QLabel()
        self.keypoints.setWordWrap(True)
        self.keypoints.setToolTip(KEYPOINTS_TIP)
        self.form.addRow("Keypoints", self.keypoints)
        # Edit > Lock (Alt+L) as a box beside the heading (a row of its own pushed a cell's measurements
        # off a 1366x768 dock): the same toggle, one undo step; a locked object's class is not offered for
        # change (the edit would be refused)
        self.locked = QCheckBox("Locked")
        self.locked.clicked.connect(self._lock_clicked)
        # a video's track (Fill Between Frames follows it): its number, typed to join one, and New Track
        self.track = TrackField(lambda: self._shell, self)
        self.form.addRow("Track", self.track)
        self.form.addRow("Source", self.source)
        self.form.addRow("Score", self.score)
        self.form.addRow("Review", self.review)
        self.form.addRow("Note", self.note)
        self.form.addRow("", self.note_long)
        self.form.addRow("", self.clear_note)
        self.fields = QWidget()
        self.fields.setLayout(self.form)
        self.hint = QLabel("Select an object to see and edit its properties.")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        # the shape beside the heading and the score only when there is one: rows a short laptop dock
        # gives to a CVAT label's attributes
        self.kind.setStyleSheet("color: palette(placeholder-text);")
        self.kind.setToolTip("Shape")
        top.addWidget(self.kind, 1)
        top.addWidget(self.cvat.occluded)
        top.addWidget(self.locked)
        layout.addLayout(top)
        layout.addWidget(self.fields)
        layout.addWidget(self.hint)
        # one object's measurements (a QuPath cell has dozens): the panel's spare height, scrolled beyond
        self.measurements = MeasurementTable()
        self.measurements.hide()
        self.stale = QLabel(
            "Shape edited since QuPath measured it: the greyed values no longer hold and are left out on "
            "export (QuPath computes them again)"
        )
        self.stale.setWordWrap(True)
        self.stale.setStyleSheet("color: palette(placeholder-text);")
        self.stale.hide()
        layout.addWidget(self.stale)
        layout.addWidget(self.measurements, 1000)  # all the spare height, the stretch below none of it
        # the shown image's results kept from Label Studio (its choices...) and shapes kept from CVAT (its
        # polylines, points, tags): read-only, written back
        self.image_results = QLabel()
        self.image_results.setTextFormat(Qt.TextFormat.PlainText)  # values from a file: never rich text
        self.image_results.setWordWrap(True)
        self.image_results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.image_results.setToolTip(
            "This image's choices, text areas and ratings from Label Studio, its polylines, points and tags "
            "from CVAT: kept as they were and written back on export to that tool (not edited here)"
        )
        layout.addWidget(self.image_results)
        layout.addStretch(1)
        self._shell: Shell | None = None

    def install(self, shell: Shell) -> None:
        self._shell = shell  # the Locked box says what it did in the status bar, as Alt+L
        shell.keys_back_after_choice(self.category, self.review)  # Up nudges the box, not its class
        self.cvat.choiceMade.connect(shell.keys_back)

    def bind(self, doc: Document) -> list:
        return [
            (doc.selectionChanged, self.schedule_refresh),
            (doc.annotationChanged, self._changed),
            (doc.annotationsBatch, self._changed_batch),
            (doc.categoriesChanged, self.schedule_refresh),
            (doc.currentImageChanged, self.schedule_refresh),
        ]

    def _changed(self, _image_id: int, ann_id: int) -> None:
        """Only an edit of a shown (selected) object changes what this panel shows."""
        if self.document is not None and self.document.is_selected(ann_id):
            self.schedule_refresh()

    def _changed_batch(self, changes: Changes) -> None:
        each_change(changes, None, self._changed, None)

    def refresh(self) -> None:
        doc = self.document
        anns = doc.selected_annotations() if doc is not None else []
        ids = tuple(a.id for a in anns)
        moved = ids != self._note_ids  # the selection changed under the field (a shortcut, a script)
        if moved and self.note.isModified():
            self._note_edited(self._note_ids)  # what was typed goes to the objects it was typed for
        self._note_ids = ids
        image = doc.project.images.get(doc.current_image_id) if doc is not None else None
        kept = kept_results(image.extra) if image is not None else []
        shapes = kept_shapes(image.extra) if image is not None else []
        said = ["Label Studio, this image:", *kept] if kept else []
        said += ["CVAT, this image (no objects; back on export to CVAT):", *shapes] if shapes else []
        self.image_results.setText("\n".join(said))
        self.image_results.setVisible(bool(said))
        self.fields.setVisible(bool(anns))
        self.hint.setVisible(not anns)
        self.heading.setVisible(bool(anns))
        self.kind.setVisible(bool(anns))  # the shape beside the heading: none without a selection
        self.locked.setVisible(bool(anns))  # beside the heading: nothing to lock without a selection
        self._show_qupath(anns)
        if not anns:
            self.cvat.show_for(doc, [])
            self.track.show_for(doc, [])
            return
        self.heading.setText(f"Object #{anns[0].id}" if len(anns) == 1 else f"{len(anns)} objects")

        def common(values: list):
            return values[0] if all(v == values[0] for v in values) else MIXED

        self.category.blockSignals(True)
        self.category.clear()
        for cat in doc.project.categories.values():
            self.category.addItem(swatch(category_color(cat)), shown_name(cat.name), cat.id)
        cid = common([a.category_id for a in anns])
        if cid == MIXED:
            self.category.insertItem(0, MIXED, None)
            self.category.setCurrentIndex(0)
        else:
            self.category.setCurrentIndex(self.category.findData(cid))
        self.category.blockSignals(False)

        self._show_lock(anns)
        self.kind.setText(str(common([a.kind for a in anns])))
        images = {a.image_id for a in anns}
        image = doc.project.images.get(images.pop()) if len(images) == 1 else None
        spacing = image_spacing(image) if image is not None else None
        # one decimal throughout: "521.74 × 600" mixed precisions (a polygon's box is fractional, a box
        # drawn at 100 % whole); sub-pixel is what a polygon vertex or a zoomed-in box may hold
        self.geometry_label.setText(measure.box_text(anns[0].bbox, spacing) if len(anns) == 1 else MIXED)
        area = measure.pixel_area_text(sum(a.area for a in anns), spacing)
        self.area_label.setText(area if len(anns) == 1 else f"{area} in all")
        self._show_keypoints(anns)
        # where each came from; whether an imported shape was edited since only for one object (a mask's
        # costs a decode: a selection of a slide's cells would wait on thousands)
        records, one = doc.project.images, len(anns) == 1
        self.source.setText(str(common([source_text(a, records.get(a.image_id), one) for a in anns])))
        scores = [a.score for a in anns]
        sc = common(scores)
        self.score.setText("—" if sc is None else (MIXED if sc == MIXED else f"{sc:.3f}"))
        self.form.setRowVisible(self.score, any(s is not None for s in scores))
        self.review.blockSignals(True)
        rv = common([a.review for a in anns])
        idx = self.review.findData(rv)
        if idx < 0:
            self.review.setCurrentIndex(-1)
            self.review.setPlaceholderText(MIXED)
        else:
            self.review.setCurrentIndex(idx)
        self.review.blockSignals(False)
        self.cvat.show_for(doc, anns)
        self.track.show_for(doc, anns)
        self.form.setRowVisible(self.track, self.track.wanted(doc, anns))
        note = common([a.note or "" for a in anns])
        self._note_mixed = note == MIXED
        long = not self._note_mixed and len(note) > MAX_NOTE
        if moved or not self.note.hasFocus() or long:
            self.note.setModified(False)
            self.note.setReadOnly(long)
            self.note.setText("" if note == MIXED else note_preview(note) if long else note)
            self.note.setCursorPosition(0)
            self.note.setPlaceholderText(MIXED if note == MIXED else "Add a note…")
        self.note_long.setText(
            f"{len(note):,} characters, over the {MAX_NOTE:,} a note holds: shown cut and read-only, "
            "saved whole"
            if long
            else ""
        )
        self.note_long.setVisible(long)
        self.clear_note.setVisible(long)

    def _show_keypoints(self, anns: list) -> None:
        """One object's keypoints counted, or what gives it its category's (Alt+K); no row otherwise."""
        doc = self.document
        text = ""
        if len(anns) == 1 and doc is not None and (image := doc.project.images.get(anns[0].image_id)):
            kp = keypoints_of(anns[0], image, doc.project.categories.get(anns[0].category_id))
            names = placeable(doc, anns[0]) if kp is None else None
            key = REGISTRY.text("edit.place_keypoints")
            if kp is not None:
                text = keypoints_summary(kp)
            elif names:
                how = key or "Edit > Place Keypoints on Object"  # the menu path whole in the tooltip
                text = f"none yet: {how} places its {len(names)}"
        self.keypoints.setText(text)
        self.form.setRowVisible(self.keypoints, bool(text))

    def _show_lock(self, anns: list) -> None:
        """The Locked box as Edit > Lock's check mark (all selected locked: checked; some: partly) and the
        class choice off while any selected object is locked."""
        key = REGISTRY.text("edit.lock") or "Edit > Lock"
        n = sum(1 for a in anns if is_locked(a))
        self.locked.blockSignals(True)
        self.locked.setTristate(0 < n < len(anns))
        self.locked.setCheckState(
            Qt.CheckState.Unchecked
            if n == 0
            else Qt.CheckState.Checked
            if n == len(anns)
            else Qt.CheckState.PartiallyChecked
        )
        self.locked.blockSignals(False)
        self.locked.setToolTip(
            f"Locked ({key}): not moved, resized, reshaped, painted, reclassified or deleted; its review "
            "state, note and attributes stay free"
        )
        self.category.setEnabled(n == 0)
        self.category.setToolTip(
            ""
            if n == 0
            else f"Locked: unlock it ({key}) to change its category"
            if len(anns) == 1
            else f"{n} of these objects are locked: unlock them ({key}) to change their category"
        )

    def _lock_clicked(self) -> None:
        """Alt+L's toggle: all selected locked, unlock them; otherwise lock them all."""
        said = toggle_flag(self.document, "lock")
        if said is not None and self._shell is not None:
            self._shell.status(said, 2500)
        self.schedule_refresh()  # the box shows the objects' state, not where the click left it

    def _show_qupath(self, anns: list) -> None:
        """One object's QuPath fields (several objects' measurements side by side would mean nothing)."""
        about, measured = shown_qupath(anns[0].app_extra) if len(anns) == 1 else ([], [])
        self.qupath.set_line(" · ".join(about), as_text("\n".join(about) + "\n\n" + KEPT_TIP))
        self.form.setRowVisible(self.qupath, bool(about))
        image = self.document.project.images.get(anns[0].image_id) if measured and self.document else None
        stale = stale_measurements(anns[0], image) if image is not None else set()
        self.measurements.show_rows(measured, stale)
        self.measurements.setVisible(bool(measured))
        self.stale.setVisible(bool(stale))

    def _category_chosen(self, index: int) -> None:
        doc = self.document
        cid = self.category.itemData(index)
        if doc is None or cid is None:
            return
        edit = set_category(doc.project, doc.selection, cid)
        if edit is not None:
            doc.push(edit)

    def _review_chosen(self, index: int) -> None:
        self._set_field("review", self.review.itemData(index), "Set review state")

    def _note_edited(self, ids: tuple[int, ...] | None = None) -> None:
        if self.note.isReadOnly():
            return  # a note over MAX_NOTE shown cut (Return pressed on it): kept whole
        if self._note_mixed and not self.note.isModified():
            return  # the empty field of objects with different notes, left as it was: keep their notes
        self._set_field("note", self.note.text().strip() or None, "Edit note", ids)
        self.note.setModified(False)

    def _set_field(self, name: str, value: object, text: str, ids: tuple[int, ...] | None = None) -> None:
        """Set ``name`` on the selected objects (or on ``ids``, those still there)."""
        doc = self.document
        if doc is None:
            return
        anns = doc.project.annotations
        targets = doc.selected_annotations() if ids is None else [anns[i] for i in ids if i in anns]
        changed = []
        for a in targets:
            if getattr(a, name) != value:
                b = clone(a)
                if name == "review":  # (an accepted prediction's pending-only mark goes)
                    set_review(b, value)  # type: ignore[arg-type]
                else:
                    setattr(b, name, value)
                changed.append(b)
        if changed:
            edit = ReplaceAnnotations(changed, text)
            if ids is not None and set(ids) != set(doc.selection):
                edit.focus = None  # objects no longer selected: the selection made since stays
            else:  # all stay selected, those that had the value already too (not only the ones changed)
                edit.focus = edit.revert_focus = [a.id for a in targets]
            doc.push(edit)
