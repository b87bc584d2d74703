"""The columns of QA's CSV tables (``--csv``, ``--class-csv``): the same names in the same order on every
run, whatever the data.

A null figure is written as an empty cell beside a ``<field>_reason`` cell. Were the reason columns those
some row happens to need, a run without a both-empty row would have no ``dice_reason`` column (a notebook's
``df["dice_reason"]`` a KeyError) and two runs' columns would come in different orders. So every figure that
can be null has its reason column, right after it, in every file.
"""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.core.qa_tables import COUNT_FIELDS, FIGURE_FIELDS, INSTANCE_FIELDS

#: the figures that can be null (n/a, ∞) in a QA table row or mean: each has a ``<field>_reason`` column
NULLABLE = frozenset({*FIGURE_FIELDS, *COUNT_FIELDS, *INSTANCE_FIELDS, "pq_class_mean"})
REASON = "_reason"


def with_reasons(keys: Iterable[str]) -> list[str]:
    """``keys`` (every key of a table's rows, in first-seen order) with each reason column moved right after
    its figure, and one added for each nullable figure that has none."""
    keys = list(dict.fromkeys(keys))
    present = set(keys)
    out: list[str] = []
    for k in keys:
        if k.endswith(REASON) and k[: -len(REASON)] in present:
            continue  # placed after its figure
        out.append(k)
        if k in NULLABLE or k + REASON in present:
            out.append(k + REASON)
    return out
