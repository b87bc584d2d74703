"""Giving objects a track (Tracks > New Track, the Track field of Properties): how a video labelled from
scratch in PixelProof gets the ``track_id`` Fill Between Frames follows. No Qt.

A new track's id is the next whole number after every track id of the project (its objects' and the shapes
kept from a CVAT file), so it is the same track as nothing else, in the app or once exported. One object per
track on an image (``core.clipboard``'s rule, as COCO video readers and CVAT take it): putting an object on a
track that already has another object on its image is refused, with the message saying which. The change is
one ``ReplaceAnnotations``, one undo step; a locked object may be given a track (its shape and class stay).

Propagate (Ctrl+B) does not start a track: its copies of an object with no track are independent objects, as
CVAT's propagate makes them, since Propagate and Keep Previous Objects also copy onto slices and photos that
are no video (a track there would turn the CVAT export into CVAT for video). Copies of an object on a track
keep it, so New Track then Ctrl+B, or Ctrl+C / Ctrl+V onto a later frame, puts the copies on the track.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pixelproof.core.clipboard import TRACK_ID, track_of, track_value
from pixelproof.core.edits import ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.model import Annotation, Project
from pixelproof.core.wording import plural

LIMIT = 10**9  # track ids below it: the CVAT writer reads a track id of up to 9 digits
# A shard's ``shard`` entry: the first track id new in it (one more than the project's highest at the split).
# New Track in the shard starts there, and merge gives the shard's tracks from there on free ids
# (``core.merge_tracks``): two annotators' new tracks are two tracks, not one.
NEW_TRACKS_FROM = "new_tracks_from"


class TrackRefused(ValueError):
    """Nothing was changed; the message says why (a track already on that image, a number out of range)."""


def kept_shape_tracks(project: Project) -> Iterator[object]:
    """The ``track_id`` attributes, as the file had them, of the shapes kept from a CVAT file
    (``pixelproof.cvat.shapes``: polylines, points, skeletons), which the CVAT export writes back."""
    for image in project.images.values():
        app = image.extra.get("pixelproof")
        cvat = app.get("cvat") if isinstance(app, dict) else None
        shapes = cvat.get("shapes") if isinstance(cvat, dict) else None
        for kept in shapes if isinstance(shapes, list) else []:
            attrib = kept.get("attrib") if isinstance(kept, dict) else None
            if isinstance(attrib, dict) and TRACK_ID in attrib:
                yield attrib[TRACK_ID]


def track_ids(project: Project) -> set[int]:
    """The whole-number track ids of the project: its objects' (an int, or a string of digits from a file)
    and those of shapes kept from a CVAT file (``pixelproof.cvat.shapes``), which the CVAT export writes."""
    found: set[int] = set()
    for ann in project.annotations.values():
        _add(found, track_of(ann))
    for value in kept_shape_tracks(project):
        _add(found, value)
    return found


def _add(found: set[int], value: object) -> None:
    number = as_number(value)
    if number is not None:
        found.add(number)


def as_number(value: object) -> int | None:
    """A track id as the whole number the exports write it as (``track_value``); None for anything else."""
    found = track_value(value)
    return found if isinstance(found, int) else None


def named_tracks(project: Project) -> dict[str, int]:
    """Each track its objects name by text that is no whole number (``"car-7"`` from a file; ``track_value``
    reads ``"03"`` as track 3) -> a whole number no track of the project has, in order of name: what the
    exports (CVAT, MOT) write it as, so its objects stay one track there, the same on every export."""
    names = sorted({t for a in project.annotations.values() if isinstance(t := track_of(a), str)})
    return dict(zip(names, free_track_ids(track_ids(project), len(names)), strict=True))


def exported_track(value: object, named: dict[str, int]) -> int | None:
    """A track id as an export writes it: the whole number it means (``"03"``, ``" 3"`` and ``3`` are 3), a
    named track's number (``named_tracks``); None for no track, or a number below 0 or from ``LIMIT`` on."""
    found = track_value(value)
    if isinstance(found, str):
        return named.get(found)
    return found if found is not None and 0 <= found < LIMIT else None


def named_tracks_text(named: dict[str, int]) -> str:
    """The export's line on the tracks named by text (``named_tracks``); "" for none."""
    if not named:
        return ""
    shown = [f"{name[:20]!r} as {number}" for name, number in list(named.items())[:8]]
    more = f" and {len(named) - 8} more" if len(named) > 8 else ""
    return (
        f"{plural(len(named), 'track')} named by text, not a whole number, written as track ids: "
        f"{', '.join(shown)}{more}"
    )


