"""CVAT for video 1.1 ``<track>`` elements for the CVAT export, so a video task's tracks survive a round
trip through PixelProof (CVAT for images has no tracks: CVAT read each frame's shapes apart).

The shapes are the ones the CVAT for images writer makes for each image (``cvat_writer``); here they are
gathered by their ``track_id`` into tracks as CVAT writes them: ``<track id label source>`` holding one
shape a frame it is on (PixelProof's geometry on every frame, not CVAT's interpolation of it), each a
keyframe but for the shapes Tracks > Fill Between Frames interpolated that nobody changed since
(``keyframe="0"``, as CVAT writes its own interpolated shapes) and CVAT's interpolated shapes of the
kept tracks (a skeleton's, read with their ``keyframe="0"``) - but the first shape after a gap, which
CVAT's import (it keeps keyframes only) would drop after the outside there -, and an ``outside="1"``
keyframe on the
frame after each run of frames it is on, unless that is past the last frame, and on each frame Tracks > Track
Leaves View Here marked (``core.track_outside``), with the geometry of the track's shape before it.
A shape without a track (an object drawn in PixelProof, a COCO image's) becomes a track of
its own on its frame, as CVAT's own video export writes a task's standalone shapes. A skeleton's parts
are part tracks inside its track, as the reader (``cvat_tracks``) takes them.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from collections import Counter

from pixelproof.core import track_fill
from pixelproof.core.clipboard import TRACK_ID, track_of
from pixelproof.core.model import Project
from pixelproof.core.tracks import LIMIT, as_number, kept_shape_tracks
from pixelproof.interop.cvat_video_kept import KeptOutside

_ON_TRACK = ("label", "source", "group_id", TRACK_ID)  # the track's, not each shape's
KEYFRAME = "keyframe"  # "0" on the shape of an object Fill Between Frames made that nobody changed since
Shape = tuple[int, ET.Element]  # (frame, the shape as the images writer made it)


def has_tracks(project: Project) -> bool:
    """Whether an object, or a shape kept from a CVAT file, has a ``track_id``: then ``tracks="auto"``
    writes CVAT for video."""
    if any(track_of(a) is not None for a in project.annotations.values()):  # "03", 3, a named track
        return True
    return any(as_number(value) is not None for value in kept_shape_tracks(project))


def frame_numbers(project: Project) -> dict[int, int]:
    """Image id -> frame number: the number in the name when every image is named as CVAT names a
    video's frames (``frame_000010.png``, what the reader makes), each number once; else the image's place
    in file order (0, 1, ...), the order D walks (``core.track_fill``, which Fill Between Frames orders
    frames by)."""
    return track_fill.frame_numbers(project.images.values())


def frame_step(frames: list[int]) -> int:
    """The step between the task's frames (CVAT's ``frame_filter`` ``step=3``): the greatest common
    divisor of the gaps, 1 for one frame."""
    return max(math.gcd(*(b - a for a, b in itertools.pairwise(sorted(set(frames))))), 1)


def video_meta(
    task: ET.Element, frames: list[int], size: tuple[int, int], kept: dict[str, str] | None = None
) -> None:
    """The fields CVAT for video adds to the task: ``interpolation`` mode, the frame range and step, and
    the one frame size (``original_size``, which the reader needs to place the tracks). ``kept``: the
    task's fields as read from CVAT (``cvat_video_kept.task_fields``), written instead of the computed
    ones: the range may end on a frame no file or shape is on."""
    kept = kept or {}
    task.find("mode").text = "interpolation"  # type: ignore[union-attr]
    if "size" in kept:
        task.find("size").text = kept["size"]  # type: ignore[union-attr]
    at = list(task).index(task.find("mode")) + 1  # type: ignore[arg-type]
    step = frame_step(frames)
    fields = {
        "start_frame": str(min(frames, default=0)),
        "stop_frame": str(max(frames, default=0)),
        "frame_filter": f"step={step}" if step > 1 else "",
    }
    fields.update({k: v for k, v in kept.items() if k in (*fields, "z_order")})
    for k, (tag, text) in enumerate(fields.items()):
        node = ET.Element(tag)
        node.text = text
        task.insert(at + k, node)
    original = ET.SubElement(task, "original_size")
    ET.SubElement(original, "width").text = str(size[0])
    ET.SubElement(original, "height").text = str(size[1])


def write_tracks(
    doc: ET.Element,
    shapes: list[Shape],
    frames: list[int],
    counts: Counter[str],
    kept: KeptOutside | None = None,
) -> None:
    """``<track>`` elements in ``doc`` for the shapes, by ``track_id``; a track that keeps its id gets
    its outside shapes as read from CVAT (``kept``). One track holds one label and one
    kind of shape, once a frame: another label or kind under the same id goes to a track of its own with a
    new id, and so does a second shape on one frame (a polygon object's second part), counted in
    ``counts["split"]``; tags (CVAT for video has none) in ``counts["tags"]``."""
    step, stop = frame_step(frames), max(frames, default=0)
    tracks: dict[int, list[list[Shape]]] = {}
    by_kind: dict[tuple[int, str, str | None], tuple[list[Shape], set[int]]] = {}  # a run and its frames
    alone: list[Shape] = []
    for frame, shape in shapes:
        if shape.tag == "tag":
            counts["tags"] += 1
            continue
        number = as_number(shape.get(TRACK_ID))  # a kept shape's "03" is track 3, as an object's is
        if number is None or not 0 <= number < LIMIT:
            alone.append((frame, shape))
            continue
        key = (number, shape.tag, shape.get("label"))  # looked up, not searched: a track of 50,000
        found = by_kind.get(key)  # frames was 50,000 x 50,000 steps (minutes) when each was scanned
        if found is None:
            by_kind[key] = ([(frame, shape)], {frame})
            tracks.setdefault(key[0], []).append(by_kind[key][0])
        elif frame in found[1]:
            counts["split"] += 1
            alone.append((frame, shape))
        else:
            found[0].append((frame, shape))
            found[1].add(frame)
    fresh = itertools.count(max(tracks, default=-1) + 1)
    out: list[tuple[int, list[Shape]]] = []
    own: set[int] = set()  # the tracks that keep their id: the outside shapes kept under it are theirs
    for track_id, runs in tracks.items():
        out.append((track_id, runs[0]))
        own.add(track_id)
        counts["split"] += sum(len(r) for r in runs[1:])
        out += [(next(fresh), r) for r in runs[1:]]
    out += [(next(fresh), [one]) for one in sorted(alone, key=lambda fs: fs[0])]  # in frame order
    for track_id, run in sorted(out, key=lambda t: t[0]):
        _track(doc, track_id, run, step, stop, kept if track_id in own else None)


def _track(
    parent: ET.Element,
    track_id: int,
    run: list[Shape],
    step: int,
    stop: int,
    kept: KeptOutside | None,
    key: tuple[str, str | None] | None = None,
) -> None:
    """One ``<track>``: a keyframe a frame, then ``outside`` on the frame after each run of frames: the
    one kept from CVAT on that frame if there is one, as are the other outside shapes kept (``key``: the
    track id and part label they are kept under, the track's own id when None). A skeleton's point out of
    view (``outside="1"``) is written where it left the view, not again on the frames after, as CVAT
    writes it."""
    run = sorted(run, key=lambda fs: fs[0])
    first = run[0][1]
    attrib = {"id": str(track_id), "label": first.get("label", "")}
    if first.get("source"):
        attrib["source"] = first.get("source", "")
    if first.get("group_id"):
        attrib["group_id"] = first.get("group_id", "")
    track = ET.SubElement(parent, "track", attrib)
    on = {frame for frame, _ in run}
    key = key or (str(track_id), None)
    outside = kept.take(*key, first.tag, on) if kept is not None else {}
    parts: dict[str, list[Shape]] = {}
    last: tuple[int, bool] | None = None  # the frame and outside flag of the run's last shape written
    for frame, shape in run:
        gone = shape.get("outside") == "1"  # a skeleton's point not shown: once, as CVAT writes it
        if not (gone and last is not None and (last[1] or frame > last[0] + step)):
            # the first shape after a gap follows an outside keyframe: a keyframe, since CVAT keeps only
            # keyframes and holds a track out of view from an outside one to its next keyframe
            _keyframe(
                track, frame, shape, outside=False, key=last is None or last[1] or frame > last[0] + step
            )
            last = (frame, gone)
        if not gone and frame + step <= stop and frame + step not in on and frame + step not in outside:
            _keyframe(track, frame + step, shape, outside=True)
        for part in shape:
            if part.tag != "attribute":
                parts.setdefault(part.get("label", ""), []).append((frame, part))
    if outside:  # in frame order, as CVAT writes a track's shapes
        for frame, made in outside.items():
            if made is None:  # a mark made in PixelProof: the shape before it, as CVAT writes one
                before = [shape for f, shape in run if f < frame]
                _keyframe(track, frame, before[-1] if before else first, outside=True)
            else:
                track.append(made)
        track[:] = sorted(track, key=lambda shape: int(shape.get("frame", "0")))
    for k, (label, part_run) in enumerate(parts.items()):  # a skeleton's points, a track each
        _track(track, k, part_run, step, stop, kept, (key[0], label))


def _keyframe(track: ET.Element, frame: int, shape: ET.Element, outside: bool, key: bool = False) -> None:
    """A track's shape in CVAT's order of attributes: frame, keyframe, outside, occluded, geometry,
    z_order; its ``<attribute>`` values (a skeleton's parts go to part tracks). ``key``: a keyframe even
    when it is a fill nobody changed."""
    keyframe = "1" if outside or key else shape.get(KEYFRAME, "1")
    attrib = {"frame": str(frame), "keyframe": keyframe, "outside": "1" if outside else "0"}
    attrib["occluded"] = shape.get("occluded", "0")
    skip = (*_ON_TRACK, KEYFRAME, "occluded", "z_order")
    attrib.update({k: v for k, v in shape.attrib.items() if k not in skip})
    if shape.tag == "skeleton":  # its parts' points, as CVAT's video export writes a skeleton track's
        attrib.setdefault("points", ";".join(p.get("points", "") for p in shape if p.tag != "attribute"))
    attrib["z_order"] = shape.get("z_order", "0")
    made = ET.SubElement(track, shape.tag, attrib)
    made.extend(child for child in shape if child.tag == "attribute")
