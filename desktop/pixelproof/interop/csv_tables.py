"""Small CSV tables beside a dataset (``images.csv``, ``classes.csv``), read as spreadsheets write them."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from pixelproof.interop._util import Reporter


def csv_rows(file: Path, report: Reporter) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row by column name) of a small CSV table beside a dataset (``images.csv``, ``classes.csv``):
    a BOM (what Excel writes) is not part of the first column's name, bytes that are not UTF-8 are
    replaced, and a row the csv module refuses (a cell over its 128 KB limit) is reported with its line
    and ends the file."""
    with file.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.DictReader(fh)
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as e:
            line = reader.reader.line_num  # the DictReader's own is the last row it gave
            report(f"{file}:{line}: not a readable CSV row ({e}); the rest of the file skipped")


def csv_columns(file: Path) -> list[str]:
    """The header of a CSV table (as ``csv_rows`` reads it); [] when there is none or it is unreadable."""
    with file.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        try:
            return next(csv.reader(fh), [])
        except csv.Error:
            return []
