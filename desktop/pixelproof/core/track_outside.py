"""Where a video's track left the view: CVAT's ``outside`` keyframe (its O key), and Tracks > Track Leaves
View Here, which makes one. No Qt.

A mark is one entry of the list the CVAT for video reader keeps a task's ``outside="1"`` shapes in
(``project.extra["cvat_video"]["outside"]``, ``interop.cvat_video_kept``): one place for both, so a mark read
from CVAT and one made here are the same thing to Fill Between Frames and to the export. An entry names the
track (its id as text, as CVAT's ``<track id>``; read as an object's track id is, ``mark_track``: a
hand-written ``"03"``, ``" 3"`` or ``3`` is track 3), ``part`` (None for the track itself; a skeleton's point
track's label: that point left the view, not the object) and the frame number (the frame's place in its video
as ``core.frame_sequences`` numbers it). One read from CVAT keeps its ``tag``, geometry and attributes; one
made here has ``tag`` None: the export writes it with the geometry of the track's shape on the frame before,
as CVAT writes a track's outside keyframe.

Fill Between Frames (``core.track_fill.fill_plan``, and so the refill after a key's edit) never fills across
a mark: the frames from a mark to the next key stay empty, as CVAT shows nothing there.

A mark also names its video: ``sequence``, the folder its frames are the images of
(``frame_sequences.sequence_name``: ``clip``, ``task1/images``; "" for the project's top folder), so in a
project of two videos whose track ids repeat (two CVAT tasks, a merge) a mark of track 7 on frame 12 of one
is no mark of the other's track 7. A mark without one (made before marks named their video, or written by
hand) is a mark in every video of the project, as before. Save As, which rewrites the images' names
relative to the new file, and Locate Missing Images (``RelocateImages``, and its undo) rewrite the marks'
folders with them (``rebase_sequences``); an undo or redo after a Save As to another folder renames the
folders of the marks it puts back as the save renamed the project's (``SetOutsideMarks``), so they name the
folder their video is in from the file saved to.

``out_of_view`` tells, for the window's sign, whether a track is out of view on a frame: from a mark (on
that frame or before) up to the track's next object in the video.
"""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixelproof.core.clipboard import track_of, track_value
from pixelproof.core.edits import Edit
from pixelproof.core.edits.base import IMAGE, Change, Changes, applied, restore_order
from pixelproof.core.frame_sequences import sequence_name, sequence_of
from pixelproof.core.model import Project
from pixelproof.core.paths import Rebased, project_folder

KEPT = "cvat_video"  # the project's extras key (a top-level key of the project file) the marks live under
OUTSIDE = "outside"  # its list of marks
SEQUENCE = "sequence"  # a mark's video: its frames' folder (``frame_sequences.sequence_name``); absent: any
_UNSET = object()


def outside_marks(project: Project) -> list[Any]:
    """The kept list of marks (and skeleton points' outside shapes) as found: never change it in place."""
    kept = project.extra.get(KEPT)
    found = kept.get(OUTSIDE) if isinstance(kept, dict) else None
    return found if isinstance(found, list) else []


def mark_track(entry: Any) -> str | None:
    """The track a mark (or kept outside shape) names, as the id text it means: read as an object's track id
    is (``track_value``), so a hand-written ``"03"``, ``" 3"`` or ``3`` is track ``"3"``, the track of the
    objects whose id is written so; None when it names none."""
    found = track_value(entry.get("track")) if isinstance(entry, dict) else None
    return None if found is None else str(found)


def is_mark(entry: Any) -> bool:
    """Whether ``entry`` is a readable mark of a track itself (not of a skeleton's point). A ``sequence`` of
    null is none, as ``in_sequence`` and the export read it (a mark of every video): fills crossed such a
    mark the export wrote."""
    return (
        isinstance(entry, dict)
        and mark_track(entry) is not None
        and entry.get("part") is None
        and type(entry.get("frame")) is int
        and entry["frame"] >= 0
        and (entry.get(SEQUENCE) is None or isinstance(entry[SEQUENCE], str))
    )


