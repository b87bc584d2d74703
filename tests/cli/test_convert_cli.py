"""``pixelproof convert``: exit codes, one stderr line per problem, output readable as a project."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from tests.interop.conftest import sample_project  # noqa: F401  (fixture)


def test_labelme_to_coco_reports_skipped_shapes(shared_fixtures: Path, tmp_path: Path, capsys) -> None:
    src = shared_fixtures / "labelme" / "primitives"
    out = tmp_path / "out" / "project.json"
    # exit 3: converted, with the skipped shapes reported
    assert main(["convert", str(src), str(out), "--from", "labelme", "--to", "coco"]) == 3
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert err == [
        f"{src / 'primitives.json'}: skipped shapes that enclose no area: "
        "1 line shape (shapes[4]), 1 linestrip shape (shapes[6]), 1 point shape (shapes[5]) "
        "(no objects here; kept with the image and written back by a LabelMe export)"
    ]
    assert "\r" not in captured.err  # no progress bar when stderr is not a terminal
    assert "1 image, 5 annotations" in captured.out
    project = load_project(out)
    image = next(iter(project.images.values()))
    assert project.image_path(image).resolve() == (src / "primitives.jpg").resolve()


def test_a_coco_output_over_a_project_keeps_the_previous_one_as_bak(
    shared_fixtures: Path, tmp_path: Path
) -> None:
    """README's first and third convert examples both write project.json: the second replaced the first
    with no .bak, though a project's save keeps one (README, The project file)."""
    out = tmp_path / "project.json"
    assert (
        main(
            [
                "convert",
                str(shared_fixtures / "labelme" / "primitives"),
                str(out),
                "--from",
                "labelme",
                "--to",
                "coco",
            ]
        )
        == 3
    )
    first = out.read_bytes()
    src = shared_fixtures / "labelme" / "instance_segmentation" / "data_annotated"
    assert main(["convert", str(src), str(out), "--from", "labelme", "--to", "coco"]) == 0
    assert out.with_name("project.json.bak").read_bytes() == first
    assert len(load_project(out).images) == 3


