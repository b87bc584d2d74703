"""Per-image failure lines of the batch commands: the first 20 in full, then one line per distinct
message with its count (a wrong ``--path-map`` on a cluster printed 200k identical lines)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pixelproof.cli import main
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_scale_cli import THRESHOLD, coin_pictures


def _broken_project(tmp_path: Path, missing: int, garbage: int, good: int = 0) -> Path:
    """``missing`` pictures gone, then ``garbage`` not pictures, then ``good`` ones, in that order."""
    project = make_project(tmp_path / "p", coin_pictures(missing + garbage + good, side=32))
    for i in range(missing + garbage):
        picture = project.parent / f"c{i:03d}.png"
        if i < missing:
            picture.unlink()
        else:
            picture.write_bytes(b"not a picture")
    return project


def _per_image(err: str, level: str) -> list[tuple[str, str]]:
    return re.findall(rf"^pixelproof: {level}: (c\d\d\d\.png): (.*)$", err, re.M)


def test_prelabel_names_the_first_20_failed_images_then_counts_the_rest_per_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _broken_project(tmp_path, missing=23, garbage=2)
    assert main(["prelabel", str(project), *THRESHOLD, "--workers", "1", "-o", str(tmp_path / "o.json")]) == 1
    err = capsys.readouterr().err
    named = _per_image(err, "error")
    assert [n for n, _ in named] == [f"c{i:03d}.png" for i in range(20)]
    missing = named[0][1]
    assert {why for _, why in named} == {missing}
    rest = re.findall(r"^pixelproof: error: \.\.\. and (.*)$", err, re.M)
    assert rest[0] == f"3 more images: {missing}" and len(rest) == 2
    assert rest[1].startswith("2 more images: not a readable image")


def test_lint_caps_its_per_image_lines_as_prelabel_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _broken_project(tmp_path, missing=24, garbage=0, good=1)
    main(["lint", str(project), *THRESHOLD])
    err = capsys.readouterr().err
    named = _per_image(err, "warning")
    assert len(named) == 20 and named[0][1].endswith("(linted without the model)")
    rest = re.findall(r"^pixelproof: warning: \.\.\. and (.*)$", err, re.M)
    assert rest == [f"4 more images: {named[0][1]}"]


def test_many_distinct_messages_are_summed_up_in_a_screenful(capsys: pytest.CaptureFixture[str]) -> None:
    """Past the first 20 images, one line per message: when the messages differ image by image (a size
    in each), at most 20 such lines, then one counting the rest."""
    from pixelproof.commands._common import FailureLines

    lines = FailureLines("error")
    for i in range(100):
        lines(f"i{i}.png", f"reason {i}")
    lines.close()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 20 + 20 + 1
    assert err[20] == "pixelproof: error: ... and 1 more image: reason 20"
    assert err[-1] == "pixelproof: error: ... and 60 more images with 60 other messages"


def test_a_cluster_run_through_a_path_map_says_once_where_the_workers_read_the_first_failed_image(
    tmp_path: Path, dask_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The failure lines name the project's path (``c000.png: image file not found``), the same whatever
    the map: a wrong ``--path-map`` failing every image did not say which path the workers were sent.
    The first failure is followed by one line giving it; a run without a cluster reads the project's
    paths, and says nothing more."""
    project = make_project(tmp_path / "p", coin_pictures(3, side=32))
    remote = "/nowhere/on/the/workers"
    mapped = ["--path-map", f"{project.parent}={remote}", "-o", str(tmp_path / "o.json")]
    where = ["--scheduler", dask_cluster.scheduler_address]
    assert main(["prelabel", str(project), *THRESHOLD, *where, *mapped]) == 1
    err = capsys.readouterr().err
    assert [n for n, _ in _per_image(err, "error")] == ["c000.png", "c001.png", "c002.png"], err
    notes = [line for line in err.splitlines() if line.startswith("pixelproof: note: ")]
    assert notes == [
        f"pixelproof: note: the cluster's workers read c000.png at {remote}/c000.png (--path-map)"
    ], err
    assert main(["prelabel", str(project), *THRESHOLD, "--workers", "1", *mapped]) == 0
    assert "workers read" not in capsys.readouterr().err
    lint = ["lint", str(project), "--pictures", *where, *mapped[:2]]  # lint --pictures alike
    main([*lint, "--json", str(tmp_path / "lint.json")])
    err = capsys.readouterr().err
    assert [n for n, _ in _per_image(err, "warning")] == ["c000.png", "c001.png", "c002.png"], err
    notes = [line for line in err.splitlines() if line.startswith("pixelproof: note: ")]
    assert notes == [
        f"pixelproof: note: the cluster's workers read c000.png at {remote}/c000.png (--path-map)"
    ], err


def test_a_path_map_that_maps_none_of_the_jobs_files_is_said_before_the_run(
    tmp_path: Path, dask_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The project opened through a symbolic link to its folder (``link/p.json``), the map given for the
    folder's own path: no file of the job is under LOCAL, the workers were sent the paths unmapped and
    nothing said the map did nothing (on a real cluster: every image "not found", the map looking right).
    A map that does apply says nothing more."""
    project = make_project(tmp_path / "p", coin_pictures(2, side=32))
    link = tmp_path / "link"
    link.symlink_to(project.parent, target_is_directory=True)
    where = ["--scheduler", dask_cluster.scheduler_address, "-o", str(tmp_path / "o.json")]
    argv = ["prelabel", str(link / project.name), *THRESHOLD, *where]
    assert main([*argv, "--path-map", f"{project.parent}=/remote"]) == 0  # the workers see this disk
    err = capsys.readouterr().err
    assert (
        f"pixelproof: warning: --path-map {project.parent}=/remote maps none of the files this job's "
        f"workers read (the first: {link / 'c000.png'}); they are sent the paths as they are: give LOCAL "
        "as those paths begin (a folder reached through a symbolic link has another path)"
    ) in err, err
    assert main([*argv, "--path-map", f"{link}={project.parent}"]) == 0
    assert "maps none" not in capsys.readouterr().err
