"""An undo or redo after a Save As to another folder, without Qt: the outside marks it puts back name their
video's folder as read from the file saved to (``SetOutsideMarks``), and Locate Missing Images' undo and
redo give the images their files and the marks their folders from there too (``RelocateImages``). Before,
an undo step put back the names it had kept, relative to the old folder: a mark then matched no video (the
fill crossed it, the export left it out) and an image named no file. One rule (``paths.Rebased``) renames
the project on Save As and the undo steps' names."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import save_project
from pixelproof.core.edits.base import Edit
from pixelproof.core.edits.images import RelocateImages
from pixelproof.core.model import Project
from pixelproof.core.paths import Rebased
from pixelproof.core.track_edit import back_in_view, leave_view
from pixelproof.core.track_outside import outside_frames
from tests.core.test_track_outside_videos import FRAMES, _filled, two_videos


def _marks(p: Project) -> list[tuple[str, int]]:
    return [(e["sequence"], e["frame"]) for e in p.extra.get("cvat_video", {}).get("outside", [])]


def _video_in_one(tmp_path: Path) -> Project:
    """``two_videos`` saved as ``one/p.json`` (relative names are a saved project's: one without a file
    holds absolute ones, which no Save As renames)."""
    p = two_videos()
    (tmp_path / "one").mkdir()
    save_project(p, tmp_path / "one" / "p.json")
    return p


def _saved_then_moved(tmp_path: Path, p: Project) -> None:
    """Save As to the parent of ``one/``: names and marks gain ``one/``."""
    save_project(p, tmp_path / "p.json")


def test_undo_and_redo_of_a_mark_after_save_as_name_the_folder_saved_to(tmp_path: Path) -> None:
    """Mark track 3 out of view on a/frame 4, take the mark away, Save As one folder up: undo puts the mark
    back naming ``one/a`` (before: ``a``, no video of the project, so the fill crossed it), and each undo and
    redo after keeps it there."""
    p = _video_in_one(tmp_path)
    edits: list[Edit] = []
    for make in (lambda: leave_view(p, 5, 3), lambda: back_in_view(p, 5)):
        made = make().edit
        assert made is not None
        made.apply(p)
        edits.append(made)
    marked, unmarked = edits
    _saved_then_moved(tmp_path, p)
    unmarked.revert(p)
    assert _marks(p) == [("one/a", 4)]
    assert outside_frames(p, 3, "one/a") == {4}
    marked.revert(p)
    assert _marks(p) == []
    marked.apply(p)
    assert _marks(p) == [("one/a", 4)]
    assert _filled(p, 1) == 3 and _filled(p, 101) == 9  # a's fill stops at the mark, b's does not
    unmarked.apply(p)
    assert _marks(p) == []


def test_an_undo_then_save_as_then_redo_names_the_folder_saved_to(tmp_path: Path) -> None:
    """A mark made, undone, Save As, redone: the redo's mark names ``one/a`` too."""
    p = _video_in_one(tmp_path)
    made = leave_view(p, 5, 3).edit
    assert made is not None
    made.apply(p)
    made.revert(p)
    _saved_then_moved(tmp_path, p)
    made.apply(p)
    assert _marks(p) == [("one/a", 4)]


def test_locate_missing_images_undone_after_save_as_gives_names_from_the_folder_saved_to(
    tmp_path: Path,
) -> None:
    """Relocate video a's frames to ``moved/a``, Save As one folder up, undo: the frames are named
    ``one/a/...`` (their files, from the new folder; before: ``a/...``, no file) and the mark ``one/a``;
    redo: ``one/moved/a``."""
    p = _video_in_one(tmp_path)
    leave_view(p, 5, 3).edit.apply(p)  # type: ignore[union-attr]
    moved = RelocateImages({i: f"moved/a/frame_{i - 1:06d}.png" for i in range(1, 1 + FRAMES)})
    moved.apply(p)
    _saved_then_moved(tmp_path, p)
    assert p.images[1].file_name == "one/moved/a/frame_000000.png" and _marks(p) == [("one/moved/a", 4)]
    moved.revert(p)
    assert p.images[1].file_name == "one/a/frame_000000.png"
    assert _marks(p) == [("one/a", 4)]
    moved.apply(p)
    assert p.images[1].file_name == "one/moved/a/frame_000000.png"
    assert _marks(p) == [("one/moved/a", 4)]


def test_rebased_names_and_folders(tmp_path: Path) -> None:
    """What Save As from ``one/`` to its parent does to a name and a folder: the top folder is ``one``, an
    absolute name stays, and so does every name when the folder does not change or was never saved."""
    move = Rebased(tmp_path / "one", tmp_path)
    assert move.name("a/x.png") == "one/a/x.png" and move.folder("a") == "one/a" and move.folder("") == "one"
    assert move.folder("../b") == "b" and move.name("/data/x.png") == "/data/x.png"
    assert Rebased(tmp_path / "one", tmp_path / "one").folder("a") == "a"
    assert Rebased(None, tmp_path).name("a/x.png") == "a/x.png"
