"""CVAT for video ``<track>`` elements as the per-frame shapes of CVAT for images, so a video task's
annotations come in instead of being skipped whole.

CVAT writes a track's shape on every frame it is on (keyframes and the interpolated ones between them,
``keyframe="0"``), each with ``frame`` and ``outside``; a shape with ``outside="1"`` marks where the
object left the view and is no shape. Each frame becomes an ``<image>`` named as CVAT names the frames of
a video export (``frame_000010.png`` in ``images/``; the extension is the one found there, else ``png``)
of the task's ``original_size``; a skeleton track's points are its part tracks' points on that frame (an
``outside`` one too, as the pose's point not shown there, and on the frames after it that its part track
leaves out: CVAT writes it once), which the reader makes a pose (``cvat_skeleton``).
Each object keeps its track's id as ``track_id`` (the key COCO video datasets and Datumaro give it), so a
COCO or LabelMe export says which objects were one track, and Propagate's copies keep it. The frames in
``images/`` that no track is on (the object left the view, or none was labeled there yet) come in as
empty images, so D steps through every frame of the video. A shape whose ``frame`` is no frame number (a
whole number from 0 to 999,999,999, in ASCII digits: what ``frame_NNNNNN.png`` names hold) is skipped and
said, naming its track and place.

A ``keyframe="0"`` shape (CVAT's interpolation) between two keyframes of its track that are both on the
frame (not ``outside``) is marked as Tracks > Fill Between Frames marks its own fills (``core.track_fill``):
the export writes it with ``keyframe="0"`` again until someone edits it, and Fill Between Frames may
recompute it, and follows its keys when they are edited. A skeleton's too (its point tracks' shapes there
written back ``keyframe="0"`` with it), unless one of its point tracks has a keyframe of its own on that
frame. One after the track's last keyframe, or before an ``outside`` one, is an ordinary object.

The ``outside="1"`` shapes (a skeleton's part tracks' on frames the skeleton is not on too) go into
``outside`` as they are
(``cvat_video_kept``), so the export writes them back with their own geometry and attributes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pixelproof.core.clipboard import TRACK_ID  # the object's own field, and the shape's XML attribute
from pixelproof.core.limits import short_repr
from pixelproof.core.track_fill import FRAME_FILE  # CVAT's name for a video's frame
from pixelproof.interop._util import Reporter, is_file
from pixelproof.interop.cvat_video_kept import outside_shape
from pixelproof.interop.cvat_video_writer import KEYFRAME
from pixelproof.interop.cvat_writer import KEPT_SHAPES

_FRAME_KEYS = ("frame", "outside", "keyframe")
MAX_FRAME_DIGITS = 9  # as FRAME_FILE reads a frame's name back: a longer number would renumber the sequence
_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def _size(doc: ET.Element) -> tuple[str, str] | None:
    for at in ("meta/task/original_size", "meta/job/original_size", "meta/original_size"):
        node = doc.find(at)
        if node is not None:
            return node.findtext("width", ""), node.findtext("height", "")
    return None


def frame_files(root: Path) -> dict[int, str]:
    """The frames of a video export in ``images/`` (``frame_000010.jpg``), by frame number."""
    folder = root / "images"
    try:
        names = [e.name for e in folder.iterdir()] if folder.is_dir() else []
    except OSError:
        return {}
    found: dict[int, str] = {}
    for name in sorted(names):
        m = FRAME_FILE.fullmatch(name)
        if m and m.group(2).lower() in _SUFFIXES and is_file(folder / name):
            found.setdefault(int(m.group(1)), name)
    return found


def _frame_name(on_disk: dict[int, str], frame: int) -> str:
    """The frame's file in ``images/``; for one not there, CVAT's name with the extension the frames
    there have (a frame missing from a folder of JPEGs is ``.jpg``, not ``.png``), else ``.png``."""
    if frame in on_disk:
        return on_disk[frame]
    suffixes = Counter(Path(n).suffix for n in on_disk.values())
    return f"frame_{frame:06d}" + (suffixes.most_common(1)[0][0] if suffixes else ".png")


def _on_frame(
    shape: ET.Element, label: str, source: str | None, group: str | None, track: str | None = None
) -> ET.Element:
    """A track's shape as a CVAT for images shape: no frame keys, the track's label, source and group,
    and its ``track_id``. A shape kept as it is (a skeleton, its points, a polyline: PixelProof edits
    none) keeps CVAT's ``keyframe="0"``, which the video export writes back: before, its interpolated
    frames went back to CVAT as keyframes, so moving its keyframe there no longer moved them."""
    made = ET.Element(shape.tag, {k: v for k, v in shape.attrib.items() if k not in _FRAME_KEYS})
    if shape.tag in KEPT_SHAPES and shape.get(KEYFRAME) == "0":
        made.set(KEYFRAME, "0")
    if track is None and shape.get("outside") == "1":  # a skeleton's point not shown on its frame
        made.set("outside", "1")
    made.set("label", label)
    if track is not None:
        made.set(TRACK_ID, track)
    if source is not None and "source" not in made.attrib:
        made.set("source", source)
    if group not in (None, "0") and "group_id" not in made.attrib:
        made.set("group_id", group)
    made.extend(child for child in shape if child.tag == "attribute")
    return made


def frames_of_tracks(
    doc: ET.Element,
    root: Path,
    xml: Path,
    report: Reporter,
    interpolated: dict[ET.Element, list[int]] | None = None,
    outside: list[dict[str, Any]] | None = None,
) -> tuple[list[ET.Element], int]:
    """The ``<image>`` elements of the frames the file's tracks are on and of the other frames in
    ``images/``, in frame order, and how many shapes they hold; none when the file gives no frame size
    (then the tracks stay skipped). A shape without a frame number is said to ``report``
    (``xml: <track> 3 (car): <box> 2``) and skipped; so are track ids used by more than one track. Each
    made shape CVAT interpolated between two keyframes goes into ``interpolated`` with their frames, each
    ``outside="1"`` shape of a track with an id into ``outside``."""
    size = _size(doc)
    if size is None:
        return [], 0
    on_disk = frame_files(root)
    interpolated = {} if interpolated is None else interpolated
    outside = [] if outside is None else outside
    frames: dict[int, ET.Element] = {}
    count = 0
    tracks = doc.findall("track")
    _say_repeated_ids(tracks, xml, report)
    for track in tracks:
        label, source, group = track.get("label", ""), track.get("source"), track.get("group_id")
        track_id = track.get("id", "").strip()
        track_id = track_id if track_id.isdecimal() else None
        parts: dict[int, list[tuple[ET.Element, str, str | None]]] | None = None
        between = _between_keys(track)
        shown = _shown_frames(track)
        for n, shape in enumerate(track):
            if shape.tag == "track" and track_id is not None:
                _keep_outside(shape, track_id, shape.get("label", ""), outside, shown)
            if shape.tag in ("track", "attribute"):
                continue
            value = shape.get("frame")
            frame = frame_number(value)
            if frame is not None and shape.get("outside") == "1":
                if track_id is not None:
                    outside.append(outside_shape(track_id, None, frame, shape))
                continue
            if shape.get("outside") == "1":
                continue
            if frame is None:
                at = f"{xml}: <track> {track.get('id', '?')} ({label or 'no label'}): <{shape.tag}> {n + 1}"
                said = (
                    "no frame"
                    if value is None
                    else f"frame {short_repr(value)} is no frame number (0 to {10**MAX_FRAME_DIGITS - 1:,})"
                )
                report.often("skipped shapes", f"{at}: {said}; skipped", "invalid")
                continue
            made = _on_frame(shape, label, source, group, track_id)
            points: Sequence[tuple[ET.Element, str, str | None]] = ()  # a skeleton's parts on the frame
            if shape.tag == "skeleton":
                if parts is None:
                    at = f"{xml}: <track> {track.get('id', '?')} ({label or 'no label'})"
                    parts = _parts_by_frame(track, at, report)
                points = parts.get(frame, ())
                made.extend(_on_frame(p, lab, src, None) for p, lab, src in points)
            if shape in between and not _part_keyed(points, frame):
                interpolated[made] = between[shape]
            if frame not in frames:
                frames[frame] = _frame(frame, _frame_name(on_disk, frame), size)
            frames[frame].append(made)
            count += 1
    for frame, name in on_disk.items():  # the frames no track is on
        if frame not in frames:
            frames[frame] = _frame(frame, name, size)
    return [frames[f] for f in sorted(frames)], count


def _shown_frames(track: ET.Element) -> set[int]:
    """The frames a track's own shapes are on (not ``outside``)."""
    return {
        frame
        for shape in track
        if shape.tag not in ("track", "attribute")
        and shape.get("outside") != "1"
        and (frame := frame_number(shape.get("frame"))) is not None
    }


