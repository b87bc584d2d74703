"""Which project category each of a model's classes goes to: ``--map`` items, the mapping the project
remembers per model, and where a single-class model's class goes (the CLI's and the Model panel's rule)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pixelproof.core.edits.model_mapping import remembered
from pixelproof.core.model import Project
from pixelproof.inference.base import Backend


def parse_mapping(items: Iterable[str]) -> dict[str, str | None]:
    """``["model=category", "dog=", ...]`` -> {model: category or None (= ignore)}; ValueError if bad."""
    out: dict[str, str | None] = {}
    for item in items:
        model, sep, target = item.partition("=")
        if not sep or not model.strip():
            raise ValueError(f"--map {item!r}: expected model_name=category (empty category = ignore)")
        out[model.strip()] = target.strip() or None
    return out


def unknown_class(backend: Backend, mapping: dict[str, str | None]) -> str:
    """Why a ``--map`` item names a class the loaded model does not have ("" when each is one of its
    classes, or its classes are unknown): a typo would be ignored, and remembered for the next runs."""
    classes = backend.categories()
    for name, target in mapping.items():
        if classes and name not in classes:
            close = difflib.get_close_matches(name, classes, 1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"--map {name}={target or ''}: {mapping_key(backend)} has no class {name!r}{hint}"
    return ""


def mapping_key(backend: Backend) -> str:
    """Where a model's class mapping is remembered in the project: ``<backend>/<model file name>``."""
    return f"{backend.name}/{backend.model_name}"


def effective_mapping(
    project: Project,
    backend: Backend,
    explicit: dict[str, str | None] | None = None,
    current_category: str | None = None,
    *,
    chosen: bool = False,
) -> dict[str, str | None]:
    """The mapping to use: what the project remembers for this model, overridden by ``explicit``; a
    single-class backend whose class the project lacks goes to ``current_category`` (the app's current
    category; the CLI passes ``--category`` or the project's only category), not to a new category.
    The remembered mapping of that class wins over a default ``current_category``, not over one the user
    ``chosen`` for this run (the CLI's ``--category``)."""
    mapping = {**remembered(project, mapping_key(backend)), **(explicit or {})}
    classes = backend.categories()
    if (
        len(classes) == 1
        and classes[0] not in (explicit or {})
        and (chosen or classes[0] not in mapping)
        and project.category_by_name(classes[0]) is None
        and current_category is not None
    ):
        mapping[classes[0]] = current_category
    return mapping
