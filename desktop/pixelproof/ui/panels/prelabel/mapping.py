"""The class mapping table: where each model class goes — a project category, a new category named as the
model names it, or nowhere (ignored). What it says is the ``mapping`` of ``inference.apply``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

NEW = "\x00new"  # combo data: create the category as the model names it
IGNORE = "\x00ignore"


class ClassMapping(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setObjectName("classMapping")
        self.setHorizontalHeaderLabels(["Model class", "Project category"])
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setToolTip("Where each model class goes: a project category, a new one, or ignore")
        self.setMinimumHeight(90)

    def fill(self, model_classes: list[str], categories: list[str]) -> None:
        """One row per model class; choices made before are kept, new classes go to the category of the
        same name, else to a new one."""
        old = self.values(include_new=True)
        self.setRowCount(len(model_classes))
        for r, name in enumerate(model_classes):
            item = QTableWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(r, 0, item)
            combo = QComboBox()
            if name not in categories:
                combo.addItem(f"+ new “{name}”", NEW)
            for c in categories:
                combo.addItem(c, c)
            combo.addItem("ignore", IGNORE)
            want = old.get(name, name if name in categories else NEW)
            index = combo.findData(want if want is not None else IGNORE)
            combo.setCurrentIndex(max(index, 0))
            self.setCellWidget(r, 1, combo)

    def values(self, include_new: bool = False) -> dict[str, str | None]:
        """{model class: project category name, or None = ignore} as the table says."""
        out: dict[str, str | None] = {}
        for r in range(self.rowCount()):
            item, combo = self.item(r, 0), self.cellWidget(r, 1)
            if item is None or not isinstance(combo, QComboBox):
                continue
            data = combo.currentData()
            if data == NEW:
                if include_new:
                    out[item.text()] = NEW
            else:
                out[item.text()] = None if data == IGNORE else data
        return out

    def set(self, model_class: str, category: str | None) -> None:
        """Map a model class to a category name (None = ignore), as choosing in the table does."""
        for r in range(self.rowCount()):
            if self.item(r, 0).text() == model_class:
                combo = self.cellWidget(r, 1)
                combo.setCurrentIndex(combo.findData(IGNORE if category is None else category))
