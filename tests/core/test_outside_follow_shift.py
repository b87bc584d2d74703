"""Adding images to a video renumbers its outside marks by shifting them (``outside_follow._shift``: each
added image bisected into the old order) instead of numbering the folder twice; the marks must come out
exactly as the full renumbering gives them, on random folders (natural-sort names, CVAT's frame_NNNNNN
names, names tying in file order, marks on and between frames). No Qt."""

from __future__ import annotations

from bisect import bisect_left

from hypothesis import given, settings
from hypothesis import strategies as st

from pixelproof.core.edits.images import AddImages
from pixelproof.core.frame_sequences import FRAME_FILE, frame_numbers
from pixelproof.core.model import ImageRecord
from pixelproof.core.outside_follow import renumbered
from pixelproof.core.paths import file_order_key, name_parts
from pixelproof.core.track_outside import outside_marks

from .test_outside_follow_frames import clip


def full_move(before: list[ImageRecord], after: list[ImageRecord], frame: int) -> int | None:
    """The reference: both folders numbered in full (``frame_numbers`` twice), as renumbering was."""
    was, now = frame_numbers(before), frame_numbers(after)
    kept = sorted((number, iid) for iid, number in was.items() if iid in now)
    numbers = [n for n, _i in kept]
    if frame in {number for iid, number in was.items() if iid not in now}:
        return None
    if not kept:
        return frame
    k = bisect_left(numbers, frame)
    if k < len(kept) and numbers[k] == frame:
        return now[kept[k][1]]
    if k == len(kept):
        return now[kept[-1][1]] + frame - numbers[-1]
    to = now[kept[k][1]] - (numbers[k] - frame)
    return max(to, now[kept[k - 1][1]] + 1) if k else max(to, 0)


NAMES = st.one_of(
    st.integers(0, 40).map(lambda n: f"frame_{n:06d}.png"),  # CVAT's, numbered by name
    st.integers(0, 40).map(lambda n: f"frame_{n:07d}.PNG"),  # CVAT's too, a number written longer
    st.integers(0, 40).map(lambda n: f"frame_{n}.jpg"),  # ffmpeg's frame_%d: natural sort
    st.tuples(st.sampled_from(["img", "IMG", "img_", "a", "B", ""]), st.integers(0, 30)).map(
        lambda t: f"{t[0]}{t[1]}.png"
    ),
    st.sampled_from(["cover.png", "Cover.png", "z.png", "frame_000003.png"]),
)


def images(names: list[str], first_id: int, sep: str = "/") -> list[ImageRecord]:
    return [ImageRecord(first_id + k, f"clip{sep}{n}", 10, 10) for k, n in enumerate(names)]


@settings(max_examples=400, deadline=None)
@given(
    old=st.lists(NAMES, max_size=25),
    new=st.lists(NAMES, min_size=1, max_size=6),
    other=st.lists(NAMES, max_size=3),
    frames=st.lists(st.integers(0, 80), min_size=1, max_size=12),
    backslash=st.booleans(),
)
def test_added_images_move_the_marks_as_numbering_the_folder_twice_does(
    old: list[str], new: list[str], other: list[str], frames: list[int], backslash: bool
) -> None:
    before = images(old, 1) + [ImageRecord(500 + k, f"other/{n}", 10, 10) for k, n in enumerate(other)]
    added = images(new, 1000, "\\" if backslash else "/")  # a name with a backslash is in folder clip too
    after = before + added
    entries = [{"track": "1", "part": None, "frame": f, "tag": None, "sequence": "clip"} for f in frames]
    clip_before = [im for im in before if im.file_name.startswith("clip/")]
    expected = [full_move(clip_before, clip_before + added, f) for f in frames]
    got = renumbered(entries, before, after)
    assert [e["frame"] for e in (got if got is not None else entries)] == expected


@settings(max_examples=300, deadline=None)
@given(names=st.lists(NAMES, max_size=30), seps=st.lists(st.booleans(), min_size=30, max_size=30))
def test_frame_numbers_are_the_names_numbers_or_a_stable_sort_by_file_order_key(
    names: list[str], seps: list[bool]
) -> None:
    """The keys are made once per folder now (``_order_keys``): the numbering is the same as sorting by
    ``paths.file_order_key``, ties (one name written with either separator) kept in the images' order."""
    ims = [ImageRecord(k, ("clip\\" if seps[k] else "clip/") + n, 10, 10) for k, n in enumerate(names)]
    ims += [ImageRecord(100 + k, n, 10, 10) for k, n in enumerate(names[:3])]  # top folder
    numbers = [int(m.group(1)) for im in ims if (m := FRAME_FILE.fullmatch(name_parts(im.file_name)[-1]))]
    if len(numbers) == len(ims) == len(set(numbers)):
        return  # numbered by name
    ordered = sorted(ims, key=lambda im: file_order_key(im.file_name))
    assert frame_numbers(ims) == {im.id: k for k, im in enumerate(ordered)}


def test_add_images_on_a_long_cvat_video_shifts_its_marks_to_stay_on_their_files() -> None:
    p = clip([f"frame_{f:06d}.png" for f in range(0, 3000, 10)])  # numbered by name: 0, 10, ...
    p.extra["cvat_video"] = {
        "outside": [
            {"track": "1", "part": None, "frame": f, "tag": None, "sequence": "clip"} for f in (0, 15, 2990)
        ]
    }
    before = list(p.images.values())
    AddImages([ImageRecord(9999, "clip/cover.png", 10, 10)]).apply(p)  # by place now; cover.png first
    after = list(p.images.values())
    assert [m["frame"] for m in outside_marks(p)] == [full_move(before, after, f) for f in (0, 15, 2990)]
    assert [m["frame"] for m in outside_marks(p)] == [1, 3, 300]  # 15: just after frame_000010
