"""``pixelproof log --by-user``: a team lead asked who did what and `log` only listed the saves one by one;
removals were nobody's (the removed object, with its ``author``, is gone)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core import history
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits import RemoveAnnotations
from pixelproof.core.model import LAST_ANNOTATION_ID
from tests.core.teams_data import box_annotation, make_project


def _save_as(p, user: str, when: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PIXELPROOF_AUTHOR", user)
    monkeypatch.setattr(history, "utc_now", lambda: when)
    save_project(p)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """lead: 4 images x 2 objects on 1 March; ann removes 2 of lead's and adds 1 on 2 March; bob locks 3
    objects (a change, through the CLI's --author) on 3 March."""
    p = make_project(tmp_path, 4)
    _save_as(p, "lead", "2026-03-01T09:00:00Z", monkeypatch)
    p = load_project(p.path)
    RemoveAnnotations([1, 3]).apply(p)
    p.add_annotation(box_annotation(50, 4, 1, [1, 1, 4, 4]))
    _save_as(p, "ann", "2026-03-02T11:00:00Z", monkeypatch)
    monkeypatch.setattr(history, "utc_now", lambda: "2026-03-03T15:00:00Z")
    assert main(["lock", str(p.path), "--ids", "2,4,50", "--author", "bob"]) == 0
    return p.path


def test_by_user_counts_what_each_did(project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert main(["log", str(project), "--by-user", "--json"]) == 0
    rows = {r["user"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"ann", "bob", "lead"}
    assert {k: rows["ann"][k] for k in ("entries", "added", "changed", "removed", "images")} == {
        "entries": 1, "added": 1, "changed": 0, "removed": 2, "images": 3,
    }  # fmt: skip
    assert {k: rows["bob"][k] for k in ("added", "changed", "removed", "images", "tools")} == {
        "added": 0, "changed": 3, "removed": 0, "images": 3, "tools": {"lock": 1},
    }  # fmt: skip
    assert (rows["lead"]["added"], rows["lead"]["first"]) == (8, "2026-03-01T09:00:00Z")

    assert main(["log", str(project), "--by-user"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split() == [
        "user",
        "entries",
        "added",
        "changed",
        "removed",
        "reviewed",
        "images",
        "first",
        "last",
        "tools",
    ]
    assert lines[0].split() == [
        "ann",
        "1",
        "1",
        "0",
        "2",
        "0",
        "3",
        *["2026-03-02T11:00:00Z"] * 2,
        "manual",
        "1",
    ]
    assert [line.split()[0] for line in lines] == ["ann", "bob", "lead"]


def test_a_range_and_per_day(project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert (
        main(["log", str(project), "--by-user", "--since", "2026-03-02", "--until", "2026-03-02", "--json"])
        == 0
    )
    assert [(r["user"], r["removed"]) for r in json.loads(capsys.readouterr().out)] == [("ann", 2)]
    assert main(["log", str(project), "--by-day", "--since", "2026-03-02T12:00Z", "--json"]) == 0
    assert [(r["day"], r["changed"]) for r in json.loads(capsys.readouterr().out)] == [("2026-03-03", 3)]
    assert main(["log", str(project), "--until", "2026-03-01"]) == 0  # the plain listing takes the range too
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("#1 2026-03-01T09:00:00Z lead ")
    assert main(["log", str(project), "--by-user", "--until", "2020-01-01"]) == 0
    assert capsys.readouterr().out == f"{project}: no entries in that range\n"


def test_a_bad_time_is_a_usage_error(project: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as e:
        main(["log", str(project), "--by-user", "--since", "last week"])
    assert e.value.code == 2
    assert "--since: expected a day (2026-03-01)" in capsys.readouterr().err


def test_a_merge_is_the_mergers_and_each_shard_log_says_its_annotator(
    tmp_path: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "lead")
    project = make_project(tmp_path, 4)
    save_project(project)
    shards = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", "ann,bob", "-o", str(shards)]) == 0
    for name, extra in (("ann", 2), ("bob", 1)):
        monkeypatch.setenv("PIXELPROOF_AUTHOR", name)
        p = load_project(shards / f"{name}.json")
        iid = sorted(p.images)[0]
        for n in range(extra):
            p.add_annotation(
                box_annotation(p.id_counter(LAST_ANNOTATION_ID).take(), iid, 1, [2, 2 + n, 5, 5])
            )
        save_project(p)
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "lead")
    merged = tmp_path / "merged.json"
    assert (
        main(
            [
                "merge",
                str(shards / "ann.json"),
                str(shards / "bob.json"),
                "--into",
                str(project.path),
                "-o",
                str(merged),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["log", str(merged), "--by-user", "--json"]) == 0
    [lead] = json.loads(capsys.readouterr().out)  # a saved-elsewhere merge starts its own log: one entry
    assert (lead["user"], lead["tools"]) == ("lead", {"merge": 1})
    assert main(["log", str(shards / "ann.json"), "--by-user", "--json"]) == 0
    rows = {r["user"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["ann"]["added"], rows["ann"]["images"], rows["lead"]["tools"]) == (2, 1, {"split": 1})
