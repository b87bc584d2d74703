"""A ``--path-map`` that changes nothing is said before the run by every command that takes it (it was said
by ``prelabel`` only: ``lint``, ``qa``, ``convert``, ``merge`` and ``agreement`` took such a map silently,
and on a real cluster every image then failed with the map looking right). One check for all of them,
``commands._batch.check_path_map``; ``prelabel``'s own case is in tests/cli/test_failure_lines.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pixelproof.cli import main
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_scale_cli import THRESHOLD, coin_pictures


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "--path-map" in line]


@pytest.fixture
def labelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three pictures with the threshold backend's coins as labels."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "p", coin_pictures(3, side=48))
    assert main(["prelabel", str(project), *THRESHOLD, "--workers", "1"]) == 0
    return project


@pytest.mark.parametrize("command", ["lint", "convert"])
def test_a_map_under_which_none_of_the_workers_files_lie_is_warned_of_and_one_that_applies_is_not(
    command: str, labelled: Path, tmp_path: Path, dask_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """``lint --pictures``: the workers read the pictures; ``convert --to masks``: they write into the
    output folder. A map for another folder (a symbolic link's path, a mount under another name) is said,
    naming the first such path as this machine names it; the job still runs."""
    out = tmp_path / "masks"
    argv = {
        "lint": ["lint", str(labelled), "--pictures", "--json", str(tmp_path / "lint.json")],
        "convert": [
            "convert",
            str(labelled),
            str(out),
            "--from",
            "coco",
            "--to",
            "masks",
            "--images",
            "keep",
            "--pending",  # the model's proposals written as labels: masks are written
            "keep",
        ],
    }[command]
    where = ["--scheduler", dask_cluster.scheduler_address]
    capsys.readouterr()
    code = main([*argv, *where, "--path-map", f"{tmp_path / 'elsewhere'}={tmp_path}"])
    err = capsys.readouterr().err
    assert code in ((0, 1) if command == "lint" else (0,)), err
    first, verb = (labelled.parent / "c000.png", "read") if command == "lint" else (out, "write")
    assert _warnings(err) == [
        f"pixelproof: warning: --path-map {tmp_path / 'elsewhere'}={tmp_path} maps none of the files this "
        f"job's workers {verb} (the first: {first}); they are sent the paths as they are: give LOCAL as "
        "those paths begin (a folder reached through a symbolic link has another path)"
    ], err
    code = main([*argv, *where, "--path-map", f"{tmp_path}={tmp_path}"])  # the workers see this disk
    err = capsys.readouterr().err
    assert code in ((0, 1) if command == "lint" else (0,)), err
    assert _warnings(err) == [], err


@pytest.mark.parametrize("command", ["qa", "merge", "agreement", "lint"])
def test_a_map_for_a_command_whose_workers_read_no_file_is_said_to_change_nothing(
    command: str, labelled: Path, tmp_path: Path, dask_cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """``qa``, ``merge``, ``agreement`` and ``lint`` without ``--pictures`` send their workers the objects;
    no file is read there, so a map has nothing to map (a user giving one expects it to matter)."""
    shards = tmp_path / "shards"
    if command in ("merge", "agreement"):
        split = ["split", str(labelled), "--annotators", "ann,bob", "--overlap", "1", "-o", str(shards)]
        assert main(split) == 0
    parts = [str(shards / "ann.json"), str(shards / "bob.json")]
    argv = {
        "qa": ["qa", str(labelled), str(labelled), "--json", str(tmp_path / "qa.json")],
        "merge": ["merge", *parts, "-o", str(tmp_path / "merged.json")],
        "agreement": ["agreement", *parts, "--json", str(tmp_path / "agreement.json")],
        "lint": ["lint", str(labelled), "--json", str(tmp_path / "lint.json")],
    }[command]
    capsys.readouterr()
    where = ["--scheduler", dask_cluster.scheduler_address, "--path-map", f"{labelled.parent}=/remote"]
    code = main([*argv, *where])
    err = capsys.readouterr().err
    assert code in (0, 1, 3), err
    why = {
        "qa": "qa's workers read no files (this process reads both sides and sends them the objects)",
        "merge": "merge's workers read no files (they are sent the shards' objects)",
        "agreement": "agreement's workers read no files (they are sent the shards' objects)",
        "lint": "lint's workers read no files without --pictures (they are sent the objects)",
    }[command]
    assert _warnings(err) == [
        f"pixelproof: warning: --path-map {labelled.parent}=/remote changes nothing: {why}"
    ]
