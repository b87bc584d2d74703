"""Menu texts made from plain names (dock titles, themes): an Alt+letter each, none shared in the menu."""

from __future__ import annotations

from collections.abc import Iterable

from pixelproof.ui.shortcuts import plain


def with_mnemonics(texts: list[str], taken: Iterable[str] = ()) -> list[str]:
    """Menu texts of plain ``texts`` with an Alt+letter each, none shared nor one of ``taken`` (letters the
    dialog's other controls have): a word's first letter if free, else any free letter (dock titles:
    Problems after Properties gets P&roblems)."""
    taken = {t.lower() for t in taken}
    out = []
    for text in texts:
        starts = [i for i, c in enumerate(text) if c.isalnum() and (i == 0 or not text[i - 1].isalnum())]
        rest = [i for i, c in enumerate(text) if c.isalnum()]
        at = next((i for i in starts + rest if text[i].lower() not in taken), None)
        if at is None:
            out.append(plain(text))
            continue
        taken.add(text[at].lower())
        out.append(plain(text[:at]) + "&" + plain(text[at:]))
    return out
