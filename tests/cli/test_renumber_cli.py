"""``pixelproof renumber``: the way on for a project whose ids reach 2**63 - 1, writing a new project (or,
asked, the project itself, atomically and under its lock), the change log carried, the old -> new ids
written for the user, and refusing what it cannot renumber safely."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from pixelproof.core.lock import lock_path
from tests.core.renumber_data import by_names, read, rich_project
from tests.core.test_renumber import check_references


def test_renumber_writes_a_new_project_the_map_and_the_change_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = rich_project(tmp_path).path
    before = old.read_bytes()  # type: ignore[union-attr]
    new, ids = tmp_path / "out" / "new.json", tmp_path / "ids.json"
    new.parent.mkdir()
    assert main(["renumber", str(old), "-o", str(new), "--map-out", str(ids)]) == 0
    out = capsys.readouterr().out.splitlines()
    n = len(read(old)["annotations"])  # type: ignore[arg-type]
    assert out == [
        f"{new}: renumbered from 1: 4 of 4 image ids, 3 of 3 category ids, {n} of {n} object ids changed; "
        "last_*_id marks set to the highest ids; 9 references to ids no longer in the project removed "
        "(pixelproof.lint.dismissed 1, annotations[].pixelproof.consensus_of 7, "
        "annotations[].pixelproof.from_box 1)"
    ]
    assert old.read_bytes() == before  # type: ignore[union-attr]
    data, was = read(new), read(old)  # type: ignore[arg-type]
    check_references(data)
    assert by_names(data, new.parent) == by_names(was, tmp_path)  # names rebased to the new folder
    # the map translates every id of the old file to the one naming the same thing in the new
    table = json.loads(ids.read_text())
    assert table["project"] == str(old.resolve()) and table["output"] == str(new.resolve())  # type: ignore[union-attr]
    images = {im["id"]: im for im in data["images"]}
    for im in was["images"]:
        assert Path(images[table["images"][str(im["id"])]]["file_name"]).name == Path(im["file_name"]).name
    cats = {c["id"]: c["name"] for c in data["categories"]}
    assert all(cats[table["categories"][str(c["id"])]] == c["name"] for c in was["categories"])
    anns = {a["id"]: a for a in data["annotations"]}
    for a in was["annotations"]:
        assert anns[table["annotations"][str(a["id"])]]["bbox"] == a["bbox"]
    # the change log names images and classes by name: carried, and the new file's head is on it
    assert (
        new.with_name("new.history.jsonl").read_bytes() == tmp_path.joinpath("p.history.jsonl").read_bytes()
    )
    assert main(["log", str(new)]) == 0
    assert "not committed" not in capsys.readouterr().out
    # a second renumber changes nothing: the same bytes, and in place not even written
    again = tmp_path / "out" / "again.json"
    assert main(["renumber", str(new), "-o", str(again)]) == 0
    assert "ids already run from 1 in file order; nothing to renumber" in capsys.readouterr().out
    assert again.read_bytes() == new.read_bytes()
    stamp = os.stat(new).st_mtime_ns
    assert main(["renumber", str(new), "--in-place"]) == 0
    assert new.read_bytes() == again.read_bytes() and os.stat(new).st_mtime_ns == stamp
    # and the renumbered project takes new images and objects
    more = tmp_path / "images"
    assert main(["add", str(new), str(more / "i0.png"), "-o", str(tmp_path / "out" / "added.json")]) == 0


def test_old_shards_are_refused_by_merge_into_the_renumbered_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = rich_project(tmp_path).path
    assert main(["renumber", str(old), "--in-place"]) == 0
    capsys.readouterr()
    assert old.with_name("p.json.bak").exists()  # type: ignore[union-attr]
    check_references(read(old))  # type: ignore[arg-type]
    shard, merged = tmp_path / "shards" / "ann.json", tmp_path / "merged.json"
    assert main(["merge", str(shard), "--into", str(old), "-o", str(merged)]) == 1
    err = capsys.readouterr().err
    assert f"pixelproof: error: {old} was renumbered (pixelproof renumber, at " in err
    assert f"after {shard} was made: their ids name different objects, images and classes" in err
    assert not merged.exists()
    assert main(["merge", str(shard), "--into", str(old.with_name("p.json.bak")), "-o", str(merged)]) in (
        0,
        3,
    )  # type: ignore[union-attr]


def test_what_renumber_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = rich_project(tmp_path).path
    before = old.read_bytes()  # type: ignore[union-attr]
    with pytest.raises(SystemExit) as e:  # where to write is not guessed
        main(["renumber", str(old)])
    assert e.value.code == 2
    assert main(["renumber", str(old), "-o", str(old)]) == 1
    err = capsys.readouterr().err
    assert f"pixelproof: error: {old}: is {old} itself; give --in-place to renumber it in place" in err
    shard = tmp_path / "shards" / "bob.json"
    assert main(["renumber", str(shard), "-o", str(tmp_path / "x.json")]) == 1
    err = capsys.readouterr().err
    assert (
        f"pixelproof: error: {shard}: cannot renumber: pixelproof.shard: it is a shard of a split (bob's)"
        in err
    )
    # the app holds the project open: it would save its old ids over the renumbered file
    lock_path(old).write_text(
        json.dumps({"user": "ann", "host": socket.gethostname(), "pid": 1, "since": "now"})
    )  # type: ignore[arg-type]
    assert main(["renumber", str(old), "--in-place"]) == 1
    assert "open in PixelProof by ann on" in capsys.readouterr().err
    lock_path(old).unlink()  # type: ignore[arg-type]
    # another project's change log where the new one would go is not replaced
    other = tmp_path / "other.json"
    other.with_name("other.history.jsonl").write_text('{"seq": 1}\n')
    assert main(["renumber", str(old), "-o", str(other), "--map-out", str(tmp_path / "m.json")]) == 1
    assert "other.history.jsonl: holds the change log of another project" in capsys.readouterr().err
    assert not other.exists() and not (tmp_path / "m.json").exists() and old.read_bytes() == before  # type: ignore[union-attr]
    assert load_project(old).path == old


def test_the_refusal_names_the_file_to_merge_old_shards_into(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lead who renumbered in place mid-round was told to merge the shards 'into the project it was split
    from (before renumbering)' - a file they no longer had by any name they knew. The old numbering is the
    .bak until the project is saved again: renumber says so, and so does merge while it is there."""
    old = rich_project(tmp_path).path
    bak = old.with_name("p.json.bak")  # type: ignore[union-attr]
    assert main(["renumber", str(old), "--in-place"]) == 0
    out = capsys.readouterr().out
    assert f"{bak} holds the project as it was until its next save" in out
    shard, merged = tmp_path / "shards" / "ann.json", tmp_path / "merged.json"
    assert main(["merge", str(shard), "--into", str(old), "-o", str(merged)]) == 1
    err = capsys.readouterr().err
    assert f"Merge {shard} into {bak}, the project as it was before renumbering" in err
    assert "then renumber the merged project" in err
    # the step the message names works, and renumbering after it gives a project the next split can use
    assert main(["merge", str(shard), "--into", str(bak), "-o", str(merged)]) in (0, 3)
    assert main(["renumber", str(merged), "--in-place"]) == 0
    capsys.readouterr()
    # once the project is saved again its .bak is the renumbered file: it is named no more
    first = read(old)["categories"][0]["name"]  # type: ignore[arg-type]
    assert main(["taxonomy", "describe", str(old), first, "--description", "x"]) == 0
    capsys.readouterr()
    assert main(["merge", str(shard), "--into", str(old), "-o", str(merged)]) == 1
    err = capsys.readouterr().err
    assert str(bak) not in err and "into the project it was split from (before renumbering)" in err


def test_renumber_names_the_files_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`renumber p.json -o renumbered.json` said `(copied to /tmp/x/renumbered.json)`: the absolute path
    the save resolved, where every other command names a file as the user typed it."""
    rich_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["renumber", "p.json", "-o", "renumbered.json"]) == 0
    assert capsys.readouterr().out.startswith("renumbered.json: renumbered from 1: ")
    assert main(["renumber", "renumbered.json", "-o", "again.json"]) == 0
    assert capsys.readouterr().out == (
        "renumbered.json: ids already run from 1 in file order; nothing to renumber (copied to again.json)\n"
    )
    assert main(["renumber", "again.json", "--in-place"]) == 0
    assert (
        capsys.readouterr().out == "again.json: ids already run from 1 in file order; nothing to renumber\n"
    )
