"""Outside marks (``core.track_outside``) that follow what they mark when a video's frames or tracks change:
images added to a video's folder (File > Add Images, ``pixelproof add``, a merge) or taken from it, and
Tracks > Merge Tracks and Split Track Here. No Qt.

A mark names its frame by number: the frame's place in its video as ``core.frame_sequences`` numbers it.
An image added to the folder shifts the places after it (and one not named ``frame_000010.png`` turns a
folder numbered by its names into one numbered by place), so ``renumbered`` gives each mark the number its
frame's file has afterwards: the mark stays on the same frame file. A mark between two frames (a number no
file has: a CVAT task's step) keeps its distance from the first frame after it where that still lies after
the frame before it, else goes on that next frame; one after the last frame keeps its distance from it. A
mark whose frame is taken away goes with it, as CVAT counts a deleted frame as no frame at all and ignores
the track keyframes on it (its maintainers, cvat-ai/cvat issue 9468). A mark naming no video (made before
marks named theirs) holds in every video and is left as it is. AddImages renumbers in its own apply (so the
app's Add Images, ``pixelproof add`` and a merge's images all do) and its revert puts the list back as it
was: an undo step restores the images and the marks together.

Merge and Split move marks from track to track (``retracked``, ``split_marks``); of two marks that end up
the same (track, skeleton part, video, frame), the one of the track kept stays (it may hold CVAT's
geometry and attributes); the other is dropped.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import Any

from pixelproof.core.frame_sequences import frame_numbering, frame_numbers, named_frames
from pixelproof.core.model import ImageRecord
from pixelproof.core.paths import file_order_key, name_parts
from pixelproof.core.track_outside import SEQUENCE, mark_track

Mark = dict[str, Any]


def _folder(name: str) -> str:
    """An image's folder as ``frame_sequences.sequence_name`` names a video."""
    return "/".join(name_parts(name)[:-1])


def _members(images: list[ImageRecord], folder: str) -> list[ImageRecord]:
    """The images of ``folder``: a cheap test of the name first (the full split only for the likely ones:
    splitting 100,000 names took ~0.3 s an Add Images)."""
    if folder:  # its last part is in the name, whichever the separator
        last = folder.rsplit("/", 1)[-1]
        likely = (im for im in images if last in im.file_name)
    else:
        likely = (im for im in images if im.file_name.count("/") + im.file_name.count("\\") <= 1)
    return [im for im in likely if _folder(im.file_name) == folder]


def _frame_of(entry: Any) -> int | None:
    """A mark's (or kept outside shape's) frame number, None when it has no readable one."""
    frame = entry.get("frame") if isinstance(entry, dict) else None
    return frame if type(frame) is int and frame >= 0 else None


def renumbered(
    entries: list[Any], before: Iterable[ImageRecord], after: Iterable[ImageRecord]
) -> list[Any] | None:
    """The marks ``entries`` numbered for the images ``after`` instead of ``before`` (see the module
    docstring): a new list, None when no mark changes. Only the videos whose images differ are numbered."""
    before, after = list(before), list(after)
    named = {e[SEQUENCE] for e in entries if isinstance(e, dict) and isinstance(e.get(SEQUENCE), str)}
    was = {im.id: im.file_name for im in before}
    now = {im.id: im.file_name for im in after}
    touched = [name for iid, name in was.items() if now.get(iid) != name]
    touched += [name for iid, name in now.items() if was.get(iid) != name]
    changed = named & {_folder(name) for name in touched}
    if not changed:
        return None
    moves = {}
    for f in changed:
        was_members = _members(before, f)
        moves[f] = _mover(was_members, _members_now(after, was, {im.id for im in was_members}, f))
    out: list[Any] = []
    for entry in entries:
        frame = _frame_of(entry)
        move = moves.get(entry.get(SEQUENCE)) if frame is not None else None  # type: ignore[union-attr]
        if move is None:
            out.append(entry)
        elif (to := move(frame)) is not None:  # type: ignore[arg-type]
            out.append(entry if to == frame else {**entry, "frame": to})
    return None if out == entries else out


def _members_now(
    after: list[ImageRecord], was: dict[int, str], members: set[int], folder: str
) -> list[ImageRecord]:
    """The images of ``folder`` among ``after``, in their order: an image whose name did not change is one
    when it was (``members``), so only the renamed and new ones' names are split."""
    return [
        im
        for im in after
        if (im.id in members if was.get(im.id) == im.file_name else _folder(im.file_name) == folder)
    ]


def _mover(before: list[ImageRecord], after: list[ImageRecord]) -> Callable[[int], int | None]:
    """Old frame number -> new one in one video (None: its frame was taken away)."""
    was, by_name = frame_numbering(before)
    kept = sorted((number, iid) for iid, number in was.items())  # the folder in file order
    return _shift(before, after, was if by_name else None, kept) or _renumbering(
        was, frame_numbers(after), kept
    )


