"""The fills next to a track's key follow its edit, as CVAT's interpolated frames follow a moved keyframe.

After an edit changes a key of a video's track (moved, resized, reshaped, deleted, or a key added by Track
Box Here, pasted, drawn, or a fill dragged), ``refill_after`` makes the edit that recomputes the fills an
earlier Fill Between Frames made next to it and nobody changed since (``track_fill.untouched_fill``): those
between the key and the track's neighbouring keys, or, for a deleted key, between those two (its own frame
too). A key moved to another track (Properties > Track, Tracks > New Track) is a key added to its new track
and, for its old one, a key deleted: the old track's fills that were interpolated from it are filled again
between the keys left around it (its own frame too, as after a delete), when it had any. Only frames
holding such a fill are filled again (none is made where the user deleted one or never
filled); a changed fill is a key and is never replaced. A deleted (or moved off) first or last key leaves
the track ending at its new first or last key, as a CVAT track exists only from its first keyframe to its
last: the untouched fills beyond that key describe a key that is gone and Fill Between Frames cannot redo
them, so the same edit removes them (all of the track's in that folder when no key of it is left there);
a changed fill there is a key and stays. The app applies the edit in the undo step of the
key's edit (``Document.follow_up``), so one undo takes both back. It reads only the frames of those runs
(the folder's frames as numbered once, ``core.frame_sequences``), so a drag on a long video stays quick.
No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pixelproof.core.clipboard import give_ids, track_of
from pixelproof.core.edits import (
    ANNOTATION_ADDED,
    ANNOTATION_CHANGED,
    ANNOTATION_REMOVED,
    Changes,
    Compound,
    Edit,
    RemoveAnnotations,
    ReplaceAnnotations,
)
from pixelproof.core.frame_sequences import FrameSequence
from pixelproof.core.model import Annotation, IdsExhausted, Project
from pixelproof.core.track_edit import tracks_named
from pixelproof.core.track_fill import (
    OTHER_CLASS,
    FillRefused,
    fill_edit,
    fill_plan,
    key_place,
    sequence_of,
    shown_track,
    untouched_fill,
)
from pixelproof.core.wording import plural


@dataclass(frozen=True)
class Refilled:
    """The refill after an edit: ``edit`` None when no fill next to an edited key needed it; ``refused``
    says why fills next to a key were left as they were (too many frames, no id left)."""

    edit: Edit | None
    filled: int = 0  # frames given a new interpolation
    tracks: tuple[int | str, ...] = ()
    refused: str = ""
    beyond: tuple[Beyond, ...] = ()  # untouched fills removed past a track's new first or last key


@dataclass(frozen=True)
class Beyond:
    """The untouched fills of ``track`` removed past its new ``end`` key ("first", "last"; "" when no key
    of it is left in the folder): ``frames`` frames' worth."""

    track: int | str
    end: str
    frames: int


def edited_keys(project: Project, edit: Edit, changes: Changes) -> list[tuple[int, int | str]]:
    """The (image id, track) of each key of a track that the applied ``edit`` (whose ``changes`` these
    are) added, changed or deleted: an object on a track that is not a fill nobody changed - one that a
    move just made a key counts, a deleted fill does not."""
    gone = {a.id: a for a in removed_by(edit)}
    anns = project.annotations
    found: dict[tuple[int, int | str], None] = {}
    for change in changes:
        if change.kind in (ANNOTATION_ADDED, ANNOTATION_CHANGED):
            ann = anns.get(change.annotation_id)
        elif change.kind == ANNOTATION_REMOVED:
            ann = gone.get(change.annotation_id)
        else:
            continue
        track = track_of(ann) if ann is not None else None
        if ann is not None and track is not None and not untouched_fill(ann):
            found[(ann.image_id, track)] = None
    return list(found)


def left_keys(project: Project, edit: Edit, changes: Changes) -> list[tuple[int, int | str]]:
    """The (image id, track) of each key the applied ``edit`` moved off ``track`` (to another track, or
    none): the old track lost a key there, as if it had been deleted."""
    before = {a.id: a for a in replaced_by(edit)}
    anns = project.annotations
    found: dict[tuple[int, int | str], None] = {}
    for change in changes:
        old = before.get(change.annotation_id) if change.kind == ANNOTATION_CHANGED else None
        if old is None or (track := track_of(old)) is None or untouched_fill(old):
            continue
        now = anns.get(change.annotation_id)
        if now is None or track_of(now) != track:
            found[(old.image_id, track)] = None
    return list(found)


def replaced_by(edit: Edit) -> list[Annotation]:
    """The objects the applied ``edit`` changed, as they were (``ReplaceAnnotations``, in a ``Compound``
    too): the track a key was on before Properties > Track or New Track moved it."""
    if isinstance(edit, ReplaceAnnotations):
        return edit.before
    if isinstance(edit, Compound):
        return [a for part in edit.parts for a in replaced_by(part)]
    return []


def removed_by(edit: Edit) -> list[Annotation]:
    """The objects the applied ``edit`` deleted (``RemoveAnnotations``, in a ``Compound`` too)."""
    if isinstance(edit, RemoveAnnotations):
        return edit.removed
    if isinstance(edit, Compound):
        return [a for part in edit.parts for a in removed_by(part)]
    return []


