"""Outside marks (Tracks > Track Leaves View Here, CVAT's ``outside``: ``core.track_outside``) through a split
and a merge. No Qt.

A mark names its video's folder and a frame number, and both are the project's own: the folder is relative
to the project file (a shard saved elsewhere names it ``../clip``) and, where frames are not named as CVAT
names them, a frame's number is its place among the folder's images - a shard holding frames 3, 7 and 9 of
a video numbers them 0, 1, 2. So a mark is followed to its image (``image_of``) and written again in the
numbering of the project it goes to.

The split deals a video's frames in contiguous ranges (``core.split_ranges``, as CVAT's jobs; the overlap
frames at the ranges' boundaries), and the marks follow the frames: a shard holds the marks on the frames
dealt to it (an overlap frame's to each of its annotators), and records them (``MARKS_AT_SPLIT``: image id
-> the tracks marked there, images with a mark only). A mark the split cannot follow to an image (no video
named, a frame with no image, a skeleton point's outside shape) is copied to every shard as before.

The merge decides each (frame, track) of the frames dealt to a shard with the record, three-way: against
the base (``--into``) or, without one, the record itself. A mark an annotator added on a frame dealt to them
is added, one they removed is removed, one nobody touched stays as the base holds it now (a mark the lead
added or removed since the split stays so). Annotators of one overlap frame who leave it differently (one
marks the track there, another not): the mark is kept (the union) and an ``outside_marks_differ`` conflict
names the frame, the track and who marked it. A mark in a shard on a frame not dealt to it (a frame the
annotator added: another annotator's, the lead's or a new one; a honeypot) is not merged, and an
``outside_mark_not_dealt`` conflict names the shard, the track, the video folder and the frame, so it is
not lost unsaid.
Shards that record no marks (split by an earlier PixelProof) merge as before: the base's marks (without
``--into``, the first shard's) and nothing of the shards'. A record edited into no object (a list, a number)
is read as recording none dealt: the shard's marks on its frames count as its annotator's, never lost unsaid.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pixelproof.core.frame_sequences import frame_numbers, sequence_name, sequence_of
from pixelproof.core.model import ImageRecord, Project, id_key
from pixelproof.core.track_outside import SEQUENCE, SetOutsideMarks, is_mark, mark_track, outside_marks

if TYPE_CHECKING:
    from pixelproof.core.merge_decisions import Source
    from pixelproof.core.merge_image import Conflict

MARKS_AT_SPLIT = "outside_at_split"  # the shard's record: {"<image id>": ["<track>", ...]}


def frames_of(project: Project) -> dict[tuple[str, int], int]:
    """(video folder, frame number) -> image id, as ``project`` numbers its frames (``frame_sequences``)."""
    out: dict[tuple[str, int], int] = {}
    done: set[str] = set()
    for image_id in project.images:
        name = sequence_name(project, image_id)
        if name is None or name in done:
            continue
        done.add(name)
        found = sequence_of(project, image_id)
        for frame, member in found.frames if found is not None else ():
            out[(name, frame)] = member
    return out


def image_of(entry: Any, frames: dict[tuple[str, int], int]) -> int | None:
    """The image a mark is on (``frames``: ``frames_of`` its project), or None: not a mark of a track, no
    video named (a mark of every video), or no image on that frame."""
    if not is_mark(entry) or not isinstance(entry.get(SEQUENCE), str):
        return None
    return frames.get((entry[SEQUENCE], entry["frame"]))


def placed(project: Project, entry: dict[str, Any], image_id: int) -> dict[str, Any]:
    """A copy of mark ``entry`` on image ``image_id`` of ``project``, in its folder and numbering."""
    found = sequence_of(project, image_id)
    out = copy.deepcopy(entry)
    out[SEQUENCE] = sequence_name(project, image_id)
    out["frame"] = found.frames[found.places[image_id]][0] if found is not None else entry["frame"]
    return out


def deal_marks(project: Project, shard: Project, dealt: Iterable[int]) -> dict[str, list[str]]:
    """Give ``shard`` (a split's copy of ``project``) the marks on the frames ``dealt`` to it, in its own
    numbering, and those no frame holds; returns the record of the marks dealt (``MARKS_AT_SPLIT``)."""
    entries = outside_marks(project)
    if not entries:
        return {}
    frames, dealt = frames_of(project), set(dealt)
    kept: list[Any] = []
    record: dict[str, list[str]] = {}
    for entry in entries:
        image_id = image_of(entry, frames)
        if image_id is None:
            kept.append(entry)
        elif image_id in dealt:
            kept.append(placed(shard, entry, image_id))
            tracks = record.setdefault(str(image_id), [])
            if mark_track(entry) not in tracks:
                tracks.append(mark_track(entry))
    SetOutsideMarks(kept, 0, "").apply(shard)
    return record


def _dealt(source: Source) -> tuple[dict[int, int], set[tuple[int, str]]] | None:
    """A shard's images dealt out (its id -> the merged id) and the marks dealt on them (merged id, track),
    or None when it records no marks (no split's shard, or an earlier PixelProof's)."""
    info = source.project.app.get("shard")
    record = info.get(MARKS_AT_SPLIT) if isinstance(info, dict) else None
    images = info.get("at_split") if isinstance(info, dict) else None
    if record is not None and not isinstance(record, dict):
        record = {}  # edited by hand into no record: its marks count as the annotator's, none lost unsaid
    if not isinstance(record, dict) or not isinstance(images, dict):
        return None
    ids = {i: source.image_ids[i] for k in images if (i := id_key(k)) in source.image_ids}
    had = set()
    for key, tracks in record.items():
        merged = ids.get(id_key(key))  # type: ignore[arg-type]
        for track in tracks if isinstance(tracks, list) and merged is not None else ():
            if isinstance(track, str):
                had.add((merged, track))
    return ids, had


def _marks(source: Source, only: Iterable[int] | None = None) -> dict[tuple[int, str], dict[str, Any]]:
    """A source's marks that lie on its images merged (of ``only``: those ids), by (merged id, track)."""
    frames, out = frames_of(source.project), {}
    mine = source.image_ids if only is None else {i: source.image_ids[i] for i in only}
    for entry in outside_marks(source.project):
        image_id = image_of(entry, frames)
        if image_id in mine:
            out.setdefault((mine[image_id], mark_track(entry)), entry)
    return out


def carry_marks(
    merged: Project, base: Source | None, shards: list[Source], names: list[str]
) -> tuple[list[Conflict], int]:
    """Set ``merged``'s marks: those of the frames dealt out as the shards left them, three-way (module
    docstring), the others as the base (or, without one, the first shard) holds them, all in ``merged``'s
    numbering. Returns the conflicts and how many marks the shards changed. ``merged``'s extras are the
    base's (the first shard's) as ``merge_assembly`` took them; nothing of the sources is changed."""
    dealt = [(k, found) for k, s in enumerate(shards) if (found := _dealt(s)) is not None]
    if not dealt:
        return [], 0  # shards of an earlier split: the marks the merged project took, as before
    owners: dict[int, list[int]] = {}
    had: dict[int, set[tuple[int, str]]] = {}
    now: dict[int, dict[tuple[int, str], dict[str, Any]]] = {}
    for k, (ids, marks) in dealt:
        had[k], now[k] = marks, _marks(shards[k], ids)
        for merged_id in ids.values():
            owners.setdefault(merged_id, []).append(k)
    source = base if base is not None else shards[0]
    carried = base is not None or not any(k == 0 for k, _ in dealt)  # the source's own marks merge as before
    before = _marks(base) if base is not None else {}
    frames = frames_of(source.project)
    kept: list[Any] = []
    for entry in outside_marks(merged):
        image_id = image_of(entry, frames)
        to = source.image_ids.get(image_id) if image_id is not None else None
        if image_id is None:
            kept.append(entry)  # no frame's: as the merged project took it
        elif carried and to is not None and to not in owners:
            kept.append(placed(merged, entry, to))  # a frame no shard was dealt: the base's
    order = {image_id: place for place, image_id in enumerate(merged.images)}
    wanted = {key for k in had for key in [*had[k], *now[k]]} | {key for key in before if key[0] in owners}
    conflicts: list[Conflict] = []
    changed = 0
    for key in sorted(wanted, key=lambda key: (order[key[0]], key[1])):
        who = owners[key[0]]
        start = key in before if base is not None else any(key in had[k] for k in who)
        states = {k: key in now[k] for k in who}
        moved = [k for k in who if states[k] != (key in had[k])]
        keep = any(states.values()) if moved else start  # disagreeing: the union
        changed += keep != start
        if len(set(states.values())) > 1:
            marked = [names[k] for k in who if states[k]]
            conflicts.append(_differ(merged, *key, marked, [names[k] for k in who if not states[k]]))
        if keep:  # a shard's that marked it anew (a CVAT mark's geometry with it), else the one before
            entry = next((now[k][key] for k in moved if key in now[k]), None) or before.get(key)
            entry = entry or next(now[k][key] for k in who if key in now[k])
            kept.append(placed(merged, entry, key[0]))
    SetOutsideMarks(kept, 0, "").apply(merged)
    for k, (ids, _) in dealt:
        conflicts += _not_dealt(merged, shards[k], ids, names[k]) + _renumbered(shards[k], names[k])
    return conflicts, changed


def _renumbered(source: Source, name: str) -> list[Conflict]:
    """The conflicts of the marks in shard ``source`` whose frame number names another image now than when
    the shard was made: a frame the annotator added amid a video's frames numbered by place shifts the
    numbers of the frames after it, so a mark made before it moved to the frame before. Merged as the shard
    numbers its frames now (a mark made after it is right), and said, so it is checked."""
    from pixelproof.core.merge_image import Conflict  # it imports the split, which imports this module

    project, info = source.project, source.project.app.get("shard")
    dealt = info.get("at_split") if isinstance(info, dict) else None
    folders: dict[str, list[ImageRecord]] = {}
    for key in dealt if isinstance(dealt, dict) else ():
        image_id = id_key(key)
        if image_id in project.images and (folder := sequence_name(project, image_id)) is not None:
            folders.setdefault(folder, []).append(project.images[image_id])
    then = {(f, n): i for f, images in folders.items() for i, n in frame_numbers(images).items()}
    now, out = frames_of(project), []
    for entry in outside_marks(project):
        key = (
            (entry[SEQUENCE], entry["frame"])
            if is_mark(entry) and isinstance(entry.get(SEQUENCE), str)
            else None
        )
        was, is_now = then.get(key), now.get(key)  # type: ignore[arg-type]
        if was is None or is_now is None or was == is_now:
            continue
        track, file_name, dealt_as = (
            mark_track(entry),
            project.images[is_now].file_name,
            project.images[was].file_name,
        )
        out.append(
            Conflict(
                "outside_mark_renumbered",
                f"{file_name}: track {track} leaves the view here (video {key[0]}, frame {key[1]}) in "
                f"{name}'s shard, whose frame {key[1]} was {dealt_as} as dealt: a frame added "
                "among the video's frames renumbered those after it; the mark is merged here, check it "
                "(Tracks > Track Leaves View Here on the right frame)",
                file_name,
                [name],
                {
                    "track": track,
                    "sequence": key[0],
                    "frame": key[1],
                    "dealt_as": project.images[was].file_name,
                },
            )
        )
    return out


def _not_dealt(merged: Project, source: Source, ids: dict[int, int], name: str) -> list[Conflict]:
    """The conflicts of the marks in shard ``source`` (named ``name``) on its frames not dealt to it
    (``ids``: those dealt), which the merge does not carry: named in the merged project's folder and
    numbering where the frame was merged, else as the shard holds it."""
    from pixelproof.core.merge_image import Conflict  # it imports the split, which imports this module

    frames, seen, out = frames_of(source.project), set(), []
    for entry in outside_marks(source.project):
        image_id = image_of(entry, frames)
        if image_id is None or image_id in ids or (image_id, mark_track(entry)) in seen:
            continue  # no frame's (as the split copied it) or one dealt: carried above
        seen.add((image_id, mark_track(entry)))
        to = source.image_ids.get(image_id)
        if to in merged.images:
            mark, file_name = placed(merged, entry, to), merged.images[to].file_name  # type: ignore[index]
        else:  # not merged (a honeypot): as the shard names it
            mark, file_name = entry, source.project.images[image_id].file_name
        track, video, frame = mark_track(entry), mark[SEQUENCE], mark["frame"]
        out.append(
            Conflict(
                "outside_mark_not_dealt",
                f"{file_name}: track {track} leaves the view here (video {video}, frame {frame}) in {name}'s "
                f"shard, which was not dealt this frame; the mark is not merged (Tracks > Track Leaves View "
                "Here on that frame makes it)",
                file_name,
                [name],
                {"track": track, "sequence": video, "frame": frame},
            )
        )
    return out


def _differ(merged: Project, image_id: int, track: str, marked: list[str], unmarked: list[str]) -> Conflict:
    """The conflict of an overlap frame whose annotators left a track's mark differently."""
    from pixelproof.core.merge_image import Conflict  # it imports the split, which imports this module

    file_name = merged.images[image_id].file_name
    mark = placed(merged, {"track": track, "frame": 0}, image_id)
    return Conflict(
        "outside_marks_differ",
        f"{file_name}: track {track} leaves the view here in {', '.join(marked)}'s shard, not in "
        f"{', '.join(unmarked)}'s; the mark is kept (Tracks > Track Leaves View Here on that frame takes it "
        "away)",
        file_name,
        marked + unmarked,
        {"track": track, "sequence": mark[SEQUENCE], "frame": mark["frame"], "marked_in": marked},
    )