def _renumbering(
    was: dict[int, int], now: dict[int, int], frames: list[tuple[int, int]]
) -> Callable[[int], int | None]:
    """The mover from the folder's numbering before (``was``; ``frames``: its (number, id) sorted) and
    after (``now``)."""
    kept = [(n, iid) for n, iid in frames if iid in now]  # the frames still there
    gone = {number for iid, number in was.items() if iid not in now}
    return _move_by([n for n, _i in kept], lambda k: now[kept[k][1]], gone)


def _shift(
    before: list[ImageRecord],
    after: list[ImageRecord],
    named: dict[int, int] | None,
    kept: list[tuple[int, int]],
) -> Callable[[int], int | None] | None:
    """The mover when images were only added after the folder's (``after`` starts with ``before``, as
    AddImages appends; ``named``: the old numbers when by name; ``kept``: the (number, id) sorted), without
    numbering the folder again: a frame's new place is its old one plus the added images sorted before it,
    found by bisecting each into the old order (None: not that case). Numbering 100,000 frames twice took
    ~1.5 s an Add Images."""
    if len(after) <= len(before) or any(a is not b for a, b in zip(before, after, strict=False)):
        return None
    added = after[len(before) :]
    if not before:
        return lambda frame: frame
    new = named_frames(added) if named is not None else None
    if named is not None and new is not None and not set(new.values()) & set(named.values()):
        return lambda frame: frame  # still numbered by name (each number once): no number changes
    names = {im.id: im.file_name for im in before}
    order = [iid for _n, iid in kept]
    # an added image sorts after the old ones of its key (they come first in ``after``: a stable sort)
    places = sorted(
        bisect_right(order, file_order_key(im.file_name), key=lambda iid: file_order_key(names[iid]))
        for im in added
    )
    return _move_by([n for n, _i in kept], lambda k: k + bisect_right(places, k), set())


def _move_by(numbers: list[int], now: Callable[[int], int], gone: set[int]) -> Callable[[int], int | None]:
    """Old frame number -> new one, from the sorted old ``numbers`` of the frames still there and ``now``,
    the new number of the ``k``-th of them; ``gone``: the numbers of the frames taken away."""

    def move(frame: int) -> int | None:
        if frame in gone:
            return None
        if not numbers:
            return frame
        k = bisect_left(numbers, frame)
        if k < len(numbers) and numbers[k] == frame:
            return now(k)
        if k == len(numbers):  # after the last frame: its distance from it
            return now(k - 1) + frame - numbers[-1]
        to = now(k) - (numbers[k] - frame)  # its distance from the next frame,
        return max(to, now(k - 1) + 1) if k else max(to, 0)  # after the frame before

    return move


def _key(entry: Mark) -> tuple[Any, ...]:
    return (mark_track(entry), entry.get("part"), entry.get(SEQUENCE), entry.get("frame"))


def retracked(entries: list[Any], rename: Callable[[Mark], str | None]) -> list[Any] | None:
    """The marks with each one ``rename`` gives a track (its id as text) put on it: a new list, None when
    none is. A moved mark the same as one not moved, or as one moved before it, is dropped."""
    moved: dict[int, str] = {}
    for k, entry in enumerate(entries):
        if isinstance(entry, dict) and mark_track(entry) is not None and (to := rename(entry)) is not None:
            moved[k] = to
    if not moved:
        return None
    seen = {_key(e) for k, e in enumerate(entries) if k not in moved and isinstance(e, dict)}
    out: list[Any] = []
    for k, entry in enumerate(entries):
        if k not in moved:
            out.append(entry)
            continue
        entry = {**entry, "track": moved[k]}
        if (key := _key(entry)) not in seen:
            seen.add(key)
            out.append(entry)
    return out


def merged_marks(entries: list[Any], first: int | str, others: Iterable[int | str]) -> list[Any] | None:
    """Tracks > Merge Tracks: the marks of tracks ``others`` put on track ``first`` (None: none had any)."""
    names = {str(t) for t in others}
    return retracked(entries, lambda e: str(first) if mark_track(e) in names else None)


def split_marks(
    entries: list[Any], track: int | str, new: int | str, video: str, frame: int
) -> list[Any] | None:
    """Tracks > Split Track Here at frame ``frame`` of video ``video``: the marks of ``track`` in that video
    on that frame and after put on track ``new`` (None: none). A mark naming no video stays for the other
    videos, and a copy naming this one goes to the new track."""
    name = str(track)
    later = [
        e
        for e in entries
        if isinstance(e, dict)
        and mark_track(e) == name
        and e.get(SEQUENCE) in (video, None)
        and (f := _frame_of(e)) is not None
        and f >= frame
    ]
    if not later:
        return None
    copies = [{**e, SEQUENCE: video} for e in later if e.get(SEQUENCE) is None]
    ids = {id(e) for e in later if e.get(SEQUENCE) == video} | {id(e) for e in copies}
    return retracked([*entries, *copies], lambda e: str(new) if id(e) in ids else None)
