"""D / A and Shift+G walk the image list as it is shown (a filter keeps some images, a table sorts them):
``core.image_order``, checked against a walk written out the plain way (file order, then keep the listed)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from pixelproof.core.image_order import next_unfinished, step_listed

ORDER = [3, 1, 4, 9, 5, 2, 6]  # file order (ids need not be sorted)


def plain_step(order: list[int], listed: list[int], current: int, step: int) -> int | None:
    """The same walk, slowly: when ``current`` is listed, its neighbour in ``listed``; else the first listed
    image found walking the file order from ``current`` (forward for D, backward for A)."""
    if current in listed:
        i = listed.index(current) + step
        return listed[i] if 0 <= i < len(listed) else None
    if current not in order:  # no image shown: the list's first (D) or last (A)
        return (listed[0] if step > 0 else listed[-1]) if listed else None
    at = order.index(current)
    walk = order[at + 1 :] if step > 0 else order[:at][::-1]
    return next((i for i in walk if i in listed), None)


def test_a_listed_image_steps_to_its_neighbour_in_the_list_not_in_file_order() -> None:
    listed = [6, 1, 9]  # a filter and a sort: not file order
    assert step_listed(ORDER, listed, 1, 1) == 9
    assert step_listed(ORDER, listed, 1, -1) == 6
    assert step_listed(ORDER, listed, 9, 1) is None  # the list's end
    assert step_listed(ORDER, listed, 6, -1) is None


def test_an_image_the_filter_hides_goes_to_the_next_listed_after_it_in_file_order() -> None:
    listed = [1, 5, 6]  # file order, filtered (status:todo)
    assert step_listed(ORDER, listed, 4, 1) == 5  # 4 and 9 are not listed: 5 is next after 4
    assert step_listed(ORDER, listed, 4, -1) == 1
    assert step_listed(ORDER, listed, 3, -1) is None  # nothing listed before the first file
    assert step_listed(ORDER, listed, -1, 1) == 1 and step_listed(ORDER, listed, -1, -1) == 6
    assert step_listed(ORDER, [], 4, 1) is None


def test_every_walk_matches_the_plain_one() -> None:
    for n in range(len(ORDER) + 1):
        for listed in itertools.permutations(ORDER, n) if n <= 3 else [tuple(ORDER[:n])]:
            for current in [*ORDER, -1]:
                for step in (1, -1):
                    want = plain_step(ORDER, list(listed), current, step)
                    assert step_listed(ORDER, list(listed), current, step) == want, (listed, current, step)


def test_next_unfinished_walks_the_list_round_from_after_the_shown_image() -> None:
    todo = {1, 9, 2}
    assert next_unfinished(ORDER, ORDER, 4, todo.__contains__) == 9
    assert next_unfinished(ORDER, ORDER, 2, todo.__contains__) == 1  # round from the first
    assert next_unfinished(ORDER, [2, 6, 4], 9, todo.__contains__) == 2  # 9 hidden: from 5 on, then round
    assert next_unfinished(ORDER, [9], 9, todo.__contains__) is None  # the shown image is not one
    assert next_unfinished(ORDER, [4, 5], 1, todo.__contains__) is None


class Table(Sequence[int]):
    """A list read row by row, finding an image's row itself (as the Images panel's table does): what a
    walk reads of it is counted."""

    def __init__(self, ids: list[int]) -> None:
        self.ids, self.read, self.asked = ids, 0, 0

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, row):  # type: ignore[no-untyped-def]
        self.read += 1
        return self.ids[row]

    def row_of(self, image_id: int) -> int | None:
        self.asked += 1
        return self.ids.index(image_id) if image_id in self.ids else None


def test_a_list_that_finds_its_rows_is_read_at_the_row_stepped_to_only() -> None:
    """D read every row of the Images panel's table (100,000) to find the shown image's neighbour; a
    sequence with ``row_of`` is now asked for the rows and read at the one row the step goes to."""
    for n in range(len(ORDER) + 1):
        for listed in itertools.permutations(ORDER, n) if n <= 3 else [tuple(ORDER[:n])]:
            for current in [*ORDER, -1]:
                for step in (1, -1):
                    table = Table(list(listed))
                    want = plain_step(ORDER, list(listed), current, step)
                    assert step_listed(ORDER, table, current, step) == want, (listed, current, step)
                    if current in listed or current not in ORDER:
                        assert table.read == (want is not None)
                    else:  # hidden: a long walk indexes the list (below)
                        assert table.read <= len(listed) + 1
    todo = {1, 9, 2}
    assert next_unfinished(ORDER, Table([2, 6, 4]), 9, todo.__contains__) == 2


class _Iterated(list):
    """A list counting how often it is walked whole (indexing it walks it)."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        _Iterated.walks += 1
        return super().__iter__()


def test_a_step_through_every_image_does_not_index_them_all() -> None:
    """D without a filter walks every image in file order: each step indexed the whole list (100,000
    images, three steps a D with the read-ahead's two: 34 ms). A listed image is now searched for;
    the list is indexed only when a walk asks for more (the shown image not listed)."""
    order = list(range(1, 2001))
    listed = _Iterated(order)
    _Iterated.walks = 0
    assert [step_listed(order, listed, 1000, s) for s in (1, -1, 5)] == [1001, 999, 1005]
    assert step_listed(order, listed, 2000, 1) is None
    assert _Iterated.walks == 0
    odd = _Iterated(order[::2])  # image 1000 not listed: from it D goes to 1001, A to 999
    assert [step_listed(order, odd, 1000, s) for s in (1, 2, -1)] == [1001, 1003, 999]
    assert next_unfinished(order, odd, 1000, lambda i: i > 1500) == 1501


def test_a_hidden_image_under_a_narrow_filter_reads_the_few_listed_rows_not_every_file() -> None:
    """The shown image hidden by the filter (typed over it; marked done under status:todo): D, and the
    read-ahead after each pause in typing, walk the file order from it to the first listed image. Asking
    the table for each image passed cost a row lookup through Qt each: a filter listing a few images, or
    none, of 100,000 asked for ~100,000 rows both ways where indexing its few rows costs nothing. Past as
    many images as are listed, the walk now indexes the list: the work is bounded by the list."""
    rng = random.Random(5)
    order = rng.sample(range(1, 100_000), 2_000)
    for n in (0, 1, 2, 5, 40):
        for _ in range(20):
            listed = rng.sample(order, n)
            current = rng.choice([i for i in order if i not in listed])
            for step in (1, -1):
                table = Table(list(listed))
                assert step_listed(order, table, current, step) == plain_step(order, listed, current, step)
                assert table.asked + table.read <= 2 * n + 2, (n, table.asked, table.read)
    table = Table([order[0]])
    assert next_unfinished(order, table, order[-1], lambda i: True) == order[0]
    assert table.asked + table.read <= 5
