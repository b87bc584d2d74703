"""Model work off the UI thread: one ``ModelSession`` per window holds the configured backend and a
one-thread pool, so discovery, model loading, batches and assist previews never block the UI and never
run the same backend object on two threads at once (backends are plain classes, not thread-safe).

Jobs are plain functions run as ``jobs.Job``s in that pool; their reports and results come back to
callbacks on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from pixelproof.core.model import IdsExhausted, Project
from pixelproof.inference import base as inference
from pixelproof.inference import registry
from pixelproof.inference.apply import SKIP_EXISTING_IOU, PredictionMapper
from pixelproof.inference.batch import BackendSpec
from pixelproof.inference.class_mapping import mapping_key
from pixelproof.inference.tiling import DEFAULT_OVERLAP, Tiling
from pixelproof.ui.jobs import Job

Report = Callable[[object], None]


class ModelSession(QObject):
    """The window's model state shared by the Model panel and the assist tool."""

    changed = Signal()  # backend replaced, or a batch started / ended

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)  # created first: destroyed (and waited for) before the jobs
        self.pool.setMaxThreadCount(1)
        self._running: set[Job] = set()
        self.backend: inference.Backend | None = None
        self.loading = ""  # the backend being loaded, by name ("" when none): what the tools say meanwhile
        # (backend name, why) when the chosen backend's model did not load: the assist tool says it at a click
        self.failed: tuple[str, str] | None = None
        self.batch_running = False
        # the Model panel's: load the model again when its files changed on disk; the message, or ""
        self.reloader: Callable[[], str] | None = None

    def set_backend(
        self, backend: inference.Backend | None, loading: str = "", failed: tuple[str, str] | None = None
    ) -> None:
        """The backend tools use now (None while ``loading`` one, or when one ``failed`` to load: why)."""
        self.backend, self.loading, self.failed = backend, loading, failed
        self.changed.emit()

    def set_batch_running(self, running: bool) -> None:
        self.batch_running = running
        self.changed.emit()

    def reload_if_changed(self) -> str:
        """Before running the model: load it again when its files changed on disk since it was loaded (the
        panel that loaded it knows them), so nothing runs the old model from memory. The message to show,
        or "" when nothing changed."""
        return self.reloader() if self.reloader is not None else ""

    def interactive_backend(self) -> inference.Backend | None:
        b = self.backend
        return b if b is not None and b.kind == "interactive" else None

    def submit(
        self,
        fn: Callable[[Report], object],
        on_done: Callable[[object], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_report: Callable[[object], None] | None = None,
    ) -> Job:
        """Run ``fn(report)`` as a ``jobs.Job`` in the session's one-thread pool; the callbacks run on
        the UI thread (and are skipped when their widget is gone)."""
        job = Job(lambda j: fn(j.send), self, expected=(inference.BackendError,))
        self._running.add(job)
        job.message.connect(lambda payload: _call(on_report, payload))
        job.finished.connect(lambda result: self._end(job, on_done, result))
        job.failed.connect(lambda reason: self._end(job, on_failed, reason))
        job.start(self.pool)
        return job

    def _end(self, job: Job, callback: Callable[[Any], None] | None, arg: object) -> None:
        self._running.discard(job)
        _call(callback, arg)

    def is_idle(self) -> bool:
        return not self._running

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the pool is idle (tests, closing)."""
        return self.pool.waitForDone(msecs)


def _call(fn: Callable[[Any], None] | None, arg: object) -> None:
    if fn is None:
        return
    try:
        fn(arg)
    except RuntimeError as e:  # the receiver's widget is gone (window closed while a job ran)
        if "already deleted" not in str(e):
            raise


# -- discovery and configuration (run in the pool) -------------------------------------------------


@dataclass(slots=True)
class BackendRow:
    """One line of the backend chooser: the registry entry and what a fresh instance says."""

    info: registry.BackendInfo
    kind: str = ""
    ready: bool = False
    reason: str = ""
    options: dict[str, str] | None = None


def discover_rows() -> list[BackendRow]:
    """Every registered backend with its kind and readiness (imports plugins: slow, so in a worker)."""
    rows = []
    for info in registry.discover():
        row = BackendRow(info)
        if info.error:
            row.reason = info.error
        else:
            try:
                b = info.create()
                row.kind = b.kind
                row.options = dict(b.options)
                row.ready, row.reason = b.ready()
            except Exception as e:
                row.reason = str(e)
        rows.append(row)
    return rows


def configure_backend(info: registry.BackendInfo, values: dict[str, object]) -> inference.Backend:
    """A new instance of ``info`` configured with ``values`` (may load a model: run in a worker); the
    model file's digest, the key of its class mapping, is computed here too (off the UI thread)."""
    backend = info.create()
    backend.configure(**values)
    mapping_key(backend)
    return backend


# -- batches -------------------------------------------------------------------------------------------


def propose_in_worker(
    report: Report,
    backend: inference.Backend,
    snap: Project,
    image_ids: list[int],
    mapping: dict[str, str | None],
    cancel: threading.Event,
    spec: BackendSpec | None = None,
    *,
    skip_existing: float | None = SKIP_EXISTING_IOU,
    tiling: Tiling | None = None,
    overlap: float = DEFAULT_OVERLAP,
    from_boxes: bool = False,
    only_existing: bool = False,
    keep_specks: bool = False,
) -> bool:
    """Pre-label ``image_ids`` of the snapshot (``inference.batch.propose_batch``, as the CLI does, with
    its ``skip_existing``, ``tiling``, ``overlap``, ``from_boxes``, ``only_existing`` and ``keep_specks``,
    a refusal naming the Run box's field):
    reports ``("done", image_id, Proposal)`` or ``("failed", image_id, file_name, reason)`` per image (the
    first preceded by ``("name", image_id, line)`` per model class name its proposal keeps whole), and
    ``("stopped", -1, reason)`` when no object id is left for the next image's objects (the run ends there).
    With ``tiling``, the tiles done so far as ``("tiles", -1, n)``: a slide is one image of a hundred tiles,
    minutes without a sign otherwise (as the CLI's bar counts them).
    A large job (``core.batch.is_large_job``) with a ``spec`` runs on local worker processes, one per
    core (reported first as ``("where", description)``), a small one on two lanes (threads) when there
    are two cores; the UI thread stays free either way. Returns True when cancelled; the images in flight
    when Cancel was pressed are dropped."""
    from pixelproof.core.batch import BatchCancelled, Executor, SerialExecutor, make_executor
    from pixelproof.inference.batch import SECONDS_PER_IMAGE as SPI
    from pixelproof.inference.batch import lanes_allowed, propose_batch, tile_counts
    from pixelproof.inference.tiling import APP_WORDS

    mapper = PredictionMapper(
        snap, backend.source, mapping=mapping, skip_existing=skip_existing, only_existing=only_existing
    )
    todo = [snap.images[i] for i in image_ids]
    if spec is None:
        executor: Executor = SerialExecutor()
    else:
        lanes = lanes_allowed(tiling, from_boxes)
        executor = make_executor(len(todo), seconds_per_item=SPI, lanes=lanes)
    if not executor.in_process:
        report(("where", executor.describe()))
    said = 0  # mapper.problems already reported
    tell = (lambda done: report(("tiles", -1, done))) if tiling is not None else None
    on_tile, on_progress = tile_counts(executor, tell) if tell is not None else (None, None)
    with executor:
        results = propose_batch(
            snap, todo, mapper, executor, spec=spec, backend=backend, cancelled=cancel.is_set,
            tiling=tiling, overlap=overlap, from_boxes=from_boxes, on_tile=on_tile, on_progress=on_progress,
            keep_specks=keep_specks, words=APP_WORDS,
        )  # fmt: skip
        try:
            for image, result in results:
                if cancel.is_set():
                    return True
                if isinstance(result, str):
                    report(("failed", image.id, image.file_name, result))
                else:
                    for line in mapper.problems[said:]:  # a new category's name kept whole: said with the
                        report(("name", image.id, line))  # image whose proposal made it
                    said = len(mapper.problems)
                    report(("done", image.id, result))
        except BatchCancelled:
            return True
        except IdsExhausted as e:  # the run's numbering ran out of object ids: the images done stay
            report(("stopped", -1, str(e)))
            return False
    return cancel.is_set()