def test_yolo_problems_one_line_each_rest_converted(tmp_path: Path, capsys) -> None:
    src = tmp_path / "yolo"
    (src / "labels").mkdir(parents=True)
    (src / "images").mkdir()
    (src / "classes.txt").write_text("cat\n")
    for name in ("a", "b"):
        Image.fromarray(np.zeros((20, 30, 3), dtype=np.uint8)).save(src / "images" / f"{name}.png")
    (src / "labels" / "a.txt").write_text("0 0.5 0.5 0.5\n0 0.5 0.5 2 0.5\n")
    (src / "labels" / "b.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    out = tmp_path / "voc"
    assert (
        main(["convert", str(src), str(out), "--from", "yolo", "--to", "voc"]) == 3
    )  # converted; the skipped lines are reported
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 4
    assert err[0].startswith(f"{src / 'labels' / 'a.txt'}:1: expected 5 numbers")
    assert err[1].startswith(f"{src / 'labels' / 'a.txt'}:2: coordinates must be normalised")
    # a.txt's lines were all skipped: its image is no checked negative (To do), so it is left out, said
    assert "1 image left out as not labelled yet" in err[2] and "images/a.png" in err[2]
    assert err[3] == "pixelproof: warning: 1 box rounded to whole pixels"
    xml = (out / "Annotations" / "b.xml").read_text()
    # 30x20 image, box x 7.5..22.5, y 5..15 -> whole pixels 8..23 (half up), VOC's 1-based xmin/ymin
    assert "<xmin>9</xmin>" in xml and "<xmax>23</xmax>" in xml and "<ymin>6</ymin>" in xml


def test_every_image_left_out_by_the_writer_exits_1(tmp_path: Path, capsys) -> None:
    """A project whose objects are all a model's pending proposals written as masks: the writer leaves
    out every image (not labelled yet), says so, and the run exits 1 (nothing converted), not 0 with
    '0 images'; with ``--pending keep`` they are written, exit 0."""
    from tests.cli.test_prelabel_cli import make_project
    from tests.cli.test_scale_cli import THRESHOLD, coin_pictures

    project = make_project(tmp_path / "p", coin_pictures(2, side=48))
    assert main(["prelabel", str(project), *THRESHOLD]) == 0
    capsys.readouterr()
    code = main(["convert", str(project), str(tmp_path / "masks"), "--to", "masks"])
    out, err = capsys.readouterr()
    assert "left out as not labelled yet" in err and ": 0 images" in out, (out, err)
    assert code == 1
    assert main(["convert", str(project), str(tmp_path / "kept"), "--to", "masks", "--pending", "keep"]) == 0


def test_nothing_converted_exits_1(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    assert (
        main(["convert", str(tmp_path / "empty"), str(tmp_path / "o.json"), "--from", "voc", "--to", "coco"])
        == 1
    )
    assert "nothing to convert" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()
    assert (
        main(["convert", str(tmp_path / "missing"), str(tmp_path / "o"), "--from", "yolo", "--to", "coco"])
        == 1
    )
    assert "not found" in capsys.readouterr().err


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as e:
        main(["convert", str(tmp_path), str(tmp_path / "o"), "--from", "bogus", "--to", "coco"])
    assert e.value.code == 2


@pytest.mark.usefixtures("sample_project")  # writes tmp_path/src/project.json
def test_console_entry_runs_convert_as_subprocess(tmp_path: Path) -> None:
    src = tmp_path / "src" / "project.json"
    out = tmp_path / "masks"
    cmd = [
        sys.executable,
        "-m",
        "pixelproof",
        "convert",
        str(src),
        str(out),
        "--from",
        "coco",
        "--to",
        "masks",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "2 images, 5 annotations, 3 categories" in proc.stdout
    assert "box-only objects written as filled boxes" in proc.stderr
    assert sorted(p.name for p in (out / "masks").iterdir()) == ["a.png", "b.png"]


def _one_box_project(path: Path) -> None:
    """A saved project of one image (a.png, 20 x 10) with one box of class "cat"."""
    from pixelproof.core.coco import save_project
    from pixelproof.core.model import Annotation, Category, ImageRecord, Project

    project = Project(path=path)
    project.add_category(Category(1, "cat"))
    project.add_image(ImageRecord(1, "a.png", 20, 10))
    project.add_annotation(Annotation(1, 1, 1, [1.0, 1.0, 5.0, 4.0], None, 20.0))
    save_project(project, path)


def test_workers_for_a_format_written_in_one_process_is_said_and_ignored(tmp_path: Path, capsys) -> None:
    _one_box_project(tmp_path / "p.json")
    out = tmp_path / "yolo"
    argv = ["convert", str(tmp_path / "p.json"), str(out), "--from", "coco", "--to", "yolo", "--workers", "2"]
    code = main(argv)
    said = capsys.readouterr()
    assert code == 0, said.err
    assert "--workers/--scheduler: yolo output is written here" in said.err
    assert "running on" not in said.err  # no worker process was started
    assert any(out.rglob("*.txt"))


@pytest.mark.usefixtures("sample_project")  # writes tmp_path/src/project.json
def test_a_full_disk_while_copying_names_the_file_being_written(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--images copy`` onto a full disk said ``<source image>: no space left on device``, blaming the
    disk the images are on, then (written through a temporary) no file at all: a write's OSError names
    none. The copy being written is named, and no part of it is left."""
    import errno
    import shutil

    def full(src, dst, *args, **kwargs):
        dst.write(b"\x89PNG part")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full)
    out = tmp_path / "out"
    args = [str(tmp_path / "src" / "project.json"), str(out), "--from", "coco", "--to", "yolo"]
    assert main(["convert", *args, "--images", "copy"]) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert str(out / "images") in err and "no space left on device" in err
    assert not [p for p in (out / "images").rglob("*") if p.is_file()]


def test_without_from_the_input_format_is_recognised_and_said(tmp_path: Path, capsys) -> None:
    """``convert project.json out --to nifti`` stopped at "the following arguments are required: --from";
    the format is now recognised from the input as ``qa`` recognises a reference, and named."""
    _one_box_project(tmp_path / "p.json")
    out = tmp_path / "yolo"
    code = main(["convert", str(tmp_path / "p.json"), str(out), "--to", "yolo"])
    said = capsys.readouterr()
    assert code == 0, said.err
    assert f"{tmp_path / 'p.json'}: read as COCO" in said.err and "(--from coco)" in said.err
    assert [p.read_text().split()[0] for p in out.rglob("a.txt")] == ["0"]
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("nothing to read here\n")
    assert main(["convert", str(tmp_path / "notes"), str(tmp_path / "o"), "--to", "coco"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'notes'}: not recognised as any readable format" in err and "--from FMT" in err
    assert not (tmp_path / "o").exists()


def test_a_coco_export_of_two_splits_converts_to_yolo_splits(tmp_path: Path) -> None:
    """Datumaro's coco_instances (instances_train.json + instances_val.json): one convert, each image in
    its split's folders of the YOLO dataset."""
    src = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"
    out = tmp_path / "yolo"
    assert main(["convert", str(src), str(out), "--to", "yolo", "--task", "detect"]) == 0
    assert (out / "images" / "train" / "a.jpg").is_file() and (out / "images" / "val" / "b.jpg").is_file()
    assert len((out / "labels" / "val" / "b.txt").read_text().splitlines()) == 2
    yaml = (out / "data.yaml").read_text()
    assert "train: images/train" in yaml and "val: images/val" in yaml


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and links")
def test_an_input_that_is_no_file_or_folder_is_said_as_what_it_is(tmp_path: Path, capsys) -> None:
    """A FIFO named ``.json`` was "not recognised as any readable format" (exit 2) and a loop of links "not
    found": each is said as what it is, exit 1, nothing read (a FIFO never waited on)."""
    fifo, loop = tmp_path / "a.json", tmp_path / "loop.json"
    os.mkfifo(fifo)
    loop.symlink_to(loop)
    out = tmp_path / "out.json"
    assert main(["convert", str(fifo), "--to", "coco", "-o", str(out)]) == 1
    assert f"{fifo}: is a FIFO (named pipe), not a file to read" in capsys.readouterr().err
    assert main(["convert", str(loop), "--to", "coco", "-o", str(out)]) == 1
    assert f"{loop}: too many levels of symbolic links" in capsys.readouterr().err
    assert not out.exists()
