"""Dialogs: error reports, the unsaved-changes and recovery questions, Help > Shortcuts, window/level, a
copyable report of problems, and a modal progress dialog for a background job (``run_job``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QKeySequence, QTextBlockFormat, QTextCursor, QTextOption
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from pixelproof import __version__
from pixelproof.core.autosave import AutosaveInfo
from pixelproof.core.coco import ProjectFormatError, ProjectSaveError
from pixelproof.core.model import Project
from pixelproof.core.wording import plural
from pixelproof.interop._util import Note
from pixelproof.ui.copy_rows import to_clipboard
from pixelproof.ui.jobs import Job
from pixelproof.ui.key_names import key_glyph
from pixelproof.ui.shortcuts import Shortcut
from pixelproof.ui.window_geometry import resize_within_screen

MAX_LISTED = 12


def as_text(text: str) -> str:
    """``text`` as rich text that shows it as written, for a label, tooltip or message box. Qt takes text
    whose first line opens with a tag for rich text and reads the file each ``<img src=...>`` names (a
    device or FIFO hangs the app, a ``\\\\host\\share`` path sends the Windows login to that host): names
    and messages from an opened file go through here."""
    return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def show_format_error(parent: QWidget | None, error: ProjectFormatError) -> None:
    """Every problem of a project file that could not be opened, naming the file."""
    n = len(error.problems)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Cannot open project")
    box.setText(f"<b>{escape(error.path)}</b><br>is not a valid project file ({plural(n, 'problem')}).")
    shown = error.problems[:MAX_LISTED]
    more = f"\n… and {n - MAX_LISTED} more (see Show Details)" if n > MAX_LISTED else ""
    box.setInformativeText(as_text("\n".join(shown) + more))
    if n > MAX_LISTED:
        box.setDetailedText("\n".join(error.problems))
    box.exec()


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, as_text(text))


def refuses_dataset_file(parent: QWidget | None, title: str, path: object, project: Project | None) -> bool:
    """True, after a message naming ``path`` and why, when it is ``project``'s file, its reference or one of
    its images (``core.save_targets.dataset_file_problem``, the CLI's rule): asked by every writer of a
    file the user names, before anything is written - the file dialog's "replace?" was all that stood
    between a report typed as ``scan.png`` and the picture."""
    from pixelproof.core.references import reference_path
    from pixelproof.core.save_targets import dataset_file_problem

    if project is None or (problem := dataset_file_problem(path, [project], reference_path(project))) is None:
        return False
    show_error(parent, title, problem)
    return True


def ok_cancel(dialog: QDialog, ok_text: str = "") -> QDialogButtonBox:
    """The OK / Cancel row of a dialog, wired to its accept / reject (add it to the dialog's layout).
    ``ok_text``: the OK button named for what it does ("Merge"), as Import and Export name theirs."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    if ok_text:
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def ask_save_changes(parent: QWidget | None, name: str, time_too: bool = False) -> QMessageBox.StandardButton:
    """Save / Discard / Cancel before the project is closed. ``time_too``: time spent on its images is
    unsaved as well, and Discard drops it with the edits (said, as it is no edit the user sees)."""
    time = "\n\nDiscard also drops the time spent on its images since the last save." if time_too else ""
    return QMessageBox.question(
        parent,
        "Unsaved changes",
        f"Save the changes to {name} before closing it?{time}",
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )


def ask_replace(parent: QWidget | None, path: object) -> bool:
    """Replace ``path``? For a name the file dialog did not ask about (``.json`` added after it)."""
    answer = QMessageBox.question(
        parent,
        "Replace file",
        f"{path} already exists.\n\nReplace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_recover(parent: QWidget | None, autosave_name: str, file_changed: bool = False) -> bool:
    """Open a project's autosave instead of the file? ``file_changed``: the file was saved by someone else
    since the autosaved edits began (a save will then ask before overwriting it)."""
    why = (
        "holds edits the project file lacks, and the project file was changed by another window or "
        "program since those edits began: saving will ask before replacing it"
        if file_changed
        else "is newer than the project file: the app may have closed without saving"
    )
    answer = QMessageBox.question(
        parent,
        "Recover unsaved work?",
        f"An autosave ({autosave_name}) {why}.\n\nOpen the autosaved version? (The project file is only "
        "replaced when you save.)",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_recover_new_project(parent: QWidget | None, info: AutosaveInfo | None, file: Path) -> str:
    """A new project's autosave left by a crash: "recover", "discard" or "later"."""
    if info is not None:
        where = f" over {info.project.parent}" if info.project is not None else ""
        n = info.images
        what = f"A new project{where} ({plural(n, 'image')}, autosaved {info.saved})"
    else:
        what = f"A new project ({file})"
    answer = QMessageBox.question(
        parent,
        "Recover a new project?",
        f"{what} was never saved: the app closed without saving it.\n\nRecover it? Discard deletes "
        "the autosave; Cancel asks again next time.",
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Yes,
    )
    if answer == QMessageBox.StandardButton.Yes:
        return "recover"
    return "discard" if answer == QMessageBox.StandardButton.Discard else "later"


def ask_save_read_only(parent: QWidget | None, path: object) -> bool:
    """Ctrl+S on a project file with no write permission (kept safe by its owner): save as another file?
    As a text editor asks; Cancel keeps the changes open, unsaved."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Project file is read-only")
    box.setText(f"<b>{escape(str(path))}</b><br>is read-only (no write permission): it is not replaced.")
    box.setInformativeText("Save your changes as another file? Cancel keeps them open, unsaved.")
    save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save_as)
    box.exec()
    return box.clickedButton() is save_as


def ask_conflict(parent: QWidget | None, path: object, time_too: bool = False) -> str:
    """The project file changed on disk since it was opened: "save_as", "reload", "overwrite" or "cancel".
    ``time_too``: time spent on its images is unsaved as well (Reload drops it with the edits)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Project changed on disk")
    box.setText(
        f"<b>{escape(str(path))}</b><br>was changed by another window or program since you opened it."
    )
    mine = "your unsaved changes and time spent on its images" if time_too else "your unsaved changes"
    box.setInformativeText(
        f"Save your version under another name, reload the file from disk ({mine} are discarded), or "
        "overwrite the other changes with yours."
    )
    buttons = {
        box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole): "save_as",
        box.addButton("Reload (discard mine)", QMessageBox.ButtonRole.DestructiveRole): "reload",
        box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole): "overwrite",
        box.addButton(QMessageBox.StandardButton.Cancel): "cancel",
    }
    return answer(box, buttons)


def answer(box: QMessageBox, buttons: dict) -> str:
    """Show ``box`` with the first of ``buttons`` (button -> its answer) the default; the answer of the
    button clicked, "cancel" when the box is closed another way."""
    box.setDefaultButton(next(iter(buttons)))
    box.exec()
    return buttons.get(box.clickedButton(), "cancel")


def ask_import_labelme(parent: QWidget | None, folder: Path, n_files: int, labels: str) -> str:
    """A folder opened as images holds LabelMe JSON files: "import" its labels, "images" only (as any
    folder of images) or "cancel". ``labels``: where the category order would come from, in words."""
    found = f"This folder holds LabelMe annotations for {plural(n_files, 'image')}. Import them?"
    how = f"LabelMe folder; {labels}); the JSON files are never changed."
    return ask_import_labels(parent, folder, "LabelMe annotations found", found, how)


IMAGES_ONLY = "Images Only starts a project over the pictures alone, with categories you name."


def ask_import_labels(
    parent: QWidget | None, folder: Path, title: str, found: str, how: str, images_only: str = IMAGES_ONLY
) -> str:
    """A folder opened as images is a labelled dataset (``found`` says which and asks): "import" its labels
    as File > Import reads them (``how``: the format and what is kept, in words), "images" only (what that
    gives: ``images_only``) or "cancel". Keys: Enter imports, Alt+I and Alt+O pick Import and Images Only
    (both begin with I), Esc cancels."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(f"<b>{escape(str(folder))}</b><br>{found}")
    box.setInformativeText(f"Import reads the labels as File > Import does ({how} {images_only}")
    buttons = {
        box.addButton("&Import", QMessageBox.ButtonRole.AcceptRole): "import",
        box.addButton("Images &Only", QMessageBox.ButtonRole.ActionRole): "images",
        box.addButton(QMessageBox.StandardButton.Cancel): "cancel",
    }
    return answer(box, buttons)


def ask_pixel_limit(parent: QWidget | None, current: str) -> tuple[str, bool]:
    """The new pixel limit as typed (e.g. 300M, 1G, 2**30; empty: back to the default) and OK/Cancel."""
    from PySide6.QtWidgets import QInputDialog

    return QInputDialog.getText(
        parent,
        "Pixel limit",
        "Largest image decoded at once, in pixels (e.g. 300M, 1G, 2**30).\n"
        "Bigger images are refused quickly instead of filling the memory; empty = default.",
        text=current,
    )


def ask_open_downsampled(parent: QWidget | None, text: str, k: int) -> bool:
    """A plain image over the pixel limit: open it downsampled 1/``k`` (True) or not at all."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Image too large", text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("hugeImageDialog")
    reduced = box.addButton(f"Open downsampled 1/{k}", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(reduced)
    box.exec()
    return box.clickedButton() is reduced


def ask_open_locked(parent: QWidget | None, name: str, holder: str) -> bool:
    """Another live process holds the project's lock: open anyway (taking the lock over)?"""
    answer = QMessageBox.warning(
        parent,
        "Project already open",
        f"{name} is open in PixelProof by {holder}.\n\nIf both save, the second save is refused and "
        "asks what to do. Open it anyway (and take over its lock)?",
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Open


def typed_key(text: str) -> set[str] | None:
    """The spellings (lower case) of the key ``text`` names when it is one - a chord (``shift+k``, ``ctrl
    + shift + k``), one character (``h``) or a function key (``f5``) - else None: it is words. Searched as
    text, shift+k also found Ctrl+Shift+K."""
    compact = "".join(text.split())
    if not ("+" in compact or len(compact) == 1 or re.fullmatch(r"[fF]\d{1,2}", compact)):
        return None
    seq = QKeySequence.fromString(compact, QKeySequence.SequenceFormat.PortableText)
    formats = (QKeySequence.SequenceFormat.PortableText, QKeySequence.SequenceFormat.NativeText)
    forms = {seq.toString(f).lower() for f in formats}
    return forms if seq.count() == 1 and all(forms) else None


def key_matches(key: str, typed: set[str]) -> bool:
    """Whether ``key`` (one key as shown, lower case) is the ``typed_key``; a typed symbol (``+``, ``-``,
    ``[``) is also found ending a chord: + finds Ctrl++, where a letter finds only itself (not Ctrl+H); a
    key shown named, "period (.)", is its glyph (``key_names.key_glyph``)."""
    key = key_glyph(key)
    return key in typed or any(len(t) == 1 and not t.isalnum() and key.endswith("+" + t) for t in typed)


def fit_column_to_every_row(
    table: QTableWidget, column: int, parts: Callable[[str], list[str]] = lambda text: [text]
) -> None:
    """Fix ``column``'s width to its widest cell over every row, hidden ones too. Qt's ResizeToContents
    measured only the rows shown after a find field's first letter and never grew back ('Sh…'). ``parts``:
    the pieces of a cell that no line may break (a cell that wraps between them: ``keys_as_drawn``); the
    whole cell by default."""
    widths = [table.horizontalHeader().sectionSizeFromContents(column).width()]
    for row in range(table.rowCount()):
        if (item := table.item(row, column)) is not None:
            fm = QFontMetrics(item.font())
            widths.extend(fm.horizontalAdvance(part) for part in parts(item.text()))
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
    table.setColumnWidth(column, max(widths) + margin + 12)


KEYS_BETWEEN = " / "  # between two keys of one action ("Ctrl+W / Ctrl+F4")


def keys_as_drawn(keys: str) -> str:
    """A Keys cell as it wraps: after the " / " between two keys, never before it (a line starting "/")."""
    return keys.replace(KEYS_BETWEEN, "\u00a0/ ")


def where_item(entry: Shortcut) -> QTableWidgetItem:
    """A Where cell of a shortcut list (Help > Shortcuts, Edit > Preferences): where the action's keys act,
    and the sentence more as its tooltip, so both lists say it alike."""
    where, more = entry.where
    cell = QTableWidgetItem(where)
    cell.setToolTip(more)
    return cell


class KeysDelegate(QStyledItemDelegate):
    """Help > Shortcuts' Keys column: a cell of several keys wraps between them (``keys_as_drawn``), so
    the column is as wide as its longest key: fitted to its longest row (Accept Image's two keys), it was
    twice as wide as most of its keys and the actions beside it wrapped to three lines."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.text = keys_as_drawn(option.text)


def hide_unmatched_rows(table: QTableWidget, text: str) -> int:
    """A find field over a table of actions and keys: rows whose cells hold ``text`` (any case) stay; a
    ``typed_key`` keeps the rows with that very key among their keys (" / " between them, ``key_matches``).
    Returns how many rows stay."""
    needle, key = text.strip().lower(), typed_key(text)
    kept = 0
    for row in range(table.rowCount()):
        cells = [item.text().lower() for c in range(table.columnCount()) if (item := table.item(row, c))]
        if key is not None:
            found = any(key_matches(k, key) for cell in cells for k in cell.split(" / "))
        else:
            found = needle in " ".join(cells)
        table.setRowHidden(row, bool(needle) and not found)
        kept += not table.isRowHidden(row)
    return kept


class ShortcutsDialog(QDialog):
    """Help > Shortcuts: the key map, from the shortcut registry (``ui.shortcuts``) with the user's keys."""

    def __init__(self, rows: list[tuple[str, str, Shortcut]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard and mouse shortcuts")
        self.filter_edit = QLineEdit()  # a hundred rows: typing "accept" or "shift+k" finds them
        self.filter_edit.setPlaceholderText("Find an action or a key…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Find an action or a key")
        self.table = QTableWidget(len(rows), 3)
        self.no_match = QLabel()  # an empty table alone reads as broken
        self.no_match.hide()
        self.filter_edit.textChanged.connect(self._filter)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        # Where: a review key pressed in the labeling view does nothing, and the list said so nowhere
        self.table.setHorizontalHeaderLabels(["Keys", "Action", "Where"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        for r, (keys, what, entry) in enumerate(rows):
            k = QTableWidgetItem(keys)
            f = k.font()
            f.setBold(True)
            k.setFont(f)
            self.table.setItem(r, 0, k)
            self.table.setItem(r, 1, QTableWidgetItem(what))
            self.table.setItem(r, 2, where_item(entry))
        self.table.setItemDelegateForColumn(0, KeysDelegate(self.table))
        fit_column_to_every_row(self.table, 0, lambda keys: keys_as_drawn(keys).split(" "))
        fit_column_to_every_row(self.table, 2)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # each row as tall as its action wrapped: a long one ('Labels on Selected Objects Only (on: ...)')
        # was cut after two lines, with no tooltip
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.no_match)
        layout.addWidget(self.table)
        layout.addWidget(
            QLabel("Change any key in Edit > Preferences (“—”: no key yet). Ctrl+Tab switches views.")
        )
        layout.addWidget(buttons)
        resize_within_screen(self, 660, 640)
        self.filter_edit.setFocus()

    def _filter(self, text: str) -> None:
        kept = hide_unmatched_rows(self.table, text)
        self.no_match.setText(f"No action or key matches “{text.strip()}”.")
        self.no_match.setVisible(kept == 0)


class WindowLevelDialog(QDialog):
    """Display window for 16-bit and float images: low/high values mapped to black/white. Changes show
    live; the stored pixels never change."""

    def __init__(self, canvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.setWindowTitle("Window / level")
        image = canvas.loaded
        raw = image.raw
        import numpy as np

        # any range: a file's window may reach past its type's values (an unsigned MR's from -100), and
        # boxes bounded by the type clamped it on opening; whole numbers for an integer image's whole window
        whole = np.issubdtype(raw.dtype, np.integer) and all(float(v).is_integer() for v in image.window)
        lo_lim, hi_lim, decimals = -1e12, 1e12, 0 if whole else 4
        self.low = QDoubleSpinBox()
        self.high = QDoubleSpinBox()
        for box in (self.low, self.high):
            box.setRange(lo_lim, hi_lim)
            box.setDecimals(decimals)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._apply)
        self._set(image.window)
        auto = QPushButton("Auto (0.5–99.5 percentile)")
        auto.setAutoDefault(False)  # Return in a box commits its value; it pressed Auto, undoing it
        auto.clicked.connect(lambda: self._set(image.auto))
        form = QFormLayout()
        form.addRow("Black at", self.low)
        form.addRow("White at", self.high)
        form.addRow("", auto)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _set(self, window: tuple[float, float]) -> None:
        for box, v in ((self.low, window[0]), (self.high, window[1])):
            box.blockSignals(True)
            box.setValue(v)
            box.blockSignals(False)
        self._apply()

    def _apply(self, *_: object) -> None:
        lo, hi = self.low.value(), self.high.value()
        if hi > lo:
            self.canvas.set_window(lo, hi)


def set_apart(edit: QTextEdit) -> None:
    """Each line of ``edit`` (one report line, a block) set apart from the next: wrapped lines under its
    first (a hanging indent) and a gap after it. Wrapped flush and packed, a problem's second line read as
    the next problem. One format for the whole document (a bullet list took minutes for 50,000 lines)."""
    fm = QFontMetrics(edit.font())
    indent = 2 * fm.horizontalAdvance("M")
    fmt = QTextBlockFormat()
    fmt.setLeftMargin(indent)
    fmt.setTextIndent(-indent)
    fmt.setBottomMargin(max(3, fm.height() // 3))
    cursor = QTextCursor(edit.document())
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.mergeBlockFormat(fmt)


class ReportDialog(QDialog):
    """Problems or warnings, one per line, selectable and copyable; non-modal so the user can keep it open
    while fixing the project."""

    def __init__(self, title: str, headline: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.headline = QLabel(headline)
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QTextEdit()
        self.text.setReadOnly(True)
        self.text.setAcceptRichText(False)
        self.text.setPlainText("\n".join(lines))
        # wrapped to the window, a long path too (at a slash, or anywhere): unwrapped, a problem under a deep
        # folder showed its path and hid behind a horizontal scroll bar what was wrong with the file
        self.text.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        set_apart(self.text)
        self.lines = list(lines)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy All", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def copy(self) -> None:
        to_clipboard(self.headline.text() + "\n" + "\n".join(self.lines))


@dataclass
class JobOutcome:
    result: Any = None
    error: str | None = None
    cancelled: bool = False


def run_job(parent: QWidget, label: str, work: Callable[..., Any]) -> JobOutcome:
    """Run ``work(progress, on_problem)`` as a ``jobs.Job`` behind a modal progress dialog with Cancel;
    returns when it has really stopped (a cancelled writer leaves no thread behind still writing). OSError,
    ValueError and ProjectSaveError come back as their message, other errors with their type too."""
    job = Job(lambda job: work(job.step, job.send), expected=(OSError, ValueError, ProjectSaveError))
    box = QProgressDialog(label, "Cancel", 0, 0, parent)
    box.setWindowTitle("Working…")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setMinimumDuration(0)
    box.setAutoReset(False)
    box.setAutoClose(False)
    problems = [0]

    def on_progress(done: int, total: int) -> None:
        if box.maximum() != total:
            box.setMaximum(max(total, 0))
        box.setValue(min(done, total))

    def on_problem(message: object) -> None:
        if isinstance(message, Note):
            return  # a reader's line of information: no problem
        problems[0] += 1
        box.setLabelText(f"{label}\n{plural(problems[0], 'problem')} so far")

    def on_cancel() -> None:
        job.cancel()
        box.setLabelText("Cancelling…")

    loop = QEventLoop()
    outcome: list[JobOutcome] = []

    def done(result: JobOutcome) -> None:
        outcome.append(result)
        loop.quit()

    job.progress.connect(on_progress)
    job.message.connect(on_problem)
    job.finished.connect(lambda result: done(JobOutcome(result)))
    job.failed.connect(lambda reason: done(JobOutcome(error=reason)))
    job.cancelled.connect(lambda: done(JobOutcome(cancelled=True)))
    box.canceled.connect(on_cancel)
    box.show()
    job.start()
    if not outcome:
        loop.exec()
    box.close()
    box.deleteLater()
    return outcome[0]


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        "About PixelProof",
        f"<b>PixelProof {__version__}</b><p>Label images with boxes, polygons and masks, and review "
        "label quality against reference masks — offline.</p><p>Projects are COCO JSON files.</p>",
    )
