"""Image > Go to Frame…: a frame of the shown image's sequence by its number, as CVAT's player takes one
(frame 30 of a 60-frame clip without pressing D thirty times, and without Find Image's filter, which then
keeps D / A to the images it lists). Frames are numbered as Fill Between Frames numbers them
(``core.track_fill.sequence_frames``: ``frame_000030.png`` is 30, else 0, 1, ... in file order), the numbers
the Track row's ``interpolated 0-30`` gives."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog

from pixelproof.core.track_fill import sequence_frames
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

TIP = "Show a frame of this image's sequence (its folder) by its number, as CVAT's frame box"


def nearest(frames: list[tuple[int, int]], wanted: int) -> tuple[int, int]:
    """The (frame, image id) of ``frames`` (in frame order) numbered ``wanted``, else the nearest one (the
    earlier of two as near): a clip exported every 3rd frame has no frame 31."""
    numbers = [f for f, _ in frames]
    at = bisect_left(numbers, wanted)
    near = [k for k in (at - 1, at) if 0 <= k < len(frames)]
    return frames[min(near, key=lambda k: abs(numbers[k] - wanted))]


class GoToFrame(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.act = make_action("image.go_to_frame", shell.widget, self.go_to, tip=TIP)
        shell.add_action(self.act)

    def go_to(self) -> None:
        """Ask for a frame number (the shown one offered) and show that frame."""
        doc = self.shell.document
        frames = sequence_frames(doc.project, doc.current_image_id) if doc is not None else []
        if doc is None or not frames:
            return
        shown = next(f for f, i in frames if i == doc.current_image_id)
        first, last = frames[0][0], frames[-1][0]
        wanted, ok = QInputDialog.getInt(
            self.shell.widget,
            "Go to Frame",
            f"Frame number ({first}-{last}, {len(frames)} frames in this folder):",
            shown,
            first,
            last,
        )
        if not ok:
            return
        frame, image_id = nearest(frames, wanted)
        doc.set_current_image(image_id)
        name = doc.project.images[image_id].file_name
        text = f"Frame {frame}: {name}" if frame == wanted else f"No frame {wanted}: frame {frame} ({name})"
        listed = self.shell.canvas.listed_images()
        if listed is not None and image_id not in listed:
            text += "; not in the Images filter's list (D goes to the next image it lists)"
        self.shell.status(text, 6000)
