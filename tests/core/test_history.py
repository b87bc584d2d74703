"""The change log sidecar: what each save records, the chain, failed saves."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from pixelproof.core import coco, history, taxonomy
from pixelproof.core.coco import ProjectSaveError, load_project, save_project
from pixelproof.core.edits import RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.geometry import clone
from tests.core.teams_data import box_annotation, make_project


def _entries(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in history.sidecar(path).read_bytes().splitlines()]


@pytest.fixture(autouse=True)
def _author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "dana")


def test_each_save_appends_what_changed_per_image_and_class(tmp_path: Path) -> None:
    p = make_project(tmp_path, 4)
    save_project(p)
    [first] = _entries(p.path)
    assert first["seq"] == 1 and first["parent"] is None and first["author"] == "dana"
    assert first["totals"] == {"added": 8, "removed": 0, "changed": 0} and first["images"]["added"] == 4

    p = load_project(p.path)
    p.add_annotation(box_annotation(100, 1, 1, [1, 1, 4, 4], source="model:yolo/x@1", review="pending"))
    RemoveAnnotations([3]).apply(p)  # image 2's mask, a bird
    a = clone(p.annotations[1])
    a.review = "accepted"
    b = clone(p.annotations[2])
    b.category_id = 1
    ReplaceAnnotations([a, b]).apply(p)
    history.note(p, tool="review", edit="Accept 1 object")
    save_project(p)
    second = _entries(p.path)[-1]
    assert second["seq"] == 2 and second["parent"] == 1 and second["tool"] == "review"
    assert second["totals"] == {"added": 1, "removed": 1, "changed": 2}
    assert second["per_image"] == {
        "images/img001.png": {"cat": [1, 0, 1], "dog": [0, 0, 1]},  # added box, re-classed bird; dog reviewed
        "images/img002.png": {"bird": [0, 1, 0]},
    }
    assert second["review"] == {"none->accepted": 1} and second["sources"] == {"model": 1, "manual": 2}
    assert second["edits"] == ["Accept 1 object"]
    assert p.app["history"] == {"head": 2}

    save_project(p)  # nothing changed: no entry
    assert len(_entries(p.path)) == 2


def test_taxonomy_changes_are_logged(tmp_path: Path) -> None:
    p = make_project(tmp_path, 3)
    save_project(p)
    edit = taxonomy.rename_category(p, "cat", "feline")
    edit.apply(p)
    history.note(p, tool="taxonomy", edit=edit.label)
    taxonomy.merge_categories(p, "dog", "bird").apply(p)
    save_project(p)
    e = _entries(p.path)[-1]
    assert {"change": "renamed", "old": "cat", "new": "feline"} in e["taxonomy"]
    assert {"change": "removed", "name": "dog"} in e["taxonomy"]
    assert e["per_class"]["bird"][2] == 2 and e["edits"] == ["Rename class cat to feline"]


def test_a_failed_save_leaves_its_entry_off_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = make_project(tmp_path, 2)
    save_project(p)
    p.add_annotation(box_annotation(50, 1, 1, [1, 1, 2, 2]))

    def fail(*_a: object, **_k: object) -> None:
        raise ProjectSaveError("disk full")

    monkeypatch.setattr(coco, "atomic_write", fail)
    with pytest.raises(ProjectSaveError):
        save_project(p)
    assert p.app["history"] == {"head": 1}  # restored
    monkeypatch.undo()
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "dana")
    save_project(p)
    entries, problems = history.read_log(p.path, load_project(p.path).app["history"]["head"])
    assert problems == []
    assert [(e["seq"], e["parent"], e["committed"]) for e in entries] == [
        (3, 1, True),
        (2, 1, False),
        (1, None, True),
    ]


def test_a_damaged_history_line_is_reported_not_fatal(tmp_path: Path) -> None:
    p = make_project(tmp_path, 1)
    save_project(p)
    with open(history.sidecar(p.path), "ab") as f:
        f.write(b"{not json\n")
    entries, problems = history.read_log(p.path, 1)
    assert len(entries) == 1 and problems == [f"{history.sidecar(p.path)}:2: not a JSON line (skipped)"]
    assert history.last_seq(history.sidecar(p.path)) == 0  # the next save still numbers after the head
    p.add_annotation(box_annotation(70, 1, 1, [1, 1, 2, 2]))
    save_project(p)
    assert _entries_ok(p.path)[-1]["seq"] == 2


def test_a_save_after_a_cut_off_line_is_logged_on_a_line_of_its_own(tmp_path: Path) -> None:
    """An append cut short (a crash, a full disk) leaves a line without its newline; the next save's
    entry was glued to it, so it was skipped as 'not a JSON line' and the whole log read as not committed.
    The cut line itself is taken back (it was named as a damaged line ever after)."""
    p = make_project(tmp_path, 1)
    save_project(p)
    with open(history.sidecar(p.path), "ab") as f:
        f.write(b'{"seq": 2, "parent": 1, "ti')
    p.add_annotation(box_annotation(70, 1, 1, [1, 1, 2, 2]))
    save_project(p)
    entries, problems = history.read_log(p.path, load_project(p.path).app["history"]["head"])
    assert problems == []
    assert [(e["seq"], e["committed"]) for e in entries] == [(2, True), (1, True)]
    assert entries[0]["totals"]["added"] == 1


def _entries_ok(path: Path) -> list[dict]:
    out = []
    for line in history.sidecar(path).read_bytes().splitlines():
        try:
            out.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
    return out


def test_the_two_writer_check_covers_the_change_log(tmp_path: Path) -> None:
    from pixelproof.core.coco import ProjectConflictError

    p = make_project(tmp_path, 2)
    save_project(p)
    mine, theirs = load_project(p.path), load_project(p.path)
    theirs.add_annotation(box_annotation(60, 1, 1, [1, 1, 2, 2]))
    save_project(theirs)
    mine.add_annotation(box_annotation(61, 2, 2, [3, 3, 2, 2]))
    with pytest.raises(ProjectConflictError):
        save_project(mine)
    assert [e["seq"] for e in _entries(p.path)] == [1, 2]  # no line for the refused save
    assert mine.app.get("history") == {"head": 1}


def test_an_id_that_moves_to_another_image_is_a_removal_there_and_an_addition_here(tmp_path: Path) -> None:
    p = make_project(tmp_path, 3)  # ids 1..6, two per image; 6 is image 3's box
    save_project(p)
    p = load_project(p.path)
    RemoveAnnotations([6]).apply(p)
    assert p.next_annotation_id() == 7  # the app never gives 6 again (last_annotation_id) ...
    p.add_annotation(box_annotation(6, 1, 1, [2, 2, 5, 5]))  # ... another tool may
    save_project(p)
    e = _entries(p.path)[-1]
    assert e["totals"] == {"added": 1, "removed": 1, "changed": 0}
    assert e["per_image"] == {
        "images/img001.png": {"cat": [1, 0, 0]},
        "images/img003.png": {"dog": [0, 1, 0]},
    }

    p = load_project(p.path)  # an object moved to another image, nothing else about it changed
    moved = clone(p.annotations[1])
    moved.image_id = 2
    p.remove_annotation(1)
    p.add_annotation(moved)
    save_project(p)
    e = _entries(p.path)[-1]
    assert e["seq"] == 3 and e["totals"] == {"added": 1, "removed": 1, "changed": 0}
    assert set(e["per_image"]) == {"images/img001.png", "images/img002.png"}


def test_a_change_log_line_cut_by_a_full_disk_is_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills up mid-line writes part of it (a short write), then refuses: the save fails and the
    part goes, so the next save's line does not run on from it (the two would be one unreadable line)."""
    import errno
    import os

    p = make_project(tmp_path, 2)
    save_project(p)
    log = history.sidecar(p.path)
    before = log.read_bytes()
    p.add_annotation(box_annotation(50, 1, 1, [1, 1, 2, 2]))
    real_write = os.write
    calls: list[int] = []

    def full_disk(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, data[: len(data) // 2])  # what still fitted
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(history.os, "write", full_disk)
    with pytest.raises(ProjectSaveError, match="No space left"):
        save_project(p)
    assert log.read_bytes() == before and p.app["history"] == {"head": 1}
    monkeypatch.setattr(history.os, "write", real_write)
    save_project(p)
    entries, problems = history.read_log(p.path, load_project(p.path).app["history"]["head"])
    assert problems == [] and [(e["seq"], e["committed"]) for e in entries] == [(2, True), (1, True)]
