"""Tracks > Fill Between Frames: CVAT's track mode for a video's frames (an image sequence) - a track's box
drawn on frame 0 and frame 30, the frames between get boxes interpolated linearly, in one undo step. No Qt.

The sequence is the images of the selected object's folder, in frame order: by the number in their names when
every one is named as CVAT names a video's frames (``frame_000010.png``), else by file order (0, 1, 2, ...,
the order D walks). A track is the objects whose ``track_id`` is the same (CVAT for video, COCO video files,
Propagate's copies). The frames holding an object of the track are its keys, but for a frame whose only
objects of the track are ones an earlier fill made and nobody changed since: filling again recomputes them. A
frame strictly between two neighbouring keys that holds no object of the track gets, as CVAT interpolates a
rectangle, the keys' ``xtl, ytl, xbr, ybr`` mixed linearly by its frame number: at frame ``f`` between keys
at ``f0`` and ``f1``, ``p0 + (p1 - p0) * (f - f0) / (f1 - f0)``. Two polygons with as many parts are mixed
part by part, each pair resampled along its perimeter as CVAT resamples a polygon, whatever the vertex
counts (core.polygon_interp). Keypoints are mixed point by point, as CVAT interpolates a skeleton
(``core.keypoint_fill``). Other pairs are passed over and counted by reason (polygons of other part counts,
a box and a polygon, masks, two classes, keys with other keypoints, a frame with several objects of the
track, a reviewer's rejected key, which is no key): the objects already on their frames stay as they are
(an earlier fill's, or CVAT's own). Frames before the first key and after the last are not filled, nor the
frames from a mark where the track leaves the view (CVAT's ``outside`` keyframe, ``core.track_outside``) to
its next key: those before the mark are filled as the two keys place them, the earlier fills past it are
removed. A new
shape is cut to its frame (a frame of another size); a pose's box (its points' extent) may be 0 wide. One
fill makes at most ``MAX_FILLED`` objects: more is refused, saying so, before any is made.

"Changed" is told by the geometry: each filled object records a digest of its class and coordinates
(``pixelproof.interpolated_digest``); one that no longer matches, or that a reviewer accepted or rejected,
or that is locked, is the user's now: kept, and a key like a drawn one. The CVAT for video export writes the
untouched filled objects with ``keyframe="0"`` and every other shape as a keyframe; the CVAT reader marks
CVAT's own interpolated shapes between two keyframes as fills (``mark_interpolated``), so they stay so.

The new objects and the removal of the earlier ones they replace are one edit, with ``source``
``interpolation:linear`` and ``pixelproof.interpolated_between``: the two keys' frame numbers.

Tracks > Track Box Here (``track_box_here``) puts one track's object on one frame as CVAT shows a track's box
on every frame: a key (``manual``) at the same interpolation (``shape_between``, the fill's own), a copy of
the nearest key outside the keys, or the fill already there made a key. After a key's edit the fills next to
it follow it (``core.track_refill``, which fills with ``fill_plan`` over those runs only); with that
preference off, ``fills_out_of_date`` tells the window when the edit left them behind, so the status bar can
say that filling again follows it.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import PurePath

from pixelproof.core.clipboard import TRACK_ID, give_ids, track_of
from pixelproof.core.edits import (
    AddAnnotations,
    Edit,
    InPlaces,
    RemoveAnnotations,
    ReplaceAnnotations,
)
from pixelproof.core.frame_sequences import (  # noqa: F401 (FRAME_FILE, frame_numbers: their home was here)
    FRAME_FILE,
    frame_numbers,
    sequence_frames,
    sequence_name,
    sequence_of,
)
from pixelproof.core.geometry import clamp_polygons, clip_box, clone
from pixelproof.core.keypoint_fill import as_numbers, carried_parts, fill_keypoints, keypoint_layout
from pixelproof.core.keypoints import BOX_OF_KEYPOINTS
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.masks import segmentation_area
from pixelproof.core.model import Annotation, Project, is_rejected
from pixelproof.core.names import shown_name
from pixelproof.core.object_lock import is_locked
from pixelproof.core.polygon_interp import polygon_between
from pixelproof.core.track_outside import outside_frames
from pixelproof.core.wording import plural

SOURCE = "interpolation:linear"  # the objects' ``source`` (interop.provenance words it)
BETWEEN = "interpolated_between"  # pixelproof.interpolated_between: the two keys' frame (or slice) numbers
DIGEST = "interpolated_digest"  # pixelproof.interpolated_digest: the shape as the fill made it
_KEPT = ("attributes", "occluded", "z_order")  # the key's values a filled shape repeats, as CVAT copies them
# why the frames between two keys were passed over, as the status bar says it
OTHER_COUNT = "polygons of other part counts"
OTHER_KIND = "a box and a polygon"
MASK = "masks (not interpolated)"
OTHER_CLASS = "keys of two classes"
SEVERAL = "several objects of the track on a key frame"
OTHER_KEYPOINTS = "keys with other keypoints (counts, YOLO kpt_shape, or a pose and a plain box)"
OUT_OF_VIEW = "out of view (from where the track leaves the view to its next key)"
PROGRESS_EVERY = 1000  # frames between two of ``fill_plan``'s progress calls (~25 ms of filling)
MAX_FILLED = 100_000  # frames one fill makes objects on: 100,000 take ~25 s and ~200 MB; millions would hang


class FillRefused(ValueError):
    """Nothing was made; the message says why (more frames to fill than ``MAX_FILLED``) and what to do."""


@dataclass(frozen=True)
class TrackFilled:
    """What Fill Between Frames adds and replaces (``edit`` None: nothing) and why frames were passed over."""

    edit: Edit | None
    filled: int = 0  # frames given an object
    replaced: int = 0  # frames whose earlier filled object was replaced
    removed: tuple[int, ...] = ()  # the ids of those earlier objects
    unchanged: int = 0  # frames filled earlier whose new interpolation is the object they hold
    keys: int = 0  # key frames of the track
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> frames between keys passed over


def untouched_fill(ann: Annotation) -> bool:
    """Whether ``ann`` is a shape a fill made that nobody changed since (its class and coordinates still
    those the fill recorded, no review decision, not locked): the next fill may recompute it, and the CVAT
    for video export writes it as no keyframe."""
    recorded = ann.app_extra.get(DIGEST) if ann.app_extra else None
    if ann.source != SOURCE or not isinstance(recorded, str) or ann.kind == "mask":
        return False
    return ann.review not in ("accepted", "rejected") and not is_locked(ann) and shape_digest(ann) == recorded


def fill_edited(ann: Annotation) -> bool:
    """Whether ``ann`` is a shape a fill made whose class or coordinates were changed since (its digest no
    longer matches): a key now, and its Source says so - ``source`` stays the fill's, which the CVAT writer
    writes as ``manual``, as CVAT sets an edited interpolated shape's."""
    recorded = ann.app_extra.get(DIGEST) if ann.app_extra else None
    if ann.source != SOURCE or not isinstance(recorded, str) or ann.kind == "mask":
        return False
    return shape_digest(ann) != recorded


