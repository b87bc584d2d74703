"""A video's frames numbered once (core.frame_sequences): the numbering is kept while the project's images
stay as they were, and made again whenever an image is added, removed (an undo too) or renamed - however it
happened - so Track Box Here, Go to Frame and a key's refill never act on frames numbered before."""

from __future__ import annotations

import pytest

from pixelproof.core import frame_sequences
from pixelproof.core.coco import new_project
from pixelproof.core.edits.images import AddImages, RelocateImages
from pixelproof.core.frame_sequences import sequence_frames, sequence_of
from pixelproof.core.model import ImageRecord, Project


def clip(frames: list[int]) -> Project:
    """``clip/frame_NNNNNN.png`` (image id = frame + 1) and another folder's ``other/a.png`` (id 99)."""
    p = new_project(["car"])
    for f in frames:
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 100, 80))
    p.add_image(ImageRecord(99, "other/a.png", 100, 80))
    return p


@pytest.fixture
def numberings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many folders were numbered (``frame_numbers`` called) since the test began."""
    calls: list[int] = []
    real = frame_sequences.frame_numbers
    monkeypatch.setattr(frame_sequences, "frame_numbers", lambda images: calls.append(1) or real(images))
    return calls


def test_a_folder_is_numbered_once_while_the_images_stay(numberings: list[int]) -> None:
    p = clip([0, 10, 20])
    assert sequence_frames(p, 1) == [(0, 1), (10, 11), (20, 21)]
    assert sequence_frames(p, 21) == [(0, 1), (10, 11), (20, 21)]
    assert sequence_of(p, 11).places == {1: 0, 11: 1, 21: 2}  # type: ignore[union-attr]
    assert len(numberings) == 1
    assert sequence_frames(p, 99) == [(0, 99)] and len(numberings) == 2  # another folder: its own
    frames = sequence_frames(p, 1)
    frames.clear()  # the caller's own list: the kept numbering is not changed
    assert sequence_frames(p, 1) == [(0, 1), (10, 11), (20, 21)] and len(numberings) == 2
    assert sequence_of(p, 12345) is None and sequence_frames(p, 12345) == []


def test_added_images_are_numbered_and_an_undo_removes_them_again(numberings: list[int]) -> None:
    p = clip([0, 10, 20])
    assert [f for f, _ in sequence_frames(p, 1)] == [0, 10, 20]
    add = AddImages([ImageRecord(6, "clip/frame_000005.png", 100, 80), ImageRecord(7, "x.png", 100, 80)])
    add.apply(p)
    assert sequence_frames(p, 1) == [(0, 1), (5, 6), (10, 11), (20, 21)]
    assert sequence_frames(p, 7) == [(0, 7)]
    add.revert(p)
    assert sequence_frames(p, 1) == [(0, 1), (10, 11), (20, 21)]
    assert sequence_of(p, 6) is None


def test_a_removed_image_leaves_the_sequence() -> None:
    p = clip([0, 10, 20])
    assert [i for _, i in sequence_frames(p, 1)] == [1, 11, 21]
    p.remove_image(11)
    assert sequence_frames(p, 1) == [(0, 1), (20, 21)]
    assert sequence_of(p, 21).places == {1: 0, 21: 1}  # type: ignore[union-attr]
    p.add_image(ImageRecord(11, "clip/frame_000030.png", 100, 80))  # the same id and count, another name
    assert sequence_frames(p, 1) == [(0, 1), (20, 21), (30, 11)]


def test_a_renamed_image_is_numbered_by_its_new_name_and_folder() -> None:
    p = clip([0, 10, 20])
    assert [f for f, _ in sequence_frames(p, 1)] == [0, 10, 20]
    move = RelocateImages({11: "clip/frame_000040.png"})
    move.apply(p)
    assert sequence_frames(p, 1) == [(0, 1), (20, 21), (40, 11)]
    move.revert(p)
    assert sequence_frames(p, 1) == [(0, 1), (10, 11), (20, 21)]
    p.images[21].file_name = "other/b.png"  # a name written in place (Save As rewriting the names does)
    assert sequence_frames(p, 1) == [(0, 1), (10, 11)]
    assert sequence_frames(p, 21) == [(0, 99), (1, 21)]  # into the other folder, in file order
    p.images[1].file_name = "clip/still.png"  # one name of another kind: the folder in file order
    assert sequence_frames(p, 11) == [(0, 11), (1, 1)]


def test_each_project_keeps_its_own_numbering() -> None:
    a, b = clip([0, 10]), clip([0, 10])
    assert sequence_frames(a, 1) == [(0, 1), (10, 11)]
    b.images[11].file_name = "clip/frame_000003.png"
    assert sequence_frames(b, 1) == [(0, 1), (3, 11)]
    assert sequence_frames(a, 1) == [(0, 1), (10, 11)]


def test_a_name_written_on_windows_is_a_frame_of_its_folder(tmp_path) -> None:
    """A hand-edited ``clip\\frame_000003.png`` is a frame of ``clip``, where the loader finds its file
    (``paths.stored_path``), not of the root folder; a drive name's folder is its folder either slash."""
    from pixelproof.core.paths import stored_path

    p = clip([0, 10])
    p.add_image(ImageRecord(4, "clip\\frame_000003.png", 100, 80))
    p.add_image(ImageRecord(50, "frame_000007.png", 100, 80))  # the root folder's own frame
    p.add_image(ImageRecord(60, "C:\\v\\frame_000002.png", 100, 80))
    p.add_image(ImageRecord(61, "C:/v/frame_000001.png", 100, 80))
    assert sequence_frames(p, 4) == [(0, 1), (3, 4), (10, 11)]
    assert sequence_frames(p, 50) == [(7, 50)]
    assert sequence_frames(p, 60) == [(1, 61), (2, 60)]
    (tmp_path / "clip").mkdir()
    (tmp_path / "clip" / "frame_000003.png").write_bytes(b"")
    assert stored_path("clip\\frame_000003.png", tmp_path) == tmp_path / "clip" / "frame_000003.png"
