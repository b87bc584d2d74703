"""The Masks menu and toolbar: conversions (all undoable), the mask tools' options and the annotation display
(opacity, outline-only, per-category visibility).

Installed by the main window with ``MaskActions(window)``; every edit here is a ``core.edits`` one pushed on
the Document, like the tools'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QMenu,
    QMessageBox,
    QSlider,
    QSpinBox,
    QToolBar,
    QToolButton,
)

from pixelproof.core import edits, mask_edit
from pixelproof.core.model import Annotation
from pixelproof.ui.canvas.items import AnnotationItemMixin
from pixelproof.ui.dialogs import action_tooltip
from pixelproof.ui.icons import swatch
from pixelproof.ui.tools.mask_options import MAX_RADIUS, OPTIONS

if TYPE_CHECKING:
    from pixelproof.ui.main_window import MainWindow


class MaskActions(QObject):
    """Builds and drives the Masks menu and the "Masks" toolbar of a main window."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        # asked when a mask -> polygon conversion would lose pixels; tests replace it
        self.choose: edits.Chooser = self.ask_polygon_loss
        self.opacity = 100  # % of the category fill, remembered while outline-only is on
        self._doc = None

        self.act_to_mask = self._action("Convert to &Mask", self.to_mask, tip="Box or polygon -> pixel mask")
        self.act_to_polygon = self._action(
            "Convert to &Polygon…",
            self.to_polygon,
            tip="Mask -> polygon (asks when holes or pixels are lost)",
        )
        self.act_merge = self._action(
            "Mer&ge Masks", self.merge, tip="Union of the selected objects (one category)"
        )
        self.act_split = self._action("&Split into Islands", self.split, tip="One object per connected part")
        self.act_fill_holes = self._action(
            "&Fill Holes", self.fill_holes, tip="Fill the enclosed holes of a mask"
        )
        self.act_smaller = self._action(
            "Brush S&maller", lambda: OPTIONS.step_radius(-1), "[", "Or Shift+wheel"
        )
        self.act_larger = self._action("Brush &Larger", lambda: OPTIONS.step_radius(1), "]", "Or Shift+wheel")
        self.act_preserve = self._action(
            "&Preserve Other Annotations",
            lambda on: OPTIONS.set(preserve_others=bool(on)),
            tip="Brush and fill paint only where no other annotation is",
            checkable=True,
        )
        self.act_eight = self._action(
            "Wand: &8-connected", lambda on: OPTIONS.set(connectivity=8 if on else 4), checkable=True,
            tip="Grow the wand region through diagonal neighbours too",
        )  # fmt: skip
        self.act_floating = self._action(
            "Wand: F&loating Range", lambda on: OPTIONS.set(fixed_range=not on), checkable=True,
            tip="Compare each pixel with its neighbour (follows gradients) instead of with the clicked pixel",
        )  # fmt: skip
        self.act_outline_only = self._action(
            "&Outline Only", self._set_outline_only, checkable=True, tip="Hide the fills, keep the outlines"
        )
        self.categories_menu = QMenu("Show &Categories", win)
        self.categories_menu.aboutToShow.connect(self._fill_categories_menu)

        self.menu = QMenu("&Masks", win)
        self.menu.setObjectName("masksMenu")
        self.menu.addActions([self.act_to_mask, self.act_to_polygon])
        self.menu.addSeparator()
        self.menu.addActions([self.act_merge, self.act_split, self.act_fill_holes])
        self.menu.addSeparator()
        self.menu.addActions(
            [self.act_smaller, self.act_larger, self.act_preserve, self.act_eight, self.act_floating]
        )
        self.menu.addSeparator()
        self.menu.addAction(self.act_outline_only)
        self.menu.addMenu(self.categories_menu)
        bar = win.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        bar.insertMenu(help_menu, self.menu) if help_menu is not None else bar.addMenu(self.menu)
        if hasattr(win, "menus"):
            win.menus.insert(max(0, len(win.menus) - 1), self.menu)

        self.toolbar = self._make_toolbar()
        win.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        win.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        OPTIONS.listen(self._show_options)
        self._show_options()
        win.documentChanged.connect(self._on_document)
        self._on_document(win.document)

    # -- building ----------------------------------------------------------------------------------
    def _action(self, text: str, slot, keys: str = "", tip: str = "", checkable: bool = False) -> QAction:
        act = QAction(text, self.win)
        if keys:
            act.setShortcut(QKeySequence(keys))
        act.setCheckable(checkable)
        (act.toggled if checkable else act.triggered).connect(slot)
        action_tooltip(act, tip)
        self.win.addAction(act)
        return act

    def _make_toolbar(self) -> QToolBar:
        tb = QToolBar("Mask tools", self.win)
        tb.setObjectName("maskToolbar")
        tb.addWidget(QLabel(" Brush "))
        self.radius_box = QSpinBox()
        self.radius_box.setObjectName("brushRadius")
        self.radius_box.setRange(0, MAX_RADIUS)
        self.radius_box.setSuffix(" px")
        self.radius_box.setToolTip("Brush radius r: paints a disc 2r+1 px across ([ / ] or Shift+wheel)")
        self.radius_box.valueChanged.connect(lambda v: OPTIONS.set(radius=v))
        tb.addWidget(self.radius_box)
        tb.addAction(self.act_preserve)
        tb.addSeparator()
        tb.addWidget(QLabel(" Wand tolerance "))
        self.tolerance_box = QSpinBox()
        self.tolerance_box.setObjectName("wandTolerance")
        self.tolerance_box.setRange(0, 65535)
        self.tolerance_box.setToolTip("Largest colour difference per channel the wand accepts (image units)")
        self.tolerance_box.valueChanged.connect(lambda v: OPTIONS.set(tolerance=float(v)))
        tb.addWidget(self.tolerance_box)
        tb.addActions([self.act_eight, self.act_floating])
        tb.addSeparator()
        tb.addWidget(QLabel(" Opacity "))
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setObjectName("maskOpacity")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(self.opacity)
        self.opacity_slider.setFixedWidth(110)
        self.opacity_slider.setToolTip("Opacity of the fills of all annotations")
        self.opacity_slider.valueChanged.connect(self.set_opacity)
        tb.addWidget(self.opacity_slider)
        self.outline_box = QCheckBox("Outline only")
        self.outline_box.toggled.connect(self.act_outline_only.setChecked)
        self.act_outline_only.toggled.connect(self.outline_box.setChecked)
        tb.addWidget(self.outline_box)
        button = QToolButton()
        button.setText("Categories")
        button.setToolTip("Show or hide the annotations of each category")
        button.setMenu(self.categories_menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        tb.addWidget(button)
        return tb

    def _show_options(self) -> None:
        """Widgets follow the shared options (changed by keys, wheel or another window)."""
        for widget, value in (
            (self.radius_box, OPTIONS.radius),
            (self.tolerance_box, int(OPTIONS.tolerance)),
        ):
            if widget.value() != value:
                widget.blockSignals(True)
                widget.setValue(value)
                widget.blockSignals(False)
        for act, on in (
            (self.act_preserve, OPTIONS.preserve_others),
            (self.act_eight, OPTIONS.connectivity == 8),
            (self.act_floating, not OPTIONS.fixed_range),
        ):
            if act.isChecked() != on:
                act.blockSignals(True)
                act.setChecked(on)
                act.blockSignals(False)

    # -- document and selection ------------------------------------------------------------------------
    def _on_document(self, doc) -> None:
        if self._doc is not None:
            try:
                self._doc.selectionChanged.disconnect(self._update)
                self._doc.undo_stack.indexChanged.disconnect(self._update)
            except (RuntimeError, TypeError):  # the old document is already gone
                pass
        self._doc = doc
        if doc is not None:
            doc.selectionChanged.connect(self._update)
            doc.undo_stack.indexChanged.connect(self._update)
        self._update()

    def _selected(self) -> list[Annotation]:
        doc = self.win.document
        return doc.selected_annotations() if doc is not None else []

    def _update(self, *_: object) -> None:
        sel = self._selected()
        kinds = {a.kind for a in sel}
        self.act_to_mask.setEnabled(bool(kinds & {"box", "polygon"}))
        self.act_to_polygon.setEnabled("mask" in kinds)
        self.act_merge.setEnabled(len(sel) >= 2 and len({(a.image_id, a.category_id) for a in sel}) == 1)
        self.act_split.setEnabled("mask" in kinds)
        self.act_fill_holes.setEnabled("mask" in kinds)

    def _push(self, cmd, empty_message: str) -> None:
        if cmd is None:
            self.win.statusBar().showMessage(empty_message, 4000)
        else:
            self.win.document.push(cmd)

    def _push_each(self, text: str, build) -> int:
        """One command per selected mask, all as one undo step; the number of commands pushed."""
        doc = self.win.document
        stack = doc.undo_stack
        pushed = 0
        for ann_id in [a.id for a in self._selected() if a.kind == "mask"]:
            cmd = build(doc.project, ann_id)  # built after the previous push: new ids do not collide
            if cmd is None:
                continue
            if pushed == 0:
                stack.beginMacro(text)
            doc.push(cmd)
            pushed += 1
        if pushed:
            stack.endMacro()
        return pushed

    # -- conversions -------------------------------------------------------------------------------
    def to_mask(self) -> None:
        if self.win.document is not None:
            ids = [a.id for a in self._selected()]
            self._push(edits.to_mask(self.win.document.project, ids), "Select a box or a polygon")

    def to_polygon(self) -> None:
        if self.win.document is not None:
            ids = [a.id for a in self._selected()]
            cmd = edits.to_polygons(self.win.document.project, ids, self.choose)
            self._push(cmd, "Nothing converted")

    def merge(self) -> None:
        doc = self.win.document
        if doc is None:
            return
        try:
            cmd = edits.merge_masks(doc.project, doc.selection)
        except ValueError as e:
            self.win.statusBar().showMessage(str(e), 6000)
            return
        self._push(cmd, "Select two or more objects of one category")

    def split(self) -> None:
        if self.win.document is not None and not self._push_each("Split masks", edits.split_mask):
            self.win.statusBar().showMessage("The mask is one piece already", 4000)

    def fill_holes(self) -> None:
        if self.win.document is not None and not self._push_each("Fill holes", edits.fill_holes):
            self.win.statusBar().showMessage("No holes to fill", 4000)

    def ask_polygon_loss(self, ann: Annotation, conv: mask_edit.PolygonConversion) -> str:
        """The warning and the choice before a lossy mask -> polygon conversion."""
        box = QMessageBox(self.win)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Convert mask to polygon")
        box.setText(f"Annotation {ann.id}: the polygon cannot hold this mask exactly.")
        box.setInformativeText((conv.warning() or "") + ".")
        convert = box.addButton("Convert Anyway", QMessageBox.ButtonRole.AcceptRole)
        split = (
            box.addButton("Separate Objects", QMessageBox.ButtonRole.ActionRole) if conv.parts > 1 else None
        )
        keep = box.addButton("Keep as Mask", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        if clicked is convert:
            return "convert"
        if split is not None and clicked is split:
            return "split"
        return "cancel"

    # -- display -----------------------------------------------------------------------------------
    def set_opacity(self, percent: int) -> None:
        self.opacity = int(percent)
        if self.act_outline_only.isChecked():
            self.act_outline_only.setChecked(False)  # moving the slider shows the fills again
        self.apply_display()

    def _set_outline_only(self, on: bool) -> None:
        self.apply_display()

    def set_category_visible(self, category_id: int, visible: bool) -> None:
        hidden = AnnotationItemMixin.hidden_categories
        (hidden.discard if visible else hidden.add)(category_id)
        self.apply_display()

    def apply_display(self) -> None:
        """Push opacity, outline-only and hidden categories to every item on the canvas."""
        AnnotationItemMixin.fill_opacity = 0.0 if self.act_outline_only.isChecked() else self.opacity / 100
        for item in self.win.canvas.items_by_id.values():
            item.refresh_display()

    def _fill_categories_menu(self) -> None:
        menu = self.categories_menu
        menu.clear()
        doc = self.win.document
        if doc is None or not doc.project.categories:
            menu.addAction("No categories").setEnabled(False)
            return
        for cat in doc.project.categories.values():
            act = menu.addAction(swatch(cat.color or "#ff00ff"), cat.name)
            act.setCheckable(True)
            act.setChecked(cat.id not in AnnotationItemMixin.hidden_categories)
            act.toggled.connect(lambda on, cid=cat.id: self.set_category_visible(cid, on))
        menu.addSeparator()
        menu.addAction("Show All", self._show_all)

    def _show_all(self) -> None:
        AnnotationItemMixin.hidden_categories.clear()
        self.apply_display()
