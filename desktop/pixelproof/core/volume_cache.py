"""An LRU of opened volumes (NIfTI, DICOM series, TIFF stacks), so stepping through slices does not read
the file again: keyed by the file's resolved path, size and mtime, bounded by the decoded bytes kept. One
volume is decoded once at a time: the canvas loads the shown slice and prefetches its neighbours on the
thread pool at once, and each thread decoded the whole volume (three times the time and memory)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixelproof.core.volumes import Volume

VOLUME_CACHE_BYTES = 1 << 30  # decoded volumes kept (the GUI steps through slices of one or two)


@dataclass
class _Cache:
    entries: OrderedDict[tuple, Volume] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    making: dict[tuple, threading.Lock] = field(default_factory=dict)  # held while a key is decoded


_CACHE = _Cache()


def cached(key_path: Path, key: tuple, make: Callable[[], Volume]) -> Volume:
    """The volume for ``key`` (plus the path's size and mtime), made once and kept while it fits."""
    try:
        st = key_path.stat()
        full_key = (os.fspath(key_path.resolve()), st.st_mtime_ns, st.st_size, *key)
    except OSError as e:
        from pixelproof.core.volumes import VolumeError  # volumes imports this module

        raise VolumeError(f"{key_path}: cannot read: {e.strerror or e}") from None
    with _CACHE.lock:
        hit = _hit(full_key)
        if hit is not None:
            return hit
        making = _CACHE.making.setdefault(full_key, threading.Lock())
    with making:  # another thread decoding it: wait for its volume rather than decode it again
        with _CACHE.lock:
            hit = _hit(full_key)
            if hit is not None:
                return hit
        volume = None
        try:
            volume = make()
        finally:
            with _CACHE.lock:  # kept and no longer being made at once: no third thread decodes it
                _CACHE.making.pop(full_key, None)
                if volume is not None:
                    _keep(full_key, volume)
        return volume


def _hit(full_key: tuple) -> Volume | None:
    """The kept volume, marked as the newest used (the caller holds the lock)."""
    hit = _CACHE.entries.get(full_key)
    if hit is not None:
        _CACHE.entries.move_to_end(full_key)
    return hit


def _keep(full_key: tuple, volume: Volume) -> None:
    """Keep ``volume``, dropping the least recently used while the kept bytes pass the bound (the caller
    holds the lock)."""
    _CACHE.entries[full_key] = volume
    total = sum(v.nbytes for v in _CACHE.entries.values())
    while len(_CACHE.entries) > 1 and total > VOLUME_CACHE_BYTES:
        _, old = _CACHE.entries.popitem(last=False)
        total -= old.nbytes


def clear_cache() -> None:
    with _CACHE.lock:
        _CACHE.entries.clear()
