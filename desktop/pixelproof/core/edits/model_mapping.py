"""The class mapping chosen for a model, remembered in the project (``pixelproof.model_mappings``,
keyed by ``inference.class_mapping.mapping_key``: the model's content, not its file name), so the next
pre-label with the same model maps the same way."""

from __future__ import annotations

import copy
from typing import Any

from pixelproof.core.edits.base import Changes, Compound, Edit, applied
from pixelproof.core.model import Project

MAPPINGS = "model_mappings"


def remembered(project: Project, key: str) -> dict[str, str | None]:
    """The mapping stored for ``key`` (model class -> category name, None = ignore); {} if none or
    malformed (a hand-edited file must not break pre-labeling)."""
    table = project.app.get(MAPPINGS)
    entry = table.get(key) if isinstance(table, dict) else None
    if not isinstance(entry, dict):
        return {}
    return {str(k): v for k, v in entry.items() if v is None or isinstance(v, str)}


class RememberMapping(Edit):
    """Store ``mapping`` for ``key`` (replacing what was there); revert restores the previous entry."""

    def __init__(self, key: str, mapping: dict[str, str | None]) -> None:
        self.key = key
        self.mapping = dict(mapping)
        self.label = "Remember class mapping"
        self.focus = None
        self._before: tuple[Any, bool] | None = None

    def apply(self, project: Project) -> Changes:
        had = MAPPINGS in project.app
        self._before = (copy.deepcopy(project.app.get(MAPPINGS)), had)
        table = project.app.get(MAPPINGS)
        table = dict(table) if isinstance(table, dict) else {}
        table[self.key] = dict(self.mapping)
        project.app[MAPPINGS] = table
        return Changes()

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        before, had = self._before  # type: ignore[misc]
        if had:
            project.app[MAPPINGS] = copy.deepcopy(before)
        else:
            project.app.pop(MAPPINGS, None)
        return Changes()


def retarget_mappings(project: Project, old: str, new: str | None) -> Edit | None:
    """The edit that makes every remembered mapping naming category ``old`` name ``new`` instead (None:
    ignore that model class), for a class renamed, merged or deleted: else the next pre-label with that
    model would create ``old`` again. None when no mapping names it."""
    table = project.app.get(MAPPINGS)
    parts: list[Edit] = []
    for key, entry in table.items() if isinstance(table, dict) else ():
        if isinstance(entry, dict) and old in entry.values():
            parts.append(RememberMapping(key, {k: new if v == old else v for k, v in entry.items()}))
    return Compound(parts, "Update class mappings") if parts else None
