"""The one CSV writer of the product: cells a spreadsheet cannot run as formulas (issue 11, item 16).

A category named ``=HYPERLINK("http://evil", "click")`` written verbatim into a CSV becomes a live
formula when a reviewer opens the report in Excel or LibreOffice. As OWASP advises, a text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading apostrophe
(spreadsheets show it as text and hide the apostrophe). Numbers stay numbers: ``-0.5`` is written as it is,
whether it is a float or the text of one. PixelProof's own readers of CSVs it writes (Open Images tables,
``images.csv``) take the apostrophe off again with ``read_cell``, so exports round-trip.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a safe CSV cell: None is empty, numbers as they are, a list or object as compact
    JSON, text that would start a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if (text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)) or read_cell(text) != text:
        return "'" + text  # text like "'=1" too, which read_cell would otherwise shorten
    return text


def read_cell(text: str) -> str:
    """A cell as ``cell`` wrote it, back to its text: one apostrophe taken off when apostrophes lead to a
    formula start."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


# Written first in a report CSV meant for a spreadsheet: Excel opens a CSV without it in the system's code
# page (Shift_JIS on a Japanese Windows: 画像_001 and 猫 come out as mojibake), with it as UTF-8. pandas,
# LibreOffice and PixelProof's own readers skip it; Python's ``csv`` wants ``encoding="utf-8-sig"``.
BOM = "\ufeff"


class Writer:
    """``csv.writer`` whose rows go through ``cell``; ``bom``: a report for people (``BOM``), not a format's
    file another tool reads."""

    def __init__(self, fh: Any, *, bom: bool = False) -> None:
        if bom:
            fh.write(BOM)
        self._writer = csv.writer(fh)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def write_table(fh: Any, header: list[str], rows: Iterable[Iterable[Any]], *, bom: bool = False) -> None:
    """A header line, then ``rows``, all through ``cell`` (``bom``: as ``Writer``)."""
    writer = Writer(fh, bom=bom)
    writer.writerow(header)
    writer.writerows(rows)
