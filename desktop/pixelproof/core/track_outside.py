"""Where a video's track left the view: CVAT's ``outside`` keyframe (its O key), and Tracks > Track Leaves
View Here, which makes one. No Qt.

A mark is one entry of the list the CVAT for video reader keeps a task's ``outside="1"`` shapes in
(``project.extra["cvat_video"]["outside"]``, ``interop.cvat_video_kept``): one place for both, so a mark read
from CVAT and one made here are the same thing to Fill Between Frames and to the export. An entry names the
track (its id as text, as CVAT's ``<track id>``), ``part`` (None for the track itself; a skeleton's point
track's label: that point left the view, not the object) and the frame number (the frame's place in its video
as ``core.frame_sequences`` numbers it). One read from CVAT keeps its ``tag``, geometry and attributes; one
made here has ``tag`` None: the export writes it with the geometry of the track's shape on the frame before,
as CVAT writes a track's outside keyframe.

Fill Between Frames (``core.track_fill.fill_plan``, and so the refill after a key's edit) never fills across
a mark: the frames from a mark to the next key stay empty, as CVAT shows nothing there.
"""

from __future__ import annotations

import copy
from typing import Any

from pixelproof.core.edits import Edit
from pixelproof.core.edits.base import IMAGE, Change, Changes, applied, restore_order
from pixelproof.core.model import Project

KEPT = "cvat_video"  # the project's extras key (a top-level key of the project file) the marks live under
OUTSIDE = "outside"  # its list of marks
_UNSET = object()


def outside_marks(project: Project) -> list[Any]:
    """The kept list of marks (and skeleton points' outside shapes) as found: never change it in place."""
    kept = project.extra.get(KEPT)
    found = kept.get(OUTSIDE) if isinstance(kept, dict) else None
    return found if isinstance(found, list) else []


def is_mark(entry: Any) -> bool:
    """Whether ``entry`` is a readable mark of a track itself (not of a skeleton's point)."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("track"), str)
        and entry.get("part") is None
        and type(entry.get("frame")) is int
        and entry["frame"] >= 0
    )


def outside_frames(project: Project, track: int | str) -> set[int]:
    """The frame numbers where ``track`` left the view (its marks); an unreadable entry is no mark (the
    export says it)."""
    name = str(track)
    return {e["frame"] for e in outside_marks(project) if is_mark(e) and e["track"] == name}


def marked_tracks(project: Project, frame: int) -> list[str]:
    """The tracks (as their marks name them) that left the view on frame ``frame``."""
    return list(
        dict.fromkeys(e["track"] for e in outside_marks(project) if is_mark(e) and e["frame"] == frame)
    )


class SetOutsideMarks(Edit):
    """Replace the list of marks (``extra["cvat_video"]["outside"]``); revert puts the project's extras back
    exactly as they were (the key absent, the list, their order). ``image_id``: the frame the view updates."""

    def __init__(self, entries: list[dict[str, Any]], image_id: int, label: str) -> None:
        self.entries = copy.deepcopy(entries)
        self.image_id = image_id
        self.label = label
        self._before: Any = _UNSET
        self._order: list[str] = []
        self._done: bool | None = None

    def apply(self, project: Project) -> Changes:
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
        if self._before is _UNSET:
            project.extra.pop(KEPT, None)
        else:
            project.extra[KEPT] = copy.deepcopy(self._before)
        restore_order(project.extra, self._order)
        return Changes([Change(IMAGE, image_id=self.image_id)])
