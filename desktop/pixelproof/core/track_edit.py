"""Tracks > Merge Tracks and Tracks > Split Track Here: CVAT's Merge (M) and Split (Alt+M) for a video's
tracks, each one undo step. No Qt.

Merge puts every object of the other tracks on the first one's track (its ``track_id``), as CVAT joins the
tracks picked one after the other. A track holds one object on a frame: two keys (objects that are no fill
nobody changed, ``track_fill.untouched_fill``) of the merged tracks on one image refuse the merge, naming the
images. A frame where a key of one meets an untouched fill of another keeps the key and drops the fill (the
key is what the fill was guessing at); where two untouched fills meet, the first track's stays. Tracks whose
objects are of other classes are refused, as CVAT refuses to merge shapes of two labels: give them one class
first (a class change of a key is one edit; the fills follow it).

Split gives the selected object's track, from its frame on in its folder's frame order
(``frame_sequences``), a new unused id (``tracks.next_track_ids``), as CVAT cuts a track at the frame shown:
the earlier frames stay on the old track, the objects of other folders too. No shape is moved or removed; an
untouched fill on the frame becomes a key of the new track and one on the frame before a key of the old
(source ``manual``, as Track Box Here makes one), so each track keeps every frame it showed and begins or ends
at a key, as a CVAT track runs from its first keyframe to its last.

A track's outside marks (``core.track_outside``) go with its objects in the same undo step
(``core.outside_follow``): Merge puts the other tracks' marks on the first track (where both had one on a
frame, the first track's stays); Split gives the new track the old one's marks in that video from the frame
on.

Both are ``ReplaceAnnotations`` of keys (and fills): in the app the refill that follows a key's edit
(``core.track_refill``) recomputes the untouched fills between the new neighbouring keys, as for a key put
on another track in Properties; frames between the merged tracks that were never filled stay empty until
Fill Between Frames.

Track Leaves View Here (``leave_view``) is CVAT's O on a track's frame: the object there and the track's
untouched fills after it up to its next key removed, and a mark for the track on that frame
(``core.track_outside``), which no later fill crosses; used again on that frame (``back_in_view``) it takes
the mark away.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pixelproof.core.clipboard import TRACK_ID, track_of
from pixelproof.core.edits import Compound, Edit, RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.model import Annotation, Project
from pixelproof.core.names import shown_name
from pixelproof.core.outside_follow import merged_marks, split_marks
from pixelproof.core.track_fill import as_key, sequence_name, sequence_of, shown_track, untouched_fill
from pixelproof.core.track_outside import (
    SEQUENCE,
    SetOutsideMarks,
    in_sequence,
    is_mark,
    mark_track,
    marked_tracks,
    outside_frames,
    outside_marks,
)
from pixelproof.core.tracks import next_track_ids
from pixelproof.core.wording import plural

NAMED = 3  # images a refusal names before "and N more"


class TrackEditRefused(ValueError):
    """Nothing was changed; the message says why (two keys on one frame, two classes, nothing to split, no
    outside mark to take away)."""


@dataclass(frozen=True)
class TrackEdited:
    """The one undo step, the track the objects are on now (the merged one; the new ones of a split, in the
    order of the objects given), how many objects changed track and how many fills were dropped (merge) or
    made keys (split)."""

    edit: Edit
    tracks: tuple[int | str, ...]
    moved: int
    fills: int


def merge_tracks(project: Project, tracks: Sequence[int | str]) -> TrackEdited:
    """Tracks > Merge Tracks: the objects of ``tracks[1:]`` put on ``tracks[0]`` (see the module docstring).
    Raises :class:`TrackEditRefused` (nothing changed)."""
    first = tracks[0]
    others = list(dict.fromkeys(t for t in tracks[1:] if t != first))
    if not others:
        raise TrackEditRefused(
            f"only track {shown_track(first)} is picked: select an object of another track to join to it"
        )
    members: dict[int | str, list[Annotation]] = {t: [] for t in (first, *others)}
    for ann in project.annotations.values():
        track = track_of(ann)
        if track in members:
            members[track].append(ann)  # type: ignore[index]
    _same_class(project, first, members)
    by_image: dict[int, list[Annotation]] = {}
    for anns in members.values():
        for ann in anns:
            by_image.setdefault(ann.image_id, []).append(ann)
    clashes, dropped = [], []
    for image_id, anns in by_image.items():
        if len({track_of(a) for a in anns}) < 2:
            continue  # one track's own (a hand-edited project's two objects of a track stay as they were)
        keys = [a for a in anns if not untouched_fill(a)]
        if len({track_of(a) for a in keys}) > 1:
            clashes.append(image_id)
        elif keys:
            dropped += [a.id for a in anns if untouched_fill(a)]
        else:  # fills only: the first listed (the first track's, else the earliest track's) stays
            dropped += [a.id for a in anns[1:]]
    if clashes:
        names = _images(project, clashes)
        raise TrackEditRefused(
            f"tracks {_listed([first, *others])} each have a key on {names}: a track has one object on a "
            "frame (delete one of the two, or split a track there first)"
        )
    gone = set(dropped)
    moved = []
    for track in others:
        for ann in members[track]:
            if ann.id not in gone:
                b = clone(ann)
                b.extra[TRACK_ID] = first
                moved.append(b)
    label = f"Merge Tracks ({_listed(others)} into {shown_track(first)})"
    parts: list[Edit] = [RemoveAnnotations(dropped)] if dropped else []
    parts.append(ReplaceAnnotations(moved, label))
    marks = merged_marks(outside_marks(project), first, others)
    if marks is not None:  # the merged tracks' outside marks go with their objects
        parts.append(SetOutsideMarks(marks, _shown_image(moved, members[first]), label))
    edit: Edit = Compound(parts, label) if len(parts) > 1 else parts[0]
    edit.focus = edit.revert_focus = [a.id for a in moved]
    return TrackEdited(edit, (first,), len(moved), len(dropped))


def split_track(project: Project, ids: Iterable[int]) -> TrackEdited:
    """Tracks > Split Track Here: each of the objects ``ids`` (on tracks, one frame) and the later objects of
    its track in its folder put on a new track of their own (see the module docstring). Raises
    :class:`TrackEditRefused` when an object is on no track, or its track has nothing before its frame."""
    anns = [project.annotations[i] for i in dict.fromkeys(ids) if i in project.annotations]
    if not anns:
        raise TrackEditRefused("select an object of a track on the frame to split it at")
    changed: dict[int, Annotation] = {}
    made: list[int | str] = []
    marks: list = outside_marks(project)
    news = next_track_ids(project, len(anns))
    keyed = 0
    for ann, new in zip(anns, news, strict=True):
        track = track_of(ann)
        sequence = sequence_of(project, ann.image_id)
        if track is None or sequence is None:
            raise TrackEditRefused(f"object #{ann.id} is on no track: nothing to split")
        frames, place = sequence.frames, sequence.places[ann.image_id]
        later = {image_id for _, image_id in frames[place:]}
        mine = [a for a in project.annotations.values() if track_of(a) == track]
        if all(a.image_id in later for a in mine):
            raise TrackEditRefused(
                f"track {shown_track(track)} has no object before frame {frames[place][0]}: nothing to split "
                "off (New Track gives it another number)"
            )
        for a in mine:
            if a.image_id in later:
                b = as_key(a) if a.image_id == ann.image_id and untouched_fill(a) else clone(a)
                keyed += b.source != a.source
                b.extra[TRACK_ID] = new
                changed[a.id] = b
        before = frames[place - 1][1] if place > 0 else None
        for a in project.annotations_of(before) if before is not None else []:
            if track_of(a) == track and untouched_fill(a):
                changed[a.id] = as_key(a)  # the old track ends at a key on the frame before
                keyed += 1
        made.append(new)
        later_marks = split_marks(
            marks, track, new, str(sequence_name(project, ann.image_id)), frames[place][0]
        )
        marks = marks if later_marks is None else later_marks  # its marks from that frame on go with it
    shown = ", ".join(shown_track(t) for t in made)
    label = f"Split Track Here (new track {shown})" if len(made) == 1 else f"Split Tracks Here (new {shown})"
    edit: Edit = ReplaceAnnotations(list(changed.values()), label)
    if marks is not outside_marks(project):
        edit = Compound([edit, SetOutsideMarks(marks, anns[0].image_id, label)], label)
    edit.focus = edit.revert_focus = [a.id for a in anns]
    moved = sum(track_of(b) != track_of(project.annotations[i]) for i, b in changed.items())
    return TrackEdited(edit, tuple(made), moved, keyed)


@dataclass(frozen=True)
class OutsideToggled:
    """The one undo step; the frame; the tracks marked (``left``) or whose marks were taken away; how many
    objects were removed (the one on the frame and the untouched fills after it)."""

    edit: Edit
    frame: int
    tracks: tuple[str, ...]
    left: bool
    removed: int = 0


def leave_view(project: Project, image_id: int, track: int | str) -> OutsideToggled:
    """Tracks > Track Leaves View Here on an object of ``track`` on image ``image_id``: the track's objects
    there and the fills nobody changed after it up to its next key removed, and a mark for the track on that
    frame, as CVAT's O makes an outside keyframe. One edit; the frames before keep their fills."""
    sequence = sequence_of(project, image_id)
    if sequence is None:
        raise TrackEditRefused(f"image {image_id} is not in the project")
    frames, place = sequence.frames, sequence.places[image_id]
    frame = frames[place][0]
    ids = [a.id for a in project.annotations_of(image_id) if track_of(a) == track]
    for _f, later in frames[place + 1 :]:
        anns = [a for a in project.annotations_of(later) if track_of(a) == track]
        if anns and not all(untouched_fill(a) for a in anns):
            break  # the next key: the object is back in view there
        ids += [a.id for a in anns]
    name, entries, video = str(track), outside_marks(project), sequence_name(project, image_id)
    marks = list(entries)
    if frame not in outside_frames(project, track, video):
        marks.append({"track": name, "part": None, "frame": frame, "tag": None, SEQUENCE: video})
    label = f"Track Leaves View Here (track {shown_track(track)}, frame {frame})"
    parts: list[Edit] = [RemoveAnnotations(ids)] if ids else []
    parts.append(SetOutsideMarks(marks, image_id, label))
    edit: Edit = Compound(parts, label) if len(parts) > 1 else parts[0]
    edit.label = label
    edit.revert_focus = ids[:1] if ids else None
    return OutsideToggled(edit, frame, (name,), True, len(ids))