def filled_between(ann: Annotation) -> tuple[int, int] | None:
    """The two key frames the fill that made ``ann`` interpolated it between (``pixelproof.
    interpolated_between``), for the Properties panel to say it; None when the object records none (a key,
    or a project file that lost them). Whether it is still a fill is ``untouched_fill``'s."""
    between = ann.app_extra.get(BETWEEN) if ann.app_extra else None
    if isinstance(between, list) and len(between) == 2 and all(type(f) is int for f in between):
        return between[0], between[1]
    return None


def shape_digest(ann: Annotation, numbers: bool = False) -> str:
    """A short digest of a box's or polygon's class and coordinates (to 1/1000 pixel), and of its keypoints
    when it holds some (a filled pose whose point was moved is the user's, a key); ``numbers``: of its
    keypoints as floats (``_same``'s second look: the recorded digests keep the text they were made of)."""
    coords = [round(float(v), 3) for v in ann.bbox]
    polygons = ann.segmentation if isinstance(ann.segmentation, list) else []
    parts = [[round(float(v), 3) for v in p] for p in polygons if isinstance(p, list)]
    shape = (ann.kind, ann.category_id, coords, parts)
    if keypoint_layout(ann) is not None:  # (an object without keeps the digest it had before)
        yolo = ann.extra.get("yolo")
        held = yolo.get("keypoints") if isinstance(yolo, dict) else None
        kept = ann.extra.get("keypoints")
        shape += (repr(as_numbers(kept)), repr(as_numbers(held))) if numbers else (repr(kept), repr(held))
    text = repr(shape)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def mark_interpolated(ann: Annotation, between: list[int]) -> None:
    """Mark ``ann`` a shape interpolated between the key frames ``between`` (``[f0, f1]``) with the digest of
    its shape as it is now, as Fill Between Frames marks the ones it makes: the CVAT reader marks CVAT's own
    interpolated shapes (``keyframe="0"``) so, until edited, the next fill may recompute them and the CVAT
    for video export writes them with ``keyframe="0"`` again."""
    ann.source = SOURCE
    ann.app_extra[BETWEEN] = list(between)
    ann.app_extra[DIGEST] = shape_digest(ann)


