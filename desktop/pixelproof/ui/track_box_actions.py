"""Tracks > Track Box Here (Ctrl+T): CVAT shows a track's box on every frame, ready to drag; here the window
remembers the last track the user selected an object of (the current track, kept across D / A to other
frames) and this item puts that track's object on the frame shown, as a key at its interpolated place
(``core.track_fill.track_box_here`` places it; this module wires the item, remembers the track and says
what was done). It also tells, after an edit of a track's key, that the frames filled next to it are from
before the edit and that Fill Between Frames (Shift+T) fills them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core import track_fill as core
from pixelproof.core.clipboard import track_of
from pixelproof.core.edits import Changes
from pixelproof.core.model import IdsExhausted
from pixelproof.ui import dialogs, track_refill
from pixelproof.ui.annotation_batch import each_change
from pixelproof.ui.shortcuts import REGISTRY, grey_with_reason, make_action

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

TIP = (
    "Put the track of the object you last selected on the frame shown, as a key: at its place interpolated "
    "between the track's keys (a copy of the nearest key before the first or after the last), selected to "
    "drag into place; on a frame filled by Fill Between Frames, that box becomes a key"
)
NO_FRAME = "Open a frame of a video to put a track's box on it"
DRAG = "drag it into place (V)"


def no_current_track() -> str:
    """Why the item is greyed before any object of a track was selected, and how to give it one."""
    keys = REGISTRY.text("edit.new_track")
    start = f"New Track ({keys})" if keys else "Tracks > New Track"
    return f"Select an object of a track first (or start one with {start}): its box is put on the frame shown"


def refill_key() -> str:
    """``Shift+T fills again``: ``fill_again`` where the message names the track already."""
    keys = REGISTRY.text("edit.fill_between_frames")
    return f"{keys.split(', ')[0]} fills again" if keys else "Tracks > Fill Between Frames fills again"


def fill_again(track: int | str) -> str:
    """How to fill a track's frames again, in the status bar's words: ``Shift+T fills track 3 again``."""
    keys = REGISTRY.text("edit.fill_between_frames")
    how = keys.split(", ")[0] if keys else "Tracks > Fill Between Frames"
    return f"{how} fills track {core.shown_track(track)} again"


class TrackBoxActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.track: int | str | None = None  # the current track: the last one an object was selected of
        self._doc: Document | None = None
        self._edited: list[int] = []  # objects of the shown image the edit being announced changed
        self.act_box = make_action("edit.track_box_here", shell.widget, self.put_box, tip=TIP)
        shell.add_action(self.act_box)
        shell.documentChanged.connect(self._document_changed)
        self._document_changed(shell.document)

    def _document_changed(self, doc: Document | None) -> None:
        """Another project: no current track (its track 3 is another video's)."""
        if doc is not self._doc:
            self.track, self._doc, self._edited = None, doc, []
            if doc is not None:  # the connections go with the document
                doc.annotationChanged.connect(self._changed)
                doc.annotationsBatch.connect(self._changed_batch)
                doc.editAnnounced.connect(self._announced)
                doc.editAnnounced.connect(self.refresh)  # a track given (New Track, the Track field) or taken
                doc.tracksRefilled.connect(self._refilled)
        self.refresh()

    def refresh(self) -> None:
        """Follow the selection (its first object on a track makes that track current) and grey the item
        with the reason: called by ``ClipboardActions`` on the changes its own items follow."""
        doc, shell = self.shell.document, self.shell
        if doc is not self._doc:  # before documentChanged reached this object
            self._document_changed(doc)
            return
        shown = doc is not None and doc.current_image is not None and shell.current_view() is shell.canvas
        if shown:
            found = (track_of(a) for a in doc.selected_annotations() if a.image_id == doc.current_image_id)
            self.track = next((t for t in found if t is not None), self.track)
        why = "" if shown and self.track is not None else NO_FRAME if not shown else no_current_track()
        tip = f"{TIP} (now track {core.shown_track(self.track)})" if self.track is not None else TIP
        grey_with_reason(self.act_box, why, tip)

    def put_box(self) -> None:
        """The current track's object on the frame shown, selected (one undo step), and what was done said."""
        doc, track = self.shell.document, self.track
        if doc is None or track is None or not self.act_box.isEnabled():
            return
        if self.shell.canvas.tool is not None:
            self.shell.canvas.tool.cancel()  # a drawing in progress is dropped, as Paste drops it
        shown = core.shown_track(track)
        try:
            made = core.track_box_here(doc.project, doc.current_image_id, track)
        except IdsExhausted as e:  # no id left: nothing added
            dialogs.show_error(self.shell.widget, "Track Box Here", str(e))
            return
        except core.TrackBoxRefused as e:
            self.shell.status(f"Track Box Here: nothing added: {e}", 10000, "warning")
            return
        if made.edit is None:
            doc.set_selection([made.ann_id])
            self.shell.status(f"Frame {made.frame} already has track {shown}'s key: selected ({DRAG})", 8000)
            return
        try:
            doc.push(made.edit)
        except ValueError as e:  # refused by the project: nothing changed
            self.shell.status(f"Track Box Here: {e}", 10000, "warning")
            return
        # short enough for the bar at 1366 px with 4-digit frames: cut, the next step was never read
        what = f"Track {shown}'s key on frame {made.frame}"
        if made.how == core.KEYED:
            done = f"Track {shown}'s fill on frame {made.frame} is a key now"
        elif made.how == core.INTERPOLATED:
            done = f"{what}, between frames {made.keys[0]} and {made.keys[1]}"
        else:
            if made.why:
                where = f"not interpolated: {made.why}"
            else:
                where = "after its last key" if made.keys[0] < made.frame else "before its first key"
            done = f"{what}, copied from frame {made.keys[0]} ({where})"
        then = "the fills beside it follow" if track_refill.refills() else refill_key()
        self.shell.status(f"{done}: {DRAG}; {then}", 10000)

    def _changed(self, image_id: object, ann_id: object) -> None:
        doc = self.shell.document
        if doc is not None and image_id == doc.current_image_id and len(self._edited) < 8:
            self._edited.append(ann_id)  # type: ignore[arg-type]

    def _changed_batch(self, changes: Changes) -> None:
        each_change(changes, None, self._changed, None)

    def _refilled(self, message: str, kind: str) -> None:
        """The fills next to an edited key followed it (or why they did not), in the status bar."""
        self.shell.status(message, 10000, kind)

    def _announced(self) -> None:
        """After an edit of a key of a track (moved, resized, reshaped) whose filled frames next to it are
        from before it: the status bar says Fill Between Frames fills them again - when the preference to
        refill them in the edit's undo step is off (on, they follow it: ``Document.follow_up``)."""
        edited, self._edited = self._edited, []
        doc = self.shell.document
        if doc is None or not edited or track_refill.refills():
            return
        anns = doc.project.annotations
        frames: dict[int, list[tuple[int, int]]] = {}  # the folder's frames, each folder once
        seen: set[tuple[int, int | str]] = set()
        for ann in (anns[i] for i in edited if i in anns):
            track = track_of(ann)
            if track is None or core.untouched_fill(ann) or (ann.image_id, track) in seen:
                continue
            seen.add((ann.image_id, track))
            if ann.image_id not in frames:
                frames[ann.image_id] = core.sequence_frames(doc.project, ann.image_id)
            if core.fills_out_of_date(doc.project, ann.image_id, track, frames[ann.image_id]):
                self.shell.status(
                    f"Track {core.shown_track(track)}'s filled frames next to this key are from before the "
                    f"change: {fill_again(track)}",
                    10000,
                )
                return
