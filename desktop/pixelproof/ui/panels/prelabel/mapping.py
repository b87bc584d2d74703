"""The class mapping table: where each model class goes — a project category, a new category named as the
model names it (or as a remembered mapping names it), or nowhere (ignored). What it says is the
``mapping`` of ``inference.apply``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from pixelproof.core.names import shown_name
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.panels.base import scroll_safe

NEW = "\x00new:"  # combo data prefix: create a category named as what follows
IGNORE = "\x00ignore"
DROPPED = "(dropped)"  # a row going to a new category while only the project's classes are kept
DROPPED_TIP = "dropped: only this project's classes"


class ClassMapping(QTableWidget):
    """``edited``: the user chose where a class goes (the panel remembers the table for the model)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.setObjectName("classMapping")
        self.setAccessibleName("Class mapping")
        self.setHorizontalHeaderLabels(["Model class", "Project category"])
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setToolTip("Where each model class goes: a project category, a new one, or ignore")
        self._frozen = False
        #: "Only this project's classes": a new category would be dropped at run time, so none is offered
        self.only_existing = False

    def set_frozen(self, frozen: bool) -> None:
        """No choices while a batch runs (it keeps the table it started with); the rows stay readable and
        the table scrollable."""
        self._frozen = frozen
        for r in range(self.rowCount()):
            combo = self.cellWidget(r, 1)
            if combo is not None:
                combo.setEnabled(not frozen)

    def fill(
        self, model_classes: list[str], categories: list[str], mapping: dict[str, str | None] | None = None
    ) -> None:
        """One row per model class, set as ``mapping`` says (class -> category name, None = ignore); a
        class it does not name goes to the category of the same name, else to a new one so named."""
        mapping = mapping or {}
        self.setRowCount(len(model_classes))
        for r, name in enumerate(model_classes):
            item = QTableWidgetItem(shown_name(name))  # a model may name a class anything: one short line
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(as_text(shown_name(name)))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(r, 0, item)
            want = mapping.get(name, name)
            combo = QComboBox()
            combo.setAccessibleName(f"Category for {shown_name(name)}")  # said by its value alone otherwise
            if self.only_existing:  # no "+ new": the row's choice kept (unchecked, it is a new one again)
                if want is not None and want not in categories:
                    combo.addItem(DROPPED, NEW + want)
                    _dropped_item(combo, 0)
            else:
                for target in dict.fromkeys([name, want]):
                    if target is not None and target not in categories:
                        combo.addItem(f"+ new “{shown_name(target)}”", NEW + target)
            for c in categories:
                combo.addItem(shown_name(c), c)
            combo.addItem("ignore", IGNORE)
            data = IGNORE if want is None else (want if want in categories else NEW + want)
            combo.setCurrentIndex(max(combo.findData(data), 0))
            if combo.currentText() == DROPPED:
                combo.setToolTip(DROPPED_TIP)
            combo.activated.connect(self.edited)
            combo.setEnabled(not self._frozen)
            scroll_safe(combo)
            self.setCellWidget(r, 1, combo)
        # as tall as its rows (up to six, then it scrolls): one class takes one line, not a large box
        rows = self.verticalHeader().defaultSectionSize() * min(max(len(model_classes), 1), 6)
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth())

    def values(self) -> dict[str, str | None]:
        """{model class: project category name (existing or to create), or None = ignore}."""
        out: dict[str, str | None] = {}
        for r in range(self.rowCount()):
            item, combo = self.item(r, 0), self.cellWidget(r, 1)
            if item is None or not isinstance(combo, QComboBox):
                continue
            data = str(combo.currentData())
            out[item.data(Qt.ItemDataRole.UserRole)] = None if data == IGNORE else data.removeprefix(NEW)
        return out

    def combo(self, model_class: str) -> QComboBox | None:
        """The row's choice of ``model_class``."""
        for r in range(self.rowCount()):
            if self.item(r, 0).data(Qt.ItemDataRole.UserRole) == model_class:
                combo = self.cellWidget(r, 1)
                return combo if isinstance(combo, QComboBox) else None
        return None


def _dropped_item(combo: QComboBox, index: int) -> None:
    """The row's new category, which a run keeping the project's classes drops: shown, not chosen again."""
    item = combo.model().item(index)  # type: ignore[attr-defined]  # a QStandardItemModel
    item.setEnabled(False)
    item.setToolTip(DROPPED_TIP)
