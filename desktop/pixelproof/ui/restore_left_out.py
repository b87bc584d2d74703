"""The objects a merge left out, in the app: listed (image, shard, class, why) in the merge report dialog
and in File > Restore Left-Out Objects… (a saved ``.merge-report.json``), the selected ones brought back
with Restore Selected as one undo step (``core.merge_restore``, as ``pixelproof restore``: new ids, class by
name, Replace as ``--replace``, a locked object never removed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pixelproof.ui import dialogs
from pixelproof.ui.fitted_table import ContentColumns

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

TITLE = "Restore Left-Out Objects"
SHOWN_SKIPPED = 5  # skipped objects named in the dialog; the rest counted
_UNDO_REDO = ("edit.undo", "edit.redo")  # the window's actions whose keys work in the list's window too


class LeftOutPanel(QWidget):
    """The report's left-out objects, one a row, with Replace and Restore Selected; what was restored (or
    why nothing was) is said below the list and on the status bar. ``report_name`` names the report in
    the undo step, the change log and every message. A row restored says "restored as #id" and is skipped
    by a later Restore Selected while that object is in the project (a second click adds no copy); once
    it is gone (Ctrl+Z of the restore, or deleted), the row can be restored again."""

    def __init__(self, shell: Shell, report: dict[str, Any], report_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        from pixelproof.core.merge_restore import KEY, left_out_reasons

        self.shell = shell
        self.report = report
        self.report_name = report_name
        rows = report.get(KEY) if isinstance(report.get(KEY), list) else []
        self.why = why = left_out_reasons(report)
        self.restored: dict[int, int] = {}  # report row -> the id it was restored as, in this window
        self._doc = shell.document  # the project the restored ids are of
        self.table = QTableWidget(len(rows), 4)
        self.table.setTabKeyNavigation(False)
        self.table.setHorizontalHeaderLabels(["Image", "Shard", "Class", "Why left out"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().setVisible(False)
        for r, e in enumerate(rows):
            e = e if isinstance(e, dict) else {}
            cat = e.get("category", f"#{e['category_id']}" if "category_id" in e else "")
            for c, text in enumerate((e.get("file_name", ""), e.get("shard", ""), cat, why[r])):
                item = QTableWidgetItem(str(text))
                item.setToolTip(str(text))  # whole, where a long path is cut
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.columns = ContentColumns(self.table, (0, 1, 2), most={0: 0.4})
        self.replace = QCheckBox("Replace")
        self.replace.setToolTip(
            "Each object restored takes the place of the object of its id on its image (the version the "
            "merge kept of it); locked objects stay"
        )
        self.restore_button = QPushButton("Restore Selected")
        self.restore_button.setToolTip("Bring the selected objects back into the project (one undo step)")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore)
        self.table.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(bool(self.selected_rows()))
        )
        self.said = QLabel("")
        self.said.setWordWrap(True)
        self.said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.replace)
        row.addStretch(1)
        row.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(f"Left-out objects ({len(rows)}): select those to bring back"))
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.said)
        if self._doc is not None:  # a bound method: Qt drops the connection with the panel
            self._doc.undo_stack.indexChanged.connect(self.mark_restored)
        # the window's Edit > Undo / Redo (their keys) here too: "Ctrl+Z takes it back" in this modal window
        self.addActions(
            [a for a in shell.widget.findChildren(QAction) if a.property("shortcut_id") in _UNDO_REDO]
        )

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectedIndexes()})

    def restore(self) -> None:
        """Restore the selected rows into the open project as one undo step and say what was done; a
        refused report is said naming it, and nothing changes."""
        from pixelproof.core.merge_restore import KEY, RestoreRefused, restore_left_out
        from pixelproof.core.model import IdsExhausted

        doc, rows = self.shell.document, self.selected_rows()
        if doc is None or not rows:
            return
        self.mark_restored()
        again = [r for r in rows if r in self.restored]
        rows = [r for r in rows if r not in self.restored]
        try:
            done = restore_left_out(
                doc.project, self.report, self.report_name, rows=rows, replace=self.replace.isChecked()
            )
        except (RestoreRefused, IdsExhausted) as e:
            dialogs.show_error(self, TITLE, f"{e}; nothing restored")
            return
        at = f"{self.report_name}: {KEY}"
        done.skipped[:0] = [f"{at}[{r}]: already restored in this window: #{self.restored[r]}" for r in again]
        skipped = "".join(f"\nskipped: {s}" for s in done.skipped[:SHOWN_SKIPPED])
        if len(done.skipped) > SHOWN_SKIPPED:
            skipped += f"\n{len(done.skipped) - SHOWN_SKIPPED} more skipped"
        if done.edit is None:
            self._say(f"Nothing restored{skipped}", "warning")
            return
        try:
            doc.push(done.edit)
        except ValueError as e:  # refused by the project: nothing added
            self._say(f"Nothing restored: {e}", "warning")
            return
        if any(a.id not in doc.project.annotations for a in done.objects):
            self._say("Nothing restored: the project refused the edit", "warning")  # a locked object
            return
        self.restored.update(zip(done.rows, (a.id for a in done.objects), strict=True))
        self.mark_restored()
        text = f"{done.edit.label}, as {', '.join(f'#{a.id}' for a in done.objects)} (Ctrl+Z takes it back)"
        if done.created:
            text += f"; classes the project lacked, created: {', '.join(done.created)}"
        if done.removed:
            text += f"; replaced: {', '.join(f'#{i}' for i in done.removed)} removed"
        if done.locked:
            text += f"; kept (locked: never removed): {', '.join(f'#{i}' for i in done.locked)}"
        self._say(text + skipped, "warning" if done.skipped else "info")

    def mark_restored(self, *_: object) -> None:
        """Forget the rows whose restored object is no longer in the project (the restore undone, or the
        object deleted): restorable again; the others say "restored as #id" in their Why column."""
        doc = self._doc
        present = doc.project.annotations if doc is not None and doc is self.shell.document else {}
        self.restored = {r: i for r, i in self.restored.items() if i in present}
        for r, why in enumerate(self.why):
            item = self.table.item(r, 3)
            if item is None:
                continue
            text = (
                f"restored as #{self.restored[r]}" + (f" ({why})" if why else "")
                if r in self.restored
                else why
            )
            if item.text() != text:
                item.setText(text)
                item.setToolTip(text)

    def _say(self, text: str, kind: str) -> None:
        self.said.setText(text)
        self.shell.status(text.split("\n")[0], 10000, kind)


class RestoreDialog(QDialog):
    """File > Restore Left-Out Objects…: a saved merge report's left-out objects, to restore."""

    def __init__(self, shell: Shell, report: dict[str, Any], path: Path) -> None:
        super().__init__(shell.widget)
        self.setWindowTitle(TITLE)
        head = QLabel(f"From {path} into {shell.document.path or 'the open project'}")
        head.setWordWrap(True)
        self.panel = LeftOutPanel(shell, report, path.name, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
        self.resize(820, 420)


def open_report(shell: Shell) -> RestoreDialog | None:
    """Ask for a saved merge report and show its left-out objects (not yet shown: the caller execs it);
    a file that is no merge report, or another project's, is said naming it and nothing opens."""
    from pixelproof.core.merge_restore import RestoreRefused, left_out_rows, restore_left_out
    from pixelproof.core.project_json import ProjectFormatError, read_json

    doc = shell.document
    if doc is None:
        return None
    start = str(Path(doc.path).parent) if doc.path else ""
    chosen, _ = QFileDialog.getOpenFileName(
        shell.widget, "Merge report", start, "Merge reports (*.merge-report.json *.json)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    try:
        report = read_json(path)
        rows = left_out_rows(report, str(path))
        restore_left_out(doc.project, report, str(path), rows=[])  # another project's: refused now
    except ProjectFormatError as e:
        dialogs.show_error(shell.widget, TITLE, str(e))
        return None
    except RestoreRefused as e:
        dialogs.show_error(shell.widget, TITLE, f"{e}; nothing restored")
        return None
    if not rows:
        shell.status(f"{path}: the merge left no object out", 8000)
        return None
    return RestoreDialog(shell, report, path)


def report_name(left_out_file: Path | None) -> str:
    """How the merge report dialog names its report: the file the left-out objects were written to."""
    return left_out_file.name if left_out_file is not None else "the merge report"
