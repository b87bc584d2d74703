"""The backends installed: the ``pixelproof.backends`` entry-point group, read once per set of installed
distributions, and a backend made by name (what the CLI's ``--backend`` and the Model panel's list use)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib import metadata

from pixelproof.inference.base import Backend, BackendError

ENTRY_POINT_GROUP = "pixelproof.backends"


@dataclass(slots=True)
class BackendInfo:
    """One registered backend: its entry point, the class once loaded, or why loading failed."""

    name: str
    target: str  # "module:Class" from the entry point
    distribution: str | None
    cls: type[Backend] | None = None
    error: str | None = None

    def create(self) -> Backend:
        """A fresh, unconfigured instance; ``BackendError`` when the plugin cannot load."""
        if self.cls is None:
            raise BackendError(f"backend {self.name!r} cannot be loaded: {self.error}")
        try:
            return self.cls()
        except Exception as e:
            raise BackendError(f"backend {self.name!r} failed to start: {type(e).__name__}: {e}") from e


_DISCOVERED: tuple[tuple, list[BackendInfo]] | None = None  # (installs key, what was found)


def _installs_key() -> tuple:
    """What the installed distributions depend on: the import path and each folder's modification time
    (installing or removing a distribution adds or removes a folder in it)."""
    stamps = []
    for entry in sys.path:
        try:
            stamps.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            stamps.append((entry, None))
    return tuple(stamps)


def discover() -> list[BackendInfo]:
    """Every backend in the entry-point group, sorted by name; broken plugins carry an ``error``. Reading
    the entry points of every installed distribution costs ~0.1 s, which a ``prelabel`` run would pay
    twice: the answer is kept until a distribution is installed or removed or the import path changes."""
    global _DISCOVERED
    key = _installs_key()
    if _DISCOVERED is not None and _DISCOVERED[0] == key:
        return list(_DISCOVERED[1])
    found = _discover()
    _DISCOVERED = (key, found)
    return list(found)


def _discover() -> list[BackendInfo]:
    seen: dict[str, BackendInfo] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.metadata["Name"] if ep.dist is not None else None
        if ep.name in seen:
            if seen[ep.name].target != ep.value:  # an editable install may list the same one twice
                other = dist or "another distribution"
                seen[ep.name].error = f"name also registered by {other} ({ep.value}); rename one"
            continue
        info = BackendInfo(ep.name, ep.value, dist)
        try:
            loaded = ep.load()
        except Exception as e:
            info.error = f"import failed: {type(e).__name__}: {e}"
        else:
            if isinstance(loaded, type) and issubclass(loaded, Backend):
                info.cls = loaded
            else:
                info.error = f"{ep.value} is not a pixelproof.inference.Backend subclass"
        seen[ep.name] = info
    return sorted(seen.values(), key=lambda i: i.name)


def backend_names() -> list[str]:
    return [i.name for i in discover()]


def backend_class(name: str) -> type[Backend] | None:
    """The class registered as ``name`` without making one; None when unknown or broken."""
    return next((info.cls for info in discover() if info.name == name), None)


def get_backend(name: str) -> Backend:
    """A new instance of the backend registered as ``name``; ``BackendError`` when unknown or broken."""
    for info in discover():
        if info.name == name:
            return info.create()
    known = ", ".join(backend_names()) or "none installed"
    raise BackendError(f"unknown backend {name!r}; installed: {known}")
