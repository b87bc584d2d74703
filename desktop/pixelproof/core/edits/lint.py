"""Lint's edits of project state: "not a problem" decisions (``pixelproof.lint.dismissed``) and the
project's lint rules (``pixelproof.rules``). Problem fixes are ordinary annotation edits
(``core.lint.apply.fix_edit``)."""

from __future__ import annotations

import copy
from typing import Any

from pixelproof.core.edits.base import IMAGE, Change, Changes, Edit, applied, restore_order
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.model import Project
from pixelproof.core.names import shown_name
from pixelproof.core.wording import plural

_UNSET = object()


class _AppValue(Edit):
    """Replace one top-level ``project.app`` value (None removes it); revert restores it and its place."""

    key = ""

    def __init__(self, value: Any, image_id: int = -1) -> None:
        self.value = copy.deepcopy(value)
        self.image_id = image_id
        self._before: Any = _UNSET
        self._order: list[str] = []
        self._done: bool | None = None

    def _changes(self) -> Changes:
        return Changes([Change(IMAGE, image_id=self.image_id)]) if self.image_id != -1 else Changes()

    def apply(self, project: Project) -> Changes:
        self._order = list(project.app)
        self._before = copy.deepcopy(project.app[self.key]) if self.key in project.app else _UNSET
        if self.value is None:
            project.app.pop(self.key, None)
        else:
            project.app[self.key] = copy.deepcopy(self.value)
        self._done = True
        return self._changes()

    def revert(self, project: Project) -> Changes:
        applied(self._done)
        if self._before is _UNSET:
            project.app.pop(self.key, None)
        else:
            project.app[self.key] = copy.deepcopy(self._before)
        restore_order(project.app, self._order)
        return self._changes()


class DismissProblems(Edit):
    """Mark problems (by ``Problem.key``) as "not a problem" so later lint runs leave them out; with
    ``dismiss=False``, list them again. Other keys under ``pixelproof.lint`` are kept.

    It changes the stored list in place and keeps the keys it added or took out (with their places) only:
    two copies of every decision per press were 90 kB with 5,000 decisions stored."""

    def __init__(
        self, project: Project, keys: list[str], dismiss: bool = True, image_id: int | None = -1
    ) -> None:
        self.keys = list(dict.fromkeys(keys))
        self.dismiss = dismiss
        self.image_id = -1 if image_id is None else image_id  # None: a problem of no image (empty_class)
        n = len(keys)
        self.label = f"{'Not a problem' if dismiss else 'A problem again'}: {plural(n, 'problem')}"
        self._before: tuple | None = None

    def apply(self, project: Project) -> Changes:
        app = project.app
        old_lint = app.get("lint", _UNSET)
        lint = old_lint if isinstance(old_lint, dict) else {}
        old_list = lint.get("dismissed", _UNSET)
        dismissed = old_list if isinstance(old_list, list) else []
        order = (list(app), list(lint))  # a handful of keys each
        added: list[str] = []
        removed: list[tuple[int, str]] = []
        if self.dismiss:
            present = set(dismissed)
            added = [k for k in self.keys if k not in present]
            dismissed.extend(added)
        else:
            wanted = set(self.keys)
            removed = [(i, k) for i, k in enumerate(dismissed) if k in wanted]
            dismissed[:] = [k for k in dismissed if k not in wanted]
        # a value that was no dict / no list (or none) is kept as it was, to put back
        kept = (None if lint is old_lint else old_lint, None if dismissed is old_list else old_list)
        self._before = (order, kept, len(added), removed)
        lint["dismissed"] = dismissed
        if not dismissed:
            del lint["dismissed"]
        app["lint"] = lint
        if not lint:
            del app["lint"]
        return self._changes()

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        (app_order, lint_order), (old_lint, old_list), n_added, removed = self._before  # type: ignore[misc]
        app = project.app
        lint = app.setdefault("lint", {})
        dismissed = lint.setdefault("dismissed", [])
        del dismissed[len(dismissed) - n_added :]
        for i, k in removed:  # in ascending places: each lands where it stood
            dismissed.insert(i, k)
        for mapping, key, old in ((lint, "dismissed", old_list), (app, "lint", old_lint)):
            if old is _UNSET:
                del mapping[key]
            elif old is not None:
                mapping[key] = old
        if isinstance(app.get("lint"), dict):
            restore_order(app["lint"], lint_order)
        restore_order(app, app_order)
        return self._changes()

    def _changes(self) -> Changes:
        return Changes([Change(IMAGE, image_id=self.image_id)]) if self.image_id != -1 else Changes()


