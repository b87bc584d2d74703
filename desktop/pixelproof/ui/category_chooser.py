"""The category of new objects and of the selection: digit keys 1-9 (Edit > Set Category) and the main
toolbar's Category box. Which category a digit picks is project data (``Category.shortcut``), so the digit
actions are rebuilt with the categories, not declared in the shortcut registry (DESIGN.md §4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QToolBar

from pixelproof.core import edits
from pixelproof.core.names import shown_name
from pixelproof.ui.canvas.looks import category_color
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.icons import swatch
from pixelproof.ui.shortcut_entry import WORKS_IN
from pixelproof.ui.shortcuts import REGISTRY, plain

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell


MIN_CHARS = 12  # the Category box is at least this many characters wide...
MAX_CHARS = 32  # ...and at most: a longer name (one read from another tool's file) is cut


class CategoryChooser(QObject):
    def __init__(self, shell: Shell, menu: QMenu, toolbar: QToolBar) -> None:
        super().__init__(shell)
        self.shell = shell
        self.menu = menu  # Edit > Set Category: one action per digit key in use
        self.actions: list[QAction] = []
        self.combo = QComboBox()
        # sized to its names each time they change (Qt's default sizes it once, when first shown: the box
        # kept the width of the classes it first showed: MVTec AD's "metal_plate/..." read "metal_plate/c")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(MIN_CHARS)
        self.combo.setToolTip("Category of new objects (keys 1-9 also set it for the selection)")
        # said by its value alone ("cat (1)") otherwise: named, and on Linux by the label beside it (a buddy)
        self.combo.setAccessibleName("Category of new objects")
        self.combo.setProperty(WORKS_IN, "labeling")  # no Tab stop in the review view (Shell)
        self.combo.activated.connect(self._combo_chosen)
        shell.keys_back_after_choice(self.combo)  # the next key is the canvas's (B, an arrow)
        self.combo.installEventFilter(self)  # a digit no category has: the keys go back all the same
        label = QLabel(" Category ")
        label.setBuddy(self.combo)
        toolbar.addWidget(label)
        toolbar.addWidget(self.combo)
        shell.documentChanged.connect(self._document_changed)
        self._document_changed(shell.document)

    def _document_changed(self, doc: Document | None) -> None:
        if doc is not None:  # the connections go with the document
            doc.categoriesChanged.connect(self.rebuild)
            doc.currentCategoryChanged.connect(self._fill_combo)
        self.rebuild()

    def rebuild(self) -> None:
        """One action per digit key a category has (a closed project's must not stay), then the box."""
        for act in self.actions:
            self.shell.widget.removeAction(act)
            act.deleteLater()
        self.actions = []
        self.menu.clear()
        doc = self.shell.document
        for n in range(1, 10) if doc is not None else ():
            cat = doc.category_for_key(str(n))
            if cat is None:
                continue
            act = QAction(plain(shown_name(cat.name)), self.shell.widget)
            act.setToolTip(as_text(shown_name(cat.name)))  # else its text, read as rich text when it looks so
            act.setShortcut(str(n))
            act.setProperty("shortcut_id", "edit.category")
            REGISTRY.keep_to_context(act)  # labeling keys: not in the review view
            act.triggered.connect(lambda _=False, cid=cat.id: self.choose(cid))
            self.shell.add_action(act)
            self.menu.addAction(act)
            self.actions.append(act)
        self.menu.setEnabled(bool(self.actions))
        self._fill_combo()

    def _fill_combo(self, *_: object) -> None:
        combo, doc = self.combo, self.shell.document
        combo.blockSignals(True)
        combo.clear()
        if doc is not None:
            keys = {c.id: str(n) for n in range(9, 0, -1) if (c := doc.category_for_key(str(n)))}
            for cat in doc.project.categories.values():
                name = shown_name(cat.name)
                text = f"{name}  ({keys[cat.id]})" if cat.id in keys else name
                combo.addItem(swatch(category_color(cat)), text, cat.id)
            combo.setCurrentIndex(combo.findData(doc.current_category_id))
        longest = max((len(combo.itemText(i)) for i in range(combo.count())), default=0)
        combo.setMinimumContentsLength(max(MIN_CHARS, min(MAX_CHARS, longest)))
        combo.setEnabled(combo.count() > 0)
        combo.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A digit typed in the Category box (Tab stops there) that no category has: not a search of the
        box's names (on the canvas it picks nothing either); the keys go back to the canvas. A digit a
        category has never gets here: its action takes it (``choose``)."""
        if (
            watched is self.combo
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and event.text().isdigit()
        ):
            self.shell.keys_back()
            return True
        return False

    def _combo_chosen(self, index: int) -> None:
        if self.shell.document is not None:
            self.shell.document.set_current_category(self.combo.itemData(index))
            self._tell_tool()

    def _tell_tool(self) -> bool:
        """Whether the category went to the new object the tool is drawing (see ``Tool.category_chosen``)."""
        tool = self.shell.canvas.tool
        return tool is not None and tool.category_chosen()

    def choose(self, category_id: int) -> None:
        """Digit key: the category of new objects, and of the selected ones - while a new object is being
        drawn, of that object only (the selection is the object drawn before it)."""
        doc = self.shell.document
        if doc is None:
            return
        doc.set_current_category(category_id)
        if self.combo.hasFocus():  # typed in the Category box: the next key (B, an arrow) is the canvas's,
            self.shell.keys_back()  # as after a pick in its list; it kept them, and Down changed the class
        name = doc.project.categories[category_id].name
        if self._tell_tool():
            self.shell.status(f"Category: {name}, for the object being drawn", 2500)
            return
        edit = edits.set_category(doc.project, doc.selection, category_id)
        # said first: the canvas's note that a hidden category is shown again (during the push) replaces it
        self.shell.status(
            f"Category: {name}{self._given_to(edit.ids if edit else [])}", 4000 if edit else 2500
        )
        if edit is not None:
            doc.push(edit)

    def _given_to(self, ids: list[int]) -> str:
        """What a category key changed besides the next objects' category (one picks the next object's class
        before drawing it, and the object just drawn is still selected)."""
        if not ids:
            return ""
        what = f"#{ids[0]}" if len(ids) == 1 else f"{len(ids)} selected objects"
        return f", given to {what} too (Ctrl+Z takes it back; Esc first keeps it for new objects only)"
