"""The project file's life in the window: open (a project, or a folder of images as a new project read in a
background job), save, save as, close, recent projects, and the question before unsaved changes are lost.
Works through the window's ``Shell`` and a ``show(doc)`` callback; never reaches into the window."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from pixelproof.core.atomic import kept_backup_note, read_only, same_file
from pixelproof.core.autosave import read_info
from pixelproof.core.coco import ProjectConflictError, ProjectFormatError, ProjectSaveError
from pixelproof.core.dicom_series_notes import SeriesNote
from pixelproof.core.export_mark import SkippedExport, exports_note
from pixelproof.core.folder_project import SavedProject, free_project_file, project_file_in, saved_project
from pixelproof.core.image_folder import images_of_file
from pixelproof.core.imageio import is_picture
from pixelproof.core.lock import read_lock
from pixelproof.core.migration import format_note
from pixelproof.core.model import FORMAT_VERSION, Project
from pixelproof.core.wording import first_few, plural
from pixelproof.interop import FORMATS
from pixelproof.interop.labelme import labelme_files, labels_file_near
from pixelproof.interop.mvtec import mvtec_categories
from pixelproof.interop.slicer_seg_folder import project_with_segmentations
from pixelproof.ui import dialogs
from pixelproof.ui.document import Document, recoverable_new_projects
from pixelproof.ui.jobs import Job
from pixelproof.ui.new_project import ask_broken_project, ask_categories, ask_folder_has_project
from pixelproof.ui.settings import settings
from pixelproof.ui.shortcuts import make_action, plain

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

MAX_RECENT = 8


class ProjectFiles(QObject):
    def __init__(self, shell: Shell, show: Callable[[Document | None], None]) -> None:
        super().__init__(shell)
        self.shell = shell
        self._show = show
        # File > Import's reading (InteropActions.run_import, set by the window): a LabelMe folder's labels
        self.run_import: Callable[..., bool] | None = None
        self._folder_job: Job | None = None  # reading a folder of images (open_folder)
        parent = shell.widget
        self.act_open = make_action("file.open", parent, self.open_dialog, tip="Open a project file (.json)")
        self.act_open_folder = make_action(
            "file.open_folder",
            parent,
            self.open_folder_dialog,
            tip="Start a new project over a folder of images (you name its categories next; a folder with "
            "a saved project asks first)",
        )
        self.act_save = make_action("file.save", parent, self.save, tip="Save the project")
        self.act_save_as = make_action("file.save_as", parent, self.save_as)
        self.act_close = make_action("file.close", parent, self.close_project)
        self.act_close.setObjectName("closeProject")
        self.recent_menu = QMenu("Open &Recent", parent)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        shell.documentChanged.connect(self._document_shown)

    # -- recent projects ---------------------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        """The remembered projects, newest first (a hand-edited value of another type counts as none)."""
        value = settings().value("recent/projects", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def _add_recent(self, path: Path) -> None:
        p = str(path.resolve())
        recent = [p] + [r for r in self.recent_projects() if r != p]
        settings().setValue("recent/projects", recent[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_projects()
        names = distinct_tails(recent)
        for r in recent:
            found = os.path.isfile(r)  # a missing file stays listed, greyed: its drive may come back
            act = self.recent_menu.addAction(plain(names[r]) + ("" if found else " (not found)"))
            act.setEnabled(found)
            act.setToolTip(dialogs.as_text(r))  # a file's path: never rich text
            act.setStatusTip(r)
            act.triggered.connect(lambda _=False, r=r: self.open_project(Path(r)))  # never an image folder
        if not recent:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", lambda: settings().setValue("recent/projects", []))

    # -- opening -----------------------------------------------------------------------------------
    def open_path(self, path: Path, categories: list[str] | None = None) -> bool:
        """A project file or a folder of images: the project saved in it (``FOLDER/project.json``, where
        New Project from Folder saves) if there is one, else a new, unsaved project with ``categories``
        (without them the user is asked). A picture (``pixelproof photo.jpg``, as LabelMe opens one): its
        folder, opened so, then that picture shown (``open_picture``)."""
        if Path(path).is_dir():
            return self.open_folder(path, categories, existing="open")
        if is_picture(path):
            return self.open_picture(path, categories)
        return self.open_project(path)

    def open_picture(self, picture: Path, categories: list[str] | None = None) -> bool:
        """A project is a folder's images: ``picture``'s folder is opened as ``pixelproof FOLDER`` opens
        it (its saved project, its LabelMe labels offered, else a new project), then ``picture`` is shown,
        the status bar saying so (or that the project does not have it)."""
        picture = Path(os.path.abspath(picture))
        return self.open_folder(picture.parent, categories, existing="open", picture=picture)

    def open_project(self, path: Path) -> bool:
        """The project file ``path``, after the unsaved-changes question (a picture: see ``open_path``)."""
        if not self.maybe_save():
            return False
        return self._open_file(path)

    def _open_file(
        self,
        path: Path,
        reload: bool = False,
        *,
        on_broken: Callable[[ProjectFormatError], None] | None = None,
        how: str = "",
        warn: bool = False,
        loaded: Project | None = None,
        picture: Path | None = None,
    ) -> bool:
        """Show the project file ``path`` in place of the current document, whose unsaved changes were
        dealt with already - except on ``reload`` ("discard mine" after a conflict): those are given up
        only once ``path`` has loaded (a file another program broke must not cost them), and their
        autosave is not offered as a recovery. ``on_broken``: told instead of the error dialog when the
        file does not load; ``how``: said after "Opened PATH" on the status bar (as a warning: ``warn``);
        ``loaded``: ``path`` loaded already (``Document.open``); ``picture``: the image to show
        (``open_picture``)."""
        parent = self.shell.widget
        holder = read_lock(path)
        in_use = holder is not None and not (holder.is_me() or holder.is_stale())
        if in_use and not dialogs.ask_open_locked(parent, Path(path).name, holder.describe()):
            return False
        ask = None if reload else (lambda auto, changed: dialogs.ask_recover(parent, auto.name, changed))
        try:
            doc = Document.open(path, ask_recover=ask, loaded=loaded)
        except ProjectFormatError as e:
            (on_broken or (lambda e: dialogs.show_format_error(parent, e)))(e)
            return False
        if doc.recovery_error is not None:
            problems = "\n".join(doc.recovery_error.problems[: dialogs.MAX_LISTED])
            message = (
                f"{doc.recovery_error.path} cannot be read:\n{problems}\n\nThe project opened as last saved."
            )
            dialogs.show_error(parent, "Could not recover the autosave", message)
        mine = self.shell.document
        if reload and mine is not None:
            mine.undo_stack.setClean()  # the user chose to discard these edits
            mine.aboutToLeave.emit()  # and the time spent with them: recorded now, then dropped, so leaving
            mine.time_unsaved = False  # it does not try to save it over the file just reloaded
            mine.discard_autosave()
        doc.shared = in_use
        doc.hold_lock(Path(os.path.abspath(path)), force=True)
        self._show(doc)
        self._add_recent(Path(path))
        if picture is not None:
            said, found = self._go_to_picture(picture)
            how, warn = how + said, warn or not found
        note = ""
        if doc.project.loaded_format != FORMAT_VERSION:  # an older file: say what it keeps, what a save does
            note = f" - format {format_note(doc.project)}"
        if doc.autosave_removed:  # a crash after a save left it: nothing to recover, nothing to ask
            note += "; an autosave identical to the saved file was removed"
        if doc.time_recovered:  # killed after viewing images: the autosave held their time counters alone
            kept = plural(doc.time_recovered, "image")
            note += f"; time spent on {kept} kept from the autosave (no edits in it)"
        if hidden := self.shell.canvas.not_shown:  # said as the image showed, then hidden by this line: a
            # slide's tumour region over the pixel limit was a tag over bare tissue, with no reason in sight
            note += f"; {plural(len(hidden), 'mask')} not shown: {hidden[0]}"
            warn = True
        if read_only(path):  # said at once, not first at Ctrl+S: a read-only share, a file kept safe
            self.shell.status(
                f"Opened {path}{how} read-only (no write permission): save your changes as another file "
                f"(File > Save As){note}",
                10000,
                "warning",
            )
        elif warn:  # ``how`` says the command line asked for something else
            self.shell.status(f"Opened {path}{how}{note}", 15000, "warning")
        else:
            self.shell.status(f"Opened {path}{how}{note}", 8000 if note or how else 4000)
        return True

    def offer_recovery(self) -> bool:
        """Offer each new project a crash left unsaved (see ``Document.recover_new_project``) until one is
        recovered; True when one was (it is then shown)."""
        parent = self.shell.widget
        for file in recoverable_new_projects():
            choice = dialogs.ask_recover_new_project(parent, read_info(file), file)
            if choice == "discard":
                file.unlink(missing_ok=True)
            elif choice == "recover":
                try:
                    doc = Document.recover_new_project(file)
                except ProjectFormatError as e:
                    problems = "\n".join(e.problems[: dialogs.MAX_LISTED])
                    message = f"{file} cannot be read:\n{problems}\n\nIt is left where it is."
                    dialogs.show_error(parent, "Could not recover the project", message)
                    continue
                if self.open_document(doc):
                    self.shell.status(f"Recovered a new project from {file}: save it to keep it", 10000)
                    return True
                doc.close()
        return False

    def open_document(self, doc: Document) -> bool:
        """Show a document made elsewhere (an import), after the unsaved-changes question."""
        if not self.maybe_save():
            return False
        self._show(doc)
        return True

    def open_folder(
        self,
        folder: Path,
        categories: list[str] | None = None,
        *,
        existing: str = "ask",
        picture: Path | None = None,
    ) -> bool:
        """A new, unsaved project over a folder of images, with ``categories`` (None: ask the user). The
        current project is closed first (after the usual question); the image headers are read in a
        background job, progress in the status bar. A project saved in the folder (``project_file_in``)
        is never replaced: with ``existing="open"`` (``pixelproof FOLDER``) it is opened, with "ask" (New
        Project from Folder) the user chooses it or a new project saved under another name. ``picture``:
        the image of the folder to show once it is open (``open_picture``)."""
        if not self.maybe_save():
            return False
        folder = Path(folder).resolve()
        target = self._target_in(folder, categories, existing, picture)
        if isinstance(target, bool):
            return target  # the folder's project was opened, or nothing was
        if categories is None:
            offered = self._offer_labelme(folder, target)
            if offered and picture is not None:  # imported and shown: said after the import's summary
                said, found = self._go_to_picture(picture)
                self.shell.status(
                    f"Imported the labels in {folder}{said}", 10000, "info" if found else "warning"
                )
            if offered is not None:
                return offered
            categories = ask_categories(self.shell.widget, str(folder))
            if categories is None:
                return False
        self.shell.set_reading_folder(str(folder))  # before the hint says 'No project open'
        self._show(None)
        skipped: list[str] = []
        exports: list[SkippedExport] = []  # PixelProof exports inside: not searched, counted
        names, segmentations = list(categories), []  # Slicer segmentations read onto their volumes

        def read(job: Job) -> Project:
            return project_with_segmentations(
                folder,
                target,
                names,
                on_skip=skipped.append,
                on_read=segmentations.append,
                progress=job.step,
                on_export=exports.append,
            )

        job = self._folder_job = Job(read, self)
        status = self.shell.status
        job.progress.connect(lambda done, total: status(f"Reading {folder}: {done} / {total}", 4000))
        job.finished.connect(
            lambda project: self._folder_read(job, folder, project, skipped, exports, picture, segmentations)
        )
        job.failed.connect(lambda reason: self._folder_failed(job, reason))
        job.start()
        return True

    def _target_in(
        self, folder: Path, categories: list[str] | None, existing: str, picture: Path | None = None
    ) -> Path | bool:
        """Where a new project over ``folder`` is saved (``project.json``, or beside a project already
        there: ``project_2.json``), or True when the folder's saved project was opened instead (showing
        ``picture``), False when the user chose neither. A project file that does not load is said, and
        never replaced."""
        parent, here = self.shell.widget, project_file_in(folder)
        if not os.path.lexists(here):
            return here
        other = free_project_file(folder)
        if existing == "open":  # loaded once, as File > Open loads it (lock, recovery, read-only)
            broken: list[ProjectFormatError] = []
            how = self._saved_here_note(categories)
            warn = categories is not None
            if self._open_file(here, on_broken=broken.append, how=how, warn=warn, picture=picture):
                return True
            if not broken:
                return False  # the user declined (a project open in another window)
            found = SavedProject(here, problems=broken[0].problems or [str(broken[0])])
        else:
            found = saved_project(folder)
            if found is None:  # gone meanwhile
                return here
            if found.loads:
                choice = ask_folder_has_project(parent, found, other)
                if choice == "open":
                    how = ", the project saved in this folder"  # loaded once: to ask, then shown
                    return self._open_file(here, how=how, loaded=found.project)
                return other if choice == "new" else False
        return other if ask_broken_project(parent, found, other) else False

    @staticmethod
    def _saved_here_note(categories: list[str] | None) -> str:
        """The status bar after "Opened FOLDER/project.json" when ``pixelproof FOLDER`` opened it."""
        note = ", the project saved in this folder; File > New Project from Folder… over it asks first"
        if categories is not None:
            note += " (--categories not used: they name a new project's categories)"
        return note

    def _offer_labelme(self, folder: Path, target: Path) -> bool | None:
        """A folder with LabelMe JSON files beside its pictures: asked whether to import their labels, read
        as File > Import reads them (a ``labels.txt`` in the folder or one level up gives the category
        order, as ``labelme2coco --labels``); saved as New Project from Folder saves, as ``target`` (the
        folder's ``project.json``). None: not a LabelMe folder, or the user chose Images Only."""
        if self.run_import is None:
            return None
        if FORMATS["mvtec"].looks_like(folder):
            return self._offer_mvtec(folder, target)
        if not FORMATS["labelme"].looks_like(folder):
            return None
        labels = labels_file_near(folder)
        order = f"category order from {labels}" if labels else "categories from the shapes"
        n = len(labelme_files(folder))
        choice = dialogs.ask_import_labelme(self.shell.widget, folder, n, order)
        if choice != "import":
            return None if choice == "images" else False
        self._show(None)  # unsaved changes were dealt with above: the import must not ask again
        options = {"labels": labels} if labels else {}
        return self.run_import("labelme", folder, options, project_file=target)

    def _offer_mvtec(self, folder: Path, target: Path) -> bool | None:
        """An MVTec AD folder (``<object>/ground_truth/<defect>/*_mask.png``): read as images alone, its
        masks would be pictures to label and its defects no labels. Asked as for a LabelMe folder."""
        # "Import them?" after "the labels of its images" read as importing the images
        found = (
            "This folder is an MVTec AD dataset: the masks in ground_truth outline the defects of its test "
            "images. Import the masks as labels?"
        )
        names = mvtec_categories(folder)  # the real names, not a pattern the user has to apply
        said = (
            f"{plural(len(names), 'category')}: {first_few(names)}"
            if names
            else "no defect folder with masks found"
        )
        how = f"MVTec AD folder; one object per mask, {said}); no file is changed."
        # a folder scan lists the masks as pictures too: "the pictures alone" hid it
        only = (
            "Images Only starts a project over every picture here, the masks too, with categories you name."
        )
        choice = dialogs.ask_import_labels(
            self.shell.widget, folder, "MVTec AD dataset found", found, how, only
        )
        if choice != "import":
            return None if choice == "images" else False
        self._show(None)
        assert self.run_import is not None
        return self.run_import("mvtec", folder, {}, project_file=target)

    def _folder_read(
        self,
        job: Job,
        folder: Path,
        project: Project,
        skipped: list[str],
        exports: list[SkippedExport],
        picture: Path | None = None,
        segmentations: list[str] | None = None,
    ) -> None:
        if job is not self._folder_job or self.shell.document is not None:
            return  # another project was opened meanwhile
        self._end_folder_job()
        left_out = exports_note(exports)
        if not project.images:
            text = f"{folder} holds no images this app can read{left_out}."
            dialogs.show_error(self.shell.widget, "No images", text)
            return
        self._show(Document(project, untitled=True))  # project.path: where relative names point from
        others = [m for m in skipped if not any(m == str(e) for e in exports)]  # each export: said above
        listed = [m for m in others if isinstance(m, SeriesNote)]  # which series=K / phase=J is which
        others = [m for m in others if not isinstance(m, SeriesNote)]
        n, k = len(project.images), len(others)
        # the first reason says what to do (a file name to rename, a broken file); the count says how many
        first = others[0].removeprefix(f"{folder}{os.sep}") if others else ""
        first = first.removesuffix(", skipped").removesuffix("; skipped")  # the count says it already
        note = f"; {plural(k, 'file')} skipped{', first' if k > 1 else ''}: {first}" if others else ""
        if listed and not others:  # a note skips nothing: said as it is, not counted as a file skipped
            note = "; " + listed[0].removeprefix(f"{folder}{os.sep}")
        if (target := Path(project.path)) != project_file_in(folder):  # beside the folder's own project
            note += f"; saved as {target.name}, beside {project_file_in(folder).name}"
        said, found = self._go_to_picture(picture) if picture is not None else ("", True)
        if segmentations:  # "ct.seg.nrrd: 7 segments, 160 objects on the slices of ct.nrrd"
            note = "; " + "; ".join(m.removeprefix(f"{folder}{os.sep}") for m in segmentations) + note
        text = f"New project over {plural(n, 'image')} in {folder}{left_out}{note}{said}"
        kind = "warning" if others or not found else "info"  # a file left out: as the CLI warns
        self.shell.status(text, 15000, kind)

    def _go_to_picture(self, picture: Path) -> tuple[str, bool]:
        """Show ``picture`` (``open_picture``) in the project just opened: the image, or the first slice of
        its volume; the status bar's words for it, and whether the project has it."""
        doc = self.shell.document
        ids = images_of_file(doc.project, picture) if doc is not None else []
        if not ids:  # a saved project made before it, or a picture left out as unreadable (said above)
            why = " (File > Add Images… adds it)" if doc is not None and not doc.untitled else ""
            return f"; {picture.name} is not one of its images{why}", False
        doc.set_current_image(ids[0])
        return f"; showing {picture.name}", True

    def _document_shown(self, doc: Document | None) -> None:
        if doc is not None and self._folder_job is not None:
            self._folder_job.cancel()  # a folder being read is no longer wanted
            self._end_folder_job()

    def _folder_failed(self, job: Job, reason: str) -> None:
        if job is self._folder_job:
            self._end_folder_job()
        dialogs.show_error(self.shell.widget, "Could not open the folder", reason)

    def _end_folder_job(self) -> None:
        self._folder_job = None
        self.shell.set_reading_folder("")

    def open_dialog(self) -> None:
        recent = self.recent_projects()
        start = str(Path(recent[0]).parent) if recent else ""
        path, _ = QFileDialog.getOpenFileName(
            self.shell.widget, "Open project", start, "Projects (*.json);;All files (*)"
        )
        if path:  # "All files" lets a picture be chosen: its folder opens, as ``pixelproof photo.jpg``
            self.open_path(Path(path))

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.shell.widget, "New project from a folder of images")
        if folder:
            self.open_folder(Path(folder))

    # -- saving and closing ------------------------------------------------------------------------
    def _finish_pending(self, why: str) -> None:
        """What the tool in hand holds unfinished (an outline being drawn) becomes an edit first."""
        if self.shell.document is not None and self.shell.canvas.tool is not None:
            self.shell.canvas.tool.finish_pending(why)

    def save(self) -> bool:
        doc = self.shell.document
        if doc is None:
            return False
        self._finish_pending("before saving")
        if doc.untitled:
            return self.save_as()
        if read_only(doc.path):  # the save refuses it too; asked first, with the way out, as an editor does
            return dialogs.ask_save_read_only(self.shell.widget, doc.path) and self.save_as()
        return self._save_to(None)

    def save_as(self) -> bool:
        doc = self.shell.document
        if doc is None:
            return False
        self._finish_pending("before saving")
        start = str(doc.project.path) if doc.project.path else "project.json"
        path, _ = QFileDialog.getSaveFileName(
            self.shell.widget, "Save project as", start, "Projects (*.json)"
        )
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"  # a name the dialog did not ask about: ask before replacing it
            if os.path.lexists(path) and not dialogs.ask_replace(self.shell.widget, path):
                return False
        own = doc.project.path is not None and same_file(path, doc.project.path)  # its own file: a Save
        if not own and dialogs.refuses_dataset_file(self.shell.widget, "Could not save", path, doc.project):
            return False
        return self._save_to(Path(path))

    def _save_to(self, path: Path | None, overwrite: bool = False) -> bool:
        doc = self.shell.document
        try:
            target = doc.save(path, overwrite=overwrite)
        except ProjectConflictError as e:
            return self._resolve_conflict(e.path, path)
        except ProjectSaveError as e:
            message = f"{e}\n\nThe project is still open with your changes."
            self.shell.status(f"Not saved: {e}", 10000, "error")  # kept in the log after the dialog
            dialogs.show_error(self.shell.widget, "Could not save", message)
            return False
        self._add_recent(target)
        if note := kept_backup_note(target):  # saved, but its read-only backup is an older version
            self.shell.status(f"Saved {target}; {note}", 10000, "warning")
        else:
            self.shell.status(f"Saved {target}", 4000)
        return True

    def _resolve_conflict(self, on_disk: Path, path: Path | None) -> bool:
        """The file changed on disk since it was opened: Save as…, Reload (discard mine) or Overwrite."""
        choice = dialogs.ask_conflict(self.shell.widget, on_disk, self.shell.document.time_unsaved)
        if choice == "save_as":
            return self.save_as()
        if choice == "overwrite":
            return self._save_to(path, overwrite=True)
        if choice == "reload":
            self._open_file(on_disk, reload=True)
        return False

    def maybe_save(self) -> bool:
        """Ask before unsaved changes are lost; False means the user cancelled."""
        self._finish_pending("before closing")
        doc = self.shell.document
        if doc is None or not doc.is_modified():
            return True
        doc.aboutToLeave.emit()  # the time spent so far is recorded: the question says whether it is lost
        answer = dialogs.ask_save_changes(self.shell.widget, doc.display_name, doc.time_unsaved)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            doc.discard_autosave()
            return True
        return False

    def close_project(self) -> bool:
        if not self.maybe_save():
            return False
        self._show(None)
        return True


def distinct_tails(paths: list[str]) -> dict[str, str]:
    """Each path's shortest tail of at least its folder and file name that no other path in ``paths`` ends
    with: new projects are all saved as project.json, so the file name alone does not say which one it is."""
    parts = {p: Path(p).parts for p in paths}
    tails: dict[str, str] = {}
    for p, mine in parts.items():
        for n in range(min(2, len(mine)), len(mine) + 1):
            if not any(q != p and other[-n:] == mine[-n:] for q, other in parts.items()):
                break
        tails[p] = os.path.join(*mine[-n:]) if mine else p
    return tails
