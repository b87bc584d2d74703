"""The Masks menu and the tool options bar (``ui.tool_options``, shown per tool): conversions (all
undoable), the mask tools' options and the annotation display (opacity, outline-only, per-category
visibility). The fill opacity and Outline only are saved with the window's view settings when it closes
and come back in the next window (``save_settings`` / ``restore_settings``, called by the main window
beside its own); what is hidden stays per project and session, as View > Show Annotations: hidden at
start-up, objects would go unseen. The mask tools' options (brush width, wand tolerance / 8-connectivity /
floating range, Preserve others) are kept at each change (``tools.kept_options``), so the next window and
the next session use them.

Installed by the main window with ``MasksMenu(shell)`` (``ui.shell``); every edit here is a
``core.edits`` one pushed on the Document, like the tools'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QToolBar

from pixelproof.core import edits, mask_edit
from pixelproof.core.limits import LimitError
from pixelproof.core.model import Annotation, IdsExhausted
from pixelproof.core.names import shown_name
from pixelproof.ui import dialogs
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.icons import swatch
from pixelproof.ui.shortcuts import make_action, plain
from pixelproof.ui.tool_options import ToolOptionsBar
from pixelproof.ui.tools.kept_options import remember_options
from pixelproof.ui.tools.paint_options import OPTIONS

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


OPACITY_KEY, OUTLINE_KEY = "view/fill_opacity", "view/outline_only"  # the app's settings (``ui.settings``)

# the toolbar's text for a mask option, off and on: it reads true either way (the menu shows a check mark)
TOGGLE_TEXT = {
    "masks.preserve_others": ("Preserve others: off", "Preserve others: on"),
    "masks.wand_8": ("Wand: 4-connected", "Wand: 8-connected"),
    "masks.wand_floating": ("Wand: fixed range", "Wand: floating range"),
}


class MasksMenu(QObject):
    """Builds and drives the Masks menu and the "Masks" toolbar of a main window."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        # asked when a mask -> polygon conversion would lose pixels; tests replace it
        self.choose: edits.Chooser = self.ask_polygon_loss
        self.opacity = 100  # % of the category fill, remembered while outline-only is on
        self._doc = None
        # categories hidden in each project shown this session (ids mean other classes in another project)
        self._hidden_by_project: dict[str, set[int]] = {}

        a = self._action
        self.act_to_mask = a("masks.to_mask", self.to_mask, "Box or polygon -> pixel mask")
        self.act_to_polygon = a(
            "masks.to_polygon", self.to_polygon, "Mask -> polygon (asks when holes or pixels are lost)"
        )
        self.act_merge = a("masks.merge", self.merge, "Union of the selected objects (one category)")
        self.act_split = a("masks.split", self.split, "One object per connected part")
        self.act_fill_holes = a("masks.fill_holes", self.fill_holes, "Fill the enclosed holes of a mask")
        tip = "Or Shift+wheel; with the wand in hand, its tolerance"
        self.act_smaller = a("masks.brush_smaller", lambda: self._step_size(-1), tip)
        self.act_larger = a("masks.brush_larger", lambda: self._step_size(1), tip)
        self.act_preserve = a(
            "masks.preserve_others", lambda on: OPTIONS.set(preserve_others=bool(on)),
            "Brush and fill paint only where no other annotation is", toggled=True,
        )  # fmt: skip
        self.act_eight = a(
            "masks.wand_8", lambda on: OPTIONS.set(connectivity=8 if on else 4),
            "Grow the wand region through diagonal neighbours too", toggled=True,
        )  # fmt: skip
        self.act_floating = a(
            "masks.wand_floating", lambda on: OPTIONS.set(fixed_range=not on),
            "Compare each pixel with its neighbour (follows gradients) instead of with the clicked pixel",
            toggled=True,
        )  # fmt: skip
        self.act_outline_only = a(
            "masks.outline_only", self._set_outline_only, "Hide the fills, keep the outlines", toggled=True
        )
        self.categories_menu = QMenu("Show &Categories", shell.widget)
        self.categories_menu.aboutToShow.connect(self._fill_categories_menu)

        self.menu = QMenu("&Masks", shell.widget)
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
        shell.add_menu(self.menu)

        self.toolbar = self._make_toolbar()
        shell.add_toolbar(self.toolbar, new_row=True)
        remember_options()  # the tool options the user last chose, in this or an earlier session
        OPTIONS.listen(self._show_options)
        self._show_options()
        shell.documentChanged.connect(self._on_document)
        self._on_document(shell.document)

    # -- building ----------------------------------------------------------------------------------
    def _action(self, id: str, slot, tip: str = "", toggled: bool = False) -> QAction:  # type: ignore[no-untyped-def]
        def guarded(*args):  # type: ignore[no-untyped-def]
            try:
                slot(*args) if toggled else slot()  # triggered's "checked" is not the slot's
            except LimitError as e:  # a mask whose box is over the pixel limit: nothing done, said why
                self.shell.status(str(e), 10_000)

        act = make_action(id, self.shell.widget, guarded, tip=tip, toggled=toggled)
        self.shell.add_action(act)
        return act

    def _make_toolbar(self) -> QToolBar:
        bar = ToolOptionsBar(
            self.shell.widget,
            {a.property("shortcut_id"): a for a in (self.act_preserve, self.act_eight, self.act_floating)},
            self.act_outline_only,
            self.categories_menu,
            self.opacity,
            self.set_opacity,
        )
        self.options_bar = bar
        self.width_box, self.tolerance_box = bar.width_box, bar.tolerance_box
        self.opacity_slider, self.outline_box = bar.opacity_slider, bar.outline_box
        self.shell.canvas.toolChanged.connect(self._show_tool_options)
        self.shell.documentChanged.connect(self._show_tool_options)
        self._show_tool_options()
        return bar.toolbar

    def _show_tool_options(self, *_: object) -> None:
        """The options of the tool in hand; none with no project open (nothing to draw on: a first start
        showed the box tool's Guide lines as if it could draw)."""
        tool, doc = self.shell.canvas.tool, self.shell.document
        self.options_bar.show_for(tool.name if tool is not None and doc is not None else "")

    def _step_size(self, direction: int) -> None:
        """[ / ]: the tool in hand steps its size (``Tool.step_size``: the wand its tolerance, any other
        the brush width)."""
        tool = self.shell.canvas.tool
        if tool is not None:
            tool.step_size(direction)
        else:
            OPTIONS.step_width(direction)

    def _show_options(self) -> None:
        """Widgets follow the shared options (changed by keys, wheel or another window)."""
        for widget, value in (
            (self.width_box, OPTIONS.width),
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
            act.setIconText(TOGGLE_TEXT[act.property("shortcut_id")][on])  # the toolbar button says the state
        self.options_bar.show_output()

    # -- document and selection ------------------------------------------------------------------------
    def _on_document(self, doc) -> None:
        if self._doc is not None:
            try:
                self._doc.selectionChanged.disconnect(self._update)
                self._doc.undo_stack.indexChanged.disconnect(self._update)
            except (RuntimeError, TypeError):  # the old document is already gone
                pass
        if doc is not self._doc:
            self._show_hidden_of(doc)
        self._doc = doc
        if doc is not None:
            doc.selectionChanged.connect(self._update)
            doc.undo_stack.indexChanged.connect(self._update)
        self._update()

    def _selected(self) -> list[Annotation]:
        doc = self.shell.document
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
            self.shell.status(empty_message, 4000)
        else:
            self.shell.document.push(cmd)

    def _push_each(self, text: str, build) -> int:
        """One command per selected mask, all as one undo step; the number of commands pushed."""
        doc = self.shell.document
        stack = doc.undo_stack
        pushed = 0
        try:
            for ann_id in [a.id for a in self._selected() if a.kind == "mask"]:
                try:
                    cmd = build(doc.project, ann_id)  # built after the previous push: new ids do not collide
                except IdsExhausted as e:
                    dialogs.show_error(self.shell.widget, text, str(e))
                    break
                if cmd is None:
                    continue
                if pushed == 0:
                    stack.beginMacro(text)
                doc.push(cmd)
                pushed += 1
        finally:  # a mask over the pixel limit stops the loop: what was pushed stays one undo step
            if pushed:
                stack.endMacro()
        return pushed

    # -- conversions -------------------------------------------------------------------------------
    def to_mask(self) -> None:
        if self.shell.document is not None:
            ids = [a.id for a in self._selected()]
            self._push(edits.to_mask(self.shell.document.project, ids), "Select a box or a polygon")

    def to_polygon(self) -> None:
        if self.shell.document is not None:
            ids = [a.id for a in self._selected()]
            try:
                cmd = edits.to_polygons(self.shell.document.project, ids, self.choose)
            except IdsExhausted as e:  # a mask to split into objects: no id left for them
                dialogs.show_error(self.shell.widget, "Convert to polygon", str(e))
                return
            self._push(cmd, "Nothing converted")

    def merge(self) -> None:
        doc = self.shell.document
        if doc is None:
            return
        try:
            cmd = edits.merge_masks(doc.project, doc.selection)
        except ValueError as e:
            self.shell.status(str(e), 6000)
            return
        self._push(cmd, "Select two or more objects of one category")

    def split(self) -> None:
        if self.shell.document is not None and not self._push_each("Split masks", edits.split_mask):
            self.shell.status("The mask is one piece already", 4000)

    def fill_holes(self) -> None:
        if self.shell.document is not None and not self._push_each("Fill holes", edits.fill_holes):
            self.shell.status("No holes to fill", 4000)

    def ask_polygon_loss(self, ann: Annotation, conv: mask_edit.PolygonConversion) -> str:
        """The warning and the choice before a lossy mask -> polygon conversion."""
        box = QMessageBox(self.shell.widget)
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

    def save_settings(self, s: QSettings) -> None:
        """Keep this window's fill opacity and Outline only for the next window."""
        s.setValue(OPACITY_KEY, self.opacity)
        s.setValue(OUTLINE_KEY, self.act_outline_only.isChecked())

    def restore_settings(self, s: QSettings) -> None:
        """The fill opacity and Outline only the last window closed had; a damaged value (a hand edit)
        gives the default, full fills: never 0, which would hide them unasked."""
        raw = s.value(OPACITY_KEY)
        text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
        if text.isdecimal() and int(text) <= 100:  # not isdigit: "²" is one, and int() refuses it
            self.opacity_slider.setValue(int(text))
        on = s.value(OUTLINE_KEY)
        self.act_outline_only.setChecked(on is True or (isinstance(on, str) and on.lower() == "true"))

    def set_category_visible(self, category_id: int, visible: bool) -> None:
        """Show or hide a category's objects on this window's canvas (no other window's)."""
        canvas = self.shell.canvas
        hidden = set(canvas.show_filter.hidden)
        (hidden.discard if visible else hidden.add)(category_id)
        canvas.set_hidden_categories(hidden)

    def _show_hidden_of(self, doc) -> None:  # type: ignore[no-untyped-def]
        """Hide what was hidden when ``doc``'s project was last shown in this window (nothing for another
        project: a category id hidden there names another class here)."""
        canvas = self.shell.canvas
        if self._doc is not None and getattr(self._doc, "path", None):
            self._hidden_by_project[str(self._doc.path)] = set(canvas.show_filter.hidden)
        path = getattr(doc, "path", None) if doc is not None else None
        canvas.set_hidden_categories(self._hidden_by_project.get(str(path), ()) if path else ())

    def apply_display(self) -> None:
        """Give this window's canvas the fill opacity the slider and Outline only say."""
        self.shell.canvas.set_fill_opacity(0.0 if self.act_outline_only.isChecked() else self.opacity / 100)

    def _fill_categories_menu(self) -> None:
        menu = self.categories_menu
        menu.clear()
        doc = self.shell.document
        if doc is None or not doc.project.categories:
            menu.addAction("No categories").setEnabled(False)
            return
        for cat in doc.project.categories.values():
            colour, shown = category_color(cat), cat.id not in self.shell.canvas.show_filter.hidden
            act = menu.addAction(swatch(colour, hollow=not shown), plain(shown_name(cat.name)))
            act.setToolTip(dialogs.as_text(shown_name(cat.name)))  # else its text, maybe read as rich text
            act.setCheckable(True)
            act.setChecked(shown)
            act.toggled.connect(lambda on, cid=cat.id: self.set_category_visible(cid, on))
            act.toggled.connect(lambda on, a=act, c=colour: a.setIcon(swatch(c, hollow=not on)))
        menu.addSeparator()
        menu.addAction("Show All", self._show_all)

    def _show_all(self) -> None:
        self.shell.canvas.set_hidden_categories(())
