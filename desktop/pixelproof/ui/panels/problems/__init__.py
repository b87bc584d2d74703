"""The Problems dock: lint's triage queue in the labeling window (README, "Finding label problems").

Find problems runs ``core.lint`` on a snapshot in a background job (progress, Cancel), without a model, with
the project's pending predictions, with the Model panel's backend (run in its session, whose one thread
owns the backend) or with a COCO results file (``results_file``). Predictions stay in the panel: they never
become annotations. The table is sortable and filtered by kind, class and score; selecting a row shows the
image, selects the object and zooms to it, with the spot outlined (orange) and the fix's box (blue).
Shift+F applies the suggested fix as one undo step, X marks "not a problem" (stored in the project,
undoable), Shift+D / Shift+A go to the next / previous problem (``triage``). Edits re-check the images
they touch (``core.lint.Rechecker``), so the list follows the work without a new run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QDoubleSpinBox,
    QHBoxLayout,
    QMenu,
    QProgressBar,
    QVBoxLayout,
)

from pixelproof.core.edits import Changes
from pixelproof.core.lint import KINDS, LintResult, RulesError, dismissed_keys, rules_of
from pixelproof.ui.annotation_batch import touched_images
from pixelproof.ui.document import Document
from pixelproof.ui.panels.base import Panel
from pixelproof.ui.panels.problems.layout import Arrangement, Parts, at_side
from pixelproof.ui.panels.problems.marks import ProblemMarks
from pixelproof.ui.panels.problems.results_file import ResultsFileSource
from pixelproof.ui.panels.problems.runner import SOURCES, LintRunner
from pixelproof.ui.panels.problems.stale import CategoryMarks
from pixelproof.ui.panels.problems.summary import run_summary
from pixelproof.ui.panels.problems.table import (
    PROBLEM_ROLE,
    ProblemsFilter,
    ProblemsModel,
    ProblemsTable,
    kind_tip,
)
from pixelproof.ui.panels.problems.triage import ProblemTriage
from pixelproof.ui.panels.problems.widgets import action_button, column, combo_box, refill, wrapped_label
from pixelproof.ui.settings import settings
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


SOURCE_SETTING = "lint/source"  # the last source chosen: a project linted with a model usually is again
PICTURES_SETTING = "lint/pictures"  # Compare pictures, as last chosen
MAX_LIVE_RECHECK = 40  # images re-checked on the UI thread at once; more marks the list as stale


class ProblemsPanel(ProblemTriage, Panel):
    title = "Problems"
    object_name = "problemsDock"
    area = Qt.DockWidgetArea.BottomDockWidgetArea  # a wide table under the image; hidden until used

    def __init__(self) -> None:
        super().__init__()
        self.shell: Shell | None = None
        self.result: LintResult | None = None
        self.marks: ProblemMarks | None = None  # set by install (the canvas)
        self._dirty: set[int] = set()
        self._categories = CategoryMarks()  # (a class added needs no image re-checked)
        self._restoring = False  # re-selecting the current row after a re-check: do not show it again
        self._hidden: str | None = None  # the key of the problem looked at while a filter hides it
        self._recheck_timer = QTimer(self)
        self._recheck_timer.setSingleShot(True)
        self._recheck_timer.setInterval(150)
        self._recheck_timer.timeout.connect(self.recheck_now)
        a = self._action
        self.act_run = a(
            "lint.run", self.run, "Find likely label errors (rules, statistics, the model if chosen)"
        )
        self.act_cancel = a("lint.cancel", self.cancel, "Stop finding problems")
        self.act_fix = a("lint.fix", self.apply_fix, "Apply the selected problem's fix (one undo step)")
        self.act_dismiss = a(
            "lint.dismiss", self.toggle_dismissed, "Mark the selected problem as not a problem (stored)"
        )
        self.act_next = a("lint.next", lambda: self.step(1), "Select the next problem")
        self.act_previous = a("lint.previous", lambda: self.step(-1), "Select the previous problem")
        self.act_rules = a("lint.rules", self.edit_rules, "Per-class rules and thresholds of this project")
        self.runner = LintRunner(self)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self._build()
        self._update_actions()

    def _action(self, id: str, slot: Callable[[], None], tip: str = "") -> QAction:
        return make_action(id, self, lambda _checked=False: slot(), tip=tip)

    # -- widgets -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.source = combo_box("lintSource", "Compare with")
        for key, text in SOURCES.items():
            self.source.addItem(text, key)
        self.source.setToolTip("What the labels are compared with, besides rules and class statistics")
        self.source.setCurrentIndex(max(0, self.source.findData(settings().value(SOURCE_SETTING, "none"))))
        # "+ a results file…", once the source chosen last is back: restoring it is no switch to it that a
        # Cancel in the file dialog would undo (picked again and cancelled, it went back to "none")
        self.results_file = ResultsFileSource(self.source, lambda: self.document)
        self.source.currentIndexChanged.connect(
            lambda _i: settings().setValue(SOURCE_SETTING, self.source.currentData())
        )
        self.pictures = QCheckBox("Compare pictures")
        self.pictures.setObjectName("lintPictures")
        self.pictures.setToolTip(
            "Also find the same picture under two names, or a near copy (duplicate picture), and a picture "
            "not the size its record declares (image size mismatch). It reads every picture, so a large "
            "project takes much longer"
        )
        self.pictures.setChecked(settings().value(PICTURES_SETTING, False, type=bool))
        self.pictures.toggled.connect(lambda on: settings().setValue(PICTURES_SETTING, on))
        run_row = QHBoxLayout()  # two buttons: with Rules… a third, the row set the side's width
        run_row.addWidget(action_button(self.act_run, "Find Problems"), 2)
        run_row.addWidget(action_button(self.act_cancel, "Cancel"), 1)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.summary = wrapped_label(
            "problemsSummary", "Find problems to list likely label errors.", fitted=True
        )

        self._build_table()
        self._build_filters()

        self.detail = wrapped_label("problemDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(48)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        buttons = QHBoxLayout()
        buttons.addWidget(action_button(self.act_fix, "Fix", keys=True))
        buttons.addWidget(action_button(self.act_dismiss, "Not a Problem", keys=True))

        self.pictures_row = QHBoxLayout()  # wide: Rules… beside it (``layout``)
        self.pictures_row.addWidget(self.pictures, 1)
        self.head = column(self.source, self.pictures_row, run_row, self.progress)
        self.foot = column(self.detail, buttons)  # the fix's buttons right under what it does
        filters = (self.kind_filter, self.class_filter, self.min_score, self.show_dismissed)
        parts = Parts(
            self.head,
            self.listing,
            self.foot,
            filters,
            self.rules_button,
            self.filter_rows,
            self.pictures_row,
        )
        self.arrangement = Arrangement(self, parts)
        self._fill_filters()

    def _build_filters(self) -> None:
        """Kind, class, lowest score, show dismissed: above the table (``self.listing``)."""
        self.kind_filter = combo_box("lintKindFilter", "Kind of problem")
        self.class_filter = combo_box("lintClassFilter", "Class")
        self.min_score = QDoubleSpinBox()
        self.min_score.setObjectName("lintMinScore")
        self.min_score.setAccessibleName("Minimum score")
        self.min_score.setRange(0.0, 1.0)
        self.min_score.setSingleStep(0.05)
        self.min_score.setDecimals(2)
        self.min_score.setValue(0.5)
        self.min_score.setPrefix("score ≥ ")
        self.min_score.setToolTip("Lowest score listed (higher = more likely wrong)")
        self.show_dismissed = QCheckBox("show dismissed")
        self.show_dismissed.setToolTip("Also list the problems marked as not a problem (struck out)")
        for w in (self.kind_filter, self.class_filter):
            w.currentIndexChanged.connect(self._apply_filter)
        self.min_score.valueChanged.connect(self._apply_filter)
        self.show_dismissed.toggled.connect(self._apply_filter)
        # here, not beside Find problems and Cancel: three buttons there made the side so wide that the
        # list beside it cut kinds and file names in a 1280-px window
        self.rules_button = action_button(self.act_rules, "Rules…")
        # one row when docked wide and they fit (Rules… then beside Compare pictures), else two (``layout``)
        self.filter_rows = (QHBoxLayout(), QHBoxLayout())
        filters = QVBoxLayout()
        filters.addLayout(self.filter_rows[0])
        filters.addLayout(self.filter_rows[1])
        self.listing = column(filters, self.table, self.summary)

    def _build_table(self) -> None:
        self.model = ProblemsModel()
        self.proxy = ProblemsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = ProblemsTable()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setObjectName("problemsTable")
        self.table.setAccessibleName("Problems")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a cut file name keeps its extension
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setMinimumHeight(self.table.rows_height(4))  # a short dock still lists four problems
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        # the row current already (you moved on since): a double-click shows it again
        self.table.doubleClicked.connect(lambda index: self._show(index.data(PROBLEM_ROLE)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrangement.fit(event.size())

    def minimumSizeHint(self) -> QSize:
        return self.arrangement.min_size(super().minimumSizeHint(), at_side(self._dock()))  # the dock asks

    def sizeHint(self) -> QSize:
        return QSize(900, 250)  # the window sizes the dock when first shown (``window_geometry.FirstHeight``)

    def _dock(self) -> QDockWidget | None:
        w = self.parentWidget()
        while w is not None and not isinstance(w, QDockWidget):
            w = w.parentWidget()
        return w

    def show_dock(self) -> None:
        dock = self._dock()
        if dock is not None:
            dock.show()
            dock.raise_()

    def install(self, shell: Shell) -> None:
        """A Problems menu (its keys then show in menus and Help > Shortcuts) and window-wide keys."""
        self.shell = shell
        self.marks = ProblemMarks(shell.canvas)
        menu = QMenu("&Problems", shell.widget)
        menu.setObjectName("problemsMenu")
        menu.addActions([self.act_run, self.act_cancel])
        menu.addSeparator()
        menu.addActions([self.act_fix, self.act_dismiss, self.act_next, self.act_previous])
        menu.addSeparator()
        menu.addAction(self.act_rules)
        for act in menu.actions():
            shell.add_action(act)
        shell.add_menu(menu)
        shell.closing.connect(self.cancel)
        dock = self._dock()
        if dock is not None:  # its minimum width depends on the side (``minimumSizeHint``)
            dock.dockLocationChanged.connect(lambda _area: self._minimum_changed(dock))
            dock.topLevelChanged.connect(lambda _floating: self._minimum_changed(dock))

    def _minimum_changed(self, dock: QDockWidget) -> None:
        self.updateGeometry()
        dock.widget().updateGeometry()  # the scroll area, which the dock's layout asks

    # -- document ----------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        self.cancel()
        self._clear_marks()
        self.result, self._hidden = None, None
        self._dirty.clear()
        self.model.set_problems([])
        self.model.shown = (
            None if doc is None else lambda i: doc.shown_file_name(i) if i in doc.project.images else None
        )
        super().set_document(doc)
        self.summary.setText("Find problems to list likely label errors." if doc is not None else "")

    def bind(self, doc: Document) -> list:
        return [
            (doc.annotationAdded, self._touched),
            (doc.annotationChanged, self._touched),
            (doc.annotationRemoved, self._touched),
            (doc.annotationsBatch, self._touched_batch),
            (doc.imageStatusChanged, self._touched),
            (doc.categoriesChanged, self._categories_changed),
            (doc.currentImageChanged, self._image_shown),
            (doc.undo_stack.indexChanged, self._sync_dismissed),  # X on empty_class: no image's signal
        ]

    def refresh(self) -> None:
        self._sync_dismissed()
        self._update_actions()

    def _sync_dismissed(self, *_: object) -> None:
        """The project's "not a problem" keys (an edit, its undo or a redo may change them)."""
        doc = self.document
        keys = dismissed_keys(doc.project) if doc is not None else frozenset()
        if self.model.set_dismissed(keys):
            self.proxy.refilter(lambda: None)
            self._update_summary()

    # -- running -----------------------------------------------------------------------------------
    def run(self) -> None:
        doc = self.document
        if doc is None or self.runner.running:
            return
        self.show_dock()
        try:
            rules = rules_of(doc.project.app)
        except RulesError as e:
            self._message("The project's lint rules are not valid: " + "; ".join(e.problems[:3]))
            return
        source = self.source.currentData()
        session = getattr(self.shell.canvas, "model_session", None) if self.shell is not None else None
        current = doc.project.categories.get(doc.current_category_id)
        category, pictures = (current.name if current else None), self.pictures.isChecked()
        results = self.results_file.chosen()
        reason = self.runner.start(doc.project, rules, source, session, category, pictures, results)
        if reason:
            self._message(reason)
            return
        self.progress.setRange(0, 0)
        self.progress.setFormat("starting…")
        self.progress.setVisible(True)
        self._update_actions()

    def cancel(self) -> None:
        if self.runner.running:
            self.runner.cancel()
            self.progress.setFormat("cancelling…")

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{phase} %v / %m images")

    def _on_failed(self, reason: str) -> None:
        self.progress.setVisible(False)
        self._message(reason)
        self.summary.setText(reason)
        self._update_actions()

    def _on_finished(self, result: LintResult | None) -> None:
        self.progress.setVisible(False)
        if result is None:  # cancelled
            self.summary.setText("Cancelled; the list is as it was.")
            self._update_actions()
            return
        self.result, self._hidden = result, None
        self._dirty.clear()
        if self.document is not None:
            self._categories.reset(self.document.project)
        self.model.set_problems(result.problems)
        self.refresh()
        self._fill_filters()
        self._update_summary()
        self.table.sortByColumn(self.proxy.sortColumn(), self.proxy.sortOrder())
        if self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_actions()

    # -- edits follow the list ---------------------------------------------------------------------
    def _touched(self, image_id: int, *_: object) -> None:
        if self.result is not None:
            self._dirty.add(image_id)
            if self.result.rechecker is not None:  # a copy of this picture: its problem compares the labels
                self._dirty |= self.result.rechecker.partners(image_id)
            self._recheck_timer.start()

    def _touched_batch(self, changes: Changes) -> None:
        for image_id in touched_images(changes):  # an edit of many objects: each image once
            self._touched(image_id)

    def _categories_changed(self) -> None:
        if self.result is not None and self.document is not None:
            if self._categories.changed(self.document.project):
                self._dirty.update(self.document.image_ids())
            self._recheck_timer.start()

    def recheck_now(self) -> None:
        """Re-check the images touched since the last look (few at once; a burst marks the list stale)."""
        self._recheck_timer.stop()
        doc, result = self.document, self.result
        if doc is None or result is None or result.rechecker is None:
            return
        if not self._dirty:
            self._sync_dismissed()
            return
        self._sync_dismissed()
        dirty, self._dirty = sorted(self._dirty), set()
        if len(dirty) > MAX_LIVE_RECHECK:
            self.summary.setText(f"{len(dirty)} images changed since the run: find problems again to update.")
            return
        current = self._current_problem()
        floor = max(0.0, min(self.min_score.value(), 0.05))
        for iid in dirty:
            if iid not in doc.project.images:
                self.model.replace_image(iid, [])
                continue
            found, _ = result.rechecker.image(doc.project, iid)
            self.model.replace_image(iid, [p for p in found if p.score >= floor])
        self.model.replace_image(None, [p for p in result.rechecker.dataset(doc.project) if p.score >= floor])
        self._fill_filters()
        self._update_summary()
        if current is not None:
            # the list's choice again, without showing it: the user is working elsewhere (another image,
            # other objects) and stays there; a problem gone (fixed by hand) takes its detail with it
            self._restoring = True
            try:
                if not self._select_key(current.key):
                    self._show(None)
            finally:
                self._restoring = False

    # -- filters and state -------------------------------------------------------------------------
    def _fill_filters(self) -> None:
        kinds = sorted({p.kind for p in self.model.problems}, key=list(KINDS).index)
        classes = sorted({p.category or "" for p in self.model.problems} - {""})
        # a kind's tip: the name `lint --kinds` and the JSON use
        refill(self.kind_filter, "All kinds", {k: (k.replace("_", " "), kind_tip(k)) for k in kinds})
        refill(self.class_filter, "All classes", {c: (c, "") for c in classes})
        self._apply_filter()

    def _apply_filter(self, *_: object) -> None:
        """Filter the list, never the view: the problem looked at stays selected while listed; hidden, the
        list selects nothing (the selection model moved to the next row, which opened that problem's image)
        and the image stays; listed again, it is selected again (``_hidden``), without a jump."""
        current = self._current_problem()
        key = current.key if current is not None else self._hidden
        self._restoring = True
        try:
            self.proxy.set_filter(
                kind=self.kind_filter.currentData(),
                category=self.class_filter.currentData(),
                min_score=self.min_score.value(),
                show_dismissed=self.show_dismissed.isChecked(),
            )
            self._hidden = None if key is None or self._select_key(key) else key
            if self._hidden is not None:
                self.table.selectionModel().clear()  # (a None current: ``_on_current`` clears the detail)
        finally:
            self._restoring = False
        self._update_summary()

    def _update_summary(self) -> None:
        if self.result is None:
            return
        dismissed = len(self.model.dismissed & {p.key for p in self.model.problems})
        self.summary.setText(
            run_summary(
                self.result,
                self.proxy.rowCount(),
                len(self.model.problems),
                dismissed,
                self.runner.left_out,
                self.runner.ignored_classes,
                self.runner.results_name,
                self.runner.source,
            )
        )

    def _update_actions(self, *_: object) -> None:
        running = self.runner.running
        has_doc = self.document is not None
        problem = self._current_problem()
        self.act_run.setEnabled(has_doc and not running)
        self.act_cancel.setEnabled(running)
        # on a problem without a fix too: Shift+F then says there is none (a disabled key says nothing)
        self.act_fix.setEnabled(problem is not None)
        self.act_dismiss.setEnabled(problem is not None)
        self.act_next.setEnabled(self.proxy.rowCount() > 0)
        self.act_previous.setEnabled(self.proxy.rowCount() > 0)
        self.act_rules.setEnabled(has_doc)
        self.source.setEnabled(not running)
        self.pictures.setEnabled(not running)

    def _names(self) -> dict[int, str]:
        doc = self.document
        return {cid: c.name for cid, c in doc.project.categories.items()} if doc is not None else {}

    def _message(self, text: str) -> None:
        if self.shell is not None:
            self.shell.status(text, 6000)

    # -- rules -------------------------------------------------------------------------------------
    def edit_rules(self) -> None:
        doc = self.document
        if doc is None:
            return
        from pixelproof.ui.panels.problems.rules_dialog import RulesDialog

        dialog = RulesDialog(doc, self.shell.widget if self.shell is not None else self)
        if dialog.exec() and dialog.edit is not None:
            doc.push(dialog.edit)
            self._message("Lint rules saved in the project; find problems again to apply them")
