"""Batch tasks for tests/core/test_batch.py: module-level, so pool processes and Dask workers import them."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from pixelproof.core.batch import Failed, cached, worker_threads

LOADS: dict[str, int] = {}  # model name -> times loaded in this process


def _load(name: str) -> str:
    LOADS[name] = LOADS.get(name, 0) + 1
    return name.upper()


def square(context: dict[str, Any], items: list[int]) -> list[Any]:
    """x -> (x*x, the model, this process, loads of the model in this process, threads); ``bad`` fails."""
    model = cached(("test-model", context["model"]), lambda: _load(context["model"]))
    out: list[Any] = []
    for x in items:
        if x == context.get("bad"):
            out.append(Failed(f"item {x} is bad"))
            continue
        with model.lock:
            out.append((x * x, model.value, os.getpid(), LOADS[context["model"]], worker_threads()))
    return out


def die_once(context: dict[str, Any], items: list[int]) -> list[Any]:
    """x -> x*x, but the process dies (SIGKILL) on ``kill_at`` the first time it is reached."""
    marker = Path(context["marker"])
    for x in items:
        if x == context["kill_at"] and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    return [x * x for x in items]


def meet(context: dict[str, Any], items: list[int]) -> list[Any]:
    """x -> (x, thread name) once another task has reached ``context["barrier"]`` too (in-process lanes)."""
    import threading

    context["barrier"].wait()
    return [(x, threading.current_thread().name) for x in items]


def parts_then_die_once(context: dict[str, Any], items: list[int]) -> list[Any]:
    """``die_once``, telling of two parts done per item (a slide's tiles) as it goes."""
    from pixelproof.core.batch.parts import report_part

    for x in items:
        report_part()
        die_once(context, [x])
        report_part()
    return [x * x for x in items]
