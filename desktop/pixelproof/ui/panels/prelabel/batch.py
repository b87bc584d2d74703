"""Running pre-labeling over images: the worker runs ``inference.batch.propose_batch`` (as the CLI does)
on a ``Project.snapshot``, in its thread or, for a large project, on local worker processes (one per
core); each image's proposal is moved onto the live project (``Rebaser``) and pushed as one undo step as
it arrives. Shows progress, images/s, ETA, the summary and the images that failed (double-click one to go
there), each box that got no mask, with why, and each picture too big for the model's memory that was
pre-labeled in tiles instead (the user did not ask for tiles). A failing image is reported and skipped;
Cancel stops after the images in flight."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.edits.prelabel_run import MarkPrelabeled, RunMark
from pixelproof.core.model import IdsExhausted
from pixelproof.core.wording import plural
from pixelproof.inference.base import APP_OPTIONS, Backend, keep_small_hint, specks_note
from pixelproof.inference.batch import BackendSpec
from pixelproof.inference.class_filter import ignored_line
from pixelproof.inference.model_card import id_named_note
from pixelproof.inference.prelabel_checks import SHRINK_WARN_FACTOR, Shrunk
from pixelproof.inference.prelabel_report import LEFT_OUT, skipped_words
from pixelproof.inference.rebase import Rebaser
from pixelproof.inference.tiling import APP_WORDS, Tiling, boxes_cut, cut_warning, tile_rects
from pixelproof.interop.formats import ACCEPT_ALL
from pixelproof.ui.document import Document
from pixelproof.ui.import_words import model_words
from pixelproof.ui.panels.prelabel.run_options import RunSettings
from pixelproof.ui.panels.prelabel.session import ModelSession, propose_in_worker

FAILED_COLOR = "#d9534f"  # an image or box the model failed on
ONLY_EXISTING_HINT = "map them in Class mapping, or uncheck “Only this project's classes”"
# the speckles a backend drops under its min_area are not what the Run box's "Keep specks" keeps (a flood
# of objects refused whole): a user who ticked it to keep them is told what does
KEEP_SPECKS_IS_NOT_MIN_AREA = (
    f"“Keep specks” keeps a picture's flood of objects, not these: set min_area {APP_OPTIONS.rstrip(':')}"
)
TILED_COLOR = "#c77c02"  # a notice, not a failure: a picture pre-labeled in tiles, a class name kept whole


def _nothing_found(batch: Batch, failed: int, cancelled: bool) -> str | None:
    """What a run that read its pictures and kept nothing says (``Backend.nothing_found``, as ``pixelproof
    prelabel`` warns it), with the CLI's ``--option`` named as the Model panel's Options field; None when
    something was found, left out or dropped (said already), or the backend has no hint."""
    if batch.stopped or cancelled or batch.from_boxes or batch.model is None or batch.done <= failed:
        return None
    if batch.added or batch.ignored or batch.skipped or batch.duplicates or batch.speckles:
        return None
    if not (hint := batch.model.nothing_found()):
        return None
    return f"the {batch.model.name} backend found nothing ({model_words(hint)})"  # the core: the CLI's words


def text_button(action: QAction, text: str = "") -> QToolButton:
    """A full-width text button for ``action`` (enabled and labelled as it is)."""
    b = QToolButton()
    b.setDefaultAction(action)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    if text:
        b.setText(text)
    return b


class ShownWhenSet(QLabel):
    """A label that takes no room while empty: before the first run, the run buttons and the options under
    them stay together in the dock's height on a laptop screen."""

    def __init__(self) -> None:
        super().__init__()
        self.hide()

    def setText(self, text: str) -> None:  # Qt's name: every caller sets it through here
        super().setText(text)
        self.setVisible(bool(text))


