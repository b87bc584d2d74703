"""Teams in the app: File > Split for Annotators…, File > Merge Shards… (conflicts in a dialog, the merge one
undoable step), and Review > Annotators Side by Side (each annotator's version of an overlap image, the
per-pixel disagreement map, consensus and its acceptance as undoable edits).

Installed by the main window with ``TeamsActions(shell)``; the work is ``core.split`` / ``core.merge`` /
``core.consensus``, run in ``jobs.Job`` where it touches the disk or many images.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text, ok_cancel
from pixelproof.ui.jobs import Job
from pixelproof.ui.merge_report import ConflictDialog, merge_words
from pixelproof.ui.shard_badge import ShardBadge, credit_text, shard_owner
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


def _browse_row(edit: QLineEdit, pick: Any) -> QWidget:
    row = QWidget()
    lay = QHBoxLayout(row)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(edit, 1)
    button = QPushButton("Browse…")
    button.clicked.connect(pick)
    lay.addWidget(button)
    return row


class SplitDialog(QDialog):
    """Annotators, overlap, honeypots, seed and the output folder of a split."""

    def __init__(self, project_file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_file = Path(project_file)
        project_folder = self.project_file.parent
        self.setWindowTitle("Split for Annotators")
        self.annotators = QLineEdit()
        self.annotators.setPlaceholderText("ann, bob, cy")
        self.overlap = QDoubleSpinBox()
        self.overlap.setRange(0.0, 1.0)
        self.overlap.setSingleStep(0.05)
        self.overlap.setValue(0.1)
        self.copies = QSpinBox()
        self.copies.setRange(2, 20)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("optional: a reference project for honeypots")
        self.fraction = QDoubleSpinBox()
        self.fraction.setRange(0.0, 0.5)
        self.fraction.setSingleStep(0.01)
        self.fraction.setValue(0.05)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.output = QLineEdit(str(project_folder / "shards"))
        form = QFormLayout()
        form.addRow("Annotators", self.annotators)
        form.addRow("Overlap (share of images)", self.overlap)
        form.addRow("Annotators per overlap image", self.copies)
        form.addRow("Honeypots from", _browse_row(self.reference, self._pick_reference))
        form.addRow("Honeypot share per shard", self.fraction)
        form.addRow("Seed", self.seed)
        form.addRow("Output folder", _browse_row(self.output, self._pick_output))
        buttons = ok_cancel(self, "Split")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        note = QLabel("The lead's manifest (lead-manifest.json) lists the honeypots: keep it.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(680, 0)  # as narrow as its labels, the fields cut their hint and the folder's path

    def _pick_reference(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Reference project", "", "Projects (*.json)")
        if path:
            self.reference.setText(path)

    def _pick_output(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Output folder", self.output.text())
        if path:
            self.output.setText(path)

    def names(self) -> list[str]:
        """The annotators typed, each in NFC (``annotator_name``): the shard files are named so."""
        from pixelproof.core.names import annotator_name

        return [annotator_name(n.strip()) for n in self.annotators.text().split(",") if n.strip()]

    def accept(self) -> None:
        """OK: only names and an output folder the split can use; the dialog stays open otherwise, and
        shards of an earlier split in that folder are replaced only when the user says so."""
        from pixelproof.core.split import SplitError, check_annotator_names, outputs_problem, split_outputs

        try:
            check_annotator_names(self.names())
        except SplitError as e:
            QMessageBox.warning(self, "Split", f"{e}.")
            self.annotators.setFocus()
            return
        if len(self.names()) < 2 and self.overlap.value() > 0:  # split_project's refusal, in these words
            QMessageBox.warning(
                self,
                "Split",
                "Overlap images go to several annotators: name two or more, or set Overlap to 0.",
            )
            self.overlap.setFocus()
            return
        out = Path(self.output.text().strip() or ".")
        problem = outputs_problem(self.names(), out, [self.project_file, self.reference.text().strip()])
        if problem:
            QMessageBox.warning(self, "Split", as_text(problem))
            self.output.setFocus()
            return
        there = [t.name for t in split_outputs(self.names(), out) if t.exists()]
        if there:
            shown = ", ".join(there[:6]) + (" …" if len(there) > 6 else "")
            answer = QMessageBox.question(
                self,
                "Split",
                f"{out} holds files of an earlier split: {shown}. Replace them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.output.setFocus()
                return
        super().accept()


class MergeDialog(QDialog):
    """The shard files to merge into the open project, and the lead's manifest (optional). A shard added
    by mistake leaves the list with Remove or the Delete key (Backspace too, as on macOS)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge Shards")
        self.shards = QListWidget()
        self.shards.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        add = QPushButton("Add Shards…")
        add.clicked.connect(self._add)
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Take the selected shards off the list (Delete)")
        self.remove.setEnabled(False)
        self.remove.clicked.connect(self._remove)
        self.shards.itemSelectionChanged.connect(
            lambda: self.remove.setEnabled(bool(self.shards.selectedItems()))
        )
        delete = QAction("Remove", self.shards)
        delete.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)]
        )
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the list's: never a line edit's
        delete.triggered.connect(self._remove)
        self.shards.addAction(delete)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(self.remove)
        row.addStretch(1)
        self.manifest = QLineEdit()
        self.manifest.setPlaceholderText("optional: lead-manifest.json (honeypots are left out)")
        form = QFormLayout()
        form.addRow("Manifest", _browse_row(self.manifest, self._pick_manifest))
        buttons = ok_cancel(self, "Merge")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Shards (the annotators' project files):"))
        layout.addWidget(self.shards, 1)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def _add(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Shards", "", "Projects (*.json)")
        for p in paths:
            self.shards.addItem(p)

    def _remove(self) -> None:
        """Take the selected shards off the list; the one after them (else before) is selected, so Delete
        again removes the next."""
        rows = sorted((self.shards.row(i) for i in self.shards.selectedItems()), reverse=True)
        if not rows:
            return
        for r in rows:
            self.shards.takeItem(r)
        if self.shards.count():
            self.shards.setCurrentRow(min(rows[-1], self.shards.count() - 1))
        self.shards.setFocus()

    def _pick_manifest(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Manifest", "", "Manifest (*.json)")
        if path:
            self.manifest.setText(path)

    def paths(self) -> list[str]:
        return [self.shards.item(i).text() for i in range(self.shards.count())]


def _write_left_out(report: dict[str, Any], project: Path | None, inputs: list[Any]) -> Path | None:
    """The merge report beside the project when the merge left objects out (as ``pixelproof merge`` writes
    it without ``--report``), so they are in a file whatever the dialog's Save Report…; None when none were
    left out, the project was never saved, or the file cannot be written (the dialog then says so)."""
    from pixelproof.core.atomic import atomic_output
    from pixelproof.core.merge_lines import left_out_report_path

    if not report.get("left_out_objects") or project is None:
        return None
    try:
        path = left_out_report_path(project, inputs)
        with atomic_output(path, text=True) as fh:  # whole or not at all, as every report
            fh.write(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    except OSError:
        return None
    return path


IDENTITY_KEY = "team/author"
MAX_VISIT_S = 600.0  # a visit longer than this counts as this (the user went away)


def apply_identity() -> str:
    """The saved user name becomes the change log's author (``PIXELPROOF_AUTHOR``); returns who it is."""
    import os

    from pixelproof.core.history import current_author
    from pixelproof.ui.settings import settings

    name = str(settings().value(IDENTITY_KEY, "") or "").strip()
    if name:
        os.environ["PIXELPROOF_AUTHOR"] = name
    return current_author()


class TimeRecorder(QObject):
    """Time spent on each image, per author: added to the project (``RecordTime``) when the user leaves
    the image or the project; saved with the project's next save and autosave. A visit counts at most 10
    minutes. It is no undo step and does not make the project modified (a project only viewed never asks
    to be saved), so when the project is left with no unsaved edit (window closed, project closed or
    another opened) the time is saved to its file silently; with unsaved edits, the question about them
    covers it (Save keeps it, Discard drops it with them, as the question then says: the visit so far is
    recorded before it asks, ``Document.aboutToLeave``).

    Leaving an image measures the visit there and then but applies its edit once the event that changed
    the image is over: a table whose current row a filter or a removal moved changes the image in the
    middle of its model's change, and the edit's signals (the image's row changed) then reached that
    model within it (a review filter emptied the table). Closing the window or the project, and a save,
    apply what is held at once."""

    def __init__(self, shell: Shell, clock: Any = None) -> None:
        super().__init__(shell)
        import time

        self.clock = clock or time.monotonic
        self.doc = None
        self.image_id = -1
        self.since = 0.0
        self.pending: list[tuple[int, str, float]] = []  # visits of self.doc measured, not yet applied
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(0)
        self._apply_timer.timeout.connect(self.apply_pending)
        self.shell = shell
        shell.documentChanged.connect(self.set_document)
        shell.closing.connect(self._closing)
        self.set_document(shell.document)

    def _closing(self) -> None:
        self.flush()
        self.keep_time(self.doc)

    def set_document(self, doc: Any) -> None:
        self.flush()
        if self.doc is not doc:
            self.keep_time(self.doc)
        if self.doc is not None:
            self.doc.currentImageChanged.disconnect(self._image_changed)
            self.doc.aboutToSave.disconnect(self.apply_pending)
            self.doc.aboutToLeave.disconnect(self.flush)
        self.doc = doc
        if doc is not None:
            doc.currentImageChanged.connect(self._image_changed)
            doc.aboutToSave.connect(self.apply_pending)
            doc.aboutToLeave.connect(self.flush)
            self._image_changed(doc.current_image_id)

    def _image_changed(self, image_id: int) -> None:
        self._end_visit()
        self.image_id = image_id
        self.since = self.clock()

    def _end_visit(self) -> None:
        """Measure the visit to the current image so far; its edit waits for the event loop."""
        from pixelproof.core.history import current_author

        if self.doc is None or self.image_id not in self.doc.project.images:
            return
        now = self.clock()
        seconds = min(now - self.since, MAX_VISIT_S)
        self.since = now
        if seconds >= 1.0:
            self.pending.append((self.image_id, current_author(), seconds))
            self._apply_timer.start()

    def apply_pending(self) -> None:
        """Apply the visits measured so far to the document they were made in (an image deleted since
        keeps none)."""
        from pixelproof.core.edits.images import RecordTime

        self._apply_timer.stop()
        pending, self.pending = self.pending, []
        for image_id, author, seconds in pending:
            if self.doc is not None and image_id in self.doc.project.images:
                self.doc.apply_edit(RecordTime(image_id, author, seconds))
                self.doc.time_unsaved = True

    def keep_time(self, doc: Any) -> None:
        """Save ``doc`` silently when the time spent is all it has unsaved (a project file with no unsaved
        edit): leaving it would lose that time, and a question would nag about a project only viewed. A
        file changed on disk since it was opened is not overwritten for it (said on the status bar). Time
        that cannot be saved goes with its autosave: kept, it would be offered as work to recover (a new
        project nobody made, a file's older version over the one another writer saved)."""
        from pixelproof.core.atomic import read_only
        from pixelproof.core.coco import ProjectSaveError

        if doc is None or not doc.time_unsaved or doc.is_modified():
            return
        if doc.shared:  # another app has it open: a save would make that app's next save a conflict
            self.shell.status(
                "Time spent on its images not saved: the project is open in another app too", 0, "warning"
            )
            return  # and the autosave beside it is that app's
        if doc.untitled:  # never saved: nowhere to keep it
            doc.discard_autosave()
            return
        if read_only(doc.path):  # kept safe by its owner: a save would rename over it unasked
            doc.discard_autosave()
            self.shell.status(f"Time spent on its images not saved: {doc.path} is read-only", 0, "warning")
            return
        try:
            doc.save()
        except ProjectSaveError as e:  # a ProjectConflictError too: someone else's save stands
            doc.discard_autosave()
            self.shell.status(f"Time spent on its images not saved: {e}", 0, "warning")

    def flush(self) -> None:
        """Record the visit to the current image so far, and every visit held, now."""
        self._end_visit()
        self.apply_pending()


class TeamsActions(QObject):
    """File > Split for Annotators…, File > Merge Shards… and File > Restore Left-Out Objects…; Review >
    Annotators Side by Side."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.job: Job | None = None
        self.act_split = make_action("teams.split", self, self.split)
        self.act_merge = make_action("teams.merge", self, self.merge)
        self.act_restore = make_action(
            "teams.restore",
            self,
            self.restore,
            tip="Bring back objects a merge left out, from its saved report (.merge-report.json)",
        )
        self.act_name = make_action(
            "teams.name",
            self,
            self.ask_name,
            tip="Who you are in the change log and in the time spent per image",
        )
        shell.add_file_actions([self.act_split, self.act_merge, self.act_restore, self.act_name])
        apply_identity()
        self.timer = TimeRecorder(shell)
        self.shard_badge = ShardBadge(shell)  # whose shard is open: the status bar says it
        from pixelproof.ui.review.annotators import AnnotatorsView

        self.view = AnnotatorsView(shell)
        review_menu = next((m for m in shell.menus if m.objectName() == "reviewMenu"), None)
        if review_menu is not None:
            review_menu.addSeparator()
            review_menu.addAction(self.view.action)
        self.last_report: dict[str, Any] | None = None
        self.left_out_file: Path | None = None  # where the last merge wrote the objects it left out
        shell.documentChanged.connect(self._update)
        self._update()

    def _update(self, *_: object) -> None:
        has = self.shell.document is not None
        self.act_split.setEnabled(has)
        self.act_merge.setEnabled(has)
        self.act_restore.setEnabled(has)

    def restore(self) -> None:
        """File > Restore Left-Out Objects…: a saved merge report's left-out objects, to restore."""
        from pixelproof.ui.restore_left_out import open_report

        dialog = open_report(self.shell)
        if dialog is not None:
            dialog.exec()

    def ask_name(self) -> None:
        import textwrap

        from PySide6.QtWidgets import QInputDialog

        from pixelproof.ui.settings import settings

        doc = self.shell.document
        who = shard_owner(doc.project if doc is not None else None)
        credit = textwrap.fill(f"{credit_text(who)}.", 72) if who else ""  # the dialog's label never wraps
        label = "Name in the change log:" + (f"\n\n{credit}" if who else "")
        name, ok = QInputDialog.getText(self.shell.widget, "Your name", label, text=apply_identity())
        if ok and name.strip():
            settings().setValue(IDENTITY_KEY, name.strip())
            apply_identity()
            self.shell.status(f"Changes are now logged as {name.strip()}")

    # -- split -------------------------------------------------------------------------------------
    def split(self) -> None:
        doc = self.shell.document
        if doc is None:
            return
        if doc.path is None or doc.is_modified():
            QMessageBox.information(
                self.shell.widget, "Split", "Save the project first: shards are made from the saved file."
            )
            return
        dialog = SplitDialog(Path(doc.path), self.shell.widget)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        d = dialog
        self.run_split(d.names(), d.overlap.value(), d.copies.value(), d.reference.text().strip(),
                       d.fraction.value(), d.seed.value(), Path(d.output.text()))  # fmt: skip

    def run_split(
        self,
        names: list[str],
        overlap: float,
        copies: int,
        reference: str,
        fraction: float,
        seed: int,
        out: Path,
    ) -> Job:
        from pixelproof.core.coco import ProjectFormatError, ProjectSaveError, atomic_write, load_project
        from pixelproof.core.split import (
            MANIFEST_NAME,
            SplitError,
            outputs_problem,
            save_shard,
            split_project,
        )

        source = Path(self.shell.document.path)

        def work(job: Job) -> str:
            problem = outputs_problem(names, out, [source, reference])
            if problem:  # the dialog checks it too: never the project, its reference or a shard overwritten
                raise SplitError(problem)
            project = load_project(source)
            ref = load_project(reference) if reference else None
            result = split_project(project, names, overlap=overlap, overlap_copies=copies, seed=seed,
                                   honeypots=ref, honeypot_fraction=fraction)  # fmt: skip
            out.mkdir(parents=True, exist_ok=True)
            for name, shard in result.shards.items():
                save_shard(shard, out / f"{name}.json", name)
            manifest = out / MANIFEST_NAME
            atomic_write(manifest, json.dumps(result.manifest, indent=1, ensure_ascii=False).encode() + b"\n")
            return (f"{plural(len(result.shards), 'shard')} in {out}; "
                    f"{plural(len(result.overlap), 'overlap image')}, "
                    f"{plural(len(result.honeypots), 'honeypot')}; "
                    f"keep {manifest.name}: it lists them")  # fmt: skip

        job = Job(work, self, expected=(SplitError, ProjectFormatError, ProjectSaveError, OSError))
        job.finished.connect(lambda text: QMessageBox.information(self.shell.widget, "Split", as_text(text)))
        job.failed.connect(
            lambda reason: QMessageBox.warning(self.shell.widget, "Split failed", as_text(reason))
        )
        self.job = job
        job.start()
        return job

    # -- merge -------------------------------------------------------------------------------------
    def merge(self) -> None:
        if self.shell.document is None:
            return
        dialog = MergeDialog(self.shell.widget)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.paths():
            return
        self.run_merge(dialog.paths(), dialog.manifest.text().strip() or None)

    def run_merge(self, paths: list[str], manifest_path: str | None, show_report: bool = True) -> Job:
        from pixelproof.core.coco import ProjectFormatError, load_project, read_json
        from pixelproof.core.merge import Shard, merge_shards
        from pixelproof.core.merge_checks import MergeError, check_distinct, check_lineage, check_split
        from pixelproof.core.merge_edit import merge_edit

        doc = self.shell.document
        base = doc.project.snapshot()

        def work(job: Job) -> tuple[Any, dict[str, Any]]:
            shards = []
            for n, path in enumerate(paths):
                job.step(n, len(paths))
                shards.append(Shard.of(load_project(path), Path(path).stem))
            check_distinct(shards, paths)
            manifest = read_json(manifest_path) if manifest_path else None
            check_split(shards, manifest, paths, manifest_path or "")
            check_lineage(shards, base, paths, doc.path)  # by their files, as the CLI names them
            result = merge_shards(shards, base=base, manifest=manifest)
            return merge_edit(base, result), result.report()

        def done(answer: tuple[Any, dict[str, Any]]) -> None:
            edit, report = answer
            if self.shell.document is not doc:
                return
            try:
                doc.push(edit)
            except ValueError as e:  # the project changed meanwhile
                QMessageBox.warning(
                    self.shell.widget, "Merge failed", as_text(f"The project changed while merging: {e}")
                )
                return
            self.last_report = report
            inputs = [doc.path, *paths, manifest_path]
            self.left_out_file = _write_left_out(report, doc.path, inputs)
            if show_report:
                ConflictDialog(report, self.shell.widget, inputs, self.left_out_file, self.shell).exec()

        job = Job(work, self, expected=(ProjectFormatError, MergeError, OSError))
        job.finished.connect(done)
        job.failed.connect(
            lambda reason: QMessageBox.warning(
                self.shell.widget, "Merge failed", as_text(merge_words(reason))
            )
        )
        self.job = job
        job.start()
        return job
