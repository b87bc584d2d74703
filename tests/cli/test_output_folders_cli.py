"""``-o proj/project.json`` in a folder not made yet: ``new`` said "the folder proj does not exist" where
most tools' ``-o`` makes it. Every command that writes a new output makes its missing folders (one helper,
``save_targets.make_parent_folders``), and still refuses, naming the path, when a file, a symbolic link
to nothing or a folder it cannot write in is on the way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project


@pytest.mark.parametrize(
    ("argv", "made"),
    [
        (["new", "{images}", "-o", "{out}/proj/project.json"], "proj/project.json"),
        (["merge", "{project}", "-o", "{out}/a/b/merged.json"], "a/b/merged.json"),
        (["lint", "{project}", "--json", "{out}/reports/lint.json"], "reports/lint.json"),
        (["convert", "{project}", "{out}/x/coco.json", "--to", "coco"], "x/coco.json"),
        (["convert", "{project}", "{out}/x/y/yolo", "--to", "yolo"], "x/y/yolo/data.yaml"),
    ],
)
def test_missing_folders_of_an_output_are_made(
    argv: list[str], made: str, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = [a.format(images=demo.parent / "images", project=demo, out=out) for a in argv]
    assert main(args) in (0, 1), capsys.readouterr().err  # lint exits 1 when it finds problems
    assert "does not exist" not in capsys.readouterr().err
    assert (out / made).is_file()
    if made.endswith("project.json"):
        assert load_project(out / made).images


def test_a_folder_is_not_made_through_a_file_or_a_dangling_link(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    images = demo.parent / "images"
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file")
    assert main(["new", str(images), "-o", str(blocker / "proj" / "p.json")]) == 1
    assert f"{blocker} is a file, not a folder" in capsys.readouterr().err
    link = tmp_path / "gone"
    link.symlink_to(tmp_path / "nowhere")
    target = link / "proj" / "p.json"
    assert main(["convert", str(demo), str(target), "--to", "coco"]) == 1
    err = capsys.readouterr().err
    assert f"{link} is a symbolic link to {tmp_path / 'nowhere'}, which does not exist" in err
    assert not (tmp_path / "nowhere").exists()
    assert main(["frames", "clip.mp4", "-o", str(blocker / "frames")]) == 1
    assert f"{blocker} is a file, not a folder" in capsys.readouterr().err


def test_two_outputs_are_checked_before_either_folder_is_made(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file")
    ok = tmp_path / "reports" / "lint.json"
    assert main(["lint", str(demo), "--json", str(ok), "--csv", str(blocker / "x" / "l.csv")]) == 2
    assert f"{blocker} is a file, not a folder" in capsys.readouterr().err
    assert not ok.parent.exists()  # nothing made for an output that is refused with another


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes in a read-only folder")
def test_a_folder_is_not_made_where_it_cannot_be_written(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["new", str(demo.parent / "images"), "-o", str(locked / "proj" / "p.json")]) == 1
        assert f"cannot make the folder {locked / 'proj'} (permission denied in {locked})" in (
            capsys.readouterr().err
        )
    finally:
        locked.chmod(0o755)


def test_a_name_too_long_or_a_loop_of_links_is_refused_by_name_and_nothing_made(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    images = str(demo.parent / "images")
    long_name = "L" * 300 + ".json"  # over a folder entry's 255 bytes: it made reports/, then a traceback
    assert main(["new", images, "-o", str(tmp_path / "reports" / long_name)]) == 1
    assert "is 305 bytes long; a file or folder name may have at most 255" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()
    deep = tmp_path.joinpath(*["d" * 200] * 25, "p.json")  # every name fits, the path does not (4,096)
    assert main(["merge", str(demo), "-o", str(deep)]) == 1
    assert "File name too long" in capsys.readouterr().err
    assert not (tmp_path / ("d" * 200)).exists()
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert main(["new", images, "-o", str(loop / "proj" / "p.json")]) == 1
    assert f"{loop} is a symbolic link to {loop}, a loop of symbolic links" in capsys.readouterr().err


def test_an_output_that_is_a_loop_of_links_is_refused_before_the_run(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The output file itself a loop of links: refused as a usage error before the run (lint ran, then
    said "cannot write the report", exit 3: an input that cannot be read)."""
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    assert main(["lint", str(demo), "--json", str(loop)]) == 2
    assert f"{loop}: is a symbolic link to {loop}, a loop of symbolic links" in capsys.readouterr().err
    assert loop.is_symlink()


@pytest.mark.parametrize(
    ("argv", "example"),
    [
        (["new", "{images}", "-o", "{out}/proj/"], "project.json"),
        (["merge", "{project}", "-o", "{out}/merged/"], "project.json"),
        (["lint", "{project}", "--json", "{out}/reports/"], "<file name>"),
        (["convert", "{project}", "{out}/coco_out/", "--to", "coco", "--images", "copy"], "annotations.json"),
        (["prelabel", "{project}", "--backend", "threshold", "-o", "{out}/pre/"], "project.json"),
    ],
)
def test_an_output_file_named_with_a_trailing_slash_is_refused(
    argv: list[str], example: str, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-o coco_out/` names a folder: as a Path the slash is dropped, so a file called `coco_out` (no
    extension) was written, and a COCO export's `--images copy` put the pictures in the `images/` beside
    it - the dataset's own folder here. Refused before any work, naming the file to give instead."""
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(images=demo.parent / "images", project=demo, out=out) for a in argv]
    assert main(args) in (1, 2)
    err = capsys.readouterr().err
    named = args[args.index(next(a for a in args if a.endswith("/")))]
    assert (
        f"{named}: ends with '/', a folder's name, not a file to write: name the file ({named}{example})"
        in err
    )
    assert list(out.iterdir()) == []  # no file `proj`, `coco_out`, ... and no folder made


def test_a_coco_export_into_an_existing_folder_is_refused_before_reading(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Said "is a folder, not a file to write" once the input was read: now at once, with the file to give."""
    folder = tmp_path / "export"
    folder.mkdir()
    assert main(["convert", str(demo), str(folder), "--to", "coco"]) == 1
    err = capsys.readouterr().err
    assert (
        f"{folder}: is a folder; coco is written as one file: name it ({folder / 'annotations.json'})" in err
    )
    assert list(folder.iterdir()) == []