def format_eta(seconds: float) -> str:
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass(eq=False)
class Batch:
    doc: Document
    image_ids: list[int]
    rebaser: Rebaser
    cancel: threading.Event
    backend: str
    where: str = ""  # "2 local worker processes x 1 thread" when the batch runs on a pool
    started: float = field(default_factory=time.monotonic)
    from_boxes: bool = False  # detect, then segment: outlining box annotations
    done: int = 0
    added: int = 0
    skipped: int = 0  # predictions repeating an object the image already had
    duplicates: int = 0  # predictions repeating another prediction of the run
    ignored: int = 0  # predictions left out: ignored class, not in the project, empty shape
    speckles: int = 0  # masks the backend dropped under its min_area
    model: Backend | None = None  # the backend run, for its hint when its specks outnumber the objects
    new_categories: list[str] = field(default_factory=list)  # made for model classes the project lacked
    only_existing: bool = False  # the run kept to the project's categories
    keep_specks: bool = False  # "Keep specks" ticked: said beside the speckles min_area dropped anyway
    ignored_classes: Counter[str] = field(default_factory=Counter)  # per model class, predictions left out
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # image id, file, reason
    box_failures: list[str] = field(default_factory=list)  # from-boxes: "file: annotation id (cat): why"
    auto_tiled: list[str] = field(default_factory=list)  # "file: too big for ...; pre-labeled in N-px tiles"
    shrunk: Shrunk = field(
        default_factory=Shrunk
    )  # pictures shrunk to the model's input: said in the summary
    names_kept: list[str] = field(default_factory=list)  # new categories' names kept whole (apply.name_kept)
    stopped: str = ""  # why the run stopped itself (no object id left on the live project)
    tiling: Tiling | None = None  # the tiles asked for (Tiles checked), else None
    cut: float = 0.0  # with tiling: the largest kept box no tile held whole (``boxes_cut``)
    tiles: int = 0  # with tiling: the tiles of every image, which the progress counts
    tiles_done: int = 0
    mark: RunMark | None = None  # "Pre-label all": the run each image's step marks it done in
    unmarked: list[int] = field(default_factory=list)  # done with nothing found: marked with the next step
    shrinks: dict[int, float] = field(default_factory=dict)  # images shrunk a lot: kept with their marks
    note: str = ""  # said before the summary: why an unfinished run was not continued

    @property
    def total(self) -> int:
        return len(self.image_ids)


