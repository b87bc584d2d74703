"""Where D, A and Shift+G go when the image list shows some images only (the Images panel's filter) or in
its own order (the review view's table, sorted worst first): they walk the list as it is shown, as CVAT,
Label Studio and LabelMe users expect; file order walked past the filter onto images not listed.

The image shown may be one the list does not hold (the filter was typed while it was shown, or G just
marked it done under ``status:todo``): from there D goes to the first listed image after it in file order
(A to the last listed before it), and on through the list.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence


class _Rows:
    """Rows of a plain list: the first image asked is searched for, C-fast (D over every image asks for the
    shown one only: indexing 100,000 images at each of a D's three steps was 34 ms); from a second on,
    the list is indexed once."""

    def __init__(self, listed: Sequence[int]) -> None:
        self.listed = listed
        self.index: dict[int, int] | None = None
        self.asked = False

    def __call__(self, image_id: int) -> int | None:
        if self.index is None and not self.asked:
            self.asked = True
            try:
                return self.listed.index(image_id)
            except ValueError:
                return None
        if self.index is None:
            self.index = {i: n for n, i in enumerate(self.listed)}
        return self.index.get(image_id)


def _rows(listed: Sequence[int]) -> Callable[[int], int | None]:
    """Where an image is in ``listed`` (None: not listed). A list is indexed once; a sequence with a
    ``row_of`` of its own (the Images panel's table, whose rows are read through Qt one at a time) is asked
    instead, so a step reads the rows it goes through, not every listed one (100,000 at each D)."""
    row_of = getattr(listed, "row_of", None)
    if callable(row_of):
        return row_of
    return _Rows(listed)


def _listed_from(
    order: Sequence[int], listed: Sequence[int], row_of: Callable[[int], int | None], current: int, step: int
) -> int | None:
    """The list index of the first listed image after ``current`` (``step`` > 0) or the last before it,
    ``current`` not listed: found walking the file order, asking ``row_of`` of each image passed. Past as
    many images as are listed, the list is indexed instead: a narrow filter's few rows are read, not a
    row asked of every file (100,000 through Qt, both ways, at each D). None when there is none."""
    count = len(listed)
    if not count:
        return None
    if current not in order:  # no image shown: the list's first (D) or last (A)
        return 0 if step > 0 else count - 1
    at = list(order).index(current)
    walk = iter(order[at + 1 :] if step > 0 else reversed(order[:at]))
    for passed, image_id in enumerate(walk):
        if passed == count:  # as many asked as are listed, and more to walk: index the list
            rows = {listed[n]: n for n in range(count)}  # each row read once
            return next((rows[i] for i in itertools.chain([image_id], walk) if i in rows), None)
        if (row := row_of(image_id)) is not None:
            return row
    return None


def step_listed(order: Sequence[int], listed: Sequence[int], current: int, step: int) -> int | None:
    """The image ``step`` places after (before, when negative) ``current`` in ``listed``, the list as shown;
    ``order`` is the file order. None past either end of the list."""
    if step == 0:
        return current
    row_of = _rows(listed)
    i = row_of(current)
    if i is not None:
        i += step
    else:
        i = _listed_from(order, listed, row_of, current, step)
        i = None if i is None else i + step - (1 if step > 0 else -1)  # reaching it was the first step
    return listed[i] if i is not None and 0 <= i < len(listed) else None


def row_after(order: Sequence[int], listed: Sequence[int], current: int) -> int | None:
    """The index in ``listed`` of the image ``step_listed`` steps to forward from ``current``: where the
    images after it start (Edit > Propagate's). None past the list's end."""
    row_of = _rows(listed)
    i = row_of(current)
    i = i + 1 if i is not None else _listed_from(order, listed, row_of, current, 1)
    return i if i is not None and i < len(listed) else None


def next_unfinished(
    order: Sequence[int], listed: Sequence[int], current: int, unfinished: Callable[[int], bool]
) -> int | None:
    """The first listed image after ``current`` that ``unfinished`` holds (round from the list's start
    after its end; ``current`` itself is never one): Shift+G."""
    if not listed:
        return None
    row_of = _rows(listed)
    at = row_of(current)
    start = at + 1 if at is not None else _listed_from(order, listed, row_of, current, 1)
    start = 0 if start is None else start
    walk = [*listed[start:], *listed[:start]]
    return next((i for i in walk if i != current and unfinished(i)), None)