def back_in_view(project: Project, image_id: int, tracks: Sequence[str] | None = None) -> OutsideToggled:
    """Tracks > Track Leaves View Here used again on a frame where a track left the view: its mark taken away
    (``tracks``: those tracks' marks; None: every track's on that frame). Fill Between Frames then fills
    across that frame again. Raises :class:`TrackEditRefused` when there is no mark there."""
    sequence = sequence_of(project, image_id)
    if sequence is None:
        raise TrackEditRefused(f"image {image_id} is not in the project")
    frame, video = sequence.frames[sequence.places[image_id]][0], sequence_name(project, image_id)
    gone = set(marked_tracks(project, frame, video) if tracks is None else tracks)
    kept = [
        e
        for e in outside_marks(project)
        if not (is_mark(e) and e["frame"] == frame and mark_track(e) in gone and in_sequence(e, video))
    ]
    if len(kept) == len(outside_marks(project)):
        raise TrackEditRefused(
            f"no track leaves the view on frame {frame}: select an object of a track to mark where it leaves"
        )
    shown = ", ".join(shown_track(t) for t in sorted(gone))
    label = f"Track Back in View (track {shown}, frame {frame})"
    return OutsideToggled(SetOutsideMarks(kept, image_id, label), frame, tuple(sorted(gone)), False)


