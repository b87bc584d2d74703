"""A video's frames dealt out by ``split`` in contiguous ranges, as CVAT cuts a video task into jobs (segment
size, overlap frames at the boundaries): a track is continuous in a shard only where its annotator holds
consecutive frames. No Qt.

A video is a folder of the project (the image sequences ``frame_sequences`` numbers, which outside marks
name) whose images are a video's frames: named as CVAT names them (``frame_000010.png``), or holding an
object on a track, or named by an outside mark (Track Leaves View Here). Other folders' images are stills,
dealt at random as before.

Each video is cut into one range per annotator (fewer when it has fewer frames), in frame order: the first
range to the first annotator named, the next to the next, sizes within one frame of each other, the longer
ranges to the annotators holding fewest images so far (several videos balance out). With an overlap share
``F``, about ``F`` of a video's frames are shared at the boundaries between consecutive ranges, at least one
frame per boundary: the frames either side of it go to both annotators whose ranges meet there, so merge
matches a track across the boundary.
"""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.core.clipboard import track_of
from pixelproof.core.frame_sequences import FRAME_FILE, sequence_frames, sequence_name
from pixelproof.core.model import Project
from pixelproof.core.paths import name_parts


def video_frames(project: Project, image_ids: Iterable[int]) -> list[list[int]]:
    """The images of ``image_ids`` that are frames of a video (module docstring), each video's in frame
    order; videos in the order of their first image in ``image_ids``."""
    wanted = list(image_ids)
    folders: dict[str, list[int]] = {}
    for image_id in wanted:
        folders.setdefault(sequence_name(project, image_id) or "", []).append(image_id)
    videos = {
        f
        for f, ids in folders.items()
        if all(_cvat_named(project.images[i].file_name) for i in ids) and len(ids) > 1
    }
    for ann in project.annotations.values():
        if track_of(ann) is not None and ann.image_id in project.images:
            videos.add(sequence_name(project, ann.image_id) or "")
    videos |= _marked_folders(project)
    keep = set(wanted)
    out = []
    for folder, ids in folders.items():
        if folder in videos:
            out.append([i for _frame, i in sequence_frames(project, ids[0]) if i in keep])
    return out


def _cvat_named(file_name: str) -> bool:
    parts = name_parts(file_name)
    return bool(parts) and FRAME_FILE.fullmatch(parts[-1]) is not None


def _marked_folders(project: Project) -> set[str]:
    """The folders outside marks name (a mark naming none is of every video: it makes no folder one)."""
    from pixelproof.core.track_outside import (  # it imports the edits (OpenCV)
        SEQUENCE,
        is_mark,
        outside_marks,
    )

    return {e[SEQUENCE] for e in outside_marks(project) if is_mark(e) and isinstance(e.get(SEQUENCE), str)}


def deal_ranges(frames: list[int], load: list[int], overlap: float) -> list[tuple[int, list[int]]]:
    """Each frame of one video (``frames``, in frame order) with the annotator indexes it goes to: one
    contiguous range per annotator (module docstring). ``load`` (images each annotator holds so far) is
    updated."""
    n = len(load)
    count = min(n, len(frames))
    if count == 0:
        return []
    by_load = sorted(range(n), key=lambda k: (load[k], k))
    chosen = sorted(by_load[:count])  # fewer frames than annotators: those holding fewest get one each
    size, longer = divmod(len(frames), count)
    plus = set(sorted(chosen, key=lambda k: (load[k], k))[:longer])
    ranges: list[list[int]] = []
    start = 0
    for k in chosen:
        end = start + size + (k in plus)
        ranges.append(frames[start:end])
        start = end
    who: dict[int, list[int]] = {f: [k] for k, part in zip(chosen, ranges, strict=True) for f in part}
    if overlap > 0 and count > 1:
        shared = max(1, round(overlap * len(frames) / (count - 1)))  # frames per boundary
        for b in range(count - 1):
            left, right = ranges[b], ranges[b + 1]
            for f in left[len(left) - min(len(left), (shared + 1) // 2) :]:
                who[f].append(chosen[b + 1])
            for f in right[: min(len(right), shared // 2)]:
                who[f].append(chosen[b])
    out = [(f, sorted(set(who[f]))) for f in frames]
    for _f, ks in out:
        for k in ks:
            load[k] += 1
    return out
