"""Helpers shared by subcommands: error printing, loading with clear messages, a terminal progress bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from pixelproof.core.coco import ProjectFormatError, load_project
from pixelproof.core.model import Project

T = TypeVar("T")


class CommandError(Exception):
    """A failure to report as one line on stderr with exit code 1."""


def error(message: str) -> None:
    print(f"pixelproof: error: {message}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"pixelproof: warning: {message}", file=sys.stderr)


def load_or_report(path: str) -> Project | None:
    """Load a project; on failure print every problem (one per line) and return None."""
    try:
        return load_project(path)
    except ProjectFormatError as e:
        for problem in e.problems:
            print(f"{e.path}: {problem}", file=sys.stderr)
        return None


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yield items, drawing a progress bar with ETA on stderr when it is a terminal (nothing otherwise)."""
    if not sys.stderr.isatty() or total <= 0:
        yield from items
        return
    start = time.monotonic()
    width = 30
    for i, item in enumerate(items):
        yield item
        done = i + 1
        elapsed = time.monotonic() - start
        eta = elapsed / done * (total - done)
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{label} [{bar}] {done}/{total}  ETA {eta:4.0f}s")
        sys.stderr.flush()
    sys.stderr.write("\n")
