"""Tracks > New Track (T) and the Track field of Properties: how a video labelled from scratch gets the tracks
Fill Between Frames follows (``core.tracks`` gives the ids and refuses a second object of a track on one
image; this module wires the menu item and says what was done, or why not, in the status bar).

The CVAT way, here: draw the box on frame 0, T; on frame 30 Ctrl+T (Track Box Here, ``ui.track_box_actions``)
puts the track's box there to drag - or paste it (Ctrl+C, Ctrl+V: the copy keeps the track) and move it, or
draw it and type the track's number in Properties; then Shift+T (Fill Between Frames).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from pixelproof.core import tracks as core
from pixelproof.core.clipboard import TRACK_ID, track_of
from pixelproof.core.edits import Edit
from pixelproof.core.model import Annotation
from pixelproof.core.track_fill import filled_between, untouched_fill
from pixelproof.ui.shortcuts import REGISTRY, make_action

if TYPE_CHECKING:
    from pixelproof.ui.document import Document
    from pixelproof.ui.shell import Shell

TIP = (
    "Start a track with the selected object (a new track_id): put it on later frames by Copy / Paste or "
    "Propagate (the copies keep it) or by its Track number in Properties, then Fill Between Frames"
)


def new_track_key() -> str:
    """How the user reaches New Track: its key, or the menu path when it has none."""
    keys = REGISTRY.text("edit.new_track")
    return f"Tracks > New Track ({keys})" if keys else "Tracks > New Track"


KEY_TIP = (
    "A key frame of its track (CVAT's keyframe): drawn, pasted, imported as a keyframe, or a filled box "
    "moved or resized since. Fill Between Frames interpolates between two keys and never changes a key"
)
FILLED_TIP = (
    'Interpolated by Fill Between Frames (CVAT\'s interpolated shape, exported with keyframe="0"): filling '
    "again recomputes it. Move or resize it and it becomes a key frame the fill follows"
)


def frame_kind(ann: Annotation) -> tuple[str, str]:
    """Whether an object on a track is a key frame or interpolated, in words with their tooltip, as CVAT's
    object sidebar tells them (a moved filled box is a key from then on): ``("interpolated 0-30", ...)``,
    ``("key frame", ...)``; ``("", "")`` for an object on no track."""
    if track_of(ann) is None:
        return "", ""
    if not untouched_fill(ann):
        return "key frame", KEY_TIP
    between = filled_between(ann)
    return (f"interpolated {between[0]}-{between[1]}" if between else "interpolated"), FILLED_TIP


def start_tracks(shell: Shell, doc: Document, ids: Sequence[int]) -> None:
    """Each of the objects ``ids`` starts a track of its own, as one undo step; the status bar says which."""
    edit = core.new_tracks(doc.project, ids)
    if edit is None:
        return
    refilled: list[tuple[str, str]] = []
    if push_edit(shell, doc, edit, "New Track", refilled):
        tracks = [doc.project.annotations[i].extra[TRACK_ID] for i in edit.focus or []]
        which = (
            f"track {tracks[0]}: put it" if len(tracks) == 1 else f"tracks {tracks[0]}-{tracks[-1]}: put each"
        )
        box = REGISTRY.text("edit.track_box_here") or "Tracks > Track Box Here"
        fill = REGISTRY.text("edit.fill_between_frames") or "Tracks > Fill Between Frames"
        shell.status(
            *with_refill(
                f"Started {which} on a later frame ({box} there puts it to drag into place, or Ctrl+C, "
                f"Ctrl+V there and move it), then {fill} fills the frames between",
                refilled,
            )
        )


def join_track(shell: Shell, doc: Document, ids: Sequence[int], text: str) -> bool:
    """Put the objects ``ids`` on the track typed as ``text`` ("" takes them off their track), one undo
    step; a refusal (a number that is no track, the track already on that image) is said in the status bar
    and changes nothing. Returns whether the objects hold that track now."""
    try:
        track = core.parse_track(text)
        edit = core.set_track(doc.project, ids, track)
    except core.TrackRefused as e:
        shell.status(f"Track not set: {e}", 10000, "warning")
        return False
    refilled: list[tuple[str, str]] = []
    if edit is None or not push_edit(shell, doc, edit, "Track", refilled):
        return edit is None
    said = "Taken off its track" if track is None else f"On track {track}"
    shell.status(*with_refill(said, refilled) if refilled else (said, 4000))
    return True


def push_edit(shell: Shell, doc: Document, edit: Edit, verb: str, refilled: list[tuple[str, str]]) -> bool:
    """Push ``edit``; ``refilled`` gets what the refill in its undo step said (``Document.tracksRefilled``:
    the old track's fills next to a key that left it), for the status bar to say after the edit's own
    words instead of them hiding it."""

    def collect(text: str, kind: str) -> None:
        refilled.append((text, kind))

    doc.tracksRefilled.connect(collect)
    try:
        doc.push(edit)
    except ValueError as e:  # refused by the project: nothing changed
        shell.status(f"{verb}: {e}", 10000, "warning")
        return False
    finally:
        doc.tracksRefilled.disconnect(collect)
    return True


def with_refill(said: str, refilled: list[tuple[str, str]]) -> tuple[str, int, str]:
    """The status bar's words, time and kind: ``said``, then what the refill said (a warning if it was)."""
    text = ". ".join([said, *(t for t, _ in refilled)])
    return text, 10000, "warning" if any(k == "warning" for _, k in refilled) else "info"


class TrackActions(QObject):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.act_new_track = make_action("edit.new_track", shell.widget, self.new_track, tip=TIP)
        shell.add_action(self.act_new_track)

    def refresh(self) -> None:
        """Enabled with an object of the shown image selected in the labeling view: called by
        ``ClipboardActions`` on the changes its own items follow."""
        self.act_new_track.setEnabled(bool(self._selected_ids()))

    def _selected_ids(self) -> list[int]:
        doc, shell = self.shell.document, self.shell
        if doc is None or doc.current_image_id == -1 or shell.current_view() is not shell.canvas:
            return []
        return [a.id for a in doc.selected_annotations() if a.image_id == doc.current_image_id]

    def new_track(self) -> None:
        """Each selected object of the shown image starts a track of its own."""
        doc, ids = self.shell.document, self._selected_ids()
        if doc is not None and ids:
            start_tracks(self.shell, doc, ids)