def as_key(ann: Annotation) -> Annotation:
    """A copy of the filled ``ann`` made a key where it is: a person's (``manual``), its fill marks dropped
    (Track Box Here on a filled frame, a split's first and last frames)."""
    key = clone(ann)
    key.source = "manual"
    key.app_extra = {k: v for k, v in key.app_extra.items() if k not in (BETWEEN, DIGEST)}
    return key


def with_class(ann: Annotation, category_id: int) -> Annotation:
    """``ann`` given the id ``category_id`` for its class, as ``renumber`` and ``merge`` number the same
    class again: a fill nobody touched stays one (its digest, of its class id, follows), not a key. Returns
    ``ann``, changed in place: its ``app_extra`` a new dict, so a copy sharing the old one keeps it."""
    fill = untouched_fill(ann)
    ann.category_id = category_id
    if fill:
        ann.app_extra = {**ann.app_extra, DIGEST: shape_digest(ann)}
    return ann


def fill_between_frames(project: Project, image_id: int, track: int | str) -> TrackFilled:
    """The objects Fill Between Frames adds (and the earlier filled ones they replace) for ``track`` on the
    image sequence of image ``image_id``, as one edit (see the module docstring). Raises IdsExhausted when
    the new ids do not all fit, :class:`FillRefused` when more than ``MAX_FILLED`` frames lie between the
    keys: nothing is made."""
    frames = sequence_frames(project, image_id)
    return planned_fill(project, fill_plan(project, frames, track, range(len(frames))), track)


def planned_fill(project: Project, plan: FillPlan, track: int | str) -> TrackFilled:
    """``plan`` (``fill_plan`` over a whole sequence, maybe worked out on a snapshot of ``project`` in the
    background) as Fill Between Frames' one edit: its new objects given ids of ``project`` here, so the
    caller must know ``project`` has not changed since the plan's snapshot. Raises IdsExhausted."""
    if not plan.made and not plan.removed:
        return TrackFilled(None, 0, 0, (), plan.unchanged, plan.keys, plan.skipped)
    give_ids(project, plan.made)
    label = fill_label(len(plan.made), track, plan.replaced)
    return TrackFilled(
        fill_edit(plan.made, plan.removed, label), len(plan.made), plan.replaced, tuple(plan.removed),
        plan.unchanged, plan.keys, plan.skipped,
    )  # fmt: skip


def track_extent(project: Project, frames: Sequence[tuple[int, int]], track: int | str) -> int:
    """How many frames of the sequence ``frames`` lie from the first holding an object of ``track`` to the
    last (0: none): what Fill Between Frames' work grows with, told without a walk through the frames
    between (from each end to the track only), so the window can choose to fill a long track in the
    background before it starts."""

    def holds(place: int) -> bool:
        return any(track_of(a) == track for a in project.annotations_of(frames[place][1]))

    first = next((p for p in range(len(frames)) if holds(p)), None)
    if first is None:
        return 0
    last = next(p for p in range(len(frames) - 1, first - 1, -1) if holds(p))
    return last - first + 1


@dataclass
class FillPlan:
    """What filling the frames of a window of a sequence would do: the new objects (no ids yet), the ids of
    the earlier fills they replace, and the counts the status bar says."""

    made: list[Annotation] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    replaced: int = 0
    unchanged: int = 0
    keys: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    stale: dict[str, int] = field(default_factory=dict)  # earlier fills of skipped runs, left as they were


