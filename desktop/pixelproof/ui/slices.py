"""Volumes in the window: step through a volume's slices (PgDn / PgUp, the slice slider) while D / A still
go through the image list; go to the same slice of the next / previous phase of a dynamic series or time
point of a time series (Ctrl+PgDn / Ctrl+PgUp, ``core.phases``); window presets for CT (soft tissue, lung,
bone, brain, liver), MR (auto) and the file's own window. The Slices tool bar shows while the current
image is a slice of a volume. With Preferences' "Mouse wheel on a volume slice: Step slices" the wheel over
the canvas steps slices too (``wheel_mode``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QLabel, QMenu, QSlider, QToolBar

from pixelproof.core.phases import PhaseIndex
from pixelproof.core.qa_volumes import volume_index
from pixelproof.core.window_level import preset_window
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.shortcuts import make_action
from pixelproof.ui.wheel_mode import wheel_steps_slices

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

NOTCH = 120  # QWheelEvent.angleDelta of one notch of a mouse wheel (1/8 degree units)

# (action id, window width, window level) in Hounsfield units, as radiology viewers ship them
CT_PRESETS = (
    ("view.preset_soft_tissue", 400, 40),
    ("view.preset_lung", 1500, -600),
    ("view.preset_bone", 2500, 480),
    ("view.preset_brain", 80, 40),
    ("view.preset_liver", 150, 90),
)


class SliceActions(QObject):
    """The Volume menu (next/previous slice, window presets) and the Slices tool bar."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.canvas = shell.canvas
        parent = shell.widget
        self._index: dict[int, tuple[str, list[int]]] = {}
        self._phases: PhaseIndex | None = None
        self._key: tuple[int, int] | None = None
        self._doc: Document | None = None
        self.act_next = make_action("image.next_slice", parent, lambda: self.step(1))
        self.act_previous = make_action("image.previous_slice", parent, lambda: self.step(-1))
        tip = "The same slice in the next phase of a dynamic series, or the next time point"
        self.act_next_phase = make_action("image.next_phase", parent, lambda: self.step_phase(1), tip=tip)
        tip = "The same slice in the previous phase of a dynamic series, or the previous time point"
        self.act_previous_phase = make_action(
            "image.previous_phase", parent, lambda: self.step_phase(-1), tip=tip
        )
        self.page_actions = (self.act_next, self.act_previous, self.act_next_phase, self.act_previous_phase)
        self.act_file_window = make_action("view.window_file", parent, self.file_window)
        self.preset_actions = [
            make_action(
                id, parent, lambda _=False, w=w, lv=lv: self._shown().set_window(*preset_window(w, lv))
            )
            for id, w, lv in CT_PRESETS
        ]
        self.act_mr_auto = make_action("view.preset_mr_auto", parent, lambda: self._shown().auto_window())
        menu = QMenu("Vol&ume", parent)
        menu.setObjectName("volumeMenu")
        menu.addActions([self.act_next, self.act_previous])
        menu.addSeparator()
        menu.addActions([self.act_next_phase, self.act_previous_phase])
        menu.addSeparator()
        menu.addActions([self.act_file_window, *self.preset_actions, self.act_mr_auto])
        shell.add_menu(menu)
        for act in (*self.page_actions, self.act_file_window, *self.preset_actions):
            shell.add_action(act)
        shell.add_action(self.act_mr_auto)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("sliceSlider")
        self.slider.setMinimumWidth(180)
        self.slider.setToolTip("Slice of the volume (PgUp / PgDn); D / A go through the image list")
        self.slider.valueChanged.connect(self._slider_moved)
        self.slice_label = QLabel()
        self.slice_label.setMinimumWidth(120)
        self.toolbar = QToolBar("Slices", parent)
        self.toolbar.setObjectName("slicesToolbar")
        self.toolbar.addWidget(QLabel(" Slice "))
        self.toolbar.addWidget(self.slider)
        self.toolbar.addWidget(self.slice_label)
        shell.add_toolbar(self.toolbar, first_row=True)  # room for the slice and phase at 1366 px
        shell.documentChanged.connect(self._set_document)
        self.canvas.imageShown.connect(lambda _id: self._update())
        self._wheel_rest = 0  # eighths of a degree turned toward the next notch (touchpads send bits)
        self.canvas.viewport().installEventFilter(self)  # the wheel, before the canvas zooms with it
        self._set_document(shell.document)

    # -- document ----------------------------------------------------------------------------------
    def _set_document(self, doc: Document | None) -> None:
        if self._doc is not None:
            with contextlib.suppress(RuntimeError, TypeError):  # already gone with its document
                self._doc.currentImageChanged.disconnect(self._on_current)
        self._doc = doc
        self._key = None
        if doc is not None:
            doc.currentImageChanged.connect(self._on_current)
        self._update()

    def _on_current(self, _image_id: int) -> None:
        self._update()

    def _current(self) -> tuple[str, list[int], int] | None:
        doc = self._doc
        if doc is None:
            return None
        images = doc.project.images
        key = (len(images), max(images, default=0))  # images added or removed: index again
        if key != self._key:
            self._index, self._key = volume_index(doc.project), key
            self._phases = PhaseIndex(doc.project)
        if doc.current_image_id not in self._index:
            return None
        name, ids = self._index[doc.current_image_id]
        return name, ids, ids.index(doc.current_image_id)

    # -- navigation --------------------------------------------------------------------------------
    def step(self, delta: int) -> None:
        """Go ``delta`` slices along the current image's volume; a note at either end."""
        current = self._current()
        if current is None:
            self.shell.status("Not a slice of a volume: PgUp / PgDn step through volumes")
            return
        _name, ids, at = current
        if not 0 <= at + delta < len(ids):
            self.shell.status("Last slice" if delta > 0 else "First slice", 2000)
            return
        self._doc.set_current_image(ids[at + delta])  # type: ignore[union-attr]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """With "Step slices": the plain wheel over a slice of a volume goes a slice a notch, in 3D Slicer's
        direction (wheel forward, away from the user: its IncrementSlice, up the patient; here the next
        slice, as slices are numbered in RAS+ order). Any modifier (Ctrl: zoom, Shift: brush size) and any
        image that is no slice leave the wheel to the canvas."""
        if event.type() != QEvent.Type.Wheel or not isinstance(event, QWheelEvent):
            return False
        if event.modifiers() != Qt.KeyboardModifier.NoModifier or not wheel_steps_slices():
            return False
        delta = event.angleDelta().y()
        if self._current() is None or delta == 0:  # a sideways scroll zooms, as ever
            return False
        if (delta > 0) != (self._wheel_rest > 0):  # turned back: the bit toward the other way is dropped
            self._wheel_rest = 0
        self._wheel_rest += delta
        notches = int(self._wheel_rest / NOTCH)  # toward zero: a half notch waits for its other half
        self._wheel_rest -= notches * NOTCH
        for _ in range(abs(notches)):
            if self._current() is None:
                break
            self.step(1 if notches > 0 else -1)
        event.accept()
        return True

    def step_phase(self, delta: int) -> None:
        """The same slice ``delta`` phases (time points) on; the window and channel settings stay, as on
        PgDn; a note at either end or when a phase lacking the slice is passed."""
        doc, phases = self._doc, self._phase_index()
        step = phases.step(doc.current_image_id, delta) if doc is not None and phases is not None else None
        if step is None:
            self.shell.status("Not a slice of a series of phases or time points: Ctrl+PgDn does not apply")
            return
        if step.image_id is not None:
            doc.set_current_image(step.image_id)  # type: ignore[union-attr]
        if step.message:
            self.shell.status(step.message, 2000 if step.image_id is None else 5000)

    def _phase_index(self) -> PhaseIndex | None:
        """The project's series of phases (made again with the slice index when images change)."""
        return self._phases if self._current() is not None else None

    def _slider_moved(self, value: int) -> None:
        current = self._current()
        if current is not None and value != current[2]:
            self._doc.set_current_image(current[1][value])  # type: ignore[union-attr]

    def _shown(self) -> Any:
        """What the window actions set: the review view's panes while it is shown (a preset pressed there
        changed the hidden canvas and nothing in sight), else the canvas; both have ``loaded``,
        ``set_window`` and ``auto_window``."""
        view = self.shell.current_view()
        return view if hasattr(view, "set_window") else self.canvas

    def file_window(self) -> None:
        shown = self._shown()
        loaded = shown.loaded
        if loaded is not None and loaded.file_window is not None:
            shown.set_window(*loaded.file_window)
        else:
            shown.auto_window()

    def _update(self) -> None:
        current = self._current()
        self.toolbar.setVisible(current is not None)
        for act in (self.act_next, self.act_previous):
            act.setEnabled(current is not None)
        phases = self._phases if current is not None else None
        phase = phases.where(self._doc.current_image_id) if phases is not None else None  # type: ignore[union-attr]
        for act in (self.act_next_phase, self.act_previous_phase):
            act.setEnabled(phase is not None)
        loaded = self.canvas.loaded
        windowed = loaded is not None and loaded.needs_window
        for act in (self.act_file_window, *self.preset_actions, self.act_mr_auto):
            act.setEnabled(windowed)
        if current is None:
            return
        name, ids, at = current
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(ids) - 1)
        self.slider.setValue(at)
        self.slider.blockSignals(False)
        in_series = f"   {phase[2]} {phase[0]} / {phase[1]}" if phase is not None else ""
        self.slice_label.setText(f" {at + 1} / {len(ids)}{in_series}")
        self.slice_label.setToolTip(as_text(name))
