"""Annotator names of any script (Björn, 张伟, Анна) through split -> edit -> merge, in one Unicode form
(NFC), and the names that cannot be a shard's file on some disk refused, saying why."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from pixelproof.core import history
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.history_users import summarise
from pixelproof.core.merge import load_shards, merge_shards
from pixelproof.core.split import SplitError, check_annotator_names, split_project
from tests.core.teams_data import box_annotation, make_project

BJORN = "Björn"
BJORN_NFD = unicodedata.normalize("NFD", BJORN)  # as typed on macOS: o + COMBINING DIAERESIS


def test_names_of_any_script_round_trip_in_nfc(tmp_path: Path) -> None:
    assert BJORN_NFD != BJORN
    base = make_project(tmp_path, 12)
    save_project(base)
    result = split_project(base, [BJORN_NFD, "张伟", "Анна"], overlap=0.0, seed=1)
    assert list(result.shards) == [BJORN, "张伟", "Анна"]  # NFC: one name, one file, on every system
    assert result.manifest["annotators"] == [BJORN, "张伟", "Анна"]
    out = tmp_path / "shards"
    out.mkdir()
    paths = []
    for k, (name, shard) in enumerate(result.shards.items()):
        assert shard.app["shard"]["annotator"] == name
        path = out / f"{name}.json"
        save_project(shard, path)
        shard = load_project(path)
        image = min(shard.images)
        shard.add_annotation(box_annotation(shard.next_annotation_id(), image, 1, [1, 1, 3 + k, 3]))
        history.note(shard, author=unicodedata.normalize("NFD", name))  # the annotator's macOS log
        save_project(shard)
        paths.append(path)
    assert sorted(p.name for p in out.glob("*.json")) == sorted(f"{n}.json" for n in result.shards)
    shards = load_shards(paths, [load_project(p) for p in paths])
    assert [s.name for s in shards] == [BJORN, "张伟", "Анна"]
    merged = merge_shards(shards, base=base, manifest=result.manifest)
    assert merged.conflicts == []
    authors = sorted(a.author for a in merged.project.annotations.values() if a.author)
    assert authors == sorted([BJORN, "张伟", "Анна"])
    last = history.sidecar(out / f"{BJORN}.json").read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(last)["author"] == BJORN  # logged in NFC though given NFD


def test_a_shard_naming_its_annotator_decomposed_merges_under_the_composed_name(tmp_path: Path) -> None:
    base = make_project(tmp_path, 4)
    shard = split_project(base, [BJORN], overlap=0.0).shards[BJORN]
    shard.app["shard"]["annotator"] = BJORN_NFD  # written by another tool, or by hand on macOS
    (merged_shard,) = load_shards([tmp_path / "x.json"], [shard])
    assert (merged_shard.name, merged_shard.annotator) == (BJORN, BJORN)


def test_log_by_user_takes_both_forms_for_one_author() -> None:
    entries = [
        {"seq": 0, "author": BJORN, "time": "2026-03-01T09:00:00Z", "totals": {"added": 1}},
        {"seq": 1, "author": BJORN_NFD, "time": "2026-03-02T09:00:00Z", "totals": {"added": 2}},
    ]
    rows, _ = summarise(entries)
    assert [(r.user, r.added) for r in rows] == [(BJORN, 3)]
    assert history.current_author(BJORN_NFD) == BJORN


@pytest.mark.parametrize(
    ("names", "said"),
    [
        (["Anna", "anna"], r"Anna and anna differ only in case: their shard files \(Anna.json, anna.json\)"),
        (["Zoë", "ZOË"], "differ only in case"),
        (["ann", "CON"], r"'CON' is a name Windows keeps for a device"),
        (["ann", "nul.x"], "Windows keeps for a device"),
        (["ann", "evil\u202egpj"], r"holds an invisible character \(\\u202e\)"),
        (["ann", "a\u200bb"], r"invisible character \(\\u200b\)"),
        (["ann", "a/b"], r"'a/b' holds '/'"),
        (["ann", "a\\b"], r"holds '\\'"),
        (["ann", "../evil"], "holds '/'"),
        (["ann", "bob."], "ends in '.'"),
        (["ann", "bo b"], "holds a space"),
        (["ann", ".hidden"], "must start with a letter or a digit"),
        (["ann", "a:b"], "holds ':'"),
        (["ann", "张" * 43], r"is 129 bytes long in UTF-8 \(at most 128\)"),
        (["ann", "a" * 65], r"is 65 characters long \(at most 64\)"),
        ([BJORN, BJORN_NFD], "given twice: Björn"),
        (["ann", "\u0410nna"], r"'\u0410nna' mixes Cyrillic and Latin letters \('\u0410' and 'n'"),
        (["ann", "j\u03bfhn"], "mixes Latin and Greek letters"),
    ],
)
def test_names_no_disk_can_hold_are_refused(names: list[str], said: str) -> None:
    with pytest.raises(SplitError, match=said):
        check_annotator_names(names)


def test_names_of_letters_digits_and_marks_are_taken() -> None:
    given = ["José", "Zoë", "张伟", "Анна", "देवनागरी", "ann_2.b-c", "3po", "张" * 42, "李Anna", "Ωμέγα-2"]
    assert check_annotator_names(given) == given
    from pixelproof.core.names import annotator_name_problem

    assert annotator_name_problem("\u3164") is not None  # a Hangul filler shows nothing