def fill_plan(
    project: Project,
    frames: Sequence[tuple[int, int]],
    track: int | str,
    window: range,
    refill: Collection[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FillPlan:
    """Fill Between Frames over the places ``window`` of the sequence ``frames`` only (all of them for the
    menu item; the two runs around a key for a refill after its edit, ``track_refill``): the runs between
    neighbouring keys inside it. ``refill``: only the places that hold an earlier fill and these ones (a
    deleted key's) are filled - a refill recomputes fills, it makes none where the user has none (a fill
    deleted, a run never filled). Raises :class:`FillRefused` when more than ``MAX_FILLED`` frames would be
    filled. ``progress(done, total)`` is called every ``PROGRESS_EVERY`` frames looked at or filled (a
    background fill's progress bar; its Cancel raises from it)."""
    step = progress if progress is not None else _no_progress
    scanned = len(window) * 2  # the total until the frames to fill are known: at most as many as looked at
    keys: list[tuple[int, int, list[Annotation]]] = []  # (place, frame, the track's objects there)
    earlier: dict[int, list[Annotation]] = {}  # place -> the untouched filled objects there
    for n, place in enumerate(window):
        if n % PROGRESS_EVERY == 0:
            step(n, scanned)
        anns = [a for a in project.annotations_of(frames[place][1]) if track_of(a) == track]
        if anns and all(untouched_fill(a) for a in anns):
            earlier[place] = anns
            anns = []
        if anns:
            keys.append((place, frames[place][0], anns))
    plan = FillPlan(keys=len(keys))
    # where the track left the view in this video (not its marks of another one): no fill crosses one
    gone = outside_frames(project, track, sequence_name(project, frames[0][1])) if frames else set()
    skipped: Counter[str] = Counter()
    runs = []  # every place is a key or free: the places between two neighbouring keys are all free
    for (p0, f0, below), (p1, f1, above) in pairwise(keys):
        if p1 - p0 < 2:
            continue
        why = _why_not(below, above)
        if why:
            skipped[why] += p1 - p0 - 1
            if left := sum(p in earlier for p in range(p0 + 1, p1)):  # no longer between its keys as drawn
                plan.stale[why] = plan.stale.get(why, 0) + left
        else:
            free = range(p0 + 1, p1)
            out = next((p for p in free if frames[p][0] in gone), p1) if gone else p1  # the first mark
            if out < p1:
                skipped[OUT_OF_VIEW] += p1 - out
                plan.removed += [a.id for p in range(out, p1) for a in earlier.get(p, [])]
                free = range(p0 + 1, out)
            places = free if refill is None else [p for p in free if p in earlier or p in refill]
            runs.append((places, f0, f1, below, above))
    plan.skipped = dict(skipped)
    if (total := sum(len(r[0]) for r in runs)) > MAX_FILLED:
        raise FillRefused(
            f"track {shown_track(track)} has {total:,} frames between its drawn ones in "
            f"{_folder(frames, project)}: Fill Between Frames fills at most {MAX_FILLED:,} at once; put the "
            "later frames' objects on another track (Properties > Track) and fill each"
        )
    done, total = len(window), len(window) + total
    for run, f0, f1, below, above in runs:
        for place in run:
            if done % PROGRESS_EVERY == 0:
                step(done, total)
            done += 1
            frame, target = frames[place]
            new = _between(project, below[0], above[0], target, (frame - f0) / (f1 - f0), [f0, f1])
            old = earlier.get(place, [])
            if new is not None and len(old) == 1 and _same(old[0], new):
                plan.unchanged += 1  # up to date: not replaced by the same shape
                continue
            if old:
                plan.replaced += 1
                plan.removed += [a.id for a in old]
            if new is not None:
                plan.made.append(new)
    step(total, total)
    return plan


def _no_progress(_done: int, _total: int) -> None:
    """``fill_plan``'s progress when nobody follows it."""


def fill_edit(made: list[Annotation], removed: list[int], label: str) -> Edit:
    """The one edit that removes the earlier fills ``removed`` and adds ``made`` (given ids already, made
    for it: the edit keeps them, uncopied). It is ``only_fills``: no refill follows it."""
    parts: list[Edit] = [RemoveAnnotations(removed)] if removed else []
    parts += [AddAnnotations(made, owned=True)] if made else []
    edit = parts[0] if len(parts) == 1 else InPlaces(parts, made, track_of, label)  # the stacking kept
    edit.label = label
    edit.only_fills = True
    return edit


class TrackBoxRefused(ValueError):
    """Track Box Here added nothing; the message says why (no key of the track on this sequence, a mask key,
    a shape that lies outside the frame)."""


INTERPOLATED, COPIED, KEYED, ALREADY = "interpolated", "copied", "keyed", "already"


@dataclass(frozen=True)
class TrackBox:
    """What Track Box Here does on a frame: ``edit`` adds the track's object there as a key (``INTERPOLATED``
    between the keys ``keys``, or ``COPIED`` from the one key ``keys``; ``why``: why not interpolated) or
    makes the fill there a key (``KEYED``: ``keys`` the two it was filled between); None for a frame that
    already holds a key of the track (``ALREADY``). ``ann_id`` is the track's object on the frame."""

    edit: Edit | None
    ann_id: int
    how: str
    frame: int
    keys: tuple[int, ...] = ()
    why: str = ""


def track_box_here(project: Project, image_id: int, track: int | str) -> TrackBox:
    """Tracks > Track Box Here: the object of ``track`` on image ``image_id``, as CVAT shows a track's box on
    every frame ready to drag - added as a key (a person's object, source ``manual``, not a fill) at the
    linear interpolation between the track's neighbouring keys (as Fill Between Frames places it), or a copy
    of the nearest key before the first key, after the last, or where the two keys cannot be interpolated.
    A fill nobody touched on the frame becomes a key in place (the user means to adjust it; filling again
    then follows it); a key already there is left as it is. One undo step. Raises :class:`TrackBoxRefused`
    (nothing made) and IdsExhausted (no id left)."""
    sequence = sequence_of(project, image_id)
    if sequence is None:
        raise TrackBoxRefused(f"image {image_id} is not in the project")
    frames, place = sequence.frames, sequence.places[image_id]
    frame, shown = frames[place][0], shown_track(track)
    here = [a for a in project.annotations_of(image_id) if track_of(a) == track]
    if here:
        if len(here) == 1 and untouched_fill(here[0]):
            key = as_key(here[0])
            edit = ReplaceAnnotations([key], f"Track Box Here (track {shown}, frame {frame} a key)")
            return TrackBox(edit, key.id, KEYED, frame, filled_between(here[0]) or ())
        return TrackBox(None, here[0].id, ALREADY, frame)
    below, above = _key_near(project, frames, place, -1, track), _key_near(project, frames, place, 1, track)
    why = _why_not(below[1], above[1]) if below and above else ""
    if below and above and not why:
        (f0, (a,)), (f1, (b,)) = below, above
        new, how, keys = (
            shape_between(project, a, b, image_id, (frame - f0) / (f1 - f0)),
            INTERPOLATED,
            (f0, f1),
        )
    else:
        near = [k for k in (below, above) if k is not None]
        if not near:
            raise TrackBoxRefused(
                f"track {shown} has no key frame in {_folder(frames, project)}: draw or paste its object on "
                "one frame of this video first"
            )
        f, anns = min(near, key=lambda k: abs(k[0] - frame))  # the earlier of two as near
        if len(anns) > 1 or anns[0].kind == "mask" or is_rejected(anns[0]):
            what = SEVERAL if len(anns) > 1 else MASK if anns[0].kind == "mask" else "a rejected key"
            raise TrackBoxRefused(f"track {shown}'s key on frame {f} is not copied: {what}")
        new, how, keys = shape_between(project, anns[0], anns[0], image_id, 0.0), COPIED, (f,)
    if new is None:
        raise TrackBoxRefused(f"track {shown}'s {how} shape lies outside frame {frame}")
    new.source = "manual"
    give_ids(project, [new])
    return TrackBox(
        AddAnnotations([new], f"Track Box Here (track {shown}, frame {frame})"), new.id, how, frame, keys, why
    )


def fills_out_of_date(
    project: Project, image_id: int, track: int | str, frames: Sequence[tuple[int, int]] | None = None
) -> bool:
    """Whether Fill Between Frames would now change the nearest filled object of ``track`` on either side of
    image ``image_id``'s frame (a key there moved, or added inside a filled run): the status bar then says
    that filling again follows the key. Only the nearest on each side is recomputed, so a drag on a long
    video stays quick; ``frames``: the image's ``sequence_frames`` when the caller has them (one edit of
    several keys numbers the folder once)."""
    sequence = sequence_of(project, image_id)
    if frames is None:
        frames = sequence.frames if sequence is not None else ()
    place = sequence.places.get(image_id) if sequence is not None else None
    if place is not None and (place >= len(frames) or frames[place][1] != image_id):  # frames of its own
        place = next((p for p, (_f, i) in enumerate(frames) if i == image_id), None)
    for step in (-1, 1) if place is not None else ():
        p = place + step  # type: ignore[operator]
        while 0 <= p < len(frames):
            anns = [a for a in project.annotations_of(frames[p][1]) if track_of(a) == track]
            if anns:
                break
            p += step
        else:
            continue
        if len(anns) != 1 or not untouched_fill(anns[0]):
            continue  # a key next to it: no fill between
        below, above = _key_near(project, frames, p, -1, track), _key_near(project, frames, p, 1, track)
        if below is None or above is None or _why_not(below[1], above[1]):
            continue  # filling again leaves it as it is
        (f0, (a,)), (f1, (b,)) = below, above
        frame, target = frames[p]
        new = _between(project, a, b, target, (frame - f0) / (f1 - f0), [f0, f1])
        if new is None or not _same(anns[0], new):
            return True
    return False


def _key_near(
    project: Project, frames: Sequence[tuple[int, int]], place: int, step: int, track: int | str
) -> tuple[int, list[Annotation]] | None:
    """The nearest key frame of ``track`` from ``place`` on (not counting it) going by ``step`` (-1: back),
    with the track's objects there, as Fill Between Frames tells keys; None when there is none."""
    p = key_place(project, frames, place, step, track)
    if p is None:
        return None
    return frames[p][0], [a for a in project.annotations_of(frames[p][1]) if track_of(a) == track]


def key_place(
    project: Project, frames: Sequence[tuple[int, int]], place: int, step: int, track: int | str
) -> int | None:
    """The place in ``frames`` of the nearest key of ``track`` from ``place`` on (not counting it) going by
    ``step`` (-1: back); None when there is none."""
    p = place + step
    while 0 <= p < len(frames):
        anns = [a for a in project.annotations_of(frames[p][1]) if track_of(a) == track]
        if anns and not all(untouched_fill(a) for a in anns):
            return p
        p += step
    return None


def _folder(frames: Sequence[tuple[int, int]], project: Project) -> str:
    """The folder of the sequence, as a message names it."""
    folder = PurePath(project.images[frames[0][1]].file_name).parent
    return (
        f"folder {shown_name(str(folder), NAME_IN_TEXT)}"
        if str(folder) != "."
        else "the project's top folder"
    )


def _same(old: Annotation, new: Annotation) -> bool:
    """Whether an earlier filled object is the new one (the same shape between the same keys, carrying the
    same CVAT point attributes): then it is not replaced, and a fill that changes nothing is no undo step.
    Its keypoints are compared as numbers: a one-point CVAT pose's fill read with ``0 0 0`` for its other
    points is the fill's ``0.0 0.0 0`` (before, Shift+T replaced it by itself, an undo step doing nothing)."""
    if old.app_extra.get(BETWEEN) != new.app_extra[BETWEEN] or carried_parts(old) != carried_parts(new):
        return False
    return old.app_extra.get(DIGEST) == new.app_extra[DIGEST] or shape_digest(old, True) == shape_digest(
        new, True
    )


def shown_track(track: int | str) -> str:
    """A track id as a message or an undo step's label quotes it: one line, cut after ``NAME_IN_TEXT``
    characters (a project file's track id may be any text)."""
    return shown_name(str(track), NAME_IN_TEXT)


def fill_label(filled: int, track: int | str, again: int) -> str:
    """The undo step's name: ``Fill Between Frames (28 frames of track 3, 2 filled again)``."""
    words = [f"{plural(filled, 'frame')} of track {shown_track(track)}"]
    if again:
        words.append(f"{again} filled again")
    return f"Fill Between Frames ({', '.join(words)})"


def _why_not(below: list[Annotation], above: list[Annotation]) -> str:
    """Why the frames between two keys get nothing ("": they are filled)."""
    if len(below) > 1 or len(above) > 1:
        return SEVERAL
    a, b = below[0], above[0]
    if is_rejected(a) or is_rejected(b):
        return "a rejected key"
    if a.kind == "mask" or b.kind == "mask":
        return MASK
    if a.kind != b.kind:
        return OTHER_KIND
    if a.category_id != b.category_id:
        return OTHER_CLASS
    if a.kind == "polygon" and _parts(a) != _parts(b):
        return OTHER_COUNT
    if keypoint_layout(a) != keypoint_layout(b):
        return OTHER_KEYPOINTS
    return ""


def _parts(ann: Annotation) -> int:
    """How many parts (rings) a polygon object has."""
    return len(ann.segmentation) if isinstance(ann.segmentation, list) else 0


def _mix(p: list[float], q: list[float], t: float) -> list[float]:
    return [float(a) + (float(b) - float(a)) * t for a, b in zip(p, q, strict=True)]


def _between(
    project: Project, a: Annotation, b: Annotation, image_id: int, t: float, between: list[int]
) -> Annotation | None:
    """The shape ``t`` (0..1) of the way from ``a`` to ``b`` on image ``image_id``, cut to it, marked a fill
    between the key frames ``between`` (None when nothing of it is left there)."""
    ann = shape_between(project, a, b, image_id, t)
    if ann is not None:
        mark_interpolated(ann, between)
    return ann


def _extent_on(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> list[float] | None:
    """A pose's box (its labelled points' extent, ``BOX_OF_KEYPOINTS``) on the image, cut to it: 0 wide or
    high for one point or points in a line, which is no "nothing left" as a box's would be (CVAT's own
    interpolated poses there were deleted); None when it lies off the image."""
    if x1 < 0 or y1 < 0 or x0 > width or y0 > height:
        return None
    xa, ya = min(max(x0, 0.0), width), min(max(y0, 0.0), height)
    return [xa, ya, min(max(x1, 0.0), width) - xa, min(max(y1, 0.0), height) - ya]


def shape_between(
    project: Project, a: Annotation, b: Annotation, image_id: int, t: float
) -> Annotation | None:
    """A new object (id 0) on image ``image_id`` of the track of ``a``: the box or polygon ``t`` (0..1) of
    the way from ``a``'s to ``b``'s (CVAT's linear interpolation; ``t`` 0 with ``b`` ``a``: a copy of
    ``a``), cut to the image; None when nothing of it is left there. ``a`` and ``b`` are boxes, or polygons
    of as many parts (``_why_not``), each part mixed with its own by ``polygon_between``; their keypoints,
    of one layout, are mixed point by point (``core.keypoint_fill``)."""
    image = project.images[image_id]
    if a.kind == "box":
        x0, y0, w0, h0 = (float(v) for v in a.bbox)
        x1, y1, w1, h1 = (float(v) for v in b.bbox)
        xtl, ytl, xbr, ybr = _mix([x0, y0, x0 + w0, y0 + h0], [x1, y1, x1 + w1, y1 + h1], t)
        pose = a.app_extra.get(BOX_OF_KEYPOINTS) is True
        box = clip_box([xtl, ytl, xbr - xtl, ybr - ytl], image.width, image.height)
        if box is None and pose:
            box = _extent_on(xtl, ytl, xbr, ybr, image.width, image.height)
        if box is None or (not pose and (box[2] <= 0 or box[3] <= 0)):
            return None
        segmentation, bbox = None, box
    else:
        pairs = zip(a.segmentation, b.segmentation, strict=True)  # type: ignore[arg-type]
        segmentation = clamp_polygons([polygon_between(p, q, t) for p, q in pairs], image.width, image.height)
        if not segmentation:
            return None
        xs = [v for p in segmentation for v in p[0::2]]
        ys = [v for p in segmentation for v in p[1::2]]
        bbox = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    area = segmentation_area(segmentation, bbox, image.height, image.width)
    app_extra = {k: copy.deepcopy(a.app_extra[k]) for k in _KEPT if k in a.app_extra}
    ann = Annotation(
        0, image_id, a.category_id, bbox, segmentation, area, iscrowd=a.iscrowd,
        extra={TRACK_ID: track_of(a)}, app_extra=app_extra,
    )  # fmt: skip
    fill_keypoints(project, a, b, ann, t)
    ann.touch()
    return ann