def _keep_outside(
    part: ET.Element, track: str, label: str, outside: list[dict[str, Any]], shown: set[int]
) -> None:
    """A skeleton's part track's outside points on the frames its skeleton is not on, into ``outside``
    (on the others they are the skeleton's points, ``outside`` there: its keypoints' unlabelled ones)."""
    for point in part:
        frame = frame_number(point.get("frame"))
        if (
            point.get("outside") == "1"
            and frame is not None
            and frame not in shown
            and point.tag != "attribute"
        ):
            outside.append(outside_shape(track, label, frame, point))


def frame_number(value: str | None) -> int | None:
    """A shape's ``frame`` as a number; None when it is none (missing, not ASCII digits, or more than
    ``MAX_FRAME_DIGITS`` of them: ``int()`` of 5,000 digits raised, and a frame past 2**63 made a project
    that could not be saved)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_FRAME_DIGITS):
        return None
    return int(text)


def _between_keys(track: ET.Element) -> dict[ET.Element, list[int]]:
    """The track's ``keyframe="0"`` shapes on the frame whose nearest keyframes before and after are both
    on the frame (not ``outside``), each with those two frame numbers."""
    keys: list[tuple[int, bool]] = []  # (frame, on the frame), in frame order
    between: list[tuple[ET.Element, int]] = []
    for shape in track:
        frame = frame_number(shape.get("frame"))
        if shape.tag in ("track", "attribute") or frame is None:
            continue
        if shape.get("keyframe") != "0":
            keys.append((frame, shape.get("outside") != "1"))
        elif shape.get("outside") != "1":
            between.append((shape, frame))
    keys.sort()
    frames = [f for f, _ in keys]
    found: dict[ET.Element, list[int]] = {}
    for shape, frame in between:
        before, after = bisect_left(frames, frame), bisect_right(frames, frame)
        if 0 < before == after < len(keys) and keys[before - 1][1] and keys[after][1]:
            found[shape] = [frames[before - 1], frames[after]]
    return found


def _part_keyed(points: Sequence[tuple[ET.Element, str, str | None]], frame: int) -> bool:
    """Whether a skeleton's part track has a keyframe of its own on ``frame`` (one of the skeleton's
    ``points`` there is given on it without ``keyframe="0"``): the pose there is then no fill (filling
    again would move that point off the place CVAT keeps)."""
    return any(p.get("keyframe") != "0" and frame_number(p.get("frame")) == frame for p, _l, _s in points)


def _parts_by_frame(
    track: ET.Element, at: str, report: Reporter
) -> dict[int, list[tuple[ET.Element, str, str | None]]]:
    """A skeleton track's part points by their frame number, each with its part's label and source, in
    file order; outside ones too (a skeleton on the frame holds them as its unlabelled points), and on
    the skeleton's later frames a part track left out after its outside point (CVAT writes it once). Made once
    per track: looking each skeleton's points up in every part again took hours for a file of 100,000
    frames (frames x points). A part with two shapes on one frame: the last is read, said naming ``at``."""
    found: dict[int, list[tuple[ET.Element, str, str | None]]] = {}
    shown = sorted(_shown_frames(track))
    for part in track.findall("track"):
        label, source = part.get("label", ""), part.get("source")
        points: dict[int, ET.Element] = {}
        twice: Counter[int] = Counter()
        for point in part:
            if point.tag != "attribute" and (frame := frame_number(point.get("frame"))) is not None:
                if frame in points:
                    twice[frame] += 1
                points[frame] = point
        for frame, n in sorted(twice.items()):  # (files joined by hand) CVAT gives a track one per frame
            said = f"part {short_repr(label)} has {n + 1} shapes on frame {frame}; the last one read"
            report.often("repeated points", f"{at}: {said}")
        last: ET.Element | None = None
        for frame in sorted({*points, *shown}):
            last = points.get(frame, last)
            if last is not None and (frame in points or last.get("outside") == "1"):
                # a point gone out of view stays out, where it was, until its track has one again
                found.setdefault(frame, []).append((last, label, source))
    return found


def _frame(frame: int, name: str, size: tuple[str, str]) -> ET.Element:
    return ET.Element("image", {"id": str(frame), "name": name, "width": size[0], "height": size[1]})


def _say_repeated_ids(tracks: list[ET.Element], xml: Path, report: Reporter) -> None:
    """One line naming the track ids more than one ``<track>`` has (files joined by hand): CVAT numbers a
    task's tracks apart, so their objects, which share the ``track_id``, were likely not one track."""
    counts = Counter(t.get("id", "").strip() for t in tracks if t.get("id", "").strip())
    repeated = [f"{short_repr(i)} ({n} tracks)" for i, n in counts.items() if n > 1]
    if repeated:
        shown = ", ".join(repeated[:10]) + (f" and {len(repeated) - 10} more" if len(repeated) > 10 else "")
        report(
            f"{xml}: <track> ids used more than once: {shown}; their objects share the track_id "
            "(check them before exporting: a COCO video reader takes them for one object)"
        )
