"""File > Import and File > Export: the formats of ``pixelproof.interop`` (the same code as ``pixelproof
convert``) behind two small dialogs.

The reader or writer runs on the thread pool with a progress dialog and Cancel, so a folder of thousands of
files never freezes the window (DESIGN.md §2). An import opens as a new, unsaved project that asks before it
is closed; merging into the open project is out of scope (open both and copy, or convert and merge outside).
Problems, skipped shapes and export warnings are listed one per line in a non-modal, copyable report.

Installed by the main window with ``InteropActions(shell)`` (``ui.shell``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.image_folder import holding_folder, image_folders
from pixelproof.core.limits import LimitError, check_output_not_input
from pixelproof.core.message_log import report_lines
from pixelproof.core.model import Project
from pixelproof.core.overlap_versions import WRITTEN, versions_note
from pixelproof.core.wording import plural, skipped_counts
from pixelproof.interop import FORMATS, Format, ImportResult, project_name
from pixelproof.interop.format_guess import another_format_hint
from pixelproof.interop.formats import (
    APP_WORDS,
    EXPORT_OPTION_NAMES,
    LeftOut,
    image_names,
)
from pixelproof.interop.written_counts import written_counts
from pixelproof.ui import dialogs
from pixelproof.ui.document import Document
from pixelproof.ui.format_options import FormatOptionsForm, with_browse
from pixelproof.ui.import_input import (
    FOLDER_SPLITS,
    DetectOnEdit,
    Recognised,
    file_and_folder_row,
    outside_root_allowed,
    outside_root_box,
    pick_input,
)
from pixelproof.ui.import_words import dialog_words, export_words
from pixelproof.ui.menu_text import with_mnemonics
from pixelproof.ui.settings import settings
from pixelproof.ui.shortcuts import REGISTRY, make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


# -- dialogs -------------------------------------------------------------------------------------


# the Alt+letters the options' rows leave to the dialog: Format, its path (&Input / O&utput) and OK / Cancel
# (desktop themes give those &OK and &Cancel)
TAKEN = ("f", "i", "u", "o", "c")


class _FormatDialog(QDialog):
    """Format, path and the format's options; the two subclasses differ in direction only."""

    path_label = ""
    setting_key = ""
    direction = "read"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.format_combo = QComboBox()
        self.path_edit = QLineEdit()
        self.path_row = self._path_row()
        self.stack = QStackedWidget()
        self.forms: dict[str, FormatOptionsForm] = {}  # generated from each format's declared options
        for fmt in FORMATS.values():
            if fmt.can_read if self.direction == "read" else fmt.can_write:
                self.format_combo.addItem(fmt.title, fmt.name)
                self.forms[fmt.name] = FormatOptionsForm(fmt.options(self.direction), taken=TAKEN)
                self.stack.addWidget(self.forms[fmt.name])
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # it names files: never read as rich text
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(placeholder-text);")
        self.buttons = dialogs.ok_cancel(self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)

        form = QFormLayout()
        form.addRow("&Format", self.format_combo)
        form.addRow(with_mnemonics([self.path_label], ("f", "o", "c"))[0], self.path_row)
        form.labelForField(self.path_row).setBuddy(self.path_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        box = QGroupBox("Options")
        QVBoxLayout(box).addWidget(self.stack)
        layout.addWidget(box)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(560, 0)

        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.path_edit.textChanged.connect(self._update)
        last = str(settings().value(self.setting_key, "coco"))
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(last)))
        self._format_changed()

    @property
    def format(self) -> Format:
        return FORMATS[self.format_combo.currentData()]

    def set_format(self, name: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(name))

    def options(self) -> dict[str, Any]:
        return self.forms[self.format.name].values()

    def path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def browse(self) -> None:
        raise NotImplementedError

    def _path_row(self) -> QWidget:
        return with_browse(self.path_edit, self.browse)

    def _format_changed(self, *_: object) -> None:
        current = self.forms[self.format.name]
        # a stack is as tall as its tallest page: only the shown form counts, and the dialog follows it
        for form in self.forms.values():
            policy = QSizePolicy.Policy.Preferred if form is current else QSizePolicy.Policy.Ignored
            form.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(current)
        self.stack.updateGeometry()
        self._update()
        self._fit_height()

    def set_note(self, text: str) -> None:
        """The note under the options, and the dialog's height to hold it."""
        self.note.setText(text)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the layout needs at this width, the note's wrapped lines included: Qt's minimum counts
        a word-wrapped label as one line, so a long note (the images and objects an export leaves out) took
        its height from the rows of the Options box, drawn over one another."""
        layout = self.layout()
        layout.invalidate()
        need = max(layout.totalHeightForWidth(self.width()), layout.totalMinimumSize().height())
        self.setMinimumHeight(need)
        self.resize(self.width(), need)

    def _update(self, *_: object) -> None:
        self.ok_button.setEnabled(bool(self.path_edit.text().strip()))

    def accept(self) -> None:
        try:
            self.options()
        except ValueError as e:
            QMessageBox.critical(self, "Check the options", dialogs.as_text(str(e)))
            return
        settings().setValue(self.setting_key, self.format.name)
        super().accept()


class ImportDialog(_FormatDialog):
    """File > Import: what to read and how."""

    path_label = "Input"
    setting_key = "interop/import_format"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import annotations")
        self.ok_button.setText("Import")
        self.allow_outside = outside_root_box()
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.note), self.allow_outside)  # under Options: any format
        self._fit_height()  # the base fitted the dialog to its rows without this one
        self.path_edit.setText(str(settings().value("interop/import_path", "")))

    def _path_row(self) -> QWidget:
        self.recognised = Recognised()
        self._format_chosen = False  # the user chose a Format since typing the path: detection keeps it
        self.path_edit.textEdited.connect(lambda _text: setattr(self, "_format_chosen", False))
        self.format_combo.activated.connect(lambda _index: setattr(self, "_format_chosen", True))
        DetectOnEdit(self.path_edit).detected.connect(self._typed_found)
        return file_and_folder_row(self.path_edit, lambda: self.browse(), lambda: self.browse(folder=True))

    def browse(self, folder: bool = False) -> None:
        """Pick a file or a folder; the Format follows what the pick looks like (said in the note)."""
        path = pick_input(self, self.format, self.path_edit.text().strip(), folder)
        if not path:
            return
        formats = self.recognised.pick(path)
        self.path_edit.setText(path)
        self._follow(formats)

    def _typed_found(self, path: str, formats: list[Format]) -> None:
        """A typed or pasted path was recognised: as a picked one, the Format follows (unless the user chose
        one since typing it: the note then says what it looks like), said in the note."""
        self.recognised.found(path, formats)
        self._follow([] if self._format_chosen else formats)

    def _follow(self, formats: list[Format]) -> None:
        if formats and self.format not in formats:
            self.set_format(formats[0].name)
        self._update()

    def _update(self, *_: object) -> None:
        super()._update()
        fmt = self.format
        said = self.recognised.note(self.path_edit.text().strip(), fmt)
        self.set_note(
            (said + "\n" if said else "")
            + "The annotations open as a new, unsaved project. Pick a file or a folder"
            + FOLDER_SPLITS.get(fmt.name, ".")
        )

    def accept(self) -> None:
        path = self.path()
        if not path.exists():
            QMessageBox.critical(self, "Cannot import", f"{path}\n\ndoes not exist.")
            return
        settings().setValue("interop/import_path", str(path))
        super().accept()


class ExportDialog(_FormatDialog):
    """File > Export: where to write and how. The output path follows the format until it is edited."""

    path_label = "Output"
    setting_key = "interop/export_format"
    direction = "write"

    def __init__(self, project: Project, parent: QWidget | None = None, source: Path | None = None) -> None:
        self.project = project
        self.source = source  # what an imported project was read from: never written over, as in convert
        self._suggested = ""
        self._image_folders = image_folders(project)
        # what an export leaves out, by what decides it (the dialog is modal: the project stays)
        self._left: dict[tuple[Any, ...], LeftOut] = {}
        super().__init__(parent)
        self.setWindowTitle("Export annotations")
        self.ok_button.setText("Export")
        for form in self.forms.values():
            for name in EXPORT_OPTION_NAMES:
                choice = form.widgets.get(name)
                if isinstance(choice, QComboBox):
                    choice.currentIndexChanged.connect(self._update)

    def left_out(self) -> LeftOut:
        """What the export leaves out with the options chosen now (``Format.left_out``)."""
        widgets = self.forms[self.format.name].widgets  # (values() may refuse a number)
        chosen = {
            name: w.currentData()
            for name in EXPORT_OPTION_NAMES
            if isinstance(w := widgets.get(name), QComboBox)
        }
        key = (self.format.holds_predictions, *(chosen.get(name, "") for name in EXPORT_OPTION_NAMES))
        if key not in self._left:
            self._left[key] = self.format.left_out(self.project, **chosen)
        return self._left[key]

    def _leaves_out_unlabeled(self) -> bool:
        choice = self.forms[self.format.name].widgets.get("unlabeled")
        return isinstance(choice, QComboBox) and choice.currentData() == "skip"

    def suggested_path(self) -> str:
        """Beside the project file, unless that is inside the images' folder (a new project from a folder is
        saved in it): then beside that folder, so that adding it again (File > Add Image Folder, ``pixelproof
        add``) does not take the exported pictures (mask PNGs, YOLO's images) for new images."""
        base = self.project.path
        if base is None:
            return ""
        fmt = self.format
        stem = project_name(self.project)
        if fmt.output_is_file:  # one JSON file: not an image, a scan passes over it
            return str(base.parent / f"{stem}_{fmt.name}.json")
        name = f"{stem}_{fmt.name}"
        images = holding_folder(self._image_folders, base.parent / name)
        if images is None or images.parent == images or not os.access(images.parent, os.W_OK):
            return str(base.parent / name)  # (the note below says so when it lies in the images' folder)
        return str(images.parent / (name if stem == images.name else f"{images.name}_{name}"))

    def browse(self) -> None:
        fmt = self.format
        start = self.path_edit.text().strip()
        if fmt.output_is_file:
            path, _ = QFileDialog.getSaveFileName(self, f"Export {fmt.title}", start, "JSON (*.json)")
        else:
            path = QFileDialog.getExistingDirectory(self, f"Export {fmt.title} into", start)
        if path:
            self.path_edit.setText(path)

    def _format_changed(self, *_: object) -> None:
        if self.path_edit.text().strip() in ("", self._suggested):
            self._suggested = self.suggested_path()
            self.path_edit.setText(self._suggested)
        super()._format_changed()

    def _update(self, *_: object) -> None:
        super()._update()
        path = self.path()
        text = ""
        if self.path_edit.text().strip():
            if self.format.output_is_file and path.is_file():
                text = f"{path.name} exists and will be replaced."
            elif not self.format.output_is_file and path.is_dir() and any(path.iterdir()):
                text = f"{path.name} is not empty: files with the same names are replaced."
            images = None if self.format.output_is_file else holding_folder(self._image_folders, path)
            if images is not None:
                text += (
                    f" {path.name} is inside the images' folder {images.name}: it is marked as an export"
                    " (.pixelproof-export), which adding that folder again passes over, saying so."
                )
        left = self.left_out()
        if left.images:
            text += (
                f"\n{plural(len(left.images), 'image')} not labelled yet (no objects"
                + (", or only pending ones" if left.objects else "")
                + f", not marked Done or Reviewed) will be left out: {image_names(self.project, left.images)}"
                " (Unlabelled images: Write them as images without objects)."
            )
        elif self._leaves_out_unlabeled() and not self.project.tells_unlabeled():
            # "Leave out" chosen, yet all written: say why, or a first export's empty images surprise
            empty = [i for i in self.project.images if self.project.object_count(i) == 0]
            if empty:
                text += (
                    f"\nNo image is marked Done or Reviewed, so an image without objects cannot be told from "
                    f"one not labelled yet: every image is written, {plural(len(empty), 'image')} without "
                    f"objects among them ({image_names(self.project, empty)}). Mark the finished images Done "
                    f"({REGISTRY.text('image.done')}) and the others are left out."
                )
        if left.objects:
            text += (
                f"\n{plural(len(left.objects), 'pending object')} (not reviewed yet) will be left out, on "
                f"{image_names(self.project, left.object_images(self.project))}: "
                f"{left.how_to_accept(self.project, APP_WORDS)}, or Pending objects: Write them as labels."
            )
        if left.rejected:
            text += (
                f"\n{plural(len(left.rejected), 'rejected object')} (a reviewer said they are wrong) will be "
                f"left out, on {image_names(self.project, left.object_images(self.project, left.rejected))}"
                " (Rejected objects: Write them as labels)."
            )
        if left.rejected_images:
            names = image_names(self.project, left.rejected_images)
            text += (
                f"\n{plural(len(left.rejected_images), 'image')} rejected in review (every object rejected, "
                f"or the image as a whole) will be left out: {names}."
            )
        self.set_note(text.strip())

    def accept(self) -> None:
        path = self.path()
        if dialogs.refuses_dataset_file(self, "Cannot export", path, self.project):  # an image, the reference
            return
        try:  # an export never writes over the project it is made from
            check_output_not_input(path, [self.project.path, self.source], "", not self.format.output_is_file)
        except LimitError as e:
            QMessageBox.critical(self, "Cannot export", dialogs.as_text(str(e)))
            return
        one_file, title = self.format.output_is_file, self.format.title
        if path.is_dir() if one_file else path.is_file():
            what = f"a folder: {title} is one file" if one_file else f"a file: {title} needs a folder"
            QMessageBox.critical(self, "Cannot export", f"{path}\n\nis {what}.")
            return
        super().accept()


# -- the menu actions ----------------------------------------------------------------------------


class InteropActions(QObject):
    """File > Import… / Export…: dialogs, background conversion, the report, opening the result."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.dialog: _FormatDialog | None = None  # the open Import/Export dialog (tests fill it)
        self.report: dialogs.ReportDialog | None = None  # the last problems/warnings report
        import_tip = "Open a COCO, CVAT, Datumaro, YOLO, LabelMe, VOC or masks dataset as a new project"
        self.act_import = make_action("file.import", shell.widget, self.import_dialog, tip=import_tip)
        export_tip = "Write the project as COCO, LabelMe, YOLO, VOC or masks"
        self.act_export = make_action("file.export", shell.widget, self.export_dialog, tip=export_tip)
        shell.add_file_actions([self.act_import, self.act_export])
        for act in (self.act_import, self.act_export):
            shell.add_action(act)
        shell.documentChanged.connect(self._update)
        self._update(shell.document)

    def _update(self, doc: Document | None) -> None:
        self.act_export.setEnabled(doc is not None)

    # -- import ----------------------------------------------------------------------------------
    def import_dialog(self) -> ImportDialog:
        """Show the dialog (window-modal, not blocking); OK starts the import."""
        dlg = ImportDialog(self.shell.widget)
        dlg.accepted.connect(
            lambda: self.run_import(
                dlg.format.name, dlg.path(), dlg.options(), allow_outside_root=dlg.allow_outside.isChecked()
            )
        )
        dlg.finished.connect(dlg.deleteLater)
        self.dialog = dlg
        dlg.open()
        return dlg

    def run_import(
        self,
        fmt_name: str,
        path: Path,
        options: dict[str, Any],
        allow_outside_root: bool = False,
        project_file: Path | None = None,
    ) -> bool:
        """Read ``path`` in the background, then (after the unsaved-changes question, asked only once the
        read succeeded so a failed import costs nothing) open it as a new, unsaved project.
        ``allow_outside_root``: the dialog's check box, the CLI's ``--allow-outside-root`` for this read.
        ``project_file``: where Save puts it (a LabelMe folder opened as a folder: its ``project.json``, as
        New Project from Folder); else ``_untitled_path``'s name."""
        shell = self.shell
        fmt = FORMATS[fmt_name]
        path = Path(path)
        outcome = dialogs.run_job(
            shell.widget,
            f"Reading {fmt.title} from {path.name}…",
            lambda progress, on_problem: _read(fmt, path, progress, on_problem, options, allow_outside_root),
        )
        if outcome.cancelled:
            shell.status("Import cancelled", 4000)
            return False
        if outcome.error is not None:
            shell.status(
                f"Not imported: {path} could not be read as {fmt.title}: {outcome.error}", 10000, "error"
            )
            dialogs.show_error(
                shell.widget, "Cannot import", f"{path}\n\ncould not be read as {fmt.title}: {outcome.error}"
            )
            return False
        result: ImportResult = outcome.result
        problems = [dialog_words(p, fmt.read_options) for p in result.problems]  # not convert's flags
        notes = [dialog_words(p, fmt.read_options) for p in result.notes]  # how it was read: no problem
        project = result.project
        # read as the wrong format? (a YOLO folder as COCO JSON: "is a folder, not a file to read")
        hint = another_format_hint(path, fmt, "choose it under Format") if not project.annotations else ""
        if not project.images:
            detail = "\n".join(problems[: dialogs.MAX_LISTED])
            more = len(problems) - dialogs.MAX_LISTED
            detail += f"\n… and {more} more" if more > 0 else ""
            dialogs.show_error(
                shell.widget,
                "Nothing imported",
                f"{path}\n\nholds no images as {fmt.title}"
                + (f": {hint}." if hint else ".")
                + (f"\n\n{detail}" if detail else ""),
            )
            return False
        project.path = project_file or _untitled_path(project, path)
        doc = Document(project, untitled=True)
        doc.import_source = path
        doc.undo_stack.resetClean()  # it exists only in memory: closing it asks first
        if not shell.open_document(doc):
            doc.close()
            doc.deleteLater()
            return False
        summary = (
            f"Imported {plural(len(project.images), 'image')}, "
            f"{plural(len(project.annotations), 'annotation')} and "
            f"{plural(len(project.categories), 'category')} from {path}"
        )
        skipped = skipped_counts(result.skipped)
        if problems or skipped or hint or notes:
            headline = summary + (f".\nSkipped: {skipped}." if skipped else ".")
            headline += f"\nNo annotations read as {fmt.title}: {hint}." if hint else ""
            said = [plural(len(problems), "problem")] if problems else []
            said += [plural(len(notes), "note")] if notes else []
            headline += f"\n{' and '.join(said)}:" if said else ""
            self._show_report("Import report", headline, [*problems, *(f"Note: {n}" for n in notes)])
        left = [f"skipped {skipped}"] if skipped else []
        left += [plural(len(problems), "problem") + " (Import report)"] if problems else []
        shell.status("; ".join([summary, *left]), 10000, "warning" if left else "info")
        self._log_report("Import report", problems, notes)
        return True

    # -- export ----------------------------------------------------------------------------------
    def export_dialog(self) -> ExportDialog | None:
        doc = self.shell.document
        if doc is None:
            return None
        dlg = ExportDialog(doc.project, self.shell.widget, doc.import_source)
        dlg.accepted.connect(lambda: self.run_export(dlg.format.name, dlg.path(), dlg.options()))
        dlg.finished.connect(dlg.deleteLater)
        self.dialog = dlg
        dlg.open()
        return dlg

    def run_export(self, fmt_name: str, out: Path, options: dict[str, Any]) -> list[str] | None:
        """Write the open project (as it is now, saved or not) in the background; warnings go to the report.
        Returns the warnings, None when nothing (or only part) was written."""
        shell = self.shell
        doc = shell.document
        if doc is None:
            return None
        fmt = FORMATS[fmt_name]
        out = Path(out)
        project = doc.project
        # the writer leaves out pending and rejected objects and the images not labelled yet or rejected
        # (``Format.write``; its first warnings name them)
        chosen = {k: v for k, v in options.items() if k in EXPORT_OPTION_NAMES}
        images, objects, void = fmt.left_out(project, **chosen).written(project)
        outcome = dialogs.run_job(
            shell.widget,
            f"Writing {fmt.title} to {out.name}…",
            lambda progress, _on_problem: fmt.write(
                project, out, progress=progress, words=APP_WORDS, **options
            ),
        )
        if outcome.cancelled:
            shell.status(f"Export cancelled: {out} may hold part of the files", 8000)
            return None
        if outcome.error is not None:
            shell.status(f"Not exported: {out} could not be written: {outcome.error}", 10000, "error")
            dialogs.show_error(
                shell.widget, "Cannot export", f"{out}\n\ncould not be written: {outcome.error}"
            )
            return None
        images, objects, void, gone = written_counts(outcome.result, (images, objects, void))  # as convert
        note = None if fmt.holds_versions else versions_note(str(project.path), project, WRITTEN)
        note = export_words(note, fmt.options("write")) if note else None  # its consensus: the app's
        said = [export_words(w, fmt.options("write")) for w in outcome.result]  # not convert's flags
        warnings: list[str] = [note, *said] if note else said
        summary = (
            (
                f"Exported {plural(images, 'image')} and {plural(objects, 'object')}"
                if images
                else "Nothing exported"
            )
            + (f" (+{plural(void, 'void region')})" if void else "")
            + f" as {fmt.title_for(project, options)} to {out}"
            + (f"; left out {gone}" if gone else "")
        )
        if warnings:
            n = len(warnings)
            self._show_report("Export warnings", f"{summary}.\n{plural(n, 'warning')}:", warnings)
        left = f"; {plural(len(warnings), 'warning')} (Export warnings)" if warnings else ""
        shell.status(summary + left, 10000, "warning" if warnings else "info")
        self._log_report("Export warnings", warnings)
        return warnings

    def _log_report(self, title: str, problems: list[str], notes: Iterable[str] = ()) -> None:
        """The report's lines in View > Messages… after its summary (``report_lines``: bounded)."""
        for line in report_lines(title, problems):
            self.shell.log(line, "warning")
        for line in report_lines(title, [f"Note: {n}" for n in notes]):
            self.shell.log(line)

    def _show_report(self, title: str, headline: str, lines: list[str]) -> None:
        if self.report is not None:
            self.report.close()
            self.report.deleteLater()
        self.report = dialogs.ReportDialog(title, headline, lines, self.shell.widget)
        self.report.show()


def _read(fmt: Format, path: Path, progress: Any, on_problem: Any, options: dict, allow: bool) -> Any:
    with outside_root_allowed(allow):
        return fmt.read(path, progress=progress, on_problem=on_problem, **options)


def _untitled_path(project: Project, source: Path) -> Path:
    """A name for the unsaved project in the folder the reader resolved image names against (so relative
    names stay right): ``<folder>.json`` for a folder, ``<stem>-pixelproof.json`` beside a file."""
    folder = project.path.parent if project.path is not None else source.parent
    name = f"{source.name}.json" if source.is_dir() else f"{source.stem}-pixelproof.json"
    return folder / name
