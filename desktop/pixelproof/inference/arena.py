"""The one onnxruntime memory arena a process's models share: its cap (the model memory budget,
registered with the first session, so a model past it fails that picture with a message instead of taking
the machine) and who uses it at once (a batch's lanes together, or one picture judged alone)."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MODEL_MEMORY_FRACTION = 0.5  # of the machine's memory, for the models of all the processes of a job
ENV_MODEL_MEMORY = "PIXELPROOF_MODEL_MEMORY_MB"  # the machine's budget for models instead, in MB


def model_memory_bytes(share: float = 1.0) -> int | None:
    """Bytes this process's models may hold at once (onnxruntime's arena): ``share`` of the budget, which
    is ``PIXELPROOF_MODEL_MEMORY_MB`` (0: no cap) or ``MODEL_MEMORY_FRACTION`` of the machine's memory;
    None when neither is known (no cap). A model past it fails that picture with a message instead of
    taking the whole machine (the kernel would kill the app)."""
    raw = os.environ.get(ENV_MODEL_MEMORY, "").strip()
    try:
        if raw:
            budget = float(raw) * 2**20
        else:
            budget = MODEL_MEMORY_FRACTION * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows) or a bad value: no cap
        return None
    if not math.isfinite(budget) or budget <= 0:
        return None
    return max(64 << 20, int(budget * share))


def cap_bytes() -> int | None:
    """The arena's cap in bytes once registered (``register``); None: no cap."""
    return _cap


_cap: int | None = None  # bytes of this process's shared onnxruntime arena; None = no cap
_made = False  # registered (or found impossible) with the first session
_lock = threading.Lock()


class ArenaHold:
    """One run inside ``ArenaGate.shared``: ``crowded`` once another run shared the arena with it."""

    __slots__ = ("crowded",)

    def __init__(self, crowded: bool) -> None:
        self.crowded = crowded


class ArenaGate:
    """Who uses the process's one onnxruntime arena at once: any number of runs (``shared``: a batch's
    lanes), or one ``alone``. A picture that failed for memory while another lane's model held part of
    the arena is judged again alone, so whether it fits does not depend on how many lanes ran."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._holders: list[ArenaHold] = []
        self._alone = False
        self._waiting = 0  # runs waiting to be alone: new shared runs wait behind them

    @contextmanager
    def shared(self) -> Iterator[ArenaHold]:
        with self._cond:
            while self._alone or self._waiting:
                self._cond.wait()
            hold = ArenaHold(crowded=bool(self._holders))
            for other in self._holders:
                other.crowded = True
            self._holders.append(hold)
        try:
            yield hold
        finally:
            with self._cond:
                self._holders.remove(hold)
                self._cond.notify_all()

    @contextmanager
    def alone(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._alone or self._holders:
                self._cond.wait()
            self._waiting -= 1
            self._alone = True
        try:
            yield
        finally:
            with self._cond:
                self._alone = False
                self._cond.notify_all()


gate = ArenaGate()  # the runs sharing the arena (one per process, like it)


def register(ort: Any) -> int | None:
    """The cap of the one onnxruntime arena this process's models share (registered with the first
    session: ``model_memory_bytes`` for this process's ``memory_share``), or None without one."""
    global _cap, _made
    with _lock:
        if not _made:
            from pixelproof.core.batch.worker import memory_share

            cap = model_memory_bytes(memory_share())
            if cap is not None:
                try:
                    where = ort.OrtMemoryInfo(
                        "Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT
                    )
                    ort.create_and_register_allocator(where, ort.OrtArenaCfg(cap, -1, -1, -1))
                except Exception:  # an onnxruntime without shared allocators: each session its own
                    cap = None
            _cap, _made = cap, True
        return _cap