def new_tracks_from(project: Project) -> int | None:
    """A shard's first track id new in it (``NEW_TRACKS_FROM``); None for a project that is no shard, or a
    shard split before it was recorded."""
    info = project.app.get("shard")
    value = info.get(NEW_TRACKS_FROM) if isinstance(info, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < LIMIT else None


def next_track_ids(project: Project, count: int = 1) -> list[int]:
    """``count`` track ids no object of the project has: after the greatest one (in a shard, from its
    ``NEW_TRACKS_FROM`` on, so no id of the project split is given again), or the lowest free ones when that
    would pass ``LIMIT``; never below 0 (a file's negative track id had New Track start at -4, a track the
    exports and the Track field refuse)."""
    return free_track_ids(track_ids(project), count, new_tracks_from(project) or 0)


def free_track_ids(taken: set[int], count: int, start: int = 0) -> list[int]:
    """``count`` track ids not in ``taken``: after its greatest (and from ``start``, never below 0), or the
    lowest free ones when that would pass ``LIMIT`` (New Track, and a merge numbering shards' new tracks)."""
    first = max(max(taken, default=-1) + 1, start, 0)
    if first + count <= LIMIT:
        return list(range(first, first + count))
    free = (i for i in range(LIMIT) if i not in taken)
    return [next(free) for _ in range(count)]


def parse_track(text: str) -> int | None:
    """The track a user typed: a whole number from 0 to 999,999,999, or "" for no track; raises
    :class:`TrackRefused` otherwise."""
    text = text.strip()
    if not text:
        return None
    if not (text.isdecimal() and text.isascii() and len(text) < 10):
        raise TrackRefused(
            f"“{text[:20]}” is no track: type a whole number from 0 to {LIMIT - 1:,}, or nothing"
        )
    return int(text)


def new_tracks(project: Project, ids: Iterable[int]) -> ReplaceAnnotations | None:
    """Tracks > New Track: each of the objects ``ids`` the start of a track of its own (a new id each), as one
    undo step; None for no object."""
    anns = _objects(project, ids)
    if not anns:
        return None
    after = []
    for ann, track in zip(anns, next_track_ids(project, len(anns)), strict=True):
        b = clone(ann)
        b.extra[TRACK_ID] = track
        after.append(b)
    label = (
        f"New Track {after[0].extra[TRACK_ID]}"
        if len(after) == 1
        else f"New Tracks {after[0].extra[TRACK_ID]}-{after[-1].extra[TRACK_ID]}"
    )
    return _edit(after, label)


def set_track(project: Project, ids: Iterable[int], track: int | None) -> ReplaceAnnotations | None:
    """The objects ``ids`` put on track ``track`` (None: taken off their track), as one undo step; None when
    nothing changes. Raises :class:`TrackRefused` when the track has another object on one of their images,
    or two of them are on one image: one object per track on an image."""
    anns = _objects(project, ids)
    if track is not None:
        if isinstance(track, bool) or not 0 <= track < LIMIT:
            raise TrackRefused(f"track {track}: a track is a whole number from 0 to {LIMIT - 1:,}")
        moving = {a.id for a in anns}
        seen: dict[int, Annotation] = {}
        for a in anns:
            if a.image_id in seen:
                raise TrackRefused(
                    f"objects #{seen[a.image_id].id} and #{a.id} are on one image: a track has one object on "
                    f"an image; select one object a frame"
                )
            seen[a.image_id] = a
            there = [
                o
                for o in project.annotations_of(a.image_id)
                if o.id not in moving and as_number(track_of(o)) == track
            ]
            if there:
                name = project.images[a.image_id].file_name
                raise TrackRefused(
                    f"track {track} already has object #{there[0].id} on {name}: a track has one object on "
                    f"an image (give #{a.id} another track, or take #{there[0].id} off track {track} first)"
                )
    changed = []
    for a in anns:
        if track_of(a) == track and (track is not None or TRACK_ID not in a.extra):
            continue
        b = clone(a)
        if track is None:
            b.extra.pop(TRACK_ID, None)
        else:
            b.extra[TRACK_ID] = track
        changed.append(b)
    if not changed:
        return None
    n = "" if len(changed) == 1 else f" ({plural(len(changed), 'object')})"
    label = f"Off Track{n}" if track is None else f"Set Track {track}{n}"
    return _edit(changed, label)


def _objects(project: Project, ids: Iterable[int]) -> list[Annotation]:
    anns = project.annotations
    return [anns[i] for i in dict.fromkeys(ids) if i in anns]


def _edit(after: list[Annotation], label: str) -> ReplaceAnnotations:
    edit = ReplaceAnnotations(after, label)
    edit.focus = edit.revert_focus = [a.id for a in after]
    return edit
