"""Where D, A and Shift+G go when the image list shows some images only (the Images panel's filter) or in
its own order (the review view's table, sorted worst first): they walk the list as it is shown, as CVAT,
Label Studio and LabelMe users expect; file order walked past the filter onto images not listed.

The image shown may be one the list does not hold (the filter was typed while it was shown, or G just
marked it done under ``status:todo``): from there D goes to the first listed image after it in file order
(A to the last listed before it), and on through the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def _listed_from(order: Sequence[int], rows: dict[int, int], current: int, step: int) -> int | None:
    """The list index of the first listed image after ``current`` (``step`` > 0) or the last before it,
    ``current`` not listed: found walking the file order. None when there is none."""
    if current not in order:  # no image shown: the list's first (D) or last (A)
        return (0 if step > 0 else len(rows) - 1) if rows else None
    at = list(order).index(current)
    walk = order[at + 1 :] if step > 0 else reversed(order[:at])
    return next((rows[i] for i in walk if i in rows), None)


def step_listed(order: Sequence[int], listed: Sequence[int], current: int, step: int) -> int | None:
    """The image ``step`` places after (before, when negative) ``current`` in ``listed``, the list as shown;
    ``order`` is the file order. None past either end of the list."""
    if step == 0:
        return current
    rows = {image_id: n for n, image_id in enumerate(listed)}
    if current in rows:
        i: int | None = rows[current] + step
    else:
        i = _listed_from(order, rows, current, step)
        i = None if i is None else i + step - (1 if step > 0 else -1)  # reaching it was the first step
    return listed[i] if i is not None and 0 <= i < len(listed) else None


def next_unfinished(
    order: Sequence[int], listed: Sequence[int], current: int, unfinished: Callable[[int], bool]
) -> int | None:
    """The first listed image after ``current`` that ``unfinished`` holds (round from the list's start
    after its end; ``current`` itself is never one): Shift+G."""
    if not listed:
        return None
    rows = {image_id: n for n, image_id in enumerate(listed)}
    start = rows[current] + 1 if current in rows else _listed_from(order, rows, current, 1)
    start = 0 if start is None else start
    walk = [*listed[start:], *listed[:start]]
    return next((i for i in walk if i != current and unfinished(i)), None)
