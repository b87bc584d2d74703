"""The app's merge report (File > Merge Shards…): what the merge did and every conflict, by type, with Save
Report…; the objects a conflict left out of the project are said, where they were written, and listed to
restore (``restore_left_out.LeftOutPanel``)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.merge_decisions import dropped_text
from pixelproof.core.merge_lines import conflicts_side_by_side, merged_by_object
from pixelproof.core.merge_tracks import tracks_text
from pixelproof.core.run_ids import run_dropped_text
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text, refuses_dataset_file
from pixelproof.ui.fitted_table import ContentColumns
from pixelproof.ui.shortcut_entry import menu_item
from pixelproof.ui.window_geometry import resize_within_screen

if TYPE_CHECKING:
    from pixelproof.ui.restore_left_out import LeftOutPanel
    from pixelproof.ui.shell import Shell

WRAPPED_ROWS = 500  # conflicts whose messages the merge report wraps onto the lines they take


class ConflictDialog(QDialog):
    """What a merge did and every conflict, by type; Save Report… writes the JSON report (never over one
    of ``inputs``: the open project, the shards, the manifest). With ``shell``, the objects the merge left
    out are listed below the conflicts, to restore into its open project."""

    def __init__(
        self,
        report: dict[str, Any],
        parent: QWidget | None = None,
        inputs: Sequence[str | Path | None] = (),
        left_out_file: str | Path | None = None,
        shell: Shell | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge report")
        self.report = report
        self.inputs = list(inputs)
        self.shell = shell  # its open project's images and reference: no report over them
        s = report["stats"]
        summary = QLabel(
            f"Merged {plural(s['shards'], 'shard')}: {plural(s['images'], 'image')}, "
            f"{plural(s['annotations'], 'object')}; {plural(s['overlap_images'], 'overlap image')} "
            f"{'keeps' if s['overlap_images'] == 1 else 'keep'} each annotator's version; "
            + (f"{two}; " if (two := conflicts_side_by_side(s)) else "")
            + (f"{joined}; " if (joined := merged_by_object(s)) else "")
            + f"{plural(s['honeypots_left_out'], 'honeypot')} left out; "
            f"<b>{plural(s['conflicts'], 'conflict')}</b>."
            + (f" {dropped}." if (dropped := dropped_text(s.get("dismissed_dropped", 0))) else "")
            + (f" {runs}." if (runs := run_dropped_text(s.get("prelabel_runs_dropped", 0))) else "")
            + (f" {t}." if (t := tracks_text(report.get("renumbered_tracks", []))) else "")
            + _left_out_html(len(report.get("left_out_objects", [])), left_out_file)
            + _renamed_html(report.get("renamed_files", []), report.get("relocated_files", []))
            + _geometry_html(report.get("geometry_differs", []))
        )
        summary.setWordWrap(True)
        self.table = QTableWidget(len(report["conflicts"]), 3)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setHorizontalHeaderLabels(["Type", "Image", "What happened"])
        for row, c in enumerate(report["conflicts"]):
            for col, text in enumerate((c["type"], c.get("file_name", ""), c["message"])):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col and text:
                    item.setToolTip(text)  # whole, where a long path or message is cut
                self.table.setItem(row, col, item)
        # Type and Image as wide as their titles and cells (ResizeToContents measured the titles bold and
        # left Image Qt's 100 px: `IMG_202404…`), a long path cut in its middle at 40 % of the table;
        # what happened the rest, wrapped onto as many lines as it takes (rows measured at each resize:
        # 4,000 took 1.3 s, so past WRAPPED_ROWS one line each, whole in the tooltip and the saved report)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if self.table.rowCount() <= WRAPPED_ROWS:
            self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.columns = ContentColumns(self.table, (0, 1), most={1: 0.4})
        save = QPushButton("Save Report…")
        save.clicked.connect(self.save)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(save, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        self.left_out: LeftOutPanel | None = None
        if shell is not None and report.get("left_out_objects"):
            from pixelproof.ui.restore_left_out import LeftOutPanel, report_name

            name = report_name(Path(left_out_file) if left_out_file is not None else None)
            self.left_out = LeftOutPanel(shell, report, name, self)
            split = QSplitter(Qt.Orientation.Vertical)
            split.setChildrenCollapsible(False)
            split.addWidget(self.table)
            split.addWidget(self.left_out)
            layout.addWidget(split, 1)
        else:
            layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        resize_within_screen(self, 820, 420 if self.left_out is None else 600)

    def save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save merge report", "merge-report.json", "JSON (*.json)")
        project = self.shell.document.project if self.shell and self.shell.document else None
        if not path or refuses_dataset_file(self, "Save merge report", path, project):
            return
        from pixelproof.core.atomic import atomic_output
        from pixelproof.core.limits import LimitError, check_output_not_input

        try:
            check_output_not_input(path, self.inputs, "")
            with atomic_output(path, text=True) as fh:  # whole or not at all, as every report
                fh.write(json.dumps(self.report, indent=1, ensure_ascii=False) + "\n")
        except (LimitError, OSError) as e:
            QMessageBox.warning(self, "Save merge report", as_text(f"Cannot save the report: {e}"))


def _left_out_html(count: int, written: str | Path | None) -> str:
    """The objects a conflict left out of the project (the base's objects a shard's version replaced, a
    mis-sized copy's), as ``pixelproof merge`` says them: where they were written, or that only the report
    holds them - closed unsaved, they were in no file once the merge could no longer be undone."""
    from html import escape

    if not count:
        return ""
    what = (
        f" <b>{plural(count, 'object')} left out of the project</b> (the base's objects a shard's version "
        "replaced, or a copy's of another size): "
    )
    if written is not None:
        return what + f"written to {escape(str(written))} (left_out_objects)."
    return what + "in no file yet: Save Report… keeps them (Edit > Undo brings the base's back)."


def _renamed_html(renamed: list[dict[str, str]], relocated: list[dict[str, str]], most: int = 8) -> str:
    """The lines ``pixelproof merge`` prints for files annotators renamed, one per line (the first ``most``:
    the saved report lists every one), and for shards relocated to copies of the images (one per shard),
    escaped for the summary's rich text."""
    from html import escape

    from pixelproof.core.merge import relocated_lines, renamed_text

    lines = [escape(renamed_text(r["file_name"], r["renamed_to"], r["shard"])) for r in renamed[:most]]
    if len(renamed) > most:
        lines.append(f"… and {len(renamed) - most} more (Save Report… lists them)")
    lines += [escape(line) for line in relocated_lines(relocated)]  # a line per shard
    return "".join(f"<br>{line}" for line in lines)


def merge_words(text: str) -> str:
    """A merge's refusal (the core says it in ``pixelproof merge``'s words) as File > Merge Shards' user
    reads it: the app merges into the open project, its Manifest field is the manifest option, it has no
    ``pixelproof add`` of a project's labels and no renumbering (that is the command line's: said so)."""
    text = text.replace(
        "goes in with `pixelproof add` or by merging it without a manifest",
        "goes in by merging it with the Manifest field left empty",
    )
    # check_lineage's refusal: the base renumbered since the split (or the shard from a renumbered file)
    text = text.replace("(pixelproof renumber, at ", "(on the command line: pixelproof renumber, at ")
    text = re.sub(
        r"Merge (.+?) into (.+), then renumber the merged project if you need it numbered from 1",
        r"Open \2, and merge \1 into it (Merge Shards merges into the open project); if you need the merged "
        r"project numbered from 1, save it and renumber it from the command line: pixelproof renumber "
        r"PROJECT -o NEW.json",
        text,
    )
    return text.replace(
        "or split the renumbered project again (",
        f"or split the renumbered project again ({menu_item('teams.split', 'File')}; ",
    )


def _geometry_html(rows: list[dict[str, Any]]) -> str:
    """The warnings ``pixelproof merge`` prints for shards that gave an image another pixel spacing (or
    slice position) than the base, whose the project kept, escaped for the summary's rich text."""
    from html import escape

    from pixelproof.core.merge_geometry import geometry_lines

    # the app merges into the open project: a shard's record kept is of an image the project lacks
    return "".join(f"<br>⚠ {escape(line)}" for line in geometry_lines(rows, base_given=True))
