"""Who did what, from the change log: before, the log listed saves one by one and nothing added them up per
annotator, and a removal could be attributed to nobody (the object, and its ``author``, are gone)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pixelproof.core import coco, history
from pixelproof.core.coco import ProjectSaveError, load_project, save_project
from pixelproof.core.edits import RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.geometry import clone
from pixelproof.core.history_users import Span, in_span, parse_time, summarise
from tests.core.teams_data import box_annotation, make_project


def _save_as(p, user: str, when: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PIXELPROOF_AUTHOR", user)
    monkeypatch.setattr(history, "utc_now", lambda: when)
    save_project(p)


def _log(path: Path) -> list[dict]:
    p = load_project(path)
    entries, problems = history.read_log(path, p.app["history"]["head"])
    assert problems == []
    return entries


def two_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """lead creates 3 images x 2 objects; ann adds 2 and removes 1 lead drew; bob re-classes 1 of ann's,
    accepts another, removes 2 (one of ann's) on a later day; ann adds 1 more that day."""
    p = make_project(tmp_path, 3)
    _save_as(p, "lead", "2026-03-01T09:00:00Z", monkeypatch)
    p = load_project(p.path)
    p.add_annotation(box_annotation(100, 1, 1, [1, 1, 4, 4]))
    p.add_annotation(box_annotation(101, 2, 2, [1, 1, 4, 4]))
    RemoveAnnotations([1]).apply(p)  # lead's object on image 1
    _save_as(p, "ann", "2026-03-01T10:00:00Z", monkeypatch)
    p = load_project(p.path)
    a = clone(p.annotations[100])
    a.category_id = 3
    b = clone(p.annotations[4])
    b.review = "accepted"
    ReplaceAnnotations([a, b]).apply(p)
    RemoveAnnotations([101, 6]).apply(p)  # ann's object on image 2, lead's on image 3
    _save_as(p, "bob", "2026-03-02T08:30:00Z", monkeypatch)
    p = load_project(p.path)
    p.add_annotation(box_annotation(102, 3, 1, [2, 2, 4, 4]))
    _save_as(p, "ann", "2026-03-02T17:00:00Z", monkeypatch)
    return p.path


def test_each_user_gets_what_their_saves_added_changed_and_removed(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rows, uncommitted = summarise(_log(two_users(tmp_path, monkeypatch)))
    assert uncommitted == 0
    by = {r.user: r.as_json() for r in rows}
    assert [r.user for r in rows] == ["ann", "bob", "lead"]
    assert by["ann"] == {
        "user": "ann", "entries": 2, "added": 3, "changed": 0, "removed": 1, "reviewed": 0, "images": 3,
        "tools": {"manual": 2}, "first": "2026-03-01T10:00:00Z", "last": "2026-03-02T17:00:00Z",
    }  # fmt: skip
    # bob removed an object ann drew and one lead drew: both are bob's removals
    assert by["bob"] == {
        "user": "bob", "entries": 1, "added": 0, "changed": 2, "removed": 2, "reviewed": 1, "images": 3,
        "tools": {"manual": 1}, "first": "2026-03-02T08:30:00Z", "last": "2026-03-02T08:30:00Z",
    }  # fmt: skip
    assert (by["lead"]["added"], by["lead"]["removed"], by["lead"]["images"]) == (6, 0, 3)


def test_per_day_and_a_range(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    entries = _log(two_users(tmp_path, monkeypatch))
    rows, _ = summarise(entries, by_day=True)
    assert [(r.user, r.day, r.added, r.removed) for r in rows] == [
        ("ann", "2026-03-01", 2, 1),
        ("ann", "2026-03-02", 1, 0),
        ("bob", "2026-03-02", 0, 2),
        ("lead", "2026-03-01", 6, 0),
    ]
    rows, _ = summarise(entries, by_user=False, by_day=True)
    assert [(r.user, r.day, r.entries, r.added) for r in rows] == [
        (None, "2026-03-01", 2, 8),
        (None, "2026-03-02", 2, 1),
    ]
    # a day as --until includes the whole day; a time is included to the second
    day_one, unreadable = in_span(entries, Span(None, parse_time("2026-03-01", end=True)))
    assert unreadable == 0 and sorted(e["author"] for e in day_one) == ["ann", "lead"]
    window = Span(parse_time("2026-03-01T10:00Z"), parse_time("2026-03-02T08:30:00", end=True))
    assert [e["author"] for e in in_span(entries, window)[0]] == ["bob", "ann"]


def test_a_failed_save_counts_for_nobody(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = two_users(tmp_path, monkeypatch)
    p = load_project(path)
    RemoveAnnotations([2]).apply(p)
    monkeypatch.setattr(coco, "atomic_write", _fail)
    with pytest.raises(ProjectSaveError):
        _save_as(p, "eve", "2026-03-03T00:00:00Z", monkeypatch)  # its entry is appended, then the save fails
    monkeypatch.undo()
    rows, uncommitted = summarise(_log(path))
    assert uncommitted == 1 and "eve" not in {r.user for r in rows}


def _fail(*_args: object, **_kw: object) -> None:
    raise ProjectSaveError("disk full")


def test_bad_times_are_refused_and_hand_edited_entries_do_not_crash() -> None:
    with pytest.raises(ValueError, match="2026-03-01"):
        parse_time("yesterday")
    assert parse_time("2026-03-01T10:00+02:00") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    odd = [
        {"seq": 1, "committed": True, "time": "noon", "author": 7, "totals": {"added": "x", "removed": -3}},
        {"seq": 2, "committed": True, "time": "2026-03-01T10:00:00Z", "review": {"a->b": True}},
    ]
    rows, _ = summarise(odd, by_day=True)
    assert [(r.user, r.day, r.added, r.removed, r.reviewed) for r in rows] == [
        ("?", "2026-03-01", 0, 0, 0),
        ("?", "?", 0, 0, 0),
    ]
    kept, unreadable = in_span(odd, Span(parse_time("2026-01-01"), None))
    assert unreadable == 1 and [e["seq"] for e in kept] == [2]
