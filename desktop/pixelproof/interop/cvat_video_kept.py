"""What a CVAT for video task holds beyond the objects PixelProof edits, kept in the project's extras
(``cvat_video``) so a CVAT round trip gives it back as it was.

- Each track's ``outside="1"`` shapes with their own geometry, ``occluded``, ``z_order`` and
  ``<attribute>`` values: CVAT keeps them (it interpolates from them when the object comes back into
  view), where the export made each one up from the shape before it, and dropped a second one.
- The task's ``size``, ``start_frame``, ``stop_frame`` and ``frame_filter`` (a task's range may end on a
  frame that has neither a file nor a shape: frame 19 of frames 10 to 19 in steps of 3), written back
  while the export's frames are the ones read; and its ``z_order`` flag.

The outside list is also where Tracks > Track Leaves View Here puts its marks (``core.track_outside``, whose
``KEPT`` key this is): one made there has no ``tag`` and is written with the geometry of its track's shape
before it. Each names its video (``sequence``: the folder the task's frames were read into, or the marked
frame's), and is written on that video's frame as the export numbers it: in a project of two videos the
export numbers the frames anew (one task), and a mark of one video on frame 12 goes on that video's frame
12, never the other's. One whose frame the export has no frame for (its video renumbered, or none of its
frames written) is said and left out; one without a video (older projects) is written on its frame number.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from typing import Any

from pixelproof.core.frame_sequences import sequence_name, sequence_of
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.model import Project
from pixelproof.core.names import shown_name
from pixelproof.core.paths import name_parts
from pixelproof.core.track_outside import KEPT, OUTSIDE, SEQUENCE, mark_track
from pixelproof.core.wording import plural
from pixelproof.interop._util import as_dict

KEY = KEPT  # the project's extras key (a top-level key of the project file)
_RANGE = ("size", "start_frame", "stop_frame", "frame_filter")
_TASK = (*_RANGE, "z_order")
_TRACK_SHAPES = ("box", "polygon", "polyline", "points", "ellipse", "cuboid", "mask", "skeleton")


def outside_shape(track: str, part: str | None, frame: int, shape: ET.Element) -> dict[str, Any]:
    """An ``outside="1"`` shape of track ``track`` (of its part track labelled ``part``, for a skeleton's
    point) as data to write back."""
    attributes = {a.get("name", ""): a.text or "" for a in shape.findall("attribute")}
    return {
        "track": track,
        "part": part,
        "frame": frame,
        "tag": shape.tag,
        "attrib": dict(shape.attrib),
        "attributes": attributes,
    }


def _digest(frames: list[int]) -> str:
    """The frames as one short text: a video's 100,000 frame numbers need not be in the project file."""
    return hashlib.sha1(",".join(map(str, sorted(set(frames)))).encode()).hexdigest()


def keep_task(project: Project, doc: ET.Element, frames: list[int], outside: list[dict[str, Any]]) -> None:
    """Keep the task's fields (``_TASK``, as written) with the frames read, and the tracks' outside
    shapes, in ``project.extra``."""
    task = doc.find("meta/task")
    kept: dict[str, Any] = {"frames": _digest(frames)}
    if task is not None:
        fields = {tag: task.findtext(tag) for tag in _TASK}
        kept["task"] = {tag: text for tag, text in fields.items() if text is not None}
    if outside:
        kept[OUTSIDE] = outside
    project.extra[KEY] = kept


def name_sequence(project: Project, frame_name: str, outside: list[dict[str, Any]]) -> None:
    """Give the task's outside shapes their video (``SEQUENCE``): the folder of the project's image named
    ``frame_name`` (a frame of the task, as the reader named it), which all the task's frames are in."""
    found = next((i for i in project.images.values() if name_parts(i.file_name)[-1:] == (frame_name,)), None)
    video = sequence_name(project, found.id) if found is not None else None
    for entry in outside if video is not None else ():
        entry[SEQUENCE] = video


def task_fields(project: Project, frames: list[int]) -> dict[str, str]:
    """The kept task fields to write: the frame range and size only while the export's frames are the
    ones read (none added or removed), ``z_order`` always."""
    kept = as_dict(project.extra.get(KEY))
    task = {k: str(v) for k, v in as_dict(kept.get("task")).items() if k in _TASK and isinstance(v, str)}
    if kept.get("frames") != _digest(frames):
        task = {k: v for k, v in task.items() if k not in _RANGE}
    return task


