"""The change log says whose shards a merge brought in: before, `pixelproof log` showed the merge as the
lead's "Merge shards", and who labelled what was nowhere in the log."""

from __future__ import annotations

from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import LAST_ANNOTATION_ID
from tests.core.teams_data import box_annotation, make_project


def test_the_merge_log_entry_names_the_annotators(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "lead")
    project = make_project(tmp_path, 8)
    save_project(project)
    shards = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", "bob,ann", "-o", str(shards)]) == 0
    for name in ("bob", "ann"):
        p = load_project(shards / f"{name}.json")
        iid = sorted(p.images)[0]
        p.add_annotation(box_annotation(p.id_counter(LAST_ANNOTATION_ID).take(), iid, 1, [2, 2, 5, 5]))
        save_project(p)
    merged = tmp_path / "merged.json"
    given = [str(shards / "bob.json"), str(shards / "ann.json")]
    assert main(["merge", *given, "--into", str(project.path), "-o", str(merged)]) == 0
    capsys.readouterr()
    assert main(["log", str(merged), "-n", "1"]) == 0
    first, second = capsys.readouterr().out.splitlines()[:2]
    assert " lead [merge] " in first
    assert second.strip() == "Merge 2 shards of ann, bob"  # in the order they merge in: names


def test_the_log_says_one_image_in_the_singular(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 3)
    save_project(project)
    assert main(["lock", str(project.path), "--ids", "1", "--author", "lead"]) == 0
    capsys.readouterr()
    assert main(["log", str(project.path), "-n", "1"]) == 0
    assert "objects in 1 image\n" in capsys.readouterr().out  # was "in 1 images"