class BatchRunner(QWidget):
    """Starts, follows and cancels one batch at a time. ``message`` is for the status bar."""

    message = Signal(str)

    def __init__(self, session: ModelSession, cancel: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.document: Document | None = None
        self.batch: Batch | None = None  # the running one
        self.last_batch: Batch | None = None
        self.act_cancel = cancel
        self.progress = QProgressBar()
        self.progress.setObjectName("prelabelProgress")
        self.eta_label = QLabel()
        self.eta_label.setWordWrap(True)
        self.cancel_button = text_button(cancel, "Cancel")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.summary_label = ShownWhenSet()
        self.summary_label.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("prelabelProblems")
        self.problems.setToolTip(
            "Images (and boxes) the model failed on, pictures too big for its memory that were "
            "pre-labeled in tiles, and model class names kept whole as new categories' names though "
            "PixelProof would not name a category so; double-click to go there"
        )
        self.problems.setMaximumHeight(90)
        self.problems.itemDoubleClicked.connect(self._go_to_problem)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(progress_row)
        layout.addWidget(self.eta_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems)
        self._show_progress(False)
        self.problems.hide()

    def is_running(self) -> bool:
        return self.session.batch_running

    def start(
        self,
        doc: Document,
        image_ids: list[int],
        backend: Backend,
        mapping: dict[str, str | None],
        spec: BackendSpec | None = None,
        run: RunSettings | None = None,
        from_boxes: bool = False,
        box_ids: Collection[int] | None = None,
        mark: RunMark | None = None,
        note: str = "",
        shrunk: Sequence[tuple[int, float]] = (),
    ) -> None:
        """Pre-label ``image_ids`` of ``doc`` in the session's worker, as ``run`` says; with ``spec`` (the
        backend as worker processes rebuild it) a large job runs on local worker processes.
        ``from_boxes``: the (interactive) backend outlines the box annotations instead — only ``box_ids``
        when given (the worker's snapshot then holds no other box, so no other is prompted). ``mark``:
        each image whose result lands is marked done in that run (``core.edits.prelabel_run``);
        ``shrunk``: the images it did before, shrunk a lot to the model's input, said in the summary as
        this run's (``RunPlan.shrunk``)."""
        run = run or RunSettings()
        snap = doc.project.snapshot(image_ids)
        if box_ids is not None:
            for i in image_ids:
                for a in snap.annotations_of(i):
                    if a.kind == "box" and a.id not in box_ids:
                        snap.remove_annotation(a.id)
        batch = Batch(
            doc, list(image_ids), Rebaser(snap), threading.Event(), backend.name, from_boxes=from_boxes,
            only_existing=run.only_existing, tiling=None if from_boxes else run.tiling, model=backend,
            mark=mark, note=note, keep_specks=run.keep_specks,
        )  # fmt: skip
        for image_id, factor in shrunk:  # done by the run continued: the summary names them as the CLI does
            if (rec := doc.project.images.get(image_id)) is not None:
                batch.shrunk.note(rec.file_name, factor)
        if batch.tiling is not None:  # a slide is one image: the progress counts its tiles
            batch.tiles = sum(
                len(tile_rects(im.width, im.height, batch.tiling))
                for im in map(snap.images.get, image_ids)
                if im
            )
        self.batch = batch
        self.problems.clear()
        self.problems.hide()
        self.summary_label.setText(note)
        self.session.set_batch_running(True)
        self._show_progress(True)
        self._show_batch_progress(batch)
        self.session.submit(
            lambda report: propose_in_worker(
                report,
                backend,
                snap,
                batch.image_ids,
                mapping,
                batch.cancel,
                spec,
                skip_existing=run.skip_existing,
                tiling=batch.tiling,
                overlap=run.overlap,
                from_boxes=from_boxes,
                only_existing=run.only_existing,
                keep_specks=run.keep_specks,
            ),
            lambda cancelled: self._batch_done(batch, bool(cancelled)),
            lambda reason: self._batch_crashed(batch, reason),
            lambda payload: self._batch_report(batch, payload),
        )

    def cancel(self) -> None:
        if self.batch is not None:
            self.batch.cancel.set()
            self.eta_label.setText("Cancelling after the current image…")
            self.act_cancel.setEnabled(False)

    def set_document(self, doc: Document | None) -> None:
        """Another document is shown: the running batch's results belong to the one being closed."""
        if self.batch is not None and doc is not self.batch.doc:
            self.batch.cancel.set()
        self.document = doc

    def _batch_report(self, batch: Batch, payload: object) -> None:
        if batch is not self.batch or batch.cancel.is_set():
            return
        doc = batch.doc
        kind, image_id = payload[0], payload[1]  # type: ignore[index]
        if kind == "where":
            batch.where = str(image_id)
            self._show_batch_progress(batch)
            return
        if kind == "name":  # a model class named past what PixelProof makes: kept whole, said as the CLI does
            line = str(payload[2])  # type: ignore[index]
            batch.names_kept.append(line)
            self._add_problem(line, image_id, TILED_COLOR)
            return
        if kind == "tiles":  # with tiling: the tiles done so far
            batch.tiles_done = min(int(payload[2]), batch.tiles)  # type: ignore[index]
            self._show_batch_progress(batch)
            return
        if kind == "stopped":  # the run found no object id left: it ends there, the summary says why
            batch.stopped = str(payload[2])  # type: ignore[index]
            return
        rec = doc.project.images.get(image_id)
        if kind == "done" and rec is not None:
            try:
                proposal = batch.rebaser.rebase(doc.project, payload[2])  # type: ignore[index]
            except IdsExhausted as e:  # objects added meanwhile took the last ids: every later image would
                batch.stopped = str(e)  # fail the same way, so the run stops here and its summary says why
                self.cancel()
                return
            batch.skipped += proposal.skipped
            batch.duplicates += proposal.duplicates
            batch.ignored += proposal.ignored
            batch.speckles += proposal.speckles
            batch.new_categories += [c.name for c in proposal.categories]
            batch.ignored_classes.update(proposal.ignored_classes)
            for failure in proposal.box_failures:  # which box got no mask, and why
                line = failure.line(rec.file_name)
                batch.box_failures.append(line)
                self._add_problem(line, image_id)
            batch.shrunk.note(rec.file_name, proposal.shrink)
            if proposal.shrink > SHRINK_WARN_FACTOR:  # kept in the run's record with the image's mark
                batch.shrinks[image_id] = proposal.shrink
            if proposal.auto_tiled is not None:  # not asked for: said per picture, in its own colour
                line = proposal.auto_tiled.line(rec.file_name)
                batch.auto_tiled.append(line)
                self._add_problem(line, image_id, TILED_COLOR)
                self.message.emit(line)
            if batch.tiling is not None:  # said once, in the summary, as the CLI warns after its run
                batch.cut = max(
                    batch.cut, boxes_cut(proposal.annotations, rec.width, rec.height, batch.tiling)
                )
            if proposal.annotations:
                n = len(proposal.annotations)
                what = "Outline boxes of" if batch.from_boxes else "Pre-label"
                doc.push(
                    proposal.edit(f"{what} {Path(rec.file_name).name} ({n})", self._marked(batch, image_id))
                )
                batch.added += n
            elif batch.mark is not None:  # no undo step of its own: marked with the next image's
                batch.unmarked.append(image_id)
        elif kind == "failed":  # the model's reason in the panel's words (``--tile SIZE``: Tiles (px))
            file_name, reason = payload[2], model_words(str(payload[3]))  # type: ignore[index]
            batch.failures.append((image_id, file_name, reason))
            self._add_problem(f"{file_name}: {reason}", image_id)
            self.message.emit(f"Pre-labeling {file_name} failed: {reason} — going on")
        batch.done += 1
        self._show_batch_progress(batch)

    @staticmethod
    def _marked(batch: Batch, image_id: int | None = None) -> MarkPrelabeled | None:
        """The edit marking ``image_id`` and the images found empty before it done in the batch's run."""
        if batch.mark is None:
            return None
        ids = [*batch.unmarked, *([image_id] if image_id is not None else [])]
        batch.unmarked = []
        what = f"nothing found on {plural(len(ids), 'image')}" if image_id is None else "mark done"
        shrunk = {i: batch.shrinks[i] for i in ids if i in batch.shrinks}
        return MarkPrelabeled(batch.mark, ids, f"Pre-label: {what}", shrunk) if ids else None

    def _add_problem(self, text: str, image_id: int, color: str = FAILED_COLOR) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, image_id)
        item.setForeground(QColor(color))
        self.problems.addItem(item)
        self.problems.show()

    def _show_batch_progress(self, batch: Batch) -> None:
        unit, total, done = (
            ("tiles", batch.tiles, batch.tiles_done) if batch.tiles else ("images", batch.total, batch.done)
        )
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        where = f" · {batch.where}" if batch.where else ""
        self.progress.setFormat(f"%v / %m {unit} · {batch.backend}{where}")
        if done == 0:
            self.eta_label.setText("Starting…")
            return
        elapsed = time.monotonic() - batch.started
        eta = elapsed / done * (total - done)
        rate = done / elapsed if elapsed > 0 else 0.0
        n = batch.skipped + batch.duplicates
        skipped = f" · {n} skipped" if n else ""
        self.eta_label.setText(
            f"{rate:.2f} {unit}/s · ETA {format_eta(eta)} · {plural(batch.added, 'object')}{skipped}"
        )

    def _batch_done(self, batch: Batch, cancelled: bool) -> None:
        if batch is self.batch:
            self.batch = None
        self.last_batch = batch
        self._show_progress(False)
        if batch.doc is self.document and (mark := self._marked(batch)) is not None:
            batch.doc.push(mark)  # the last images, empty: marked done (a closed document's are not)
        failed = len(batch.failures)
        verb = "Outlined the boxes of" if batch.from_boxes else "Pre-labeled"
        if batch.stopped:
            text = f"Stopped after {batch.done} of {plural(batch.total, 'image')}"
        elif cancelled:
            text = f"Cancelled after {batch.done} of {plural(batch.total, 'image')}"
        else:
            text = f"{verb} {batch.done - failed} of {plural(batch.total, 'image')}"
        noun = "mask" if batch.from_boxes else "prediction"
        text += f": {plural(batch.added, noun)}"
        if batch.new_categories:
            text += f", {plural(len(batch.new_categories), 'new category')}"
        if batch.ignored:
            text += f", {batch.ignored} {LEFT_OUT}"
        if batch.only_existing and not batch.added and batch.ignored_classes:  # not a model that saw nothing
            text += (
                f"; none of the predicted classes is one of the project's categories "
                f"({ignored_line(batch.ignored_classes)}): {ONLY_EXISTING_HINT}"
            )
        text += skipped_words(batch.skipped, batch.duplicates)
        if batch.speckles:
            text += f", {plural(batch.speckles, 'speckle')} under the model's min_area dropped"
            if batch.model is not None and (
                keep := keep_small_hint(batch.model, batch.added, batch.speckles, APP_OPTIONS)
            ):
                text += f" ({keep})"  # defects of a few pixels under the default 30: the option to set
            elif batch.keep_specks:  # ticked to keep these, which it does not: what does
                text += f" ({KEEP_SPECKS_IS_NOT_MIN_AREA})"
        if batch.model is not None and (
            note := specks_note(batch.model, batch.added, batch.speckles, APP_OPTIONS)
        ):
            text += f"; {note}"  # a level cutting into background noise: what to set, as the CLI warns
        if (found := _nothing_found(batch, failed, cancelled)) is not None:
            text += f"; {found}"  # 0 objects after minutes: what to change, as the CLI warns
        if batch.model is not None and (note := id_named_note(batch.model, batch.new_categories, cli=False)):
            text += f"; {note}"  # class0 .. class79 made: how to name them, as the CLI warns
        if len(batch.box_failures) == 1:  # M on one box, or one of many: the reason, where it is read
            text += f"; not outlined: {batch.box_failures[0]}"
        elif batch.box_failures:
            text += f"; {plural(len(batch.box_failures), 'box')} not outlined (listed below)"
        if batch.auto_tiled:
            n = len(batch.auto_tiled)
            text += f"; {plural(n, 'image')} pre-labeled in tiles, too big for the model's memory"
            text += " (listed below)"
        if batch.tiling is not None and (cut_line := cut_warning(batch.cut, batch.tiling, APP_WORDS)):
            text += f"; {cut_line}"
        if batch.model is not None and (shrunk := batch.shrunk.warning(batch.model.model_input(), APP_WORDS)):
            text += (
                f"; {shrunk}"  # a line scan fed whole to a 640-px detector: tiles to check, as the CLI warns
            )
        if batch.names_kept:
            n = len(batch.names_kept)
            text += f"; {plural(n, 'model class name')} kept whole, past what PixelProof names a"
            text += " category (listed below)"
        if failed:
            text += f"; {plural(failed, 'image')} failed (listed below)"
        if batch.stopped:
            text += f"; the others not pre-labeled: {batch.stopped}"
        if (
            batch.added and batch.total > 1
        ):  # said where they appear, not first at the export that leaves them out
            text += f". They are pending until accepted (exports leave them out): K, Shift+K or {ACCEPT_ALL}"
        if batch.note:
            text = f"{batch.note}. {text}"
        self.summary_label.setText(text)
        self.message.emit(text)
        self.session.set_batch_running(False)

    def _batch_crashed(self, batch: Batch, reason: str) -> None:
        reason = model_words(reason)
        batch.failures.append((-1, "(batch)", reason))
        self.problems.addItem(f"pre-labeling stopped: {reason}")
        self.problems.show()
        self._batch_done(batch, cancelled=False)

    def _show_progress(self, on: bool) -> None:
        for w in (self.progress, self.cancel_button, self.eta_label):
            w.setVisible(on)
        self.act_cancel.setEnabled(on)

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        image_id = item.data(Qt.ItemDataRole.UserRole)
        if self.document is not None and isinstance(image_id, int):
            self.document.set_current_image(image_id)
