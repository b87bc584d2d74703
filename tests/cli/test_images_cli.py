"""``pixelproof add`` and ``pixelproof relocate``: what they print, their exit codes, the change log entry,
and outputs refused before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core import history
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import ImageRecord
from tests.core.test_add_and_relocate_images import png, saved_project


def last_entry(path: Path) -> dict:
    return history.read_log(path, None)[0][0]


def test_new_logs_itself_as_the_tool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pixelproof log` of a project `new` made said `[manual]` for its first entry."""
    png(tmp_path / "imgs" / "a.png", 20, 10)
    path = tmp_path / "p.json"
    assert main(["new", str(tmp_path / "imgs"), "-o", str(path)]) == 0, capsys.readouterr()
    entry = last_entry(path)
    assert entry["tool"] == "new" and entry["images"]["added"] == 1


def test_add_prints_added_already_and_skipped_and_logs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png(tmp_path / "week1" / "a.png")
    path = saved_project(tmp_path, [ImageRecord(3, "../week1/a.png", 10, 8)])
    png(tmp_path / "week2" / "b.png", 20, 10)
    (tmp_path / "week2" / "readme.txt").write_text("hi")
    code = main(["add", str(path), str(tmp_path / "week2"), str(tmp_path / "week1"), "--author", "lead"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "added ../week2/b.png (20x10)" in out
    assert f"already there: {tmp_path / 'week1' / 'a.png'}" in out
    assert "readme.txt: not an image, skipped" in err
    assert "1 added, 1 already there, 1 skipped" in out
    project = load_project(path)
    assert [(i, im.file_name) for i, im in project.images.items()] == [
        (3, "../week1/a.png"),
        (4, "../week2/b.png"),
    ]
    entry = last_entry(path)
    assert entry["tool"] == "add" and entry["author"] == "lead" and entry["edits"] == ["Add 1 image"]
    assert entry["images"]["added"] == 1
    # again: everything is there already -> exit 0, nothing written
    before, logged = path.read_bytes(), len(history.read_log(path, None)[0])
    assert main(["add", str(path), str(tmp_path / "week2")]) == 0
    assert "0 added, 1 already there" in capsys.readouterr().out
    assert path.read_bytes() == before and len(history.read_log(path, None)[0]) == logged


def test_add_exit_codes_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = saved_project(tmp_path, [])
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    assert main(["add", str(path), str(tmp_path / "empty")]) == 1  # nothing could be added
    assert "notes.txt: not an image" in capsys.readouterr().err
    assert main(["add", str(path), str(tmp_path / "nowhere")]) == 1
    assert "nowhere: not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["add", str(path)])  # no PATH
    assert e.value.code == 2
    png(tmp_path / "new" / "c.png")
    picture = png(tmp_path / "picture.png")
    before = picture.read_bytes()
    assert main(["add", str(path), str(tmp_path / "new"), "-o", str(picture)]) == 1  # not a project: refused
    assert "not a project file" in capsys.readouterr().err and picture.read_bytes() == before
    out = tmp_path / "out" / "q.json"
    assert main(["add", str(path), str(tmp_path / "new"), "-o", str(out)]) == 0  # its missing folder made
    assert [im.file_name for im in load_project(out).images.values()] == ["../new/c.png"]  # from out's folder
    assert load_project(path).images == {}  # -o leaves PROJECT as it was


@pytest.mark.parametrize("with_note", [False, True])
def test_add_of_a_folder_without_images_says_so(
    with_note: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It printed "0 added, 0 already there, 0 skipped" and exited 1 with no word of why; ``new`` says
    "FOLDER: no images found"."""
    path = saved_project(tmp_path, [])
    empty, other = tmp_path / "empty", tmp_path / "other"
    empty.mkdir()
    other.mkdir()
    if with_note:
        (empty / "notes.txt").write_text("x")
    assert main(["add", str(path), str(empty), str(other)]) == 1
    captured = capsys.readouterr()
    assert f"pixelproof: error: {empty}, {other}: no images found" in captured.err.splitlines()
    assert ("notes.txt: not an image" in captured.err) == with_note


def moved(tmp_path: Path) -> Path:
    path = saved_project(
        tmp_path,
        [
            ImageRecord(1, "../old/cats/a.png", 10, 8),
            ImageRecord(2, "../old/b.png", 10, 8),
            ImageRecord(3, "../old/c.png", 10, 8),
        ],
    )
    png(tmp_path / "to" / "x" / "cats" / "a.png")
    png(tmp_path / "to" / "y" / "a.png")
    png(tmp_path / "to" / "p" / "b.png")
    png(tmp_path / "to" / "q" / "b.png")
    png(tmp_path / "to" / "c.png", 30, 30)
    return path


def test_relocate_prints_each_and_exits_3_while_some_are_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = moved(tmp_path)
    before = path.read_bytes()
    assert main(["relocate", str(path), "--to", str(tmp_path / "to"), "--dry-run"]) == 3
    out, err = capsys.readouterr()
    assert "../old/cats/a.png -> ../to/x/cats/a.png" in out
    assert "../old/b.png: ambiguous" in err and "../old/c.png:" in err and "30x30" in err
    assert path.read_bytes() == before  # a dry run writes nothing
    assert main(["relocate", str(path), "--to", str(tmp_path / "to"), "--author", "ann"]) == 3
    capsys.readouterr()
    assert load_project(path).images[1].file_name == "../to/x/cats/a.png"
    entry = last_entry(path)
    assert entry["tool"] == "relocate" and entry["author"] == "ann" and entry["images"]["relocated"] == 1
    assert entry["edits"] == ["Relocate 1 image"]
    (tmp_path / "to" / "q" / "b.png").unlink()  # now b.png is one file
    (tmp_path / "to" / "c.png").unlink()
    png(tmp_path / "to" / "c.png")
    assert main(["relocate", str(path), "--to", str(tmp_path / "to")]) == 0
    out = capsys.readouterr().out
    assert "../old/b.png -> ../to/p/b.png" in out and "../old/c.png -> ../to/c.png" in out
    assert all(load_project(path).image_path(im).exists() for im in load_project(path).images.values())
    assert main(["relocate", str(path), "--to", str(tmp_path / "to")]) == 0  # nothing missing
    assert "no missing images" in capsys.readouterr().out


def test_relocate_usage_and_refused_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = moved(tmp_path)
    with pytest.raises(SystemExit) as e:
        main(["relocate", str(path)])  # --to is required
    assert e.value.code == 2
    assert main(["relocate", str(path), "--to", str(tmp_path / "nowhere")]) == 1
    assert "nowhere: not a folder" in capsys.readouterr().err
    long = tmp_path / ("y" * 300)  # a name the OS refuses to look up: the same answer, no traceback
    assert main(["relocate", str(path), "--to", str(long)]) == 1
    assert f"{long}: not a folder" in capsys.readouterr().err
    assert main(["relocate", str(path), "--to", str(tmp_path / "to"), "-o", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_output_is_written_when_there_is_nothing_to_change(tmp_path: Path) -> None:
    """``-o OUT`` means "the result goes to OUT": with everything there already, OUT is the project as is."""
    png(tmp_path / "imgs" / "a.png")
    path = saved_project(tmp_path, [ImageRecord(1, "../imgs/a.png", 10, 8)])
    out, other = tmp_path / "proj" / "out.json", tmp_path / "proj" / "other.json"
    assert main(["add", str(path), str(tmp_path / "imgs"), "-o", str(out)]) == 0
    assert [im.file_name for im in load_project(out).images.values()] == ["../imgs/a.png"]
    assert main(["relocate", str(path), "--to", str(tmp_path / "imgs"), "-o", str(other)]) == 0
    assert load_project(other).images[1].file_name == "../imgs/a.png"


def test_relocate_prints_the_names_as_saved_in_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``-o`` in another folder the names are rewritten relative to it: printed as OUT holds them."""
    png(tmp_path / "to" / "a.png")
    path = saved_project(tmp_path, [ImageRecord(1, "../old/a.png", 10, 8)])
    out = tmp_path / "deep" / "er" / "q.json"
    out.parent.mkdir(parents=True)
    assert main(["relocate", str(path), "--to", str(tmp_path / "to"), "-o", str(out)]) == 0
    assert load_project(out).images[1].file_name == "../../to/a.png"
    assert "../old/a.png -> ../../to/a.png" in capsys.readouterr().out


def test_add_a_path_the_os_cannot_look_up_is_skipped_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PATH the OS refuses to look up (a name over 255 bytes, here) is skipped with the OS's reason, as a
    missing one is; the other paths are added."""
    path = saved_project(tmp_path, [])
    png(tmp_path / "new" / "a.png")
    long = tmp_path / ("y" * 300)
    assert main(["add", str(path), str(long), str(tmp_path / "new")]) == 0
    out, err = capsys.readouterr()
    assert f"{long}: File name too long; skipped" in err and "Traceback" not in err
    assert "1 added, 0 already there, 1 skipped" in out


def test_add_and_new_pass_over_an_export_inside_the_images_folder_and_count_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`new photos -o photos/photos.json`, `convert --to yolo --images copy` into photos/photos_yolo (the
    default of earlier versions: beside the project file), then `add` photos again and `new` over its
    parent: YOLO's copies of the images are not taken; the summary says how many files were left out."""
    png(tmp_path / "photos" / "a.png", 20, 10)
    png(tmp_path / "photos" / "day2" / "b.png", 12, 8)
    path = tmp_path / "photos" / "photos.json"
    assert main(["new", str(tmp_path / "photos"), "-o", str(path)]) == 0
    out = tmp_path / "photos" / "photos_yolo"
    code = main(["convert", "--from", "coco", "--to", "yolo", "--images", "copy", str(path), str(out)])
    assert code == 0, capsys.readouterr().err
    assert (out / "images" / "train" / "a.png").is_file()
    held = sum(1 for p in out.rglob("*") if p.is_file() and p.name != ".pixelproof-export")
    capsys.readouterr()
    before = path.read_bytes()
    assert main(["add", str(path), str(tmp_path / "photos")]) == 0
    out_text, err = capsys.readouterr()
    assert "0 added, 2 already there, 0 skipped" in out_text, (
        out_text
    )  # (its own change log, photos.history.jsonl, not said)
    assert f"{held} files of 1 PixelProof export left out" in out_text, out_text
    assert f"{out}: a PixelProof yolo export" in err and f"its {held} files skipped" in err, err
    assert path.read_bytes() == before  # nothing added, nothing written
    top = tmp_path / "all.json"
    assert main(["new", str(tmp_path), "-o", str(top)]) == 0
    out_text, err = capsys.readouterr()
    assert sorted(im.file_name for im in load_project(top).images.values()) == [
        "photos/a.png",
        "photos/day2/b.png",
    ]
    assert f"{held} files of 1 PixelProof export left out" in out_text, out_text
    # a file of the export named: added as asked
    assert main(["add", str(path), str(out / "images" / "train" / "a.png")]) == 0
    assert "1 added" in capsys.readouterr().out


def test_add_into_a_video_folder_keeps_each_outside_mark_on_its_frame_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("b", "d"):
        png(tmp_path / "v" / f"{name}.png")
    path = saved_project(tmp_path, [ImageRecord(1, "../v/b.png", 10, 8), ImageRecord(2, "../v/d.png", 10, 8)])
    project = load_project(path)
    project.extra["cvat_video"] = {"outside": [{"track": "3", "part": None, "frame": 1, "sequence": "../v"}]}
    save_project(project, path)  # track 3 leaves the view on d.png (frame 1)
    png(tmp_path / "v" / "a.png")
    assert main(["add", str(path), str(tmp_path / "v" / "a.png")]) == 0, capsys.readouterr().err
    assert [m["frame"] for m in load_project(path).extra["cvat_video"]["outside"]] == [2]  # a b d
