"""Which project category each of a model's classes goes to: ``--map`` items, the mapping the project
remembers per model, and where a single-class model's class goes (the CLI's and the Model panel's rule).

A model is known by its content, not its file name (every Ultralytics run writes ``best.onnx``): the key
is ``<backend>/<file name>@<digest>``, the digest a SHA-256 of the model file's bytes and of the class
names the backend read (a ``--classes`` file or a card may name them). Hashing the whole file costs
about 0.4 s per 500 MB (read from the page cache, where loading the model just put it); it is done once
per file version (path, size, modification time) in a process, in the app on the thread that loads the
model. A sampled hash would be cheaper but can miss a fine-tune that changed only the last layers."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import threading
from collections.abc import Iterable

from pixelproof.core.edits.model_mapping import MAPPINGS, remembered
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
            model = f"{backend.name}/{backend.model_name}"
            return f"--map {name}={target or ''}: {model} has no class {name!r}{hint}"
    return ""


_file_digests: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> SHA-256 of the bytes
_digest_lock = threading.Lock()


def _file_digest(path: os.PathLike[str] | str) -> str:
    """SHA-256 of the file's bytes, computed once per version of the file in this process; "" when it
    cannot be read (the key then rests on the class names alone)."""
    try:
        st = os.stat(path)
        version = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
        with _digest_lock:
            known = _file_digests.get(version)
        if known is not None:
            return known
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""
    with _digest_lock:
        _file_digests[version] = digest
    return digest


def mapping_key(backend: Backend) -> str:
    """Where a model's class mapping is remembered in the project: ``<backend>/<model file name>@<digest
    of the file's bytes and the class names>``; ``<backend>/builtin`` for a backend without a model file,
    and the file name alone for an interactive one (its objects take the category chosen: nothing is
    mapped, so its encoder, hundreds of MB for SAM, is not read to tell it apart)."""
    legacy = legacy_key(backend)
    if backend.model_path is None or backend.kind == "interactive":
        return legacy
    identity = (backend.model_path, tuple(backend.categories()))
    known = getattr(backend, "_mapping_key", None)  # the file as it was when this model was loaded
    if known is not None and known[0] == identity:
        return known[1]
    h = hashlib.sha256(_file_digest(backend.model_path).encode())
    h.update("\n".join(identity[1]).encode())
    key = f"{legacy}@{h.hexdigest()[:16]}"
    with contextlib.suppress(AttributeError):  # a plugin backend with __slots__: hashed again, from the cache
        backend._mapping_key = (identity, key)  # type: ignore[attr-defined]
    return key


def legacy_key(backend: Backend) -> str:
    """The key of a project saved before mappings were keyed by content: ``<backend>/<model file name>``."""
    return f"{backend.name}/{backend.model_name}"


def remembered_for(project: Project, backend: Backend) -> dict[str, str | None]:
    """The mapping the project remembers for this model: under its key, else under the old file-name key
    when every class that entry names is one of this model's (an entry naming other classes was made for
    another model of the same file name, and is not this one's)."""
    key = mapping_key(backend)
    table = project.app.get(MAPPINGS)
    if isinstance(table, dict) and key in table:
        return remembered(project, key)
    old = remembered(project, legacy_key(backend)) if key != legacy_key(backend) else {}
    classes = set(backend.categories())
    return old if classes and set(old) <= classes else {}


def _spelling(name: str) -> str:
    """A name as compared across tools' spellings: case, ``_`` or ``-`` for a space, spaces around."""
    return " ".join(name.replace("_", " ").replace("-", " ").split()).casefold()


def respelt(mapping: dict[str, str | None]) -> dict[str, str]:
    """The model classes ``mapping`` sends to a category spelt otherwise (``person`` -> ``Person``)."""
    return {c: t for c, t in mapping.items() if t and t != c and _spelling(t) == _spelling(c)}


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
    ``chosen`` for this run (the CLI's ``--category``). A class the project has spelt otherwise (case,
    ``_`` or ``-`` for a space: ``Person``, ``dining_table``) goes to that category when only one matches."""
    mapping = {**remembered_for(project, backend), **(explicit or {})}
    classes = backend.categories()
    spelt: dict[str, list[str]] = {}
    for cat in project.categories.values():
        spelt.setdefault(_spelling(cat.name), []).append(cat.name)
    for c in classes:  # Person from a classes.txt for a COCO model's person: not a second category
        same = spelt.get(_spelling(c), [])
        if c not in mapping and project.category_by_name(c) is None and len(same) == 1:
            mapping[c] = same[0]
    if (
        len(classes) == 1
        and classes[0] not in (explicit or {})
        and (chosen or classes[0] not in mapping)
        and project.category_by_name(classes[0]) is None
        and current_category is not None
    ):
        mapping[classes[0]] = current_category
    return mapping
