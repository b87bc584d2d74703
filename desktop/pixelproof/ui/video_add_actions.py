"""File > Add Video Frames…: a video's frames written into a folder of the open project's (a subfolder named
after the video, by default, so each clip is a frame sequence of its own: Fill Between Frames numbers the
frames of one folder) as New Project from Video writes them, then added to the project as Add Images adds
files - one undo step, the result said in a message and the status bar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from pixelproof.core.video_frames import frame_name
from pixelproof.core.wording import plural
from pixelproof.ui.shortcuts import make_action
from pixelproof.ui.video_frames_actions import VIDEO_FILTER, FramesDialog, write_frames

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.image_list_actions import ImageListActions
    from pixelproof.ui.shell import Shell


class AddVideoFrames(QObject):
    """The action, in the File menu just after Add Image Folder…; ``image_list`` adds the frames."""

    def __init__(self, shell: Shell, image_list: ImageListActions) -> None:
        super().__init__(shell)
        self.shell = shell
        self.image_list = image_list
        self.dialog: FramesDialog | None = None  # the one being asked (tests, screen readers)
        self.act = make_action(
            "file.add_video_frames",
            shell.widget,
            self.add_dialog,
            tip="Write a video file's frames into a folder of the project's (frame_000000.png, ... numbered "
            "as in the video) and add them to the project",
        )
        file_menu = next(m for m in shell.menus if m.objectName() == "fileMenu")
        file_menu.insertAction(image_list.act_locate, self.act)
        shell.add_action(self.act)
        shell.documentChanged.connect(self._update)
        self._update(shell.document)

    def _update(self, doc: Document | None) -> None:
        self.act.setEnabled(doc is not None)

    def _project_folder(self) -> Path | None:
        doc = self.shell.document
        path = doc.project.path if doc is not None else None
        return Path(path).parent if path is not None else None

    def add_dialog(self) -> None:
        start = self._project_folder()
        path, _ = QFileDialog.getOpenFileName(
            self.shell.widget, "Add a video's frames", str(start or ""), VIDEO_FILTER
        )
        if path:
            self.add_video(Path(path))

    def add_video(self, video: Path) -> int:
        """Ask which frames and where, write them (progress, Cancel), add them; how many were added."""
        doc = self.shell.document
        if doc is None:
            return 0
        home = self._project_folder()
        done = write_frames(self.shell, video, home / video.stem if home is not None else None, self._asking)
        if done is None:
            return 0
        before = set(doc.project.images)
        self.image_list.add_images(done.folder / frame_name(n) for n in done.numbers)
        added = len(set(doc.project.images) - before)
        if added:
            kept = len(done.numbers) - added
            there = f"; {kept} already in it" if kept else ""
            ended = f"; {video.name}: {done.stopped}" if done.stopped else ""
            self.shell.status(
                f"Added {plural(added, 'frame')} of {video.name} to the project ({done.folder.name}/"
                f"{frame_name(done.numbers[0])} .. {frame_name(done.numbers[-1])}){there}{ended}",
                15000,
            )
        return added

    def _asking(self, box: FramesDialog) -> None:
        self.dialog = box
