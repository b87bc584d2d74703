"""Tracks > Fill Between Frames: CVAT's track mode for a video's frames - a track's box drawn on a few frames,
the frames between filled by linear interpolation in one undo step (``core.track_fill`` interpolates; this
module wires the menu item, greys it with the reason and says what was done).

It acts on the track of the selected object, over the frames of its image sequence (the images of its
folder). Its key is Shift+T (T starts a track, Ctrl+T puts its box on the frame shown). The fills next to a
key follow its edit by themselves (``Document.follow_up``); with that preference off, Shift+T pressed again
after a key moved fills the frames around it anew. A track over more than ``BACKGROUND_FRAMES`` frames is
planned in the background with progress and Cancel in the status bar (``track_fill_job``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core import track_fill as core
from pixelproof.core.clipboard import track_of
from pixelproof.core.model import Annotation, IdsExhausted
from pixelproof.core.wording import plural
from pixelproof.ui import dialogs
from pixelproof.ui.shortcuts import grey_with_reason, make_action
from pixelproof.ui.track_actions import new_track_key
from pixelproof.ui.track_fill_job import BACKGROUND_FRAMES, TrackFillJob

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

TIP = (
    "Fill the frames between the drawn frames of the selected object's track, as CVAT's track mode: each "
    "frame between two drawn ones gets the box (or polygon) interpolated linearly between theirs"
)
NO_SELECTION = "Select an object of a video's track to fill between its frames"


def no_track() -> str:
    """Why the item is greyed for a selected object with no track, and how to give it one."""
    return (
        f"The selected object has no track: {new_track_key()} starts one; put it on a later frame "
        "(Tracks > Track Box Here there, or Ctrl+C, Ctrl+V and move it) and fill between them"
    )


class TrackFillActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.job: TrackFillJob | None = None  # a long track's fill planned in the background
        self.act_fill = make_action("edit.fill_between_frames", shell.widget, self.fill, tip=TIP)
        shell.add_action(self.act_fill)

    def refresh(self) -> None:
        """Greyed or not, with the reason: called by ``ClipboardActions`` on the changes its own items follow
        (the document, the view, the selection, the image shown)."""
        grey_with_reason(self.act_fill, self._reason(), TIP)

    def _reason(self) -> str:
        """Why Fill Between Frames cannot act now; "" when it can."""
        doc, shell = self.shell.document, self.shell
        if doc is None or doc.current_image is None or shell.current_view() is not shell.canvas:
            return "Open a frame of a video to fill between its frames"
        if self._track() is not None:
            return ""
        return no_track() if self._selected() else NO_SELECTION

    def _track(self) -> int | str | None:
        """The track of the first selected object of the shown image that has one."""
        found = (track_of(a) for a in self._selected())
        return next((t for t in found if t is not None), None)

    def _selected(self) -> list[Annotation]:
        """The selected objects of the shown image."""
        doc = self.shell.document
        if doc is None:
            return []
        return [a for a in doc.selected_annotations() if a.image_id == doc.current_image_id]

    def fill(self) -> None:
        """Fill the frames between the drawn ones of the selected object's track (recomputing those an
        earlier fill made and nobody changed since), as one undo step; a track over more than
        ``BACKGROUND_FRAMES`` frames is planned in the background (``TrackFillJob``)."""
        doc, track = self.shell.document, self._track()
        if self.job is not None:  # Shift+T again: the first one goes on
            self.shell.status(f"Fill Between Frames: {self.job.busy()}", 8000, "warning")
            return
        if doc is None or track is None or self._reason():
            return
        if self.shell.canvas.tool is not None:
            self.shell.canvas.tool.cancel()  # a drawing in progress is dropped, as Propagate drops it
        frames = core.sequence_frames(doc.project, doc.current_image_id)
        if core.track_extent(doc.project, frames, track) > BACKGROUND_FRAMES:
            self.job = TrackFillJob(self.shell, doc, frames, track, self._filled, self._job_ended)
            return
        try:
            made = core.fill_between_frames(doc.project, doc.current_image_id, track)
        except (IdsExhausted, core.FillRefused) as e:  # no id left, or too many frames: nothing added
            dialogs.show_error(self.shell.widget, "Fill Between Frames", str(e))
            return
        self._filled(doc, made, track)

    def _job_ended(self) -> None:
        self.job = None

    def _filled(self, doc: Document, made: core.TrackFilled, track: int | str) -> None:
        """Push what the fill made (one undo step) and say it on the status bar, or say why nothing was."""
        shown = core.shown_track(track)
        notes = "".join(
            f"; {plural(n, 'frame')} passed over: {why}" for why, n in sorted(made.skipped.items())
        )
        if made.edit is None:
            if made.keys < 2:
                why = (
                    f"track {shown} is drawn on {plural(made.keys, 'frame')} of this sequence; draw it on two"
                )
            elif made.unchanged:
                why = (
                    f"the {plural(made.unchanged, 'frame')} filled earlier between the drawn frames of track "
                    f"{shown} already hold their interpolation"
                )
            else:
                why = f"no empty frame lies between the drawn frames of track {shown}"
            self.shell.status(f"Fill Between Frames: nothing filled: {why}{notes}", 8000, "warning")
            return
        gone = set(made.removed)  # a replaced object that was selected: the selection keeps the others
        made.edit.focus = [a.id for a in doc.selected_annotations() if a.id not in gone]
        made.edit.revert_focus = [a.id for a in doc.selected_annotations()]
        try:
            doc.push(made.edit)
        except ValueError as e:  # refused by the project: nothing added
            self.shell.status(f"Fill Between Frames: {e}", 10000, "warning")
            return
        again = f", {made.replaced} of them again" if made.replaced else ""
        self.shell.status(
            f"Filled {plural(made.filled, 'frame')} of track {shown} between "
            f"{plural(made.keys, 'drawn frame')}{again} (Ctrl+Z takes them back){notes}",
            10000,
        )