def _same_class(project: Project, first: int | str, members: dict[int | str, list[Annotation]]) -> None:
    """Refuse a merge that brings the first track a class none of its objects has."""
    own = {a.category_id for a in members[first]}
    for track, anns in members.items():
        if track == first or not own:
            continue
        other = {a.category_id for a in anns} - own
        if other:
            names = [project.categories[c].name if c in project.categories else f"#{c}" for c in own | other]
            raise TrackEditRefused(
                f"tracks {shown_track(first)} and {shown_track(track)} are of other classes "
                f"({', '.join(sorted(shown_name(n, NAME_IN_TEXT) for n in names))}): give them one class "
                "first, as CVAT merges tracks of one label"
            )


def _shown_image(moved: list[Annotation], kept: list[Annotation]) -> int:
    """The image the view updates after a merge's marks change: a moved object's, else the kept track's."""
    return next((a.image_id for a in [*moved, *kept]), -1)


def _images(project: Project, image_ids: list[int]) -> str:
    """The images named in a refusal: the first ``NAMED`` in file order, and how many more."""
    names = sorted(project.images[i].file_name for i in image_ids)
    shown = ", ".join(shown_name(n, NAME_IN_TEXT) for n in names[:NAMED])
    more = len(names) - NAMED
    return f"{shown} and {plural(more, 'more image')}" if more > 0 else shown


def tracks_named(tracks: Sequence[int | str]) -> str:
    """``track 3``, ``tracks 3 and 5``: one track or several as a message names them (``track 3, 5`` read
    as a count)."""
    return f"{'tracks' if len(tracks) > 1 else 'track'} {_listed(tracks)}"


def _listed(tracks: Sequence[int | str]) -> str:
    """``3 and 5``, ``3, 5 and 8``: tracks as a message names them."""
    shown = [shown_track(t) for t in tracks]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