def refill_after(project: Project, edit: Edit, changes: Changes) -> Refilled:
    """The edit that fills again the runs next to each key the applied ``edit`` changed (see the module
    docstring); nothing when no edited key is on a track or no fill next to one is out of date, nor after
    an edit that is ``only_fills`` (a fill's own: it changed no key)."""
    if edit.only_fills:
        return Refilled(None)
    keys = edited_keys(project, edit, changes)
    moved_off = set(left_keys(project, edit, changes))
    keys += [k for k in moved_off if k not in keys]
    if not keys:
        return Refilled(None)
    beyond: dict[tuple[int | str, str], set[int]] = {}  # (track, end) -> the ids of the fills past it
    sequences: dict[int, FrameSequence] = {}  # first image id -> a sequence (the project's, numbered once)
    windows: dict[tuple[int, int | str], list[tuple[int, int]]] = {}  # (sequence, track) -> place ranges
    emptied: dict[tuple[int, int | str], set[int]] = {}  # (sequence, track) -> the places of deleted keys
    for image_id, track in keys:
        sequence = sequence_of(project, image_id)
        if sequence is None:
            continue  # the image is gone (an edit that removed it)
        seq, place, frames = sequence.frames[0][1], sequence.places[image_id], sequence.frames
        sequences[seq] = sequence
        lo = key_place(project, frames, place, -1, track)
        hi = key_place(project, frames, place, 1, track)
        span = (place if lo is None else lo, place if hi is None else hi)
        if (lo is None or hi is None) and not _key_at(project, image_id, track):  # an end key gone
            end = "last" if lo is not None else "first" if hi is not None else ""
            past = (
                range(lo + 1, len(frames)) if lo is not None else range(0, len(frames) if hi is None else hi)
            )
            beyond.setdefault((track, end), set()).update(_fills_at(project, frames, past, track))
        if (image_id, track) in moved_off and not _fills_in(project, frames, span, track):
            continue  # nothing of the old track was interpolated from the key: none is made there
        windows.setdefault((seq, track), []).append(span)
        if not any(track_of(a) == track for a in project.annotations_of(image_id)):
            emptied.setdefault((seq, track), set()).add(
                place
            )  # a deleted key's frame: filled as the run around it
    made: list[Annotation] = []
    removed: list[int] = []
    tracks: dict[int | str, None] = {}
    stale: dict[tuple[int | str, str], int] = {}  # (track, why) -> earlier fills a skipped run keeps
    try:
        for (seq, track), spans in windows.items():
            for lo, hi in _merged(spans):
                plan = fill_plan(
                    project, sequences[seq].frames, track, range(lo, hi + 1), emptied.get((seq, track), ())
                )
                if plan.made or plan.removed:
                    made += plan.made
                    removed += plan.removed
                    tracks[track] = None
                for why, n in plan.stale.items():
                    stale[(track, why)] = stale.get((track, why), 0) + n
        left = _left_as_they_were(stale)
        give_ids(project, made)
    except (FillRefused, IdsExhausted) as e:
        made, removed, tracks = [], [], {}
        left = f"the filled frames next to the key are as they were: {e}"
    replaced = set(removed)
    gone = [ann_id for ids in beyond.values() for ann_id in sorted(ids) if ann_id not in replaced]
    ends = tuple(Beyond(t, end, len(ids)) for (t, end), ids in beyond.items() if ids)
    if not made and not removed and not gone:
        return Refilled(None, refused=left)
    label = (
        f"Fill again {plural(len(made), 'frame')} of {tracks_named(list(tracks))} next to the key"
        if made or removed
        else beyond_text(ends)[:1].upper() + beyond_text(ends)[1:]
    )
    return Refilled(fill_edit(made, removed + gone, label), len(made), tuple(tracks), left, ends)


def beyond_text(ends: Iterable[Beyond]) -> str:
    """What the status bar says of the fills removed past a track's new first or last key: ``2 filled
    frames of track 3 beyond its new last key removed``."""
    return "; ".join(
        f"{plural(b.frames, 'filled frame')} of track {shown_track(b.track)} "
        + (f"beyond its new {b.end} key removed" if b.end else "removed (no key of it left)")
        for b in ends
    )


def _key_at(project: Project, image_id: int, track: int | str) -> bool:
    """Whether image ``image_id`` holds a key of ``track`` (an object of it that is no untouched fill)."""
    return any(track_of(a) == track and not untouched_fill(a) for a in project.annotations_of(image_id))


def _fills_at(
    project: Project, frames: Sequence[tuple[int, int]], places: range, track: int | str
) -> list[int]:
    """The ids of the untouched fills of ``track`` on the places ``places`` of ``frames``."""
    return [
        a.id
        for place in places
        for a in project.annotations_of(frames[place][1])
        if track_of(a) == track and untouched_fill(a)
    ]


def _fills_in(
    project: Project, frames: Sequence[tuple[int, int]], span: tuple[int, int], track: int | str
) -> bool:
    """Whether an untouched fill of ``track`` lies between the places ``span`` (inclusive) of ``frames``."""
    return any(
        track_of(a) == track and untouched_fill(a)
        for place in range(span[0], span[1] + 1)
        for a in project.annotations_of(frames[place][1])
    )


def _left_as_they_were(stale: dict[tuple[int | str, str], int]) -> str:
    """What says the earlier fills a refill left, their run no longer fillable (a second object of the
    track on a key frame, a key of another class): "" when none. Silent, they looked refilled."""
    return "; ".join(
        f"track {shown_track(track)}: {plural(n, 'filled frame')} next to the key not filled again ({why}"
        f"{_CLASS_HINT if why == OTHER_CLASS else ''})"
        for (track, why), n in stale.items()
    )


# a key's class changed: the fills of a run whose other key keeps the old class are the old class's still (a
# refill never changes a key); giving the track's other keys the class too, frame by frame, has them follow
_CLASS_HINT = ": give the keys around it that class too and they follow"


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Place ranges (inclusive) joined where they overlap: two keys of a track edited at once whose runs
    meet are filled once (the same earlier fill is not replaced twice)."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo < out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out
