"""The Annotations panel's model (``AnnotationRows``): rows are ids, looks computed on demand and kept until
the object changes, the filter leaves rows out, objects that come and go insert and remove their rows (no
reset: the view keeps its scroll and current row), and a selection is runs of rows, not row by row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QColor

from pixelproof.ui.panels.annotation_rows import AnnotationRows, Row

pytestmark = pytest.mark.gui


def model(names: dict[int, str]) -> tuple[AnnotationRows, list[int], list[str]]:
    asked: list[int] = []
    signals: list[str] = []

    def describe(ann_id: int) -> Row | None:
        asked.append(ann_id)
        name = names.get(ann_id)
        return None if name is None else Row(f"#{ann_id}  {name}", QColor("red"), f"tip {ann_id}", False)

    rows = AnnotationRows(describe)
    rows.modelReset.connect(lambda: signals.append("reset"))
    rows.rowsInserted.connect(lambda _p, a, b: signals.append(f"+{a}-{b}"))
    rows.rowsRemoved.connect(lambda _p, a, b: signals.append(f"-{a}-{b}"))
    rows.dataChanged.connect(lambda a, b, *_: signals.append(f"~{a.row()}-{b.row()}"))
    return rows, asked, signals


def texts(rows: AnnotationRows) -> list[str]:
    return [rows.index(r, 0).data() for r in range(rows.rowCount())]


def test_rows_are_described_when_read_and_once_until_changed(qapp) -> None:  # type: ignore[no-untyped-def]
    names = {k: "cat" for k in range(1, 20001)}
    rows, asked, signals = model(names)
    rows.reset(list(names))
    assert rows.rowCount() == 20000 and asked == []  # nothing described yet
    assert rows.index(4, 0).data() == "#5  cat" and rows.index(4, 0).data(Qt.ItemDataRole.UserRole) == 5
    assert rows.index(4, 0).data(Qt.ItemDataRole.ToolTipRole) == "tip 5" and asked == [5]
    names[5] = "dog"
    assert rows.changed([5, 99999]) is False and signals == ["reset", "~4-4"]  # another image's: ignored
    assert rows.index(4, 0).data() == "#5  dog" and asked == [5, 5]


def test_the_filter_leaves_rows_out_and_a_change_can_bring_one_in(qapp) -> None:  # type: ignore[no-untyped-def]
    names = {1: "cat", 2: "dog", 3: "cat", 25: "dog", 2508: "dog"}
    rows, _, _ = model(names)
    rows.reset(list(names))
    rows.set_query("DOG")
    assert texts(rows) == ["#2  dog", "#25  dog", "#2508  dog"]
    rows.set_query("#25")
    assert texts(rows) == ["#25  dog"]
    rows.set_query("cat")
    names[2] = "cat"
    assert rows.changed([2]) is True  # now a cat: the caller re-filters
    rows.refilter()
    assert texts(rows) == ["#1  cat", "#2  cat", "#3  cat"]


def test_objects_that_come_and_go_move_only_their_rows(qapp) -> None:  # type: ignore[no-untyped-def]
    names = {k: "cat" for k in (1, 2, 3, 4)}
    rows, _, signals = model(names)
    rows.reset([1, 2, 3, 4])
    signals.clear()
    names[9] = "cat"
    rows.update([1, 3, 9, 4], [2, 9])  # 2 deleted, 9 restored between 3 and 4 (an undo)
    assert rows.ids == [1, 3, 9, 4] and signals == ["-1-1", "+2-2"]
    assert rows.row_of() == {1: 0, 3: 1, 9: 2, 4: 3}


def test_a_selection_is_runs_of_rows(qapp) -> None:  # type: ignore[no-untyped-def]
    rows, _, _ = model({k: "cat" for k in range(1, 11)})
    rows.reset(list(range(1, 11)))
    runs = rows.runs([2, 3, 4, 7, 9, 10, 42])  # 42: not on the image
    assert [(r.top(), r.bottom()) for r in runs] == [(1, 3), (6, 6), (8, 9)]
    assert rows.ids_in(runs) == [2, 3, 4, 7, 9, 10]
    assert rows.ids_in(QItemSelection()) == []