def in_sequence(entry: dict[str, Any], sequence: str | None) -> bool:
    """Whether a mark (or kept outside shape) is one of video ``sequence`` (None: of any video): a mark
    without a sequence is one of every video, as before marks named theirs."""
    own = entry.get(SEQUENCE)
    return sequence is None or own is None or own == sequence


def outside_frames(project: Project, track: int | str, sequence: str | None = None) -> set[int]:
    """The frame numbers where ``track`` left the view (its marks) in video ``sequence`` (a folder,
    ``frame_sequences.sequence_name``; None: in any video); an unreadable entry is no mark (the export
    says it)."""
    found = track_value(track)
    name = None if found is None else str(found)
    return {
        e["frame"]
        for e in outside_marks(project)
        if is_mark(e) and mark_track(e) == name and in_sequence(e, sequence)
    }


def marks_by_frame(project: Project) -> dict[int, list[dict[str, Any]]]:
    """The readable marks by frame number, in their order (the entries themselves): one walk of the list,
    which a caller keeps until the project changes, so a frame change is a look-up, not a walk of every
    mark (``marked_tracks``; 100,000 marks took ~70 ms a frame change)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for e in outside_marks(project):
        if is_mark(e):
            out.setdefault(e["frame"], []).append(e)
    return out


def marked_tracks(
    project: Project,
    frame: int,
    sequence: str | None = None,
    by_frame: dict[int, list[dict[str, Any]]] | None = None,
) -> list[str]:
    """The tracks (``mark_track``) that left the view on frame ``frame`` of video ``sequence`` (None: of any
    video). ``by_frame``: ``marks_by_frame`` of the project as it is now, kept by the caller (else made)."""
    found = (marks_by_frame(project) if by_frame is None else by_frame).get(frame, [])
    return list(dict.fromkeys(str(mark_track(e)) for e in found if in_sequence(e, sequence)))


@dataclass(frozen=True)
class OutOfView:
    """Track ``track`` is out of view on a frame: it left at frame ``mark`` and its next object in the
    video is on frame ``back`` (None: none after); ``category``: the class of its nearest object there
    (None when it has none)."""

    track: str
    mark: int
    back: int | None
    category: int | None


Run = tuple[int, int, OutOfView]  # the places [start, stop) of a video's frames a track is out of view on


def out_of_view_runs(project: Project, image_id: int, track: int | str) -> list[Run]:
    """The runs of frames of image ``image_id``'s video on which ``track`` is out of view: from each of its
    marks there to its next object (none when it has an object on the mark's frame). One walk of the frames
    from the first mark on (a caller may keep the result until the project changes: ``run_at``)."""
    sequence = sequence_of(project, image_id)
    marks = sorted(outside_frames(project, track, sequence_name(project, image_id)))
    if sequence is None or not marks:
        return []
    frames = sequence.frames

    def objects(place: int) -> list[Any]:
        return [a for a in project.annotations_of(frames[place][1]) if track_of(a) == track]

    starts = [bisect_left(frames, (m, -1)) for m in marks]  # a mark's frame, or the first after it
    runs: list[Run] = []
    found = -1  # the place of the track's next object from the last start on (len(frames): none)
    for k, (mark, start) in enumerate(zip(marks, starts, strict=True)):
        if found < start:
            found = next((p for p in range(start, len(frames)) if objects(p)), len(frames))
        stop = min(found, starts[k + 1]) if k + 1 < len(marks) else found
        if start >= stop:
            continue
        near = objects(found) if found < len(frames) else _last_before(objects, start)
        back = frames[found][0] if found < len(frames) else None
        runs.append((start, stop, OutOfView(str(track), mark, back, near[0].category_id if near else None)))
    return runs


def _last_before(objects: Callable[[int], list[Any]], place: int) -> list[Any]:
    """The track's objects on the nearest frame before ``place`` that holds any (for its class)."""
    return next((found for p in range(place - 1, -1, -1) if (found := objects(p))), [])


def run_at(runs: list[Run], place: int) -> OutOfView | None:
    """The run of ``runs`` (``out_of_view_runs``) holding the frame at ``place``, else None."""
    return next((info for start, stop, info in runs if start <= place < stop), None)


def out_of_view(project: Project, image_id: int, track: int | str) -> OutOfView | None:
    """Whether ``track`` is out of view on image ``image_id`` (see ``out_of_view_runs``)."""
    sequence = sequence_of(project, image_id)
    if sequence is None:
        return None
    return run_at(out_of_view_runs(project, image_id, track), sequence.places[image_id])


def rebase_sequences(
    project: Project, folders: dict[str, str] | Callable[[str], str]
) -> list[Callable[[], None]]:
    """Marks' folders renamed as Save As or Locate Missing Images renames their images' (``folders``: old
    folder -> new, as ``sequence_name`` gives them, or the rule, ``paths.Rebased.folder``), in place;
    returns the undo steps for a save that fails."""
    undo: list[Callable[[], None]] = []
    move = folders if callable(folders) else lambda own: folders.get(own, own)
    for entry in outside_marks(project):
        own = entry.get(SEQUENCE) if isinstance(entry, dict) else None
        if isinstance(own, str) and (new := move(own)) != own:
            undo.append(lambda entry=entry, own=own: entry.__setitem__(SEQUENCE, own))
            entry[SEQUENCE] = new
    return undo


def rebased_marks(entries: Any, move: Callable[[str], str]) -> Any:
    """A copy of a list of marks (an undo step's snapshot) whose folders ``move`` renamed (Save As since the
    snapshot: ``paths.Rebased.folder``); anything else as it is."""
    if not isinstance(entries, list):
        return entries
    return [
        {**e, SEQUENCE: move(e[SEQUENCE])} if isinstance(e, dict) and isinstance(e.get(SEQUENCE), str) else e
        for e in entries
    ]


class SetOutsideMarks(Edit):
    """Replace the list of marks (``extra["cvat_video"]["outside"]``); revert puts the project's extras back
    exactly as they were (the key absent, the list, their order). ``image_id``: the frame the view updates.
    Its lists name folders from the project's folder when it last applied or reverted: after a Save As to
    another folder, an undo or redo first renames them as the save renamed the project's (``_follow``)."""

    def __init__(self, entries: list[dict[str, Any]], image_id: int, label: str) -> None:
        self.entries = copy.deepcopy(entries)
        self.image_id = image_id
        self.label = label
        self._before: Any = _UNSET
        self._order: list[str] = []
        self._done: bool | None = None
        self._folder: Path | object | None = _UNSET  # the project's folder the lists' names start from

    def _follow(self, project: Project) -> None:
        """The lists' folders as they read from the project's folder now (a Save As moved it since)."""
        now = project_folder(project.path)
        if isinstance(self._folder, Path) and (move := Rebased(self._folder, now)).moves:
            self.entries = rebased_marks(self.entries, move.folder)
            if isinstance(self._before, dict) and OUTSIDE in self._before:
                self._before = {**self._before, OUTSIDE: rebased_marks(self._before[OUTSIDE], move.folder)}
        self._folder = now

    def apply(self, project: Project) -> Changes:
        self._follow(project)
        self._order = list(project.extra)
        self._before = copy.deepcopy(project.extra[KEPT]) if KEPT in project.extra else _UNSET
        kept = project.extra.get(KEPT)
        kept = dict(kept) if isinstance(kept, dict) else {}
        kept[OUTSIDE] = copy.deepcopy(self.entries)
        if not kept[OUTSIDE]:
            del kept[OUTSIDE]
        if kept:
            project.extra[KEPT] = kept
        else:
            project.extra.pop(KEPT, None)
        self._done = True
        return Changes([Change(IMAGE, image_id=self.image_id)])

    def revert(self, project: Project) -> Changes:
        applied(self._done)
        self._follow(project)
        if self._before is _UNSET:
            project.extra.pop(KEPT, None)
        else:
            project.extra[KEPT] = copy.deepcopy(self._before)
        restore_order(project.extra, self._order)
        return Changes([Change(IMAGE, image_id=self.image_id)])
