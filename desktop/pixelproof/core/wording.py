"""Counts in messages: "1 image", "2 images" (one helper, so the CLI and the app say it the same way)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def plural(n: int, word: str, many: str | None = None, *, thousands: bool = False) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1: "1 category", "3 categories", "0 boxes";
    ``many`` for a plural the rules below do not make. ``thousands`` groups a count that may be large,
    pixels or voxels, as the other big numbers of a message are: "12,345 pixels"."""
    count = f"{n:,}" if thousands else f"{n}"
    if n == 1:
        return f"{count} {word}"
    if many is None:
        if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
            many = word[:-1] + "ies"
        elif word.endswith(("s", "x", "ch", "sh")):
            many = word + "es"
        else:
            many = word + "s"
    return f"{count} {many}"


def first_few(names: Sequence[str], most: int = 3) -> str:
    """``names`` listed in a sentence, the first ``most`` of them and how many more: "a, b and c",
    "a, b, c and 2 more" (a question names what it is about without a wall of names)."""
    if len(names) > most:
        return f"{', '.join(names[:most])} and {len(names) - most} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return "".join(names)


def noted_counts(counts: Mapping[str, int], notes: Mapping[str, tuple[str, str]]) -> list[str]:
    """A writer's warnings: each count of ``counts`` that ``notes`` names (key -> noun, what is said of
    them) and that is not 0, through ``plural`` ("1 image file not found", "2,048 pixels where ...")."""
    return [
        f"{plural(counts[k], noun, thousands=True)} {said}" for k, (noun, said) in notes.items() if counts[k]
    ]


def skipped_counts(skipped: Mapping[str, int]) -> str:
    """What a read left out, by kind, as the import report, the status bar and ``convert`` say it: "1 file,
    3 boxes, 2 invalid". Readers count under a plural kind ("files", "boxes", "categories"); one of a kind
    is said in the singular ("1 files" read as a typo). A kind that is no plural noun is kept as it is."""
    parts = []
    for kind, n in sorted(skipped.items()):
        if n == 1 and kind.endswith("ies"):
            kind = kind[:-3] + "y"
        elif n == 1 and kind.endswith(("xes", "ches", "shes")):
            kind = kind[:-2]
        elif n == 1 and kind.endswith("s") and not kind.endswith("ss"):
            kind = kind[:-1]
        parts.append(f"{n} {kind}")
    return ", ".join(parts)
