"""An LRU of opened volumes (NIfTI, DICOM series, TIFF stacks), so stepping through slices does not read
the file again: keyed by the file's resolved path, size and mtime, bounded by the decoded bytes kept."""

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
        hit = _CACHE.entries.get(full_key)
        if hit is not None:
            _CACHE.entries.move_to_end(full_key)
            return hit
    volume = make()
    with _CACHE.lock:
        _CACHE.entries[full_key] = volume
        total = sum(v.nbytes for v in _CACHE.entries.values())
        while len(_CACHE.entries) > 1 and total > VOLUME_CACHE_BYTES:
            _, old = _CACHE.entries.popitem(last=False)
            total -= old.nbytes
    return volume


def clear_cache() -> None:
    with _CACHE.lock:
        _CACHE.entries.clear()
