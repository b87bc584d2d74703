"""Counts in messages: "1 image", "2 images" (one helper, so the CLI and the app say it the same way)."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1: "1 category", "3 categories", "0 boxes";
    ``many`` for a plural the rules below do not make."""
    if n == 1:
        return f"{n} {word}"
    if many is None:
        if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
            many = word[:-1] + "ies"
        elif word.endswith(("s", "x", "ch", "sh")):
            many = word + "es"
        else:
            many = word + "s"
    return f"{n} {many}"
