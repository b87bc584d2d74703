"""Track ids through a merge: a track started in a shard (Tracks > New Track, or a number typed from the
shard's ``new_tracks_from`` on) is the annotator's own, not the track of that number in another shard or in
the base. Each annotator's New Track gives the same next number (one more than the project's highest at the
split), so two annotators labelling frames of one video get, say, track 8 each for two different cars: kept
as they are, the merge made them one track, two objects of it on a frame when their shards overlap.

So merge gives each shard's new tracks the next numbers no track of the merged project has (after the
base's, the tracks dealt out and the shards' before), shard by shard in the order given, a shard's tracks in
their order. Tracks below ``new_tracks_from`` - the ones the split dealt out, extended or edited in the
shard - keep their numbers. A shard that records no ``new_tracks_from`` (split by an earlier PixelProof, a
hand-made copy) keeps its numbers, as before. A renumbered track's outside marks (Track Leaves View Here)
name its new number. No Qt."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pixelproof.core.clipboard import TRACK_ID, track_of
from pixelproof.core.frame_sequences import sequence_of
from pixelproof.core.merge_image import Conflict
from pixelproof.core.model import Annotation, Project
from pixelproof.core.outside_follow import retracked
from pixelproof.core.split import subset
from pixelproof.core.track_outside import KEPT, OUTSIDE, mark_track, outside_marks
from pixelproof.core.tracks import as_number, free_track_ids, new_tracks_from, track_ids
from pixelproof.core.wording import first_few

if TYPE_CHECKING:
    from pixelproof.core.merge import Shard


def shard_tracks(shards: list[Shard], base: Project | None) -> tuple[list[Shard], list[tuple[str, int, int]]]:
    """``shards`` with their new tracks given free numbers (copies of the shards that have any: the
    projects given are not changed), and what was renumbered: (shard, its number, the merged one)."""
    taken = track_ids(base) if base is not None else set()
    for shard in shards:
        start = new_tracks_from(shard.project)
        taken |= {t for t in track_ids(shard.project) if start is None or t < start}
    owns = []
    for shard in shards:
        start = new_tracks_from(shard.project)
        owns.append(sorted(t for t in track_ids(shard.project) if start is not None and t >= start))
    # after the greatest taken, or the lowest free ones below LIMIT: a base track 999,999,999 gave the
    # shards' tracks ids from 10**9 on, which the CVAT export writes as no track and the Track field refuses
    following = iter(free_track_ids(taken, sum(map(len, owns))))
    out: list[Shard] = []
    moved: list[tuple[str, int, int]] = []
    for shard, own in zip(shards, owns, strict=True):
        if not own:
            out.append(shard)
            continue
        numbers = {}
        for t in own:
            numbers[t] = next(following)
            moved.append((shard.name, t, numbers[t]))
        out.append(replace(shard, project=_renumbered(shard.project, numbers)))
    return out, moved


def _renumbered(project: Project, numbers: dict[int, int]) -> Project:
    """A copy of ``project`` (objects with their own ``extra``) with track ``t`` as ``numbers[t]`` (a fill's
    digest is of its shape and class: an untouched fill stays one), its outside marks too (read as
    ``mark_track`` reads them: ``"05"`` is track 5's): a mark kept ``"5"`` named another shard's track 5
    after the merge, and its own track lost it (the fill crossed it)."""
    copy = subset(project, list(project.images))
    for ann in copy.annotations.values():
        track = as_number(track_of(ann))
        if track in numbers:
            ann.extra[TRACK_ID] = numbers[track]
    moved = {str(old): str(new) for old, new in numbers.items()}
    marks = retracked(outside_marks(copy), lambda e: moved.get(str(mark_track(e))))  # the copy's own
    if marks is not None:
        copy.extra[KEPT][OUTSIDE] = marks
    return copy


def tracks_text(rows: list[dict]) -> str:
    """The merge's line on the tracks it renumbered (the report's ``renumbered_tracks``), CLI and app alike;
    "" for none: ``tracks started in the shards numbered anew: ann's 5 as 6, bob's 5 as 7``."""
    if not rows:
        return ""
    shown = [f"{r['shard']}'s {r['track_id']} as {r['merged_as']}" for r in rows[:8]]
    more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
    return f"tracks started in the shards numbered anew (track_id): {', '.join(shown)}{more}"


def split_elsewhere(
    merged: Project, shards: list[Shard], images: list[dict[int, int]], moved: list[tuple[str, int, int]]
) -> list[Conflict]:
    """A dealt track one shard split (Tracks > Split Track Here) while it continues in another's frames: the
    split cut only the annotator's own frames, so after the merge the old track id comes back on the next
    annotator's ones. Said (``track_split_in_shard``: the track, its new number, the frames and shards), not
    rewritten: the lead chooses Merge Tracks or Split Track Here again. ``shards`` as ``shard_tracks`` gave
    them, ``moved`` its renumbering; ``images``: each shard's image ids -> the merged project's. The new
    track is one the shard started (a split's is: New Track's number), beginning on the frame after the
    dealt track's last in the shard, in its class, while the dealt track is on another shard's frame from
    there on."""
    owners: dict[int, set[str]] = {}
    for shard, ids in zip(shards, images, strict=True):
        for merged_id in ids.values():
            owners.setdefault(merged_id, set()).add(shard.name)
    out: list[Conflict] = []
    for shard, ids in zip(shards, images, strict=True):
        own = {m for name, _t, m in moved if name == shard.name}
        spans = _spans(shard.project, merged, ids) if own else {}  # track -> (sequence, places, objects)
        for new in sorted(own & set(spans)):
            seq, first, last, _ = spans[new]
            cut = [
                (s[2], t)
                for t, s in spans.items()
                if t not in own
                and s[0] is seq
                and s[2] < first
                and s[3][-1].category_id == spans[new][3][0].category_id
            ]
            if not cut:
                continue
            old = max(cut)[1]
            later = [
                (p, i)
                for p, (_f, i) in enumerate(seq.frames)
                if p >= first
                and shard.name not in owners.get(i, {shard.name})
                and any(as_number(track_of(a)) == old for a in merged.annotations_of(i))
            ]
            if later:
                out.append(_conflict(shard.name, old, new, seq, (first, last), later, owners))
    return out


def _spans(shard: Project, merged: Project, ids: dict[int, int]) -> dict[int, tuple]:
    """Each numbered track of ``shard``: its merged sequence, first and last place there, its objects in
    frame order (a track on frames of two videos: the first video's)."""
    found: dict[int, list[tuple[int, object, Annotation]]] = {}
    for ann in shard.annotations.values():
        track, image = as_number(track_of(ann)), ids.get(ann.image_id)
        seq = sequence_of(merged, image) if track is not None and image is not None else None
        if seq is not None:
            found.setdefault(track, []).append((seq.places[image], seq, ann))
    out = {}
    for track, rows in found.items():
        seq = rows[0][1]
        mine = sorted((p, a.id, a) for p, s, a in rows if s is seq)
        out[track] = (seq, mine[0][0], mine[-1][0], [a for _p, _i, a in mine])
    return out


def _conflict(
    name: str, old: int, new: int, seq: Any, span: tuple[int, int], later: list, owners: dict[int, set[str]]
) -> Conflict:
    frame = [f for f, _i in seq.frames]
    others = sorted({o for _p, i in later for o in owners.get(i, ()) if o != name})
    there = f"frame {frame[later[0][0]]}" + (f" to {frame[later[-1][0]]}" if len(later) > 1 else "")
    return Conflict(
        "track_split_in_shard",
        f"{name} split track {old} at frame {frame[span[0]]}: from there to frame {frame[span[1]]} "
        f"it is track {new}, but {first_few(others)}'s frames ({there}) still hold track {old}: to make "
        "them one track again, Tracks > Merge Tracks; to keep the cut for those frames, Split Track Here "
        f"on frame {frame[later[0][0]]}",
        None,
        [name, *others],
        {
            "track": old,
            "new_track": new,
            "frames": [frame[span[0]], frame[span[1]]],
            "continues_in": others,
            "frames_there": [frame[later[0][0]], frame[later[-1][0]]],
        },
    )