class KeptOutside:
    """The outside shapes kept from CVAT, handed to the tracks that still have their id; ``unused()``
    says each one no track took, naming its track and frame. ``frames``: the export's frame number of each
    image written (image id -> number), which a shape of a video is put on (module docstring). ``named``: the
    number each track named by text is written as (``core.tracks.named_tracks``), its marks' too."""

    def __init__(
        self, project: Project, frames: dict[int, int] | None = None, named: dict[str, int] | None = None
    ) -> None:
        self._by_track: dict[tuple[str, str | None], list[tuple[dict[str, Any], int]]] = {}
        self.messages: list[str] = []
        self.bad = 0
        written, renumbered = _written(project, frames or {})
        videos = {video for video, _frame in written}
        found = as_dict(project.extra.get(KEY)).get(OUTSIDE)
        for entry in found if isinstance(found, list) else []:
            entry = as_dict(entry)
            track, part, frame = mark_track(entry), entry.get("part"), entry.get("frame")
            track = str(named[track]) if named and track in named else track
            video = entry.get(SEQUENCE)
            if (
                track is None
                or not (part is None or isinstance(part, str))
                or type(frame) is not int
                or frame < 0
                or not (video is None or isinstance(video, str))
                or (entry.get("tag") not in _TRACK_SHAPES and not (entry.get("tag") is None and part is None))
            ):
                self.bad += 1
                continue
            at = frame if video is None else written.get((video, frame))
            if at is None and frames is not None and (video in renumbered or video not in videos):
                self._say(entry, f"its video ({_video(str(video))}) has no frame {frame} in this export")
                continue
            # a frame past a video's last (CVAT's outside after a track's end): numbered as read
            self._by_track.setdefault((track, part), []).append((entry, frame if at is None else at))

    def take(self, track: str, part: str | None, tag: str, on: set[int]) -> dict[int, ET.Element | None]:
        """Track ``track``'s (part ``part``'s) outside shapes by frame, as they were read (None: a mark made
        in PixelProof, written with the shape before it); one of another kind of shape, or on a frame the
        track is on now, is said and left out."""
        out: dict[int, ET.Element | None] = {}
        for entry, frame in self._by_track.pop((track, part), []):
            if entry["tag"] is None:
                if frame in on:
                    self._say(entry, "the object is on that frame now")
                elif frame not in out:
                    out[frame] = None
            elif entry["tag"] != tag:
                self._say(entry, f"the track is a <{tag}> track now")
            elif frame in on:
                self._say(entry, "the object is on that frame now")
            elif frame in out:
                self._say(entry, "a second one on that frame")
            else:
                out[frame] = _element(entry, frame)
        return out

    def count(self) -> int:
        """How many outside shapes are kept."""
        return sum(map(len, self._by_track.values()))

    def unused(self) -> list[str]:
        """The messages, with one for each outside shape whose track is gone."""
        for entries in self._by_track.values():
            for entry, _frame in entries:
                self._say(entry, "the track has no object left")
        self._by_track.clear()
        if self.bad:
            self.messages.append(
                f"{plural(self.bad, 'outside shape')} kept in the project's {KEY} extras left out: "
                "not readable"
            )
        return self.messages

    def _say(self, entry: dict[str, Any], why: str) -> None:
        part = f" (part {entry['part']})" if entry["part"] is not None else ""
        what = f"outside <{entry['tag']}>" if entry["tag"] is not None else "leaves-view mark"
        self.messages.append(
            f"track {entry['track']}{part}: {what} on frame {entry['frame']} "
            f"kept from CVAT not written: {why}"
        )


def _video(folder: str) -> str:
    """A video named by its folder, as a message says it."""
    return f"folder {shown_name(folder, NAME_IN_TEXT)}" if folder else "the project's top folder"


def _written(project: Project, frames: dict[int, int]) -> tuple[dict[tuple[str, int], int], set[str]]:
    """(video, its frame number) -> the export's frame number, for the images written; and the videos
    whose frames the export numbers otherwise (a project of several videos: one task, numbered anew)."""
    written: dict[tuple[str, int], int] = {}
    renumbered: set[str] = set()
    for image_id, number in frames.items():
        sequence, video = sequence_of(project, image_id), sequence_name(project, image_id)
        if sequence is None or video is None:
            continue
        own = sequence.frames[sequence.places[image_id]][0]
        written[(video, own)] = number
        if own != number:
            renumbered.add(video)
    return written, renumbered


def _element(entry: dict[str, Any], frame: int) -> ET.Element:
    attrib = {str(k): str(v) for k, v in as_dict(entry.get("attrib")).items()}
    attrib.update(frame=str(frame), outside="1")
    made = ET.Element(entry["tag"], attrib)
    for name, value in as_dict(entry.get("attributes")).items():
        ET.SubElement(made, "attribute", name=str(name)).text = str(value)
    return made
