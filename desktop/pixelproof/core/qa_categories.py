"""Pair the reference's category names with the candidate's before scoring.

QA pairs categories by name. A reference that spells a class with other case or spaces ("Tumor" for
"tumor", "cat " for "cat", "Motor cycle" for "motorcycle") would otherwise score every object of it as
missed and every candidate object as extra, Dice 0, with nothing said; a class that one side does not
have at all scores the same way. Both are said in the run's problems, and an unambiguous respelling is
scored as the candidate's class: on a copy of the reference (the caller's project is never renamed: the
honeypot scorecards score every annotator against one reference, the review view's may be a saved file).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace

from pixelproof.core.model import Project
from pixelproof.core.name_fold import fold
from pixelproof.core.references import Reference
from pixelproof.core.wording import plural

_IGNORED = re.compile(r"[\s_\-]+")


def name_key(name: str) -> str:
    """A class name without case (``name_fold.fold``: one Unicode form, 'İ' as 'i'), spaces, underscores
    or dashes: what two spellings share."""
    return _IGNORED.sub("", fold(name))


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


def category_pairing(
    ref_names: Iterable[str], cand_names: Iterable[str]
) -> tuple[dict[str, str], list[list[str]]]:
    """QA's rule, for QA and the honeypot warnings: (reference name -> candidate name, for each class one
    side spells otherwise than the other only in case, spaces, ``_`` or ``-``, one spelling a side; the
    spellings of a class that cannot be paired one to one, reference's first: two on one side, or one
    beside the exact name both have)."""
    ref, cand = set(ref_names), set(cand_names)
    by_key: dict[str, tuple[list[str], list[str]]] = {}
    for side, names in ((0, ref - cand), (1, cand - ref)):
        for n in sorted(names):
            by_key.setdefault(name_key(n), ([], []))[side].append(n)
    for n in sorted(ref & cand):  # "Cat" beside the "cat" both have: not to be paired with "CAT"
        if (group := by_key.get(name_key(n))) is not None:
            group[0].append(n)
            group[1].append(n)
    renamed: dict[str, str] = {}
    ambiguous: list[list[str]] = []
    for refs, cands in by_key.values():
        if len(refs) == 1 and len(cands) == 1 and refs[0] != cands[0]:
            renamed[refs[0]] = cands[0]
        elif refs and cands:  # a group holds a name one side only has: not a shared name alone
            ambiguous.append(list(dict.fromkeys([*refs, *cands])))
    return renamed, ambiguous


def paired_reference(reference: Reference, candidate: Project) -> tuple[Reference, list[str]]:
    """``reference`` with each category spelt otherwise than exactly one candidate category (case, spaces,
    ``_``, ``-``) named as the candidate's - a copy, ``reference`` itself when nothing is renamed - and one
    line per renaming, per ambiguous spelling left unpaired and per used class the candidate lacks (a
    class the reference lacks is said after scoring, ``candidate_only_notes``, by what its objects
    counted as); first, a candidate with no object at all against a reference with some (every figure 0
    and nothing else said: the wrong file, or a project not saved)."""
    project = reference.project
    ref_names, cand_names = _names(project), _names(candidate)
    renamed, ambiguous = category_pairing(ref_names, cand_names)
    notes = [
        f"reference category {r!r} scored as the candidate's {c!r} "
        "(the names differ only in case, spaces, '_' or '-')"
        for r, c in renamed.items()
    ]
    for names in ambiguous:
        spelt = ", ".join(repr(n) for n in names)
        notes.append(
            f"categories {spelt} differ only in case, spaces, '_' or '-' but cannot be paired one to "
            "one: scored as different classes; rename them to one spelling"
        )
    if renamed:
        project = project.snapshot()  # the same images and objects; categories renamed on this copy only
        project.categories = {
            k: replace(c, name=renamed[c.name]) if c.name in renamed and not c.void else c
            for k, c in project.categories.items()
        }
        reference = replace(reference, project=project)
    counts = _counts(project)
    if counts and not _counts(candidate):  # the wrong file sent, or the project not saved: said first
        n = sum(counts.values())
        notes.insert(
            0,
            f"the candidate has no objects: {'its' if n == 1 else 'all'} {plural(n, 'reference object')} "
            f"{'counts' if n == 1 else 'count'} as missed (FN), every Dice 0 (is it the right file, saved?)",
        )
    for name, n in sorted(counts.items()):
        if name not in cand_names:
            notes.append(
                f"category {name!r} is not in the candidate: its {plural(n, 'reference object')} "
                f"{'counts' if n == 1 else 'count'} as missed (FN), its Dice as 0"
            )
    return reference, notes


def candidate_only(reference: Project, candidate: Project) -> dict[str, int]:
    """The classes the candidate uses and the (paired) reference lacks, with their object counts."""
    ref_names = _names(reference)
    return {name: n for name, n in sorted(_counts(candidate).items()) if name not in ref_names}


def under_threshold(candidate: Project, names: Iterable[str], threshold: float | None) -> dict[str, int]:
    """Objects of each class of ``names`` scoring under ``threshold``: QA leaves them out
    (``qa_batch.above_score``)."""
    if threshold is None:
        return {}
    wanted, cats = set(names), candidate.categories
    return dict(
        Counter(
            cats[a.category_id].name
            for a in candidate.annotations.values()
            if a.score is not None and a.score < threshold and a.category_id in cats
            and cats[a.category_id].name in wanted
        )
    )  # fmt: skip


def candidate_only_notes(
    only: dict[str, int],
    cells: Mapping[tuple[str | None, str | None], int],
    below: Mapping[str, int] | None = None,
    threshold: float | None = None,
) -> list[str]:
    """One line per class of ``candidate_only``, from what its objects counted as once scored (``cells``:
    the confusion counts, None the background): extra (FP), paired with another class's reference
    object (wrong class), left out scoring under the score threshold (``below``, ``under_threshold``), or
    not scored at all (wholly inside a void region, as QA leaves out every object there, or on an image
    not scored): the per-class table's and the matrix's counts, not the file's."""
    notes = []
    for name, n in only.items():
        extra = cells.get((None, name), 0)
        wrong = sum(k for (r, c), k in cells.items() if c == name and r is not None)
        under = min((below or {}).get(name, 0), n - extra - wrong)
        void = "not scored (wholly inside a void region of the reference, or on an image not scored)"
        tails = [
            (wrong, "paired with another class's reference object (wrong class)"),
            (under, f"left out, scoring under the score threshold {threshold or 0:g}"),
            (n - extra - wrong - under, void),
        ]
        tails = [(k, text) for k, text in tails if k > 0]
        if extra or not tails:  # its Dice is 0 only when something of it was scored
            verb = "counts" if extra == 1 else "count"
            line = f"its {plural(extra, 'candidate object')} {verb} as extra (FP), its Dice as 0"
        else:
            (k, text), tails = tails[0], tails[1:]
            line = f"its {plural(k, 'candidate object')} {'is' if k == 1 else 'are'} {text}"
        line = f"category {name!r} is not in the reference: {line}"
        line += "".join(f"; {k} more {text}" for k, text in tails)
        notes.append(line)
    return notes


