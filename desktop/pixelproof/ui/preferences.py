"""Edit > Preferences: what the mouse wheel does, over any image and on a volume's slice (``wheel_mode``),
whether a video track's filled frames follow an edited key (``track_refill``), and the keys of every
action, from the one shortcut registry (``ui.shortcuts``).

A change applies at once to every open window and is kept in the settings (``REGISTRY.set_keys``); a key
that another action already uses, or that opens a menu (Alt+F: File), is refused with a message naming
that action or menu, so no key ever does two things. Reset All gives every action its defaults; Export
Keys… and Import Keys… write and read a key map file (``ui.key_map_file``), so a team shares one layout.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.key_map import KeyMapError
from pixelproof.ui import key_map_file, track_refill
from pixelproof.ui.dialogs import (
    fit_column_to_every_row,
    hide_unmatched_rows,
    refuses_dataset_file,
    where_item,
)
from pixelproof.ui.shortcuts import REGISTRY
from pixelproof.ui.wheel_mode import (
    CANVAS_CHOICES,
    CANVAS_LABEL,
    CANVAS_TIP,
    CHOICES,
    LABEL,
    TIP,
    set_canvas_wheel,
    set_wheel_mode,
    wheel_scrolls,
    wheel_steps_slices,
)
from pixelproof.ui.window_geometry import resize_within_screen

NO_KEY = "—"
KEY_FILES = "Key map (*.json);;All files (*)"


class PreferencesDialog(QDialog):
    """The wheel's settings; a table of the actions and their keys; below it the chosen action's key
    editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.canvas_wheel_box, canvas_wheel_row = choice_row(
            "wheelMode", CANVAS_LABEL.replace("wheel", "w&heel", 1), CANVAS_CHOICES, wheel_scrolls(),
            CANVAS_TIP, set_canvas_wheel,
        )  # fmt: skip
        self.wheel_box, wheel_row = choice_row(
            "wheelOnVolume", LABEL.replace("wheel", "&wheel", 1), CHOICES, wheel_steps_slices(), TIP,
            set_wheel_mode,
        )  # fmt: skip
        self.refill_box = QCheckBox(track_refill.LABEL.replace("refill", "&refill", 1))
        self.refill_box.setObjectName("refillTracks")
        self.refill_box.setChecked(track_refill.refills())
        self.refill_box.setToolTip(track_refill.TIP)
        self.refill_box.toggled.connect(track_refill.set_refills)
        keys_heading = QLabel("<b>Keyboard shortcuts</b>")
        self.entries = [e for e in REGISTRY.entries() if e.editable]
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Find an action or a key…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        self.table = QTableWidget(len(self.entries), 3)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setObjectName("shortcutTable")
        # Where, as Help > Shortcuts says it: a review key looked dead in the labeling view
        self.table.setHorizontalHeaderLabels(["Action", "Keys", "Where"])
        self.table.verticalHeader().hide()
        # rows as tall as their text, as in Help > Shortcuts: the style's default (30 px) showed 12 of the
        # ~150 actions in a dialog that fits a 1366x768 screen
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, entry in enumerate(self.entries):
            item = QTableWidgetItem(entry.label)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setToolTip(f"{entry.id}: its id in a key map file (Export Keys…)")
            self.table.setItem(row, 0, item)
            self.table.setItem(row, 1, QTableWidgetItem())
            self.table.setItem(row, 2, where_item(entry))
        fit_column_to_every_row(self.table, 2)
        self.table.currentCellChanged.connect(lambda *_: self._show_chosen())

        self.chosen = QLabel("Choose an action above")
        self.key_edit = QKeySequenceEdit()
        self.key_edit.setObjectName("shortcutEdit")
        self.key_edit.setMaximumSequenceLength(1)
        self.key_edit.setToolTip("Press the new key (with its modifiers)")
        self.assign_button = QPushButton("&Assign")
        self.assign_button.setToolTip("Give the chosen action the key pressed (replaces its keys)")
        self.assign_button.clicked.connect(self.assign)
        self.clear_button = QPushButton("&No Key")
        self.clear_button.clicked.connect(lambda: self._set(self.current_id(), []))
        self.default_button = QPushButton("&Default")
        self.default_button.clicked.connect(lambda: self._set(self.current_id(), None))
        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        for button in (self.assign_button, self.clear_button, self.default_button):
            row.addWidget(button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        note = QLabel(
            "Keys change at once in every window and are remembered; mouse gestures and 1-9 are fixed."
        )
        note.setWordWrap(True)
        # a team's one layout: LabelMe's and X-AnyLabeling's config file, CVAT's settings, as a file
        self.import_button = QPushButton("&Import Keys…")
        self.import_button.setToolTip("Take every key from a key map file (.json) a team shares")
        self.import_button.clicked.connect(lambda: self.import_keys())
        self.export_button = QPushButton("E&xport Keys…")
        self.export_button.setToolTip("Save the keys you changed to a key map file (.json) to share")
        self.export_button.clicked.connect(lambda: self.export_keys())
        self.reset_all_button = QPushButton("Reset A&ll")
        self.reset_all_button.setToolTip("Every action back to its default keys")
        self.reset_all_button.clicked.connect(self.reset_all)
        files = QHBoxLayout()
        files.addWidget(note, 1)
        for button in (self.import_button, self.export_button, self.reset_all_button):
            files.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(keys_heading)
        layout.addWidget(self.filter_edit)  # first: the focus starts in it, as before the wheel's row
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chosen)
        layout.addLayout(row)
        layout.addLayout(files)
        layout.addWidget(QLabel("<b>Mouse</b>"))
        layout.addLayout(canvas_wheel_row)
        layout.addLayout(wheel_row)
        bottom = QHBoxLayout()  # the one editing setting beside Close: the key table keeps 20 rows in sight
        bottom.addWidget(self.refill_box)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self._fill_keys()
        self.table.setCurrentCell(0, 0)
        resize_within_screen(self, 620, 640)

    def current_id(self) -> str | None:
        item = self.table.item(self.table.currentRow(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, id: str) -> None:
        """Choose the row of action ``id``."""
        for row, entry in enumerate(self.entries):
            if entry.id == id:
                self.table.setCurrentCell(row, 0)
                return
        raise KeyError(id)

    def assign(self) -> None:
        """The pressed key for the chosen action, unless another action has it."""
        id = self.current_id()
        seq = self.key_edit.keySequence()
        if id is None or seq.isEmpty():
            return
        owner = REGISTRY.owner_of(seq, but=id)
        text = seq.toString(QKeySequence.SequenceFormat.NativeText)
        menu = self._menu_of(seq)
        if menu is not None:
            QMessageBox.warning(
                self, "Key already in use", f"{text} opens the {menu} menu. Choose another key."
            )
            return
        if owner is not None:
            QMessageBox.warning(
                self,
                "Key already in use",
                f"{text} is the key of “{owner.label}”. Give that action another key (or No Key) first.",
            )
            return
        self._set(id, [seq.toString(QKeySequence.SequenceFormat.PortableText)])

    def reset_all(self) -> None:
        """Every action's default keys, once the user agrees (their own keys are lost)."""
        if not REGISTRY.user_keys():
            return
        answer = QMessageBox.question(
            self, "Reset All Keys", "Give every action its default keys? The keys you chose are forgotten."
        )
        if answer == QMessageBox.StandardButton.Yes:
            REGISTRY.replace_user_keys({})
            self._fill_keys()

    def import_keys(self, path: str | None = None) -> bool:
        """The keys of a key map file (``ui.key_map_file``): all taken, or none with a message naming the
        file and where in it."""
        if not path:
            path, _f = QFileDialog.getOpenFileName(self, "Import Keys", "", KEY_FILES)
        if not path:
            return False
        try:
            count = key_map_file.import_keys(path, lambda k: self._menu_of(QKeySequence(k)))
        except KeyMapError as e:
            QMessageBox.warning(self, "Keys not imported", f"{e}\n\nNo key was changed.")
            return False
        self._fill_keys()
        self.chosen.setText(f"Imported {count} actions' keys; every other action has its default keys")
        return True

    def export_keys(self, path: str | None = None) -> bool:
        """The keys the user changed, to a key map file."""
        if not path:
            path, _f = QFileDialog.getSaveFileName(self, "Export Keys", "pixelproof-keys.json", KEY_FILES)
        if not path:
            return False
        doc = getattr(self.parentWidget(), "document", None)  # the main window's open project, if any
        if refuses_dataset_file(self, "Keys not exported", path, getattr(doc, "project", None)):
            return False
        try:
            count = key_map_file.export_keys(path)
        except OSError as e:
            QMessageBox.warning(self, "Keys not exported", f"{path}: {e.strerror or e}")
            return False
        self.chosen.setText(f"Exported the keys of {count} actions to {path}")
        return True

    def _menu_of(self, seq: QKeySequence) -> str | None:
        """The menu-bar menu that ``seq`` opens (Alt+F: its &File mnemonic), if any."""
        window = self.parentWidget()
        if not isinstance(window, QMainWindow):
            return None
        for act in window.menuBar().actions():
            if act.text() and QKeySequence.mnemonic(act.text()) == seq:
                return act.text().replace("&", "")
        return None

    def _set(self, id: str | None, keys: list[str] | None) -> None:
        if id is None:
            return
        if keys is None:  # back to the defaults: refused if another action took one of them meanwhile
            for seq in REGISTRY.get(id).default_sequences():
                owner = REGISTRY.owner_of(seq, but=id)
                if owner is not None:
                    text = seq.toString(QKeySequence.SequenceFormat.NativeText)
                    QMessageBox.warning(
                        self,
                        "Key already in use",
                        f"The default key {text} is now the key of “{owner.label}”.",
                    )
                    return
        REGISTRY.set_keys(id, keys)
        self.key_edit.clear()
        self._fill_keys()

    def _fill_keys(self) -> None:
        for row, entry in enumerate(self.entries):
            self.table.item(row, 1).setText(REGISTRY.text(entry.id) or NO_KEY)
        fit_column_to_every_row(self.table, 1)
        self._show_chosen()

    def _show_chosen(self) -> None:
        id = self.current_id()
        if id is not None:
            self.chosen.setText(f"<b>{REGISTRY.get(id).label}</b>: {REGISTRY.text(id) or 'no key'}")

    def _filter(self, text: str) -> None:
        hide_unmatched_rows(self.table, text)
        current = self.table.currentRow()
        if current < 0 or self.table.isRowHidden(current):  # the chosen action is one the user can see
            shown = [r for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]
            if shown:
                self.table.setCurrentCell(shown[0], 0)


def choice_row(
    name: str,
    label: str,
    choices: tuple[tuple[str, str], ...],
    second: bool,
    tip: str,
    keep: Callable[[str], None],
) -> tuple[QComboBox, QHBoxLayout]:
    """A wheel setting's row: its label (with an Alt+letter) and a combo box of ``choices`` (value, text),
    on the second when ``second``; a choice is kept at once with ``keep(value)``."""
    box = QComboBox()
    box.setObjectName(name)
    for mode, text in choices:
        box.addItem(text, mode)
    box.setCurrentIndex(1 if second else 0)
    box.setToolTip(tip)
    box.currentIndexChanged.connect(lambda _i: keep(box.currentData()))
    shown = QLabel(label)
    shown.setBuddy(box)
    row = QHBoxLayout()
    row.addWidget(shown)
    row.addWidget(box)
    row.addStretch(1)
    return box, row
