"""The Problems panel's triage (README, "Finding label problems"): which problem the list has selected,
Shift+D / Shift+A to the next / previous one, Shift+F to apply its fix as one undo step, X to mark it "not a
problem" (or list it again), and showing the selected one - its detail, its image opened, its objects
selected and its spot marked on the canvas (``marks.ProblemMarks``). A part of ``ProblemsPanel``, which
gives what it uses (``table``, ``proxy``, ``model``, ``detail``, ``marks``, ``show_dismissed``, ``document``,
``_restoring``, ``_hidden``, ``_dirty``, ``recheck_now``, ``refresh``, ``_update_actions``, ``_names``,
``_message``)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex

from pixelproof.core.edits import DismissProblems
from pixelproof.core.lint import Problem
from pixelproof.core.lint.apply import FixError, fix_edit
from pixelproof.core.lint.fixes import describe
from pixelproof.ui.panels.problems.summary import detail_html
from pixelproof.ui.panels.problems.table import PROBLEM_ROLE


class ProblemTriage:
    """Selecting, stepping through, fixing, dismissing and showing problems (see the module's docstring)."""

    def _current_problem(self) -> Problem | None:
        index = self.table.currentIndex()
        return index.data(PROBLEM_ROLE) if index.isValid() else None

    def _triage_problem(self) -> Problem | None:
        """The problem the triage keys (Shift+F, X) act on: the selected one, while the panel is shown (in
        the review view, or with the dock closed, they must not fix or dismiss a problem nobody sees)."""
        return self._current_problem() if self.isVisible() else None

    def _select_key(self, key: str) -> bool:
        row = self.model.row_of(key)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self._select_proxy_row(index.row())
        return True

    def _select_proxy_row(self, row: int) -> None:
        if self.proxy.rowCount() == 0:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            self._show(None)
            return
        row = max(0, min(row, self.proxy.rowCount() - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(self.proxy.index(row, 0), flags)
        self.table.scrollTo(self.proxy.index(row, 0))

    def step(self, delta: int) -> None:
        if self.proxy.rowCount() == 0 or not self.isVisible():
            return
        current = self.table.currentIndex()
        row = current.row() + delta if current.isValid() else (0 if delta > 0 else self.proxy.rowCount() - 1)
        self._select_proxy_row(row)

    def apply_fix(self) -> None:
        """Shift+F: the selected problem's fix as one undo step; the next problem is selected."""
        doc, problem = self.document, self._triage_problem()
        if doc is None or problem is None:
            return
        if not problem.fix:
            self._message(f"{problem.kind.replace('_', ' ')}: no automatic fix; edit it by hand")
            return
        try:
            edit = fix_edit(doc.project, problem.fix, f"Fix {problem.kind.replace('_', ' ')}")
        except (FixError, ValueError) as e:
            self._message(f"Cannot apply the fix: {e}")
            return
        row = self.table.currentIndex().row()
        doc.push(edit)
        self.recheck_now()  # the fixed problem leaves the list now, not after the timer
        if self.model.row_of(problem.key) >= 0:
            self._dirty.add(problem.image_id)  # e.g. an outlier: fixed, but the class figures are the run's
        self._select_proxy_row(row)
        self._message(f"Fixed: {describe(problem.fix, self._names())} (Ctrl+Z undoes it)")

    def toggle_dismissed(self) -> None:
        """X: mark the selected problem "not a problem" (or list it again when it was)."""
        doc, problem = self.document, self._triage_problem()
        if doc is None or problem is None:
            return
        again = problem.key in self.model.dismissed
        row = self.table.currentIndex().row()
        doc.push(DismissProblems(doc.project, [problem.key], dismiss=not again, image_id=problem.image_id))
        self.refresh()  # the edit's image signal does not reach the dismissed set
        if again or self.show_dismissed.isChecked():
            self._select_key(problem.key)
        else:
            self._select_proxy_row(row)

    # -- showing a problem -------------------------------------------------------------------------
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._restoring:
            self._hidden = None  # another problem chosen: the one a filter hid is forgotten
        self._show(current.data(PROBLEM_ROLE) if current.isValid() else None, go=not self._restoring)

    def _show(self, problem: Problem | None, go: bool = True) -> None:
        """The detail of ``problem``; ``go``: also open its image, select its objects and mark it."""
        if go or problem is None:
            self._clear_marks()
        self._update_actions()
        if problem is None:
            self.detail.setText("")
            return
        self.detail.setText(detail_html(problem, self._names(), problem.key in self.model.dismissed))
        doc = self.document
        if not go or doc is None or problem.image_id not in doc.project.images:
            return
        doc.set_current_image(problem.image_id)
        ids = [i for i in (problem.annotation_id, problem.related_id) if i is not None]
        doc.set_selection(ids)
        if self.marks is not None:
            self.marks.show(problem)

    def _clear_marks(self) -> None:
        if self.marks is not None:
            self.marks.clear()

    def _image_shown(self, _image_id: int) -> None:
        if self.marks is not None:
            self.marks.forget()
