"""File > New Project from Video…: a video file's frames written into a folder (``core.video_frames``, as
``pixelproof frames`` writes them) in a job with progress and Cancel, then that folder opened as New Project
from Folder opens one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from pixelproof.core.video_frames import (
    DEFAULT_MAX_FRAMES,
    VIDEO_SUFFIXES,
    FramesWritten,
    extract_frames,
)
from pixelproof.ui import dialogs
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

VIDEO_FILTER = f"Videos ({' '.join('*' + s for s in VIDEO_SUFFIXES)});;All files (*)"


class FramesDialog(QDialog):
    """Which frames of ``video`` go where: every Nth, into a folder (beside the video, named after it, by
    default), replacing frames already there or not."""

    def __init__(self, video: Path, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Frames of {video.name}")
        form = QFormLayout(self)
        self.step = QSpinBox(self)
        self.step.setRange(1, 10_000)
        self.step.setToolTip("Write every Nth frame; each keeps its number in the video (frame_000003.png)")
        self.step.setAccessibleName("Every Nth frame")
        form.addRow("Every &Nth frame:", self.step)
        self.folder = QLineEdit(str(folder if folder is not None else video.with_suffix("")), self)
        self.folder.setAccessibleName("Folder for the frames")
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow("&Folder:", row)
        self.overwrite = QCheckBox("&Replace frames already in the folder", self)
        form.addRow(self.overwrite)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.step.setFocus()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the frames", self.folder.text())
        if folder:
            self.folder.setText(folder)


class VideoFramesActions(QObject):
    """The File menu's New Project from Video…; ``open_folder(folder)`` opens the frames' folder (the
    window's ``ProjectFiles.open_folder``), ``maybe_save()`` asks before the open project is left."""

    def __init__(
        self, shell: Shell, open_folder: Callable[[Path], bool], maybe_save: Callable[[], bool]
    ) -> None:
        super().__init__(shell)
        self.shell = shell
        self._open_folder = open_folder
        self._maybe_save = maybe_save
        self.act_from_video = make_action(
            "file.from_video",
            shell.widget,
            self.from_video_dialog,
            tip="Write a video file's frames into a folder (frame_000000.png, ... numbered as in the video) "
            "and start a new project over them",
        )

    def from_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.shell.widget, "New project from a video", "", VIDEO_FILTER)
        if path:
            self.from_video(Path(path))

    def from_video(self, video: Path) -> bool:
        """Ask which frames and where, write them (progress, Cancel), then open the folder."""
        if not self._maybe_save():
            return False
        done = write_frames(self.shell, video, on_dialog=self._asking)
        return done is not None and self._open_folder(done.folder)

    def _asking(self, box: FramesDialog) -> None:
        self.dialog = box  # for tests and screen readers: the one being asked


def write_frames(
    shell: Shell,
    video: Path,
    folder: Path | None = None,
    on_dialog: Callable[[FramesDialog], None] | None = None,
) -> FramesWritten | None:
    """Ask which frames of ``video`` and where (``folder`` by default, else beside the video), write them
    in a job (progress, Cancel) and say so in the status bar; None when nothing is to follow (cancelled,
    refused - the core's reason shown -, no frame written). New Project from Video and Add Video Frames."""
    box = FramesDialog(video, shell.widget, folder)
    if on_dialog is not None:
        on_dialog(box)
    if box.exec() != QDialog.DialogCode.Accepted:
        box.deleteLater()
        return None
    step, out, overwrite = box.step.value(), Path(box.folder.text().strip()), box.overwrite.isChecked()
    box.deleteLater()
    if not str(out) or str(out) == ".":
        dialogs.show_error(shell.widget, "No folder", "Name a folder for the frames.")
        return None

    def work(progress, _problem):  # type: ignore[no-untyped-def]
        return extract_frames(
            video, out, step=step, max_frames=DEFAULT_MAX_FRAMES, overwrite=overwrite, progress=progress
        )

    outcome = dialogs.run_job(shell.widget, f"Writing the frames of {video.name}…", work)
    if outcome.cancelled:
        shell.status(f"Cancelled: the frames written so far stay in {out}", 8000)
        return None
    if outcome.error is not None:
        dialogs.show_error(shell.widget, "Could not write the frames", outcome.error)
        return None
    done: FramesWritten = outcome.result
    if not done.numbers:
        dialogs.show_error(shell.widget, "No frames", f"{video}: no frame was written.")
        return None
    ended = f"; {video.name}: {done.stopped}" if done.stopped else ""  # a truncated video's frames
    shell.status(done.summary() + ended, 15000)  # what follows says its own line next
    return done
