"""How QA's reports write a figure: the printed summary, the HTML page's tables and its image cards round
the same way, 4 decimals whatever the size (an HD95 of 1234.5678 px is not 1234.6 on the page), so a figure
reads the same wherever it is read; JSON and the CSVs keep it unrounded. The rows both sides left empty are
said one way too (``both_empty_text``)."""

from __future__ import annotations

DECIMALS = 4


def figure_text(v: float) -> str:
    """A finite figure (Dice, a distance, a count's ratio) as every QA report shows it."""
    return f"{v:.{DECIMALS}f}"


def both_empty_text(n: int, as_one: bool) -> str:
    """The image x class rows empty on both sides, as the printed summary and the HTML page say them: n/a,
    or under ``--both-empty-as-one`` counted in Dice and IoU as 1 (a line still saying "n/a" there
    contradicted the Dice it sat under)."""
    rows = f"{n} row{'' if n == 1 else 's'}"
    return f"both empty, counted as Dice = IoU = 1: {rows}" if as_one else f"n/a (both empty): {rows}"
