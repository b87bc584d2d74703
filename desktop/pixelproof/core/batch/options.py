"""What a user chooses for a batch job (``--workers``, ``--scheduler``, ``--path-map``, ``--shard-size``)
and the few job-wide values every task must share (one timestamp per job, mapped paths)."""

from __future__ import annotations

import ntpath
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pixelproof.core.batch.executors import Executor, make_executor
from pixelproof.core.model import utc_now


@dataclass(frozen=True, slots=True)
class PathMap:
    """Rewrites local path prefixes to the paths the cluster's workers see the same files under
    (``--path-map /data=/mnt/data``); the longest matching prefix wins, whole path components only."""

    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str]) -> PathMap:
        """``["LOCAL=REMOTE", ...]``; ValueError with the bad item named, or a LOCAL mapped two ways. LOCAL
        is normalised as the paths it is compared with are (``C:/img`` is ``C:\\img``, a relative one is
        under this folder)."""
        pairs: dict[str, tuple[str, str]] = {}
        for item in items:
            local, sep, remote = item.partition("=")
            if not sep or not local.strip() or not remote.strip():
                raise ValueError(f"--path-map {item!r}: expected LOCAL=REMOTE (two folder paths)")
            if not (os.path.isabs(remote.strip()) or ntpath.isabs(remote.strip())):
                raise ValueError(f"--path-map {item!r}: REMOTE must be an absolute path (the workers' own)")
            local, remote = _normalised(local.strip()), remote.strip().rstrip("/\\") or "/"
            key = local.lower() if _is_windows(local) else local
            if pairs.get(key, (local, remote))[1] != remote:
                raise ValueError(f"--path-map {local} is given twice: ={pairs[key][1]} and ={remote}")
            pairs[key] = (local, remote)
        return cls(tuple(sorted(pairs.values(), key=lambda p: -len(p[0]))))

    def __call__(self, path: str | os.PathLike[str]) -> str:
        """``path`` as the workers see it: absolute (a worker's working folder is not this process's) and
        normalised (``/data/../etc`` is not under ``/data``), then mapped, the rest of it joined with the
        remote side's separator. A Windows path seen on another system (``C:\\data``) is normalised as a
        Windows path, and matched ignoring case, as Windows does."""
        text = _normalised(os.fspath(path))
        found = self._match(text)
        if found is None:
            return text
        remote, rest = found
        if rest is None:
            return remote
        far = "\\" if _is_windows(remote) else "/"
        return remote + ("" if remote.endswith(("/", "\\")) else far) + rest.replace(_separator(text), far)

    def maps(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` lies under one of the LOCAL sides (mapped, even to itself)."""
        return self._match(_normalised(os.fspath(path))) is not None

    def _match(self, text: str) -> tuple[str, str | None] | None:
        """The REMOTE side of the longest LOCAL ``text`` (normalised) lies under, and the rest of it (None:
        ``text`` is LOCAL itself); None when no LOCAL holds it."""
        windows = _is_windows(text)
        sep, fold = _separator(text), (str.lower if windows else str)
        for local, remote in self.pairs:
            if _is_windows(local) != windows:
                continue
            if fold(text) == fold(local):
                return remote, None
            prefix = local if local.endswith(sep) else local + sep
            if fold(text[: len(prefix)]) == fold(prefix):
                return remote, text[len(prefix) :]
        return None


def _separator(path: str) -> str:
    return "\\" if _is_windows(path) else "/"


def _is_windows(path: str) -> bool:
    """Whether ``path`` (absolute, normalised) is a Windows one: a drive or a share (on POSIX, one
    that does not start with ``/``)."""
    return bool(ntpath.splitdrive(path)[0]) if os.name == "nt" else not path.startswith("/")


def _normalised(path: str) -> str:
    """``path`` absolute and normalised: this system's, or a Windows path seen on another system
    (``C:\\data``, ``\\\\server\\share``: a POSIX path that starts with ``//`` stays a POSIX one)."""
    if os.path.isabs(path):
        return os.path.normpath(path)
    if ntpath.isabs(path):
        return ntpath.normpath(path)
    return os.path.abspath(path)


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How to run a batch job; the defaults give today's serial run for small jobs."""

    workers: int | None = None  # None: every core for a large job, serial for a small one
    scheduler: str | None = None  # a Dask scheduler address
    path_map: PathMap = field(default_factory=PathMap)
    shard_size: int | None = None  # write per-shard projects of this many images (prelabel, lint)

    def executor(
        self, items: int, seconds_per_item: float | None = None, lanes: bool = False, light: bool = False
    ) -> Executor:
        """A new executor for ``items`` images (``lanes``, ``light``: see ``make_executor``); raises
        ``BatchSetupError`` (a line for the user)."""
        return make_executor(
            items,
            workers=self.workers,
            scheduler=self.scheduler,
            seconds_per_item=seconds_per_item,
            lanes=lanes,
            light=light,
        )


def job_timestamp() -> str:
    """One ISO 8601 UTC time for everything a job writes (never one per image or per worker), so the
    output does not depend on how the work was split; ``SOURCE_DATE_EPOCH`` (the reproducible-builds
    convention) fixes it, for byte-identical reruns."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return utc_now()
    try:
        return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")
    except (ValueError, OverflowError, OSError):  # past what a date holds: set aside as malformed
        return utc_now()
