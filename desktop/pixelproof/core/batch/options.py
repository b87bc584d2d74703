"""What a user chooses for a batch job (``--workers``, ``--scheduler``, ``--path-map``, ``--shard-size``)
and the few job-wide values every task must share (one timestamp per job, mapped paths)."""

from __future__ import annotations

import ntpath
import os
import posixpath
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
        """``["LOCAL=REMOTE", ...]``; ValueError with the bad item named."""
        pairs = []
        for item in items:
            local, sep, remote = item.partition("=")
            if not sep or not local.strip() or not remote.strip():
                raise ValueError(f"--path-map {item!r}: expected LOCAL=REMOTE (two folder paths)")
            pairs.append((local.strip().rstrip("/\\") or "/", remote.strip().rstrip("/\\") or "/"))
        pairs.sort(key=lambda p: -len(p[0]))
        return cls(tuple(pairs))

    def __call__(self, path: str | os.PathLike[str]) -> str:
        """``path`` as the workers see it: absolute (a worker's working folder is not this process's) and
        normalised (``/data/../etc`` is not under ``/data``), then mapped. A Windows path seen on another
        system (``C:\\data``) is normalised as a Windows path."""
        text = os.fspath(path)
        if os.path.isabs(text) or ntpath.isabs(text):
            windows = bool(ntpath.splitdrive(text)[0]) or text.startswith("\\")
            text = (ntpath if windows else posixpath).normpath(text)
        else:
            text = os.path.abspath(text)
        for local, remote in self.pairs:
            if text == local:
                return remote
            for sep in ("/", "\\"):
                prefix = local if local.endswith(sep) else local + sep
                if text.startswith(prefix):
                    rest = text[len(prefix) :]
                    return remote + ("" if remote.endswith(("/", "\\")) else "/") + rest.replace("\\", "/")
        return text


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How to run a batch job; the defaults give today's serial run for small jobs."""

    workers: int | None = None  # None: every core for a large job, serial for a small one
    scheduler: str | None = None  # a Dask scheduler address
    path_map: PathMap = field(default_factory=PathMap)
    shard_size: int | None = None  # write per-shard projects of this many images (prelabel, lint)

    def executor(self, items: int, seconds_per_item: float | None = None, lanes: bool = False) -> Executor:
        """A new executor for ``items`` images (``lanes``: see ``make_executor``); raises
        ``BatchSetupError`` (a line for the user)."""
        return make_executor(
            items,
            workers=self.workers,
            scheduler=self.scheduler,
            seconds_per_item=seconds_per_item,
            lanes=lanes,
        )


def job_timestamp() -> str:
    """One ISO 8601 UTC time for everything a job writes (never one per image or per worker), so the
    output does not depend on how the work was split; ``SOURCE_DATE_EPOCH`` (the reproducible-builds
    convention) fixes it, for byte-identical reruns."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return utc_now()
    return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")
