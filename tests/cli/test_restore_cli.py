"""`pixelproof restore`: a real split and merge leave an outsider's box out; restore brings it back into the
merged project as one logged edit, saying how many objects from which report and shard."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.history import sidecar
from pixelproof.core.model import ImageRecord
from tests.core.teams_data import box_annotation, make_project


def _merged_with_left_out(tmp_path: Path, capsys) -> tuple[Path, Path, str]:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 12)
    save_project(project)
    shards = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", "ann,bob", "-o", str(shards)]) == 0
    ann, bob = load_project(shards / "ann.json"), load_project(shards / "bob.json")
    theirs = next(iter(ann.images.values()))
    bob.add_image(ImageRecord(bob.next_image_id(), theirs.file_name, theirs.width, theirs.height))
    bob.add_annotation(
        box_annotation(bob.next_annotation_id(), max(bob.images), 3, [3, 3, 7, 7], author="bob")
    )
    save_project(bob)
    out = tmp_path / "merged.json"
    code = main(["merge", str(shards / "ann.json"), str(shards / "bob.json"), "--into", str(project.path),
                 "-o", str(out)])  # fmt: skip
    assert code == 3
    capsys.readouterr()
    return out, tmp_path / "merged.merge-report.json", project.images[theirs.id].file_name  # the lead's name


def test_restore_brings_a_left_out_box_back_as_one_logged_edit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out, report, name = _merged_with_left_out(tmp_path, capsys)
    before = load_project(out)
    assert main(["restore", str(out), str(report), "--image", name, "--author", "lead"]) == 0
    printed = capsys.readouterr().out
    after = load_project(out)
    [new] = [a for a in after.annotations.values() if a.id not in before.annotations]
    assert (
        f"{out}: Restore 1 left-out object from merged.merge-report.json (bob 1), as #{new.id} (new ids)"
        in printed
    )
    assert after.images[new.image_id].file_name == name and new.bbox == [3.0, 3.0, 7.0, 7.0]
    assert after.categories[new.category_id].name == "bird" and new.author == "bob"
    log = [json.loads(line) for line in sidecar(out).read_text().splitlines()]
    assert log[-1]["tool"] == "restore" and log[-1]["author"] == "lead"
    assert log[-1]["edits"] == ["Restore 1 left-out object from merged.merge-report.json (bob 1)"]


def test_restore_refuses_another_projects_report_and_changes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = _merged_with_left_out(tmp_path, capsys)
    other = make_project(tmp_path, 2, name="other.json", prefix="other")
    save_project(other)
    text = other.path.read_bytes()
    assert main(["restore", str(other.path), str(report)]) == 1
    err = capsys.readouterr().err
    assert "merged.merge-report.json: none of the images of its left-out objects (images/img" in err
    assert "the report of another project?; nothing restored" in err
    assert other.path.read_bytes() == text
    assert main(["restore", str(other.path), str(other.path)]) == 1  # a project given as the report
    assert (
        "other.json: not a merge report (no 'left_out_objects' list); nothing restored"
        in capsys.readouterr().err
    )


def test_restore_names_the_project_as_typed(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`merged.json: Restore ...`, the name typed, as the other editing commands print it."""
    _, _, name = _merged_with_left_out(tmp_path, capsys)
    monkeypatch.chdir(tmp_path)
    assert main(["restore", "merged.json", "merged.merge-report.json", "--image", name]) == 0
    assert capsys.readouterr().out.startswith("merged.json: Restore 1 left-out object")
