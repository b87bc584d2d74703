"""Display settings the app keeps per file (a multichannel image's shown channels, ranges, gamma and
colours): the key a file's settings go under, and which keys to keep. Without a limit every multichannel
file ever opened left one entry in the app's settings for ever; the ``KEPT_FILES`` most recently used are
kept, the least recently used dropped."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from pixelproof.core.volumes import parse_slice_ref

KEPT_FILES = 200  # files whose display settings are kept (a month of slides, a few settings-file KB)


def file_key(path: str) -> str:
    """The key of the settings of the image at ``path`` (a plane's stack file: its planes share the
    settings): a digest of its resolved path, so a project saved under another name or not saved yet
    finds them, and the settings file holds no path."""
    ref = parse_slice_ref(path)
    path = ref.source if ref is not None else path
    with contextlib.suppress(OSError, RuntimeError, ValueError):
        path = str(Path(path).resolve())
    return hashlib.sha1(path.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def most_recent_first(
    order: Sequence[object], present: Iterable[str], used: str | None = None, keep: int = KEPT_FILES
) -> tuple[list[str], list[str]]:
    """(the keys to keep, most recently used first; those of ``present`` to drop). ``order`` is the kept
    order (what this returned last time; anything not a key of ``present`` is left out: settings forgotten,
    or a hand-edited entry); ``used`` goes first; keys of ``present`` it does not name (kept by an older
    version, which had no order) count as the least recently used, in their given order."""
    have = list(dict.fromkeys(str(k) for k in present))
    known = set(have)
    ranked = [used] if used is not None and used in known else []
    ranked += [k for k in order if isinstance(k, str) and k in known]
    ranked += have
    ranked = list(dict.fromkeys(ranked))
    keep = max(0, keep)
    return ranked[:keep], ranked[keep:]
