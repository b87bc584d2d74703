"""Pair the reference's category names with the candidate's before scoring.

QA pairs categories by name. A reference that spells a class with other case or spaces ("Tumor" for
"tumor", "cat " for "cat", "Motor cycle" for "motorcycle") would otherwise score every object of it as
missed and every candidate object as extra, Dice 0, with nothing said; a class that one side does not
have at all scores the same way. Both are said in the run's problems, and an unambiguous respelling is
scored as the candidate's class.
"""

from __future__ import annotations

import re
from collections import Counter

from pixelproof.core.model import Project
from pixelproof.core.wording import plural

_IGNORED = re.compile(r"[\s_\-]+")


def name_key(name: str) -> str:
    """A class name without case, spaces, underscores or dashes: what two spellings share."""
    return _IGNORED.sub("", name.casefold())


def _names(project: Project) -> set[str]:
    return {c.name for c in project.categories.values() if not c.void}


def _counts(project: Project) -> Counter[str]:
    """Objects per (non-void) category name."""
    cats = project.categories
    return Counter(
        cats[a.category_id].name
        for a in project.annotations.values()
        if a.category_id in cats and not cats[a.category_id].void
    )


def pair_category_names(reference: Project, candidate: Project) -> list[str]:
    """Rename the reference's categories spelt otherwise than exactly one candidate category (case, spaces,
    ``_``, ``-``) to the candidate's name, in place, and return one line per renaming, per ambiguous
    spelling left unpaired and per used class the other side does not have."""
    ref_names, cand_names = _names(reference), _names(candidate)
    ref_only = {n for n in ref_names if n not in cand_names}
    cand_only = {n for n in cand_names if n not in ref_names}
    by_key: dict[str, tuple[list[str], list[str]]] = {}
    for side, names in ((0, ref_only), (1, cand_only)):
        for n in sorted(names):
            by_key.setdefault(name_key(n), ([], []))[side].append(n)
    notes: list[str] = []
    renamed: dict[str, str] = {}
    for refs, cands in by_key.values():
        if not refs or not cands:
            continue
        if len(refs) == 1 and len(cands) == 1:
            renamed[refs[0]] = cands[0]
            notes.append(
                f"reference category {refs[0]!r} scored as the candidate's {cands[0]!r} "
                "(the names differ only in case, spaces, '_' or '-')"
            )
        else:
            spelt = ", ".join(repr(n) for n in [*refs, *cands])
            notes.append(
                f"categories {spelt} differ only in case, spaces, '_' or '-' but cannot be paired one to "
                "one: scored as different classes; rename them to one spelling"
            )
    for cat in reference.categories.values():
        if cat.name in renamed:
            cat.name = renamed[cat.name]
    ref_names = _names(reference)
    for name, n in sorted(_counts(candidate).items()):
        if name not in ref_names:
            notes.append(
                f"category {name!r} is not in the reference: its {plural(n, 'candidate object')} "
                f"{'counts' if n == 1 else 'count'} as extra (FP), its Dice as 0"
            )
    for name, n in sorted(_counts(reference).items()):
        if name not in cand_names:
            notes.append(
                f"category {name!r} is not in the candidate: its {plural(n, 'reference object')} "
                f"{'counts' if n == 1 else 'count'} as missed (FN), its Dice as 0"
            )
    return notes
