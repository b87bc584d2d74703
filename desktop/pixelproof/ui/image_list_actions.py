"""File > Add Images… / Add Image Folder… / Locate Missing Images…: grow the open project's image list and
point it at images that were moved (``core.image_folder``). The headers are read in a background job
behind a modal progress dialog with Cancel (``dialogs.run_job``); the result is one undo step, and a
message says what was done and what was not (the details list each file)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from pixelproof.core.dicom_series_notes import SeriesNote
from pixelproof.core.edits.images import RelocateImages
from pixelproof.core.export_mark import exports_note
from pixelproof.core.image_folder import find_moved
from pixelproof.core.imageio import IMAGE_SUFFIXES, MEDICAL_SUFFIXES
from pixelproof.core.shard_match import check_copies
from pixelproof.core.wording import plural
from pixelproof.interop.slicer_seg_folder import images_and_segmentations_to_add
from pixelproof.ui import dialogs
from pixelproof.ui.empty_hint import EmptyHint
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

_FILTER = "Images ({});;All files (*)".format(" ".join(f"*{s}" for s in IMAGE_SUFFIXES + MEDICAL_SUFFIXES))


class ImageListActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.message: QMessageBox | None = None  # the last result (tests read it)
        w = shell.widget
        self.act_add = make_action("file.add_images", w, self.add_files_dialog, tip="Add image files")
        self.act_add_folder = make_action(
            "file.add_image_folder", w, self.add_folder_dialog, tip="Add the images of a folder (recursive)"
        )
        self.act_locate = make_action(
            "file.locate_images", w, self.locate_dialog, tip="Find images that were moved, under a folder"
        )
        actions = [self.act_add, self.act_add_folder, self.act_locate]
        shell.add_file_actions(actions)
        for act in actions:
            shell.add_action(act)
        shell.documentChanged.connect(self._update)
        self._update(shell.document)
        self.empty_hint = EmptyHint(shell)  # how to get images when there are none

    def _update(self, doc: Document | None) -> None:
        for act in (self.act_add, self.act_add_folder, self.act_locate):
            act.setEnabled(doc is not None)

    def _start(self) -> str:
        path = self.shell.document.project.path if self.shell.document is not None else None
        return str(Path(path).parent) if path is not None else ""

    def add_files_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.shell.widget, "Add images", self._start(), _FILTER)
        if paths:
            self.add_images(paths)

    def add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.shell.widget, "Add a folder of images", self._start())
        if folder:
            self.add_images([folder])

    def locate_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.shell.widget, "Where are the missing images now?", self._start()
        )
        if folder:
            self.locate(Path(folder))

    def add_images(self, paths: Iterable[str | Path]) -> bool:
        """Add the images of ``paths`` the project does not have, and the 3D Slicer segmentations among them
        as their volumes' masks (one undo step); False when nothing was."""
        doc = self.shell.document
        if doc is None:
            return False
        paths, skipped, read = list(paths), [], []

        def work(progress, on_problem):  # type: ignore[no-untyped-def]
            def skip(message: str) -> None:
                skipped.append(message)
                on_problem(message)

            return images_and_segmentations_to_add(
                doc.project, paths, skip, on_read=read.append, progress=progress
            )

        result = self._run("Reading image sizes…", work)
        if result is None:
            return False
        found, edit = result
        if edit is not None:
            doc.push(edit)
            if doc.current_image_id == -1 and found.images:
                doc.set_current_image(found.images[0].id)
        lines = [f"Added {plural(len(found.images), 'image')}{exports_note(found.exports)}."]
        if read:  # "ct.seg.nrrd: 7 segments, 160 objects on the slices of ct.nrrd", below the folder given
            tops = [f"{Path(p)}{os.sep}" for p in paths]
            short = [next((m.removeprefix(t) for t in tops if m.startswith(t)), m) for m in read]
            lines.append(f"Masks of {'; '.join(short)}.")
        if found.already:
            lines.append(f"{len(found.already)} already in the project (not added again).")
        if found.exports:  # said through skip too, once a folder: not counted as a file below
            names = ", ".join(e.folder.name for e in found.exports)
            lines.append(f"Not searched: {names} (add its files, or the folder itself, to take them).")
        listed = sum(isinstance(m, SeriesNote) for m in skipped)  # skip nothing: which series=K is which
        if len(skipped) - listed > len(found.exports):
            lines.append(
                f"{plural(len(skipped) - listed - len(found.exports), 'file')} skipped (see the details)."
            )
        if listed:
            lines.append("Several DICOM series or phases in a folder: which is which is in the details.")
        details = [f"already in the project: {p}" for p in found.already] + read + skipped
        self._tell("Add images", "\n".join(lines), details)
        return edit is not None

    def locate(self, folder: Path) -> bool:
        """Point the missing images at their files under ``folder`` (one undo step); False when none was."""
        doc = self.shell.document
        if doc is None:
            return False

        def work(progress, _problem):  # type: ignore[no-untyped-def]
            found, problems = find_moved(doc.project, folder, progress=progress)
            found, refused, warnings, copies = check_copies(doc.project, found)  # a shard: the pictures?
            return found, problems + refused, warnings, copies

        result = self._run(f"Looking for the missing images in {folder.name}…", work)
        if result is None:
            return False
        found, problems, warnings, copies = result
        if found:
            doc.push(RelocateImages(found, copies=copies))
        if not found and not problems:
            self._tell("Locate missing images", "No image of the project is missing.", [])
            return False
        lines = [f"Found {len(found)} of {plural(len(found) + len(problems), 'missing image')}."]
        for reason in ("ambiguous", "refused", "not found"):
            n = sum(p.reason == reason for p in problems)
            if n:
                lines.append(
                    f"{n} {reason}"
                    + (" (another picture or image's file, or unreadable)" if reason == "refused" else "")
                )
        if warnings:
            lines.append(
                f"{plural(len(warnings), 'copy', 'copies')} of another byte size than dealt out: check that "
                f"{'it shows' if len(warnings) == 1 else 'each shows'} the picture (see the details)."
            )
        details = [f"{doc.project.images[iid].file_name}" for iid in found] + [str(p) for p in problems]
        details += warnings
        self._tell("Locate missing images", "\n".join(lines), details)
        return bool(found)

    def _run(self, label: str, work):  # type: ignore[no-untyped-def]
        outcome = dialogs.run_job(self.shell.widget, label, work)
        if outcome.cancelled:
            self.shell.status("Cancelled", 4000)
            return None
        if outcome.error is not None:
            dialogs.show_error(self.shell.widget, "Could not read the images", outcome.error)
            return None
        return outcome.result

    def _tell(self, title: str, text: str, details: list[str]) -> None:
        """A non-blocking message with the per-file details; its first line in the status bar too."""
        box = QMessageBox(
            QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self.shell.widget
        )
        if details:
            box.setDetailedText("\n".join(details))
        box.finished.connect(box.deleteLater)
        box.open()
        self.message = box
        self.shell.status(text.splitlines()[0], 8000)