def used_categories(reference: Project, candidate: Project) -> list[str]:
    """Names of (non-void) categories with at least one annotation in either project, sorted."""
    names = set()
    for p in (reference, candidate):
        ids = {a.category_id for a in p.annotations.values()}
        names |= {p.categories[i].name for i in ids if i in p.categories and not p.categories[i].void}
    return sorted(names)


def classless_as_reference(candidate: Project, reference: Project, classless: str) -> str | None:
    """Score a candidate that names no class as the reference's class: when every candidate object is of
    ``classless`` (a tracker's MOT results file, all ``object``) and the reference's objects are of one
    other class (void regions aside: MOT17's ``pedestrian``), the candidate's category is renamed to it,
    in place (the caller's own copy, read from a dataset), so the per-class figures pair its boxes with the
    reference's; returns the line saying so, None when nothing is renamed (two or more reference classes:
    its objects count as wrong class, said by ``paired_reference``)."""
    used = _counts(candidate)
    ref_used = _counts(reference)
    if set(used) != {classless} or len(ref_used) != 1:
        return None
    (name,) = ref_used
    if name == classless or name in _names(candidate):
        return None
    for cid, cat in list(candidate.categories.items()):
        if cat.name == classless and not cat.void:
            candidate.categories[cid] = replace(cat, name=name)
    return (
        f"the candidate names no class (its objects are all {classless!r}): scored as the reference's only "
        f"class {name!r}"
    )


def classless_lead(
    reference: Project, candidate: Project, problems: list[str], tracks: dict | None
) -> tuple[str, list[str]] | None:
    """The line a QA run leads with when the candidate's objects are all of one class the reference lacks
    and the reference has two or more (a tracker's MOT results file, all ``object``, against MOT17's
    multi-class ground truth): every pair then counts as wrong class and every class's Dice is 0, which
    the per-class warnings said in several lines above the one figure that means something. Returns the
    line (what it means, the tracking figures to read: class-agnostic) and the ``problems`` lines it sums
    up (the per-class ones: the review's banner keeps them behind its tooltip), or None."""
    used, ref_used = _counts(candidate), _counts(reference)
    if len(used) != 1 or len(ref_used) < 2 or set(used) & _names(reference):
        return None
    ((name, n),) = used.items()
    named = ", ".join(sorted(ref_used))
    line = (
        f"the candidate names no class of the reference: its {plural(n, 'object')} "
        f"{'is' if n == 1 else 'are all'} {name!r}, the reference's are {named}; each pair counts as wrong "
        "class, every class's Dice as 0"
    )
    if tracks is not None:
        o = tracks["overall"]
        figures = " · ".join(
            f"{k.upper()} {'n/a' if o.get(k) is None else format(o[k], '.3f')}" for k in ("mota", "idf1")
        )
        line += f". Read the tracking figures (class-agnostic): {figures}"
    else:
        line += ". Its boxes are scored by class only: the confusion matrix shows where they went"
    covered = [
        p for p in problems if any(p.startswith(f"category {c!r} is not in the ") for c in {*used, *ref_used})
    ]
    return line, covered
