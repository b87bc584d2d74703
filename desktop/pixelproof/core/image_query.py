"""The Images panel's filter: "cat", "class:cat objects>5 -status:done" — parsed, never eval'd.

A query is terms separated by spaces; an image is shown when every term matches (AND). A term is
- plain text (``img_12``, ``"in progress"``): the file name or the status label contains it, without case
  (what the box always did);
- ``class:NAME``: at least one object of that class (name without case; ``class:"traffic light"``);
- ``author:NAME``: at least one object drawn by NAME (the annotation's ``author``, without case);
- ``status:done`` (``todo``, ``in_progress``/``"in progress"``, ``done``, ``reviewed``);
- ``split:val`` (``train``, ``val``, ``test``, their other spellings, a split some image has; ``split:none``:
  no split), as ``core.split_names.split_of`` reads it;
- ``objects`` or ``predictions`` with ``: = != < <= > >=`` and a whole number (``objects:0``,
  ``objects>5``, ``predictions>0``): the two counts the table's Objects column shows (`3 +2`, void regions
  left out): the objects but the pending model predictions, and those (drawn dashed: neither accepted nor
  rejected yet; ``Project.object_counts``);
- ``problems`` with the same operators (``problems>0``) and ``problem:KIND`` (``problem:wrong_class``): the
  problems the last problem-finder run holds for the image (``core.found_problems``: dismissed ones left
  out); without a run the term is refused, saying so, rather than listing nothing.
``-`` before a term negates it (``-class:cat``: images without a cat); quote text that starts with ``-``
or holds spaces or a colon to search it as it is (``"-v2"``).

Per keystroke the panel evaluates the query on every image; what it reads of an image's objects is
computed once per image (``ImageFacts``) and kept until that image's objects change, so a keystroke never
reads all the project's annotations again.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from pixelproof.core.conditions import OPERATOR_PATTERN, OPERATORS, FilterError
from pixelproof.core.edits.image_split import split_name
from pixelproof.core.found_problems import FoundProblems
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.lint_kinds import KINDS
from pixelproof.core.model import IMAGE_STATES, STATUS_LABELS, Project
from pixelproof.core.name_fold import fold
from pixelproof.core.names import base_file_name, distinct_file_names, shown_name
from pixelproof.core.split_names import CANONICAL, split_of

TEXT_FIELDS = ("class", "author", "status", "split", "problem")
COUNT_FIELDS = ("objects", "predictions", "problems")
PROBLEM_FIELDS = ("problem", "problems")  # read the problem finder's last run, not the objects
NO_RUN = "the problem finder has not run on this project yet: Problems > Find Problems (F6) first"
EXAMPLE = "e.g. class:cat objects>0 -status:done"
_TERM = re.compile(
    rf"(?P<neg>-)?(?:(?P<key>[A-Za-z][A-Za-z_]*)(?P<op>{OPERATOR_PATTERN}|:))?"
    r'(?:"(?P<quoted>[^"]*)(?P<close>"?)|(?P<bare>[^\s"]*))'
)


def _fold(text: str) -> str:
    """Text as the query compares it: without case, as QA pairs class names (``name_fold``)."""
    return fold(text)


def _status_key(text: str) -> str:
    return re.sub(r"[\s_\-]", "", text).casefold()


class ImageFacts:
    """What a query reads of each image, computed on first use and kept until ``forget``."""

    def __init__(self, project: Project, shown_name: Callable[[int], str] | None = None) -> None:
        self.project = project
        # the names the caller already shows (the app's Document keeps them): not worked out twice
        self.shown_name = shown_name
        self._names: dict[int, str] = {}
        self._distinct: dict[int, str] | None = None  # ``names.distinct_file_names``, read once
        self._categories: dict[int, frozenset[int]] = {}
        self._authors: dict[int, frozenset[str]] = {}
        self._counts: dict[int, tuple[int, int]] = {}  # ``Project.object_counts``

    def name(self, image_id: int) -> str:
        """The file name as the panel's Image column shows it, casefolded: without folders, but with those
        that tell it from another image of that name (``dent/000.png``; ``names.distinct_file_names``)."""
        v = self._names.get(image_id)
        if v is None and self.shown_name is not None:
            v = self._names[image_id] = _fold(self.shown_name(image_id))
        elif v is None:
            if self._distinct is None:
                self._distinct = distinct_file_names({i: r.file_name for i, r in self.project.images.items()})
            shown = self._distinct.get(image_id) or base_file_name(self.project.images[image_id].file_name)
            v = self._names[image_id] = _fold(shown)
        return v

    def categories(self, image_id: int) -> frozenset[int]:
        v = self._categories.get(image_id)
        if v is None:
            anns = self.project.annotations_of(image_id)
            v = self._categories[image_id] = frozenset(a.category_id for a in anns)
        return v

    def authors(self, image_id: int) -> frozenset[str]:
        v = self._authors.get(image_id)
        if v is None:
            anns = self.project.annotations_of(image_id)
            v = self._authors[image_id] = frozenset(_fold(a.author) for a in anns if a.author)
        return v

    def _object_counts(self, image_id: int) -> tuple[int, int]:
        v = self._counts.get(image_id)
        if v is None:
            v = self._counts[image_id] = self.project.object_counts(image_id)
        return v

    def objects(self, image_id: int) -> int:
        """The objects but pending model predictions (void regions left out)."""
        return self._object_counts(image_id)[0]

    def predictions(self, image_id: int) -> int:
        """The pending model predictions (void regions left out)."""
        return self._object_counts(image_id)[1]

    def forget(self, image_id: int | None = None) -> None:
        """What was read of the image's objects (None: of every image, the categories changed); the
        names stay (a relocation resets the panel, and with it these facts)."""
        for cache in (self._categories, self._authors, self._counts):
            if image_id is None:
                cache.clear()
            else:
                cache.pop(image_id, None)


Test = Callable[[ImageFacts, int], bool]


@dataclass(frozen=True, slots=True)
class ImageQuery:
    """Parsed terms; calling it on an image says whether the image is shown."""

    tests: tuple[tuple[Test, bool], ...] = ()  # (test, negated)
    reads_objects: bool = False  # a term looks at the objects: re-check an image when they change
    reads_problems: bool = False  # a term reads the problem finder's run: parse again when it changes

    def __bool__(self) -> bool:
        return bool(self.tests)

    def __call__(self, facts: ImageFacts, image_id: int) -> bool:
        return all(test(facts, image_id) is not negated for test, negated in self.tests)


def _plain(words: list[tuple[str, bool]], project: Project) -> Test:
    """All plain-text terms in one test, (text, negated) each: an image's status is read once, and only
    when a text is not in its name."""
    words = [(_fold(w), negated) for w, negated in words]
    labels = {s: _fold(label) for s, label in STATUS_LABELS.items()}
    status = project.image_status

    def test(facts: ImageFacts, image_id: int) -> bool:
        name, label = facts.name(image_id), None
        for word, negated in words:
            found = word in name
            if not found:
                if label is None:
                    label = labels.get(status(image_id), "")
                found = word in label
            if found is negated:
                return False
        return True

    return test


def _q(typed: str) -> str:
    """What the user typed, as a message quotes it: one line, cut after ``NAME_IN_TEXT`` characters (a
    pasted page of text was quoted whole under the filter box)."""
    return shown_name(typed, NAME_IN_TEXT)


def _class(value: str, project: Project) -> Test:
    wanted = _fold(value)
    ids = frozenset(c.id for c in project.categories.values() if _fold(c.name) == wanted)
    if not ids:
        names = sorted(c.name for c in project.categories.values())
        near = [n for n in names if wanted in _fold(n)] or names
        listed = ", ".join(near[:8]) + (", …" if len(near) > 8 else "")
        raise FilterError(f"no class “{_q(value)}” in the project; classes: {listed or 'none'}")
    return lambda facts, i: not ids.isdisjoint(facts.categories(i))


def _author(value: str, _project: Project) -> Test:
    wanted = _fold(value)
    return lambda facts, i: wanted in facts.authors(i)


def _status(value: str, project: Project) -> Test:
    key = _status_key(value)
    for state in IMAGE_STATES:
        if key in (_status_key(state), _status_key(STATUS_LABELS[state])):
            status = project.image_status
            return lambda _facts, i: status(i) == state
    raise FilterError(f"no status “{_q(value)}”; statuses: {', '.join(IMAGE_STATES)}")


def _split(value: str, project: Project) -> Test:
    """The split as the context menu and ``set-split`` name it (``validation`` is ``val``, ``none`` no
    split), or another name some image has (a CVAT subset); any other name is refused, as ``status:``
    refuses one: a typo would list no image, which reads as "none of them is in val"."""
    images = project.images
    try:
        wanted = split_name(value)
    except ValueError:
        others = sorted({s for r in images.values() if (s := split_of(r)) is not None} - set(CANONICAL))
        found = [s for s in others if _fold(s) == _fold(value)]
        if not found:
            known = ", ".join((*CANONICAL, *others, "none"))
            raise FilterError(f"no split “{_q(value)}”; splits: {known}") from None
        wanted = found[0]
    return lambda _facts, i: split_of(images[i]) == wanted


_TEXT_TESTS: dict[str, Callable[[str, Project], Test]] = {
    "class": _class,
    "author": _author,
    "status": _status,
    "split": _split,
}


_EXAMPLE_VALUES = {"status": "done", "split": "val", "author": "alice", "problem": "wrong_class"}


def _count(key: str, op: str, value: str, found: FoundProblems | None = None) -> Test:
    if not (value.isascii() and value.isdigit() and len(value) <= 18):  # '²' passes isdigit, not int()
        kind = f" (problem:{_q(value)} for a kind)" if key == "problems" and value else ""
        raise FilterError(f"“{_q(key + op + value)}”: {key} takes a whole number, e.g. {key}>0{kind}")
    compare, n = OPERATORS["=" if op == ":" else op], int(value)
    if found is not None:
        return lambda _facts, i: compare(found.count(i), n)
    read = ImageFacts.objects if key == "objects" else ImageFacts.predictions
    return lambda facts, i: compare(read(facts, i), n)


def _problem_kind(value: str, found: FoundProblems) -> Test:
    """``problem:KIND``, the kind as ``lint --kinds`` names it or as the Problems panel spells it
    (``wrong_class``, ``"wrong class"``); another name is refused with the kinds the run found, as a typo
    would list nothing."""
    key = _status_key(value)
    kind = next((k for k in KINDS if _status_key(k) == key), None)
    if kind is None:
        near = [k for k in KINDS if key and key in _status_key(k)] or _close_kinds(key)
        listed = near or sorted(found.kinds, key=list(KINDS).index)
        names = ", ".join(listed[:8]) + (", …" if len(listed) > 8 else "")
        where = "kinds" if near else "kinds found"
        raise FilterError(f"no problem kind “{_q(value)}”; {where}: {names or 'none'}")
    return lambda _facts, i: found.count(i, kind) > 0


def _close_kinds(key: str) -> list[str]:
    """The kinds a typo of ``key`` was meant to be (``tiyn``: tiny), in lint's order: the app's filter
    names them itself, where a pointer to ``lint --kinds`` would send its user to a terminal."""
    spelled = {_status_key(k): k for k in KINDS}
    close = set(difflib.get_close_matches(key, spelled, 3, 0.7)) if key else set()
    return [k for k in KINDS if _status_key(k) in close]


def _term(key: str, op: str, value: str, project: Project, found: FoundProblems | None) -> Test:
    field_ = key.casefold()
    if field_ in PROBLEM_FIELDS and found is None:
        raise FilterError(f"“{_q(key + op + value)}”: {NO_RUN}")
    if field_ in COUNT_FIELDS:
        return _count(field_, op, value, found if field_ == "problems" else None)
    if field_ not in _TEXT_TESTS and field_ != "problem":
        known = ", ".join(f"{k}:" for k in (*TEXT_FIELDS, *COUNT_FIELDS))
        raise FilterError(
            f'unknown field “{_q(key)}”; known: {known} (quote text to search it: "{_q(key)}{op}…")'
        )
    if op != ":":
        count = " (problems>0 counts them)" if field_ == "problem" else ""
        raise FilterError(
            f"“{_q(key + op + value)}”: write {field_}:NAME, and -{field_}:NAME for none{count}"
        )
    if not value:
        raise FilterError(f"“{key}:” needs a value, e.g. {field_}:{_EXAMPLE_VALUES.get(field_, 'cat')}")
    if field_ == "problem":
        assert found is not None
        return _problem_kind(value, found)
    return _TEXT_TESTS[field_](value, project)


def parse_image_query(text: str, project: Project, problems: FoundProblems | None = None) -> ImageQuery:
    """The query ``text`` means on ``project`` (class names are looked up now: parse again when the
    categories change) and on ``problems``, the problem finder's last run (None: none yet; held by the
    query: parse again when it changes). Empty text: an empty query, every image shown. Raises
    ``FilterError``."""
    tests: list[tuple[Test, bool]] = []
    words: list[tuple[str, bool]] = []  # plain text
    reads_objects = reads_problems = False
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            break
        m = _TERM.match(text, pos)
        assert m is not None  # every part of the pattern is optional
        typed = m[0]
        if m["quoted"] is not None and not m["close"]:
            raise FilterError(f"“{_q(typed)}”: the quote is not closed")
        if m.end() < end and not text[m.end()].isspace():
            typed = _q(text[pos : m.end() + 1])
            raise FilterError(f'“{typed}”: a quote starts a term or a value, e.g. class:"traffic light"')
        value = m["quoted"] if m["quoted"] is not None else m["bare"]
        key, negated = m["key"], m["neg"] is not None
        if key is not None:
            tests.append((_term(key, m["op"], value, project, problems), negated))
            reads_objects |= key.casefold() in ("class", "author", "objects", "predictions")
            reads_problems |= key.casefold() in PROBLEM_FIELDS
        elif value:
            words.append((value, negated))
        elif m["quoted"] is None:  # a lone "-"
            raise FilterError(f"“-” negates the term after it, {EXAMPLE}")
        pos = m.end()
    if words:
        tests.insert(0, (_plain(words, project), False))
    return ImageQuery(tuple(tests), reads_objects, reads_problems)


def matching_images(query: ImageQuery, facts: ImageFacts) -> list[int]:
    """The images ``query`` shows, in the project's order."""
    return [i for i in facts.project.images if query(facts, i)]
