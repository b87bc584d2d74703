"""Tracks > Merge Tracks (Alt+J), Split Track Here (Alt+X) and Track Leaves View Here (Alt+O):
CVAT's Merge, Split and O (outside) of a video's tracks (``core.track_edit`` decides; this module wires the
items and says in the status bar what was done or why not). Each is one undo step; the fills next to the
keys that changed track follow them in it (``Document.follow_up``), as after Properties > Track.

The selection lives on one frame, and two tracks on one frame cannot be merged (each has an object there), so
Merge Tracks works as CVAT's M: the first use with an object of a track selected picks that track; on any
frame, the next use with an object of another track selected merges that track into the picked one (the
picked track keeps its id). Using it on the picked track again drops the pick; another project drops it too.
Objects of several tracks selected at once are merged into the first one's track directly.

Track Leaves View Here works on the selected object's track (``core.track_edit.leave_view``); on a frame where
a track left the view nothing of it is there to select, so with no object selected it takes that frame's marks
away (``back_in_view``) - the item is enabled there for that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from pixelproof.core.clipboard import track_of
from pixelproof.core.frame_sequences import sequence_name, sequence_of
from pixelproof.core.track_edit import (
    TrackEditRefused,
    back_in_view,
    leave_view,
    merge_tracks,
    split_track,
    tracks_named,
)
from pixelproof.core.track_fill import shown_track
from pixelproof.core.track_outside import marked_tracks, marks_by_frame
from pixelproof.core.wording import plural
from pixelproof.ui.shortcuts import REGISTRY, grey_with_reason, make_action
from pixelproof.ui.track_actions import push_edit, with_refill

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

MERGE_TIP = (
    "Join two tracks into one, as CVAT's Merge: select an object of the track to keep and use this, then "
    "select an object of the other track (on any frame) and use it again"
)
SPLIT_TIP = (
    "Cut the selected object's track at the frame shown, as CVAT's Split: this frame and the later ones of "
    "the video go on a new track"
)
OUTSIDE_TIP = (
    "The selected object's track leaves the view on this frame, as CVAT's O: its object here and its filled "
    "frames up to its next key are removed, and no fill crosses this frame. Again on this frame with nothing "
    "selected: back in view"
)
NO_TRACK = "Select an object of a track first"
NO_OUTSIDE = "Select an object of a track, or show a frame where a track left the view"


def _key(id: str, menu: str) -> str:
    keys = REGISTRY.text(id)
    return keys.split(", ")[0] if keys else f"Tracks > {menu}"


class TrackEditActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.picked: int | str | None = None  # Merge Tracks' first track, until the second is given
        self._doc: Document | None = None
        self._marks: dict[int, list[dict[str, Any]]] | None = None  # ``marks_by_frame`` until an edit
        self.act_merge = make_action("edit.merge_tracks", shell.widget, self.merge, tip=MERGE_TIP)
        self.act_split = make_action("edit.split_track", shell.widget, self.split, tip=SPLIT_TIP)
        self.act_outside = make_action("edit.track_leaves_view", shell.widget, self.outside, tip=OUTSIDE_TIP)
        self.acts = [self.act_merge, self.act_split, self.act_outside]
        for act in self.acts:
            shell.add_action(act)

    def refresh(self) -> None:
        """Enabled with an object of a track selected on the shown image (called by ``ClipboardActions``)."""
        doc = self.shell.document
        if doc is not self._doc:
            self._doc, self.picked, self._marks = doc, None, None  # another project: its track 3 is another's
            if doc is not None:  # the connections go with the document
                doc.editAnnounced.connect(self._forget)
                doc.imagesChanged.connect(self._forget)
        why = "" if self._tracks() else NO_TRACK
        grey_with_reason(self.act_merge, why, MERGE_TIP)
        grey_with_reason(self.act_split, why, SPLIT_TIP)
        out = "" if not why or self._marked() else NO_OUTSIDE
        grey_with_reason(self.act_outside, out, OUTSIDE_TIP)

    def _forget(self) -> None:
        """The project changed (an edit, its undo, the images): the marks are indexed again when next
        looked at, and the items follow."""
        self._marks = None
        self.refresh()

    def _marked(self) -> list[str]:
        """The tracks that left the view on the shown frame (a labeling view's frame of a video): looked up
        in the marks indexed once per project change (``marks_by_frame``), as a frame change calls it."""
        doc, shell = self.shell.document, self.shell
        if doc is None or doc.current_image_id == -1 or shell.current_view() is not shell.canvas:
            return []
        sequence = sequence_of(doc.project, doc.current_image_id)
        if sequence is None:
            return []
        frame = sequence.frames[sequence.places[doc.current_image_id]][0]
        if self._marks is None:
            self._marks = marks_by_frame(doc.project)
        return marked_tracks(
            doc.project, frame, sequence_name(doc.project, doc.current_image_id), self._marks
        )

    def _selected(self) -> list[int]:
        doc, shell = self.shell.document, self.shell
        if doc is None or doc.current_image_id == -1 or shell.current_view() is not shell.canvas:
            return []
        return [a.id for a in doc.selected_annotations() if a.image_id == doc.current_image_id]

    def _tracks(self) -> list[int | str]:
        """The selected objects' tracks, in selection order."""
        doc = self.shell.document
        found = (track_of(doc.project.annotations[i]) for i in self._selected()) if doc is not None else ()
        return list(dict.fromkeys(t for t in found if t is not None))

    def _apply(
        self, doc: Any, make: Callable[[], Any], refused: str, name: str
    ) -> tuple[Any, list[tuple[str, str]]] | None:
        """Make a track edit and push it as one undo step (its refill beside it): the edit and the refill's
        notes, or None when refused (said after ``refused``) or not pushed."""
        try:
            done = make()
        except TrackEditRefused as e:
            self.shell.status(f"{refused}: {e}", 10000, "warning")
            return None
        refilled: list[tuple[str, str]] = []
        return (done, refilled) if push_edit(self.shell, doc, done.edit, name, refilled) else None

    def merge(self) -> None:
        """Pick the selected object's track, or merge it into the picked one (see the module docstring)."""
        doc, tracks = self.shell.document, self._tracks()
        if doc is None or not tracks:
            return
        if len(tracks) == 1:
            track = tracks[0]
            if self.picked is None or not any(
                track_of(a) == self.picked for a in doc.project.annotations.values()
            ):
                self.picked = track
                key = _key("edit.merge_tracks", "Merge Tracks")
                self.shell.status(
                    f"Merge Tracks: track {shown_track(track)} picked; select an object of the other track "
                    f"(on any frame) and press {key} again",
                    15000,
                )
                return
            if track == self.picked:
                self.picked = None
                self.shell.status(f"Merge Tracks: track {shown_track(track)} no longer picked", 5000)
                return
            tracks = [self.picked, track]
        if (
            applied := self._apply(
                doc, lambda: merge_tracks(doc.project, tracks), "Tracks not merged", "Merge Tracks"
            )
        ) is None:
            return
        done, refilled = applied
        self.picked = None
        others = ", ".join(shown_track(t) for t in tracks[1:])
        dropped = f", {plural(done.fills, 'filled frame')} under its keys removed" if done.fills else ""
        fill = _key("edit.fill_between_frames", "Fill Between Frames")
        into = shown_track(tracks[0])
        said = (
            f"Track {others} joined to track {into} ({plural(done.moved, 'object')}{dropped}); {fill} fills "
        )
        said += "the frames between"
        self.shell.status(*with_refill(said, refilled))

    def split(self) -> None:
        """The selected objects' tracks cut at the frame shown: from it on, a new track each."""
        doc, ids = self.shell.document, self._selected()
        if doc is None or not ids:
            return
        if (
            applied := self._apply(
                doc, lambda: split_track(doc.project, ids), "Track not split", "Split Track Here"
            )
        ) is None:
            return
        done, refilled = applied
        said = f"From this frame on, {plural(done.moved, 'object')} on new {tracks_named(done.tracks)}"
        self.shell.status(*with_refill(said, refilled))

    def outside(self) -> None:
        """The selected object's track leaves the view on the shown frame; with nothing selected, the tracks
        that left it here are back in view (see the module docstring)."""
        doc, tracks = self.shell.document, self._tracks()
        if doc is None or doc.current_image_id == -1:
            return
        image = doc.current_image_id
        edit = (
            (lambda: leave_view(doc.project, image, tracks[0]))
            if tracks
            else (lambda: back_in_view(doc.project, image))
        )
        if (applied := self._apply(doc, edit, "Track Leaves View Here", "Track Leaves View Here")) is None:
            return
        done, refilled = applied
        shown = ", ".join(shown_track(t) for t in done.tracks)
        if done.left:
            again = _key("edit.track_leaves_view", "Track Leaves View Here")
            removed = plural(done.removed, "object")
            said = (
                f"Track {shown} leaves the view on frame {done.frame} ({removed} removed up to its next key; "
                f"no fill crosses it); {again} here with nothing selected brings it back"
            )
        else:
            said = f"Track {shown} back in view on frame {done.frame}: filling again fills across it"
        self.shell.status(*with_refill(said, refilled))
