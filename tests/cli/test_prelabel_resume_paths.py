"""A resumed ``prelabel`` on a cluster with ``--path-map``: the pictures the kept parts were made from are
checked where the workers read them, not where the project names them (another copy, or no file at all
on this machine)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import cv2
import pytest

from pixelproof.cli import main
from pixelproof.commands.prelabel_shards import picture_stamp
from pixelproof.core.batch import PathMap, checkpoint
from pixelproof.core.batch.checkpoint import source_stamp
from pixelproof.core.coco import load_project
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_prelabel_resume import EPOCH, _same_parts, _staging
from tests.cli.test_prelabel_resume_manifest import _touched
from tests.cli.test_scale_cli import THRESHOLD, coin_pictures


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return make_project(tmp_path / "p", coin_pictures(12, side=48))


def _argv(project: Path, out: Path, cluster: Any, remote: Path) -> list[str]:
    """On ``cluster``, whose workers see the project's folder at ``remote``."""
    where = ["--scheduler", cluster.scheduler_address, "--path-map", f"{project.parent}={remote}"]
    return ["prelabel", str(project), *THRESHOLD, "--shard-size", "2", *where, "-o", str(out)]


def _stopped_after_part_3(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    """Ctrl+C once the third part is recorded (here: the model runs on the workers)."""
    real = checkpoint.Checkpoint.add

    def add(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(self, *args, **kwargs)
        if len(self.parts) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint.Checkpoint, "add", add)
    assert main(argv) == 130
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_a_picture_replaced_where_the_workers_read_it_is_pre_labeled_again_on_resume(
    dask_cluster: Any, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workers read the pictures through ``--path-map`` (their copy, ``remote``); the pictures' stamps
    were taken of the project's own paths, so a picture replaced in the workers' copy before the resume
    went unnoticed: its old predictions stayed, in parts no run makes. Its stamp is now of the file the
    workers read: the picture is named and pre-labeled again, the parts an uninterrupted run's."""
    remote = project.parent.with_name("remote")
    shutil.copytree(project.parent, remote)
    out = project.parent / "parts"
    argv = _argv(project, out, dask_cluster, remote)
    _stopped_after_part_3(monkeypatch, argv)
    assert len(list(_staging(out).glob("part-*.json"))) == 3
    replaced = remote / "c003.png"  # in part 2; the project's own c003.png stays as it was
    assert cv2.imwrite(str(replaced), coin_pictures(12, side=48)["c009.png"])
    _touched(replaced)

    capsys.readouterr()
    assert main(argv) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "1 picture changed since the interrupted run pre-labeled it (c003.png)" in err, err
    assert "resumed: 2 images were done in 1 kept part" in err, err
    reference = project.parent / "reference"
    assert main(_argv(project, reference, dask_cluster, remote)) == 0
    _same_parts(out, reference)


def test_a_pictures_stamp_is_of_the_file_the_workers_read_else_of_the_projects_own(project: Path) -> None:
    """The stamp follows the path map as the workers' reads do (a Windows project's ``C:\\Data\\c000.png``
    read at the mapped folder: no file here under that name, so it was stamped 'not there' and its
    replacement never seen); where this process does not see the workers' path (their own mount), the
    project's path is stamped: on a shared volume, the same file."""
    loaded = load_project(project)
    image = next(iter(loaded.images.values()))
    own = project.parent / image.file_name
    remote = project.parent.with_name("remote")
    shutil.copytree(project.parent, remote)
    _touched(remote / image.file_name)
    mapped = PathMap.parse([f"{project.parent}={remote}"])
    assert picture_stamp(loaded, image, mapped) == source_stamp(remote / image.file_name)
    assert picture_stamp(loaded, image, mapped) != source_stamp(own)
    assert picture_stamp(loaded, image, PathMap()) == source_stamp(own)
    unseen = PathMap.parse([f"{project.parent}=/nowhere/on/this/machine"])
    assert picture_stamp(loaded, image, unseen) == source_stamp(own) is not None
    windows = dataclasses.replace(image, file_name="C:\\Data\\" + image.file_name)
    assert picture_stamp(loaded, windows, PathMap.parse([f"c:/data={remote}"])) == source_stamp(
        remote / image.file_name
    )
