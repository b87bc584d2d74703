"""CVAT for video ``<track>`` elements as the per-frame shapes of CVAT for images, so a video task's
annotations come in instead of being skipped whole.

CVAT writes a track's shape on every frame it is on (keyframes and the interpolated ones between them,
``keyframe="0"``), each with ``frame`` and ``outside``; a shape with ``outside="1"`` marks where the
object left the view and is no shape. Each frame becomes an ``<image>`` named as CVAT names the frames of
a video export (``frame_000010.png`` in ``images/``; the extension is the one found there, else ``png``)
of the task's ``original_size``; a skeleton track's points are its part tracks' points on that frame.
The track's identity across frames is not kept (PixelProof objects are one image's). A shape whose
``frame`` is no frame number (a whole number from 0) is skipped and said, naming its track and place.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from pixelproof.core.limits import short_repr
from pixelproof.interop._util import Reporter, is_file

_FRAME_KEYS = ("frame", "outside", "keyframe")


def _size(doc: ET.Element) -> tuple[str, str] | None:
    for at in ("meta/task/original_size", "meta/job/original_size", "meta/original_size"):
        node = doc.find(at)
        if node is not None:
            return node.findtext("width", ""), node.findtext("height", "")
    return None


def _frame_name(root: Path, frame: int) -> str:
    stem = f"frame_{frame:06d}"
    for suffix in (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"):
        if is_file(root / "images" / (stem + suffix)):
            return stem + suffix
    return stem + ".png"


def _on_frame(shape: ET.Element, label: str, source: str | None, group: str | None) -> ET.Element:
    """A track's shape as a CVAT for images shape: no frame keys, the track's label, source and group."""
    made = ET.Element(shape.tag, {k: v for k, v in shape.attrib.items() if k not in _FRAME_KEYS})
    made.set("label", label)
    if source is not None and "source" not in made.attrib:
        made.set("source", source)
    if group not in (None, "0") and "group_id" not in made.attrib:
        made.set("group_id", group)
    made.extend(child for child in shape if child.tag == "attribute")
    return made


def frames_of_tracks(
    doc: ET.Element, root: Path, xml: Path, report: Reporter
) -> tuple[list[ET.Element], int]:
    """The ``<image>`` elements of the frames the file's tracks are on, in frame order, and how many
    shapes they hold; none when the file gives no frame size (then the tracks stay skipped). A shape
    without a frame number is said to ``report`` (``xml: <track> 3 (car): <box> 2``) and skipped."""
    size = _size(doc)
    if size is None:
        return [], 0
    frames: dict[int, ET.Element] = {}
    count = 0
    for track in doc.findall("track"):
        label, source, group = track.get("label", ""), track.get("source"), track.get("group_id")
        for n, shape in enumerate(track):
            if shape.tag in ("track", "attribute") or shape.get("outside") == "1":
                continue
            value = shape.get("frame")
            frame = int(value) if value is not None and value.strip().isdecimal() else None
            if frame is None:
                at = f"{xml}: <track> {track.get('id', '?')} ({label or 'no label'}): <{shape.tag}> {n + 1}"
                said = "no frame" if value is None else f"frame {short_repr(value)} is no frame number"
                report.often("skipped shapes", f"{at}: {said}; skipped", "invalid")
                continue
            made = _on_frame(shape, label, source, group)
            if shape.tag == "skeleton":
                for part in track.findall("track"):
                    for point in part:
                        if point.get("frame") == shape.get("frame") and point.get("outside") != "1":
                            made.append(_on_frame(point, part.get("label", ""), part.get("source"), None))
            if frame not in frames:
                name = _frame_name(root, frame)
                frames[frame] = ET.Element(
                    "image", {"id": str(frame), "name": name, "width": size[0], "height": size[1]}
                )
            frames[frame].append(made)
            count += 1
    return [frames[f] for f in sorted(frames)], count
