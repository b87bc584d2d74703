"""``pixelproof lock`` / ``unlock``: a lead locks the objects checked so far from a script (before a split,
after an automated check), selecting them as ``predictions`` does; one logged, undoable edit; what changed
is printed; and a selector naming nothing, an id the project lacks or a misspelt class changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.history import sidecar
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.core.object_lock import is_locked


def make(tmp_path: Path) -> Path:
    p = new_project(["car", "person"])
    p.add_image(ImageRecord(1, "night/a.png", 60, 40))
    p.add_image(ImageRecord(2, "day/b.png", 60, 40))
    for aid, image, cat in [(1, 1, 1), (2, 1, 2), (3, 2, 1), (4, 2, 2), (5, 1, 1)]:
        p.add_annotation(Annotation(aid, image, cat, [1.0, 1.0, 10.0, 10.0], area=100.0))
    path = tmp_path / "p.json"
    save_project(p, path)
    return path


def read_log(path: Path) -> list[dict]:
    log = sidecar(path)
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def locked(path: Path) -> set[int]:
    return {a.id for a in load_project(path).annotations.values() if is_locked(a)}


def test_lock_by_ids_images_and_category_then_unlock(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    updated = {a.id: a.updated for a in load_project(path).annotations.values()}
    assert main(["lock", str(path), "--ids", "3,5", "--author", "lead"]) == 0
    assert "locked 2 objects (#3, #5) on 2 images" in capsys.readouterr().out
    assert locked(path) == {3, 5}
    assert {a.id: a.updated for a in load_project(path).annotations.values()} == updated  # flags only
    log = read_log(path)
    assert (
        log[-1]["tool"] == "lock" and log[-1]["edits"] == ["Lock 2 objects"] and log[-1]["author"] == "lead"
    )
    # every selector given narrows: the cars on night/ images; #5 was locked already
    assert main(["lock", str(path), "--images", "night/*", "--category", "car"]) == 0
    out = capsys.readouterr().out
    assert "locked 1 object (#1) on 1 image; 1 object locked already (#5)" in out
    assert locked(path) == {1, 3, 5}
    # an id outside the other selectors is left alone, and said
    assert main(["unlock", str(path), "--ids", "1,3", "--category", "car", "--images", "a.png"]) == 0
    out = capsys.readouterr().out
    assert "unlocked 1 object (#1) on 1 image; #3 not on the images or of the categories asked" in out
    assert locked(path) == {3, 5}
    out_path = tmp_path / "out.json"
    assert main(["unlock", str(path), "--images", "*", "-o", str(out_path)]) == 0
    assert locked(out_path) == set() and locked(path) == {3, 5}
    # unlocking removes the key: the file as it was before any lock
    data = json.loads(out_path.read_text())
    assert all("pixelproof" not in a or "locked" not in a["pixelproof"] for a in data["annotations"])


def test_nothing_to_change_writes_nothing(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    before, log = path.read_bytes(), sidecar(path).read_bytes()
    assert main(["unlock", str(path), "--ids", "2"]) == 0
    assert "nothing unlocked; 1 object unlocked already (#2)" in capsys.readouterr().out
    assert path.read_bytes() == before and sidecar(path).read_bytes() == log


def test_bad_selection_changes_nothing(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    before = path.read_bytes()
    assert main(["lock", str(path)]) == 2
    assert "say which objects: --ids, --images, --category or --status" in capsys.readouterr().err
    assert main(["lock", str(path), "--ids", "2,9,11"]) == 1
    assert "p.json: no annotation #9, #11; nothing changed" in capsys.readouterr().err
    assert main(["lock", str(path), "--category", "persn"]) == 2
    assert "no category 'persn'; did you mean 'person'?" in capsys.readouterr().err
    assert main(["lock", str(path), "--images", "dusk/*"]) == 1
    assert "no image matches 'dusk/*'" in capsys.readouterr().err
    try:
        main(["lock", str(path), "--ids", "two"])
    except SystemExit as e:
        assert e.code == 2
    assert "expected annotation ids like 3,5, got 'two'" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_a_locked_object_then_refuses_a_command_edit(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    assert main(["lock", str(path), "--ids", "2"]) == 0
    capsys.readouterr()
    assert main(["taxonomy", "delete", str(path), "person", "--delete-objects"]) == 1
    assert "cannot delete class 'person' and its objects: it has 1 locked object;" in capsys.readouterr().err
    assert main(["unlock", str(path), "--ids", "2"]) == 0
    assert main(["taxonomy", "delete", str(path), "person", "--delete-objects"]) == 0


def test_lock_and_unlock_by_image_status(tmp_path: Path, capsys) -> None:
    """A lead locks every object of the images approved (reviewed) in one go, and unlocks them alike."""
    path = make(tmp_path)
    p = load_project(path)
    p.add_image(ImageRecord(3, "day/c.png", 60, 40))
    p.add_annotation(Annotation(6, 3, 2, [1.0, 1.0, 10.0, 10.0], area=100.0))
    p.set_image_status(1, "reviewed")
    p.set_image_status(3, "reviewed")
    p.set_image_status(2, "done")
    save_project(p, path)
    capsys.readouterr()
    assert main(["lock", str(path), "--status", "reviewed"]) == 0
    assert "locked 4 objects (#1, #2, #5, #6) on 2 images" in capsys.readouterr().out
    assert locked(path) == {1, 2, 5, 6}
    assert read_log(path)[-1]["edits"] == ["Lock 4 objects"]
    # with the other selectors, narrowing: the people on reviewed images under day/
    assert (
        main(["unlock", str(path), "--status", "reviewed", "--images", "day/*", "--category", "person"]) == 0
    )
    assert "unlocked 1 object (#6) on 1 image" in capsys.readouterr().out
    assert locked(path) == {1, 2, 5}
    # several statuses; an image with no status recorded is todo: none here
    assert main(["lock", str(path), "--status", "done", "--status", "reviewed"]) == 0
    assert locked(path) == {1, 2, 3, 4, 5, 6}
    assert main(["unlock", str(path), "--status", "todo"]) == 0
    assert "nothing unlocked (no object matches)" in capsys.readouterr().out
    # a status that is none of the image states is a usage error, naming them; nothing changed
    before = path.read_bytes()
    with pytest.raises(SystemExit) as exit_:
        main(["lock", str(path), "--status", "approved"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'approved'" in err and "reviewed" in err
    assert path.read_bytes() == before


def test_lock_names_the_project_as_typed(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The line starts with the path the user typed, as README shows (`p.json: locked ...`) and as
    set-split and predictions print it, not the absolute path the save resolved."""
    make(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["lock", "p.json", "--ids", "3,5"]) == 0
    assert capsys.readouterr().out.startswith("p.json: locked 2 objects (#3, #5) on 2 images")
    assert main(["unlock", "p.json", "--ids", "3", "-o", "out.json"]) == 0
    assert capsys.readouterr().out.startswith("out.json: unlocked 1 object (#3) on 1 image")


def test_nothing_to_change_still_writes_the_output_asked_for_and_says_so(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """README said nothing is written when nothing changes, yet ``-o OUT`` was written, unsaid. OUT was
    asked for (the next step of a script reads it): it holds the project as it is, and the line says so;
    the project itself is not written."""
    path = make(tmp_path)
    before, log = path.read_bytes(), sidecar(path).read_bytes()
    out = tmp_path / "out.json"
    assert main(["unlock", str(path), "--ids", "2", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert said == f"{out}: nothing unlocked; 1 object unlocked already (#2); written, the project as it is\n"
    assert load_project(out).annotations.keys() == load_project(path).annotations.keys()
    assert path.read_bytes() == before and sidecar(path).read_bytes() == log
    assert main(["lock", str(path), "--status", "reviewed"]) == 0
    assert capsys.readouterr().out == f"{path}: nothing locked (no object matches)\n"
    assert path.read_bytes() == before
