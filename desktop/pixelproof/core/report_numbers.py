"""How QA's reports write a figure: the printed summary, the HTML page's tables and its image cards round
the same way, 4 decimals whatever the size (an HD95 of 1234.5678 px is not 1234.6 on the page), so a figure
reads the same wherever it is read; JSON and the CSVs keep it unrounded."""

from __future__ import annotations

DECIMALS = 4


def figure_text(v: float) -> str:
    """A finite figure (Dice, a distance, a count's ratio) as every QA report shows it."""
    return f"{v:.{DECIMALS}f}"
