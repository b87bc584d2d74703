"""The tool options bar (the second tool bar row): the options of the tool in hand and nothing else, as an
image editor's or CVAT's — the width for the brush and the eraser, the wand's tolerance, connectivity and
range for the magic wand, Preserve others for both painting tools, Guide lines for the box tool, what the
assist tool adds (the model's mask or a polygon traced from it), a grey line for a tool without options
— then, at the row's right end where they stay put, the annotation display (fill opacity, Outline only,
Show Categories), which every tool needs. It follows the tool chosen by key, menu or tool button
(``CanvasView.toolChanged``). Hiding an option here hides only its tool bar widget: its menu item and its
key ([ / ], Masks > ...) keep working in every tool.

Built by ``MasksMenu``, which owns the actions and the display state this bar shows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QMenu,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from pixelproof.core.paint import MAX_WIDTH
from pixelproof.ui.canvas.guide_lines import GUIDES, TIP
from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.tools.paint_options import ASSIST_OUTPUTS, OPTIONS

# which tools show which group of options
WIDTH_TOOLS = ("brush", "eraser")
WAND_TOOLS = ("fill",)
PRESERVE_TOOLS = ("brush", "fill")  # the eraser takes pixels away: nothing of another object to keep
GUIDE_TOOLS = ("box",)
OUTPUT_TOOLS = ("assist",)
# what a tool without options here says instead (its name and this); said after the options it has here
ELSEWHERE = {"assist": "model and settings in the Model panel"}


class ToolOptionsBar:
    """The "Tool options" tool bar of a main window (see the module's docstring)."""

    def __init__(
        self,
        parent: QWidget,
        toggles: dict[str, QAction],
        outline_action: QAction,
        categories_menu: QMenu,
        opacity: int,
        set_opacity: Callable[[int], None],
    ) -> None:
        tb = self.toolbar = QToolBar("Tool options", parent)
        tb.setObjectName("maskToolbar")  # the name a saved window layout knows it by
        # the width: brush and eraser
        self.width_label = QLabel(" Brush ")
        self.width_box = QSpinBox()
        self.width_box.setObjectName("brushWidth")
        self.width_box.setAccessibleName("Brush width")
        self.width_box.setRange(1, MAX_WIDTH)
        self.width_box.setSuffix(" px")
        self.width_box.setToolTip(
            "Brush width: a dot or a stroke is this many pixels across (2 px paints 2-px lines; an even "
            "width is centred on the pixel corner nearest the pointer). [ / ] or Shift+wheel"
        )
        self.width_box.valueChanged.connect(lambda v: OPTIONS.set(width=v))
        # the wand's
        self.tolerance_box = QSpinBox()
        self.tolerance_box.setObjectName("wandTolerance")
        self.tolerance_box.setAccessibleName("Wand tolerance")
        self.tolerance_box.setRange(0, 255)
        self.tolerance_box.setToolTip(
            "Largest difference per channel the wand accepts, in display levels (0-255 across the shown "
            "window: on 16-bit and float images it follows the window / level). [ / ] or Shift+wheel"
        )
        self.tolerance_box.valueChanged.connect(lambda v: OPTIONS.set(tolerance=float(v)))
        # a tool without options says so (a bar that lost every widget looked broken)
        self.hint = QLabel()
        self.hint.setObjectName("toolOptionsHint")
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self._buttons = {id: _button(act) for id, act in toggles.items()}
        # the box tool's guide lines across the image (kept in the settings; View > Box Guide Lines too)
        GUIDES.load()
        self.guides_box = QCheckBox("Guide lines")
        self.guides_box.setObjectName("boxGuides")
        self.guides_box.setToolTip(TIP + "; View > Box Guide Lines (Shift+B)")
        self.guides_box.setChecked(GUIDES.on)
        self.guides_box.toggled.connect(GUIDES.set)
        GUIDES.changed.connect(self.guides_box.setChecked)
        # the assist tool's result: the model's mask, or a polygon traced as Masks > Mask -> polygon does
        self.output_box = QComboBox()
        self.output_box.setObjectName("assistOutput")
        self.output_box.setAccessibleName("Assist result")
        self.output_box.addItems([o.capitalize() for o in ASSIST_OUTPUTS])
        self.output_box.setToolTip(
            "What Enter adds with the assist tool (I): the model's mask, or a polygon traced from it as "
            "Masks > Mask -> polygon does (the status bar says when the polygon loses pixels)"
        )
        self.output_box.currentIndexChanged.connect(lambda i: OPTIONS.set(assist_output=ASSIST_OUTPUTS[i]))
        self.show_output()
        add = tb.addWidget
        self._groups: dict[str, list[QAction]] = {
            "width": [add(self.width_label), add(self.width_box)],
            "wand": [
                add(QLabel(" Wand tolerance ")),
                add(self.tolerance_box),
                add(self._buttons["masks.wand_8"]),
                add(self._buttons["masks.wand_floating"]),
            ],
            "preserve": [add(self._buttons["masks.preserve_others"])],
            "guides": [add(self.guides_box)],
            "output": [add(QLabel(" Result ")), add(self.output_box)],
            "hint": [add(self.hint)],
        }
        spacer = QWidget()  # the display controls at the right end: they do not move with the tool
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        add(spacer)
        add(QLabel(" Opacity "))
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setObjectName("maskOpacity")
        self.opacity_slider.setAccessibleName("Opacity")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(opacity)
        self.opacity_slider.setFixedWidth(110)
        self.opacity_slider.setToolTip("Opacity of the fills of all annotations")
        self.opacity_slider.valueChanged.connect(set_opacity)
        add(self.opacity_slider)
        self.outline_box = QCheckBox("Outline only")
        self.outline_box.toggled.connect(outline_action.setChecked)
        outline_action.toggled.connect(self.outline_box.setChecked)
        add(self.outline_box)
        button = QToolButton()
        button.setText("Categories")
        button.setToolTip("Show or hide the annotations of each category")
        button.setMenu(categories_menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        add(button)
        self.tool = ""
        self.show_for("")

    def button_for(self, action: QAction) -> QToolButton:
        """The bar's button of a toggle (Preserve others, the wand's two)."""
        return self._buttons[action.property("shortcut_id")]

    def show_output(self) -> None:
        """The assist result box says ``OPTIONS.assist_output`` (``MasksMenu`` calls it at each change of
        the options: set here, in another window, or read from the settings)."""
        index = ASSIST_OUTPUTS.index(OPTIONS.assist_output)
        if self.output_box.currentIndex() != index:
            self.output_box.setCurrentIndex(index)

    def show_for(self, tool: str) -> None:
        """Show the options of ``tool`` (a tool's ``name``; '' for none) and hide the others'."""
        self.tool = tool
        shown = {
            "width": tool in WIDTH_TOOLS,
            "wand": tool in WAND_TOOLS,
            "preserve": tool in PRESERVE_TOOLS,
            "guides": tool in GUIDE_TOOLS,
            "output": tool in OUTPUT_TOOLS,
        }
        shown["hint"] = bool(tool) and (not any(shown.values()) or tool in ELSEWHERE)
        self.width_label.setText(" Eraser " if tool == "eraser" else " Brush ")
        if shown["hint"]:
            name = REGISTRY.get(f"tool.{tool}").text.replace("&", "")  # "&Box": the menu's mnemonic
            self.hint.setText(f" {name}: {ELSEWHERE.get(tool, 'no options')}")
        for group, actions in self._groups.items():
            for act in actions:
                act.setVisible(shown[group])
        self.toolbar.layout().activate()  # shown at once, not at the next event loop turn


def _button(action: QAction) -> QToolButton:
    """A tool bar button of ``action`` (its text says its state): hiding it leaves the action, its menu item
    and its key as they are, where hiding the action would take them away."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button
