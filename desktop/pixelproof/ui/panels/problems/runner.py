"""Finding problems off the UI thread: predictions first when the Model panel's backend is chosen (in its
session's one thread, which owns the backend), then in a ``jobs.Job`` a COCO results file read when it is
the source (``core.lint.read_predictions``, as ``lint --predictions FILE`` reads it), the pictures read
when asked (``core.lint.read_pictures``) and ``core.lint.lint_project``, all on a ``Project.snapshot`` so
the user goes on editing meanwhile. Cancel stops any stage."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from pixelproof.core.batch import make_executor
from pixelproof.core.lint import (
    LintOptions,
    LintResult,
    PredictionsError,
    Rules,
    lint_project,
    pending_predictions,
    read_pictures,
    read_predictions,
)
from pixelproof.core.lint.engine import SECONDS_PER_IMAGE
from pixelproof.core.lint.pictures import PICTURE_SECONDS
from pixelproof.core.lint.predictions import none_usable
from pixelproof.core.model import Annotation, Project
from pixelproof.inference.apply import knows_none, predict_project
from pixelproof.inference.class_mapping import effective_mapping
from pixelproof.ui.jobs import Job, JobCancelled

SOURCES = {
    "none": "Rules and statistics only",
    "pending": "+ pending predictions",  # "+ the project's pending predictions" was cut in a 1280-px window
    "model": "+ the Model panel's backend",
    "file": "+ a results file…",  # a COCO results file of your own model, as `lint --predictions FILE`
}
LIST_FLOOR = 0.05  # problems scoring below this are not kept for the table (a model scores every label)


class LintRunner(QObject):
    """One run at a time; ``finished`` carries the result (None when cancelled)."""

    progress = Signal(str, int, int)  # phase, done, total
    finished = Signal(object)  # LintResult or None
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running = False
        self._cancel = threading.Event()
        self._job: Job | None = None
        self.left_out: list[str] = []  # predictions (pending or a file's) the last run could not use, and why
        self.results_name = ""  # the results file the last run read ("" for the other sources)
        self.source = ""  # the last run's (a key of SOURCES): the summary says what its absence means
        self.ignored_classes: dict[str, int] = {}  # the model's predictions of classes the project lacks
        self.pictures = False  # compare the pictures too (PICTURE_KINDS): reads every picture

    def start(
        self,
        project: Project,
        rules: Rules,
        source: str,
        session: Any,
        current_category: str | None = None,
        pictures: bool = False,
        results: str | None = None,
    ) -> str:
        """Start a run; returns why it cannot start ("" when it started). The model's classes map to
        categories as the Model panel shows (remembered for the model; a single class to
        ``current_category``). ``pictures``: read every picture (``PICTURE_KINDS``). ``results``: the COCO
        results file of the source "file"."""
        if self.running:
            return "Already finding problems"
        if source == "file" and not results:
            return "Choose a COCO results file first (the source “+ a results file…”)"
        backend = None
        if source == "model":
            backend = session.backend if session is not None else None
            if backend is None:
                return "Choose a backend in the Model panel first (or find problems without a model)"
            ok, reason = backend.ready()
            if not ok:
                return f"{backend.name}: not ready: {reason}"
            if backend.kind == "interactive":
                return f"{backend.name} is interactive: choose a detect or segment backend"
            if session.batch_running:
                return "The Model panel is pre-labeling: wait for it or cancel it"
        snap = project.snapshot()
        self.pictures = pictures
        self.running = True
        self._cancel.clear()
        self.left_out = []
        self.ignored_classes = {}
        self.results_name = Path(results).name if source == "file" and results else ""
        self.source = source
        if backend is None:
            preds = None
            if source == "pending":
                preds, self.left_out = pending_predictions(snap)
            self._lint(snap, rules, preds, results if source == "file" else None)
            return ""

        def predict(report) -> tuple[dict[int, list[Annotation]], int, Counter[str]]:  # type: ignore[no-untyped-def]
            def wrap(items, total):  # type: ignore[no-untyped-def]
                report(("progress", 0, total))
                for n, item in enumerate(items, start=1):
                    yield item
                    report(("progress", n, total))

            mapping = effective_mapping(snap, backend, None, current_category)
            return predict_project(snap, backend, mapping=mapping, wrap=wrap, cancelled=self._cancel.is_set)

        session.submit(
            predict,
            on_done=lambda preds: self._predicted(snap, rules, preds),
            on_failed=self._failed,
            on_report=lambda msg: self.progress.emit("predicting", msg[1], msg[2]),
        )
        return ""

    def _predicted(self, snap: Project, rules: Rules, result: object) -> None:
        if self._cancel.is_set():
            self._end(None)
            return
        preds, ignored, classes = result  # type: ignore[misc]
        self.ignored_classes = dict(classes)  # the summary names them: what to map
        if unknown := knows_none(preds, ignored):  # as `lint --backend` says it
            self._failed(
                f"{unknown}: map its classes to the project's under Class mapping in the Model panel"
            )
            return
        self._lint(snap, rules, preds)

    def _lint(
        self,
        snap: Project,
        rules: Rules,
        preds: dict[int, list[Annotation]] | None,
        results: str | None = None,
    ) -> None:
        """Lint in a job (a results file read and the pictures first when asked); a large project
        (``core.batch.is_large_job``) on local worker processes, one per core (the progress says so); Cancel
        stops them. A results file that cannot be read, or none of whose entries can be used, fails the run
        with the file and the place named (``PredictionsError``); the project is not touched."""
        phase = ["checking"]
        pictures = self.pictures
        file_left_out: list[str] = []  # the file's entries left out: the runner's once the run has ended

        def work(job: Job) -> LintResult:
            nonlocal preds
            if results is not None:
                job.send("reading the results file")
                preds, left_out = read_predictions(results, snap)
                file_left_out.extend(left_out)
                if reason := none_usable(preds, left_out, results):
                    raise PredictionsError([f"{reason}: {left_out[0]}{', …' if len(left_out) > 1 else ''}"])

            def step(done: int, total: int) -> None:
                if self._cancel.is_set():
                    raise JobCancelled
                job.report(done, total)

            seconds = SECONDS_PER_IMAGE + (PICTURE_SECONDS if pictures else 0.0)
            executor = make_executor(len(snap.images), seconds_per_item=seconds)
            where = "" if executor.kind == "serial" else f" on {executor.describe()}:"
            with executor:  # leaving it on Cancel (JobCancelled) stops the workers at once
                found = None
                if pictures:
                    job.send(f"reading pictures{where}")
                    found = read_pictures(snap, executor, progress=step)
                job.send(f"checking{where}")
                options = LintOptions(min_score=LIST_FLOOR)
                return lint_project(
                    snap, rules, preds, options, progress=step, executor=executor, pictures=found
                )

        job = Job(work, self, expected=(PredictionsError,))
        job.message.connect(lambda text: phase.__setitem__(0, str(text)))
        job.progress.connect(lambda done, total: self.progress.emit(phase[0], done, total))
        if results is not None:  # before ``_end``: the summary of the run says them
            job.finished.connect(lambda _r: setattr(self, "left_out", file_left_out))
        job.finished.connect(self._end)
        job.cancelled.connect(lambda: self._end(None))
        job.failed.connect(self._failed)
        self._job = job
        job.start()

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            if self._job is not None:
                self._job.cancel()

    def _end(self, result: object) -> None:
        self.running = False
        self._job = None
        self.finished.emit(result)

    def _failed(self, reason: str) -> None:
        self.running = False
        self._job = None
        self.failed.emit(reason)