class SetLintRules(_AppValue):
    """Store the project's lint rules (a rules document, see docs/format.md); None removes them."""

    key = "rules"

    def __init__(self, rules: dict[str, Any] | None) -> None:
        super().__init__(rules or None)
        self.label = "Edit lint rules"


def move_rules(project: Project, old: str, new: str) -> Edit | None:
    """The edit that moves class ``old``'s lint rules to ``new`` (rules are stored by class name), for a
    class renamed, or merged into ``new`` (a delete that gives its objects to ``new`` is one). An entry
    ``new`` has already keeps its own keys and takes ``old``'s only for the keys it does not set (its
    limits were chosen for it); the label names the keys kept. None when ``old`` has no rules."""
    rules = project.app.get("rules")
    classes = rules.get("classes") if isinstance(rules, dict) else None
    if not isinstance(classes, dict) or old not in classes or old == new:
        return None
    moved, own = classes[old], classes.get(new)
    kept: list[str] = []
    if isinstance(moved, dict) and isinstance(own, dict):
        kept = [k for k in own if k in moved and moved[k] != own[k]]
        entry: Any = {**moved, **own}
    else:  # no entry yet, or one that is no object (the rules' check names it): not mixed
        entry = moved if new not in classes else own
    out: dict[str, Any] = {}
    for name, value in classes.items():  # ``new`` where it stood, else where ``old`` stood
        if name == old:
            if new not in classes:
                out[new] = entry
        else:
            out[name] = entry if name == new else value
    edit = SetLintRules({**rules, "classes": out})
    old_n, new_n = shown_name(old, NAME_IN_TEXT), shown_name(new, NAME_IN_TEXT)
    edit.label = f"Move the lint rules of {old_n} to {new_n}" + (
        f" ({new_n} keeps its own {', '.join(kept)})" if kept else ""
    )
    return edit


def drop_rules(project: Project, name: str) -> Edit | None:
    """The edit that removes class ``name``'s lint rules, for a class deleted with its objects: left, they
    would sit under a name no class has, and apply again to a class made later under that name. None when
    it has none."""
    rules = project.app.get("rules")
    classes = rules.get("classes") if isinstance(rules, dict) else None
    if not isinstance(classes, dict) or name not in classes:
        return None
    kept = {k: v for k, v in classes.items() if k != name}
    rest = {k: v for k, v in rules.items() if k != "classes"}
    edit = SetLintRules({**rest, "classes": kept} if kept else rest)  # nothing left: no rules at all
    edit.label = f"Remove the lint rules of {shown_name(name, NAME_IN_TEXT)}"
    return edit


def rename_dismissed(project: Project, old: str, new: str, merged: bool = False) -> Edit | None:
    """The edit that moves "not a problem" decisions on missing objects of class ``old`` to ``new``
    (their keys name the class: ``missing_object|image|class@x,y,w,h``, there is no object id), and on the
    class being empty (``empty_class|-|class``), for a class renamed or merged into ``new``; None when
    there are none. A key ``new`` has already is kept once. Decisions on objects are by id and need
    nothing. A merged class's being empty is dropped, not moved: it said nothing of ``new``'s objects,
    and moved it would hide ``new`` becoming empty."""
    lint = project.app.get("lint")
    keys = lint.get("dismissed") if isinstance(lint, dict) else None
    if not isinstance(keys, list):
        return None
    moved, seen = [], set()
    for key in keys:
        if merged and key == f"empty_class|-|{old}":
            continue
        if isinstance(key, str):
            key = _renamed_key(key, old, new)
            if key in seen:  # ``new``'s own decision on the same finding (a merge's)
                continue
            seen.add(key)
        moved.append(key)
    if moved == keys:
        return None
    edit = SetLintState({**lint, "dismissed": moved})
    old, new = shown_name(old, NAME_IN_TEXT), shown_name(new, NAME_IN_TEXT)  # the label's, one short line
    edit.label = f'Move the "not a problem" decisions naming {old} to {new}'
    return edit


def _renamed_key(key: str, old: str, new: str) -> str:
    if key == f"empty_class|-|{old}":  # a problem of the project, named by its class (``Problem.key``)
        return f"empty_class|-|{new}"
    kind, sep, rest = key.partition("|")
    image, sep2, tail = rest.partition("|")
    name, at, box = tail.rpartition("@")  # the box has no @; a class name may
    if kind != "missing_object" or not (sep and sep2 and at) or name != old:
        return key
    return f"{kind}|{image}|{new}@{box}"


class SetLintState(_AppValue):
    """``pixelproof.lint`` replaced as a whole (None removes it): a class's decisions moved, a merge's."""

    key = "lint"
