"""A dataset file's JSON read as the tool that wrote it meant it (readers of LabelMe, Label Studio,
Datumaro, Cityscapes and label maps share it)."""

from __future__ import annotations

from typing import Any


def loads_json(raw: bytes) -> Any:
    """A dataset file's JSON as the tools that wrote it read it: orjson first (fast), else Python's
    ``json``, which takes what those tools write and orjson refuses - NaN and Infinity (``json.dump``
    writes them), a BOM (a Windows editor), UTF-16 - so each odd value is reported where it is, not the
    whole file. Integers are read as orjson reads them (a float past 64 bits: an int there would make a
    project no save can write). Raises orjson's ``JSONDecodeError`` (a ValueError) when neither reads it."""
    import json

    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        try:
            return json.loads(raw, parse_int=_int_as_orjson)
        except (ValueError, RecursionError):
            raise e from None


def _int_as_orjson(text: str) -> int | float:
    """A JSON integer as orjson gives it: an int from -2**63 to 2**64 - 1, else a float (infinity for one
    of more digits than a float holds, which the extras' check then refuses)."""
    if len(text) <= 21:
        value = int(text)
        if -(2**63) <= value < 2**64:
            return value
    return float(text)
