"""Put entries back in their places in a dict whose order is a file's order (a million objects)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import islice
from typing import Any


def runs_out(keys: Iterable[Any], wanted: set) -> tuple[list[tuple[int, int]], list[Any]]:
    """Where the ``wanted`` keys stand in ``keys``, as ``put_back`` wants them: a (place, count) per run of
    them, the place counted in the keys that stay; and those keys in their order. One pass."""
    runs: list[tuple[int, int]] = []
    found: list[Any] = []
    last = -2
    for pos, k in enumerate(keys):
        if k in wanted:
            if pos == last + 1:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((pos - len(found), 1))
            found.append(k)
            last = pos
    return runs, found


def put_back(mapping: dict, runs: list[tuple[int, int]]) -> None:
    """Move the keys last in ``mapping`` (put back in order: an undone deletion) to the places ``runs_out``
    gave them. Only the entries from the first place on move, and in C (no Python step per entry): the order
    of a million was rebuilt key by key, 0.2-0.4 s."""
    back = sum(count for _, count in runs)
    stay = len(mapping) - back
    first = runs[0][0] if runs else stay
    if first >= stay:
        return  # every run ended the dict: in place already
    keys = list(islice(mapping, first, None))
    values = list(islice(mapping.values(), first, None))
    new_keys: list[Any] = []
    new_values: list[Any] = []
    at, prev = stay - first, first
    for place, count in runs:
        new_keys += keys[prev - first : place - first]
        new_values += values[prev - first : place - first]
        new_keys += keys[at : at + count]
        new_values += values[at : at + count]
        at, prev = at + count, place
    new_keys += keys[prev - first : stay - first]
    new_values += values[prev - first : stay - first]
    deque(map(mapping.__delitem__, keys), maxlen=0)
    mapping.update(zip(new_keys, new_values, strict=True))
