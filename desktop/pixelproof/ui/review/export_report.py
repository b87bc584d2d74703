"""Review > Export Report…: the report ``pixelproof qa REFERENCE PROJECT --html`` (or ``--json``, a CSV)
writes, for the review's reference and the open project as it is now (its decisions too, saved or not),
without saving and going to a terminal. The kind is the file dialog's type; the project is scored in the
app's job runner behind a progress dialog with Cancel (only the images changed since the view's last run:
``compute.score`` with its scores), and written by ``core.report_files``, the command's one writer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog

from pixelproof.core.limits import LimitError, check_output_not_input
from pixelproof.core.qa_team import VERSIONS_FLAG
from pixelproof.core.references import reference_path
from pixelproof.core.report_files import KINDS, SUFFIX, nothing_to_report, write_reports
from pixelproof.ui import dialogs
from pixelproof.ui.review import compute

if TYPE_CHECKING:
    from pixelproof.ui.review.view import ReviewView
    from pixelproof.ui.shell import Shell

TITLE = "Export Review Report"
FILTERS = {kind: f"{what} (*{SUFFIX[kind]})" for kind, (what, _) in KINDS.items()}


def kind_of(path: str, chosen_filter: str) -> str:
    """The report kind the dialog's type names, else the one the file's suffix names (HTML by default)."""
    for kind, text in FILTERS.items():
        if text == chosen_filter:
            return kind
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".csv": "images_csv"}.get(suffix, "html")


class _Steps:
    """What ``compute.score`` reports to, over ``dialogs.run_job``'s progress (whose step stops the run
    on Cancel); where the scoring runs is not said."""

    def __init__(self, step: Any) -> None:
        self.report = step

    def send(self, _payload: object) -> None:
        pass

    def is_cancelled(self) -> bool:
        return False

    def check(self) -> None:
        pass


def export_report(shell: Shell, view: ReviewView) -> Path | None:
    """Ask where, score and write; the path written, or None (cancelled, refused, failed: said)."""
    doc = shell.document
    if doc is None:
        return None
    project = doc.project
    ref = reference_path(project)
    if ref is None:
        dialogs.show_error(shell.widget, TITLE, "No reference to score against: choose one first (Choose "
                           "Reference Project… or Dataset Folder…).")  # fmt: skip
        return None
    folder = project.path.parent if project.path is not None else Path.cwd()
    stem = project.path.stem if project.path is not None else "review"
    start = str(folder / f"{stem}-qa.html")
    path, chosen = QFileDialog.getSaveFileName(shell.widget, TITLE, start, ";;".join(FILTERS.values()))
    if not path:
        return None
    kind = kind_of(path, chosen)
    if Path(path).suffix.lower() != SUFFIX[kind]:
        path += SUFFIX[kind]  # a name the dialog did not ask about: ask before replacing it
        if os.path.lexists(path) and not dialogs.ask_replace(shell.widget, path):
            return None
    out = Path(path)
    if dialogs.refuses_dataset_file(shell.widget, TITLE, out, project):  # the project, reference, an image
        shell.status(f"Report not written to {out}: it is a file of the project's dataset", 10000, "error")
        return None
    try:  # a report never writes over what it scores (the project file, the reference or a file in it)
        check_output_not_input(out, [ref, project.path], TITLE)
    except LimitError as e:
        dialogs.show_error(shell.widget, TITLE, str(e))
        return None
    candidate = project.snapshot()
    fmt = project.app.get("reference_format")
    previous, options = view.scored, view.options  # read here, on the UI thread
    names = str(ref), str(project.path) if project.path is not None else "(unsaved project)"

    def work(step: Any, _on_problem: Any) -> str | None:
        scored = compute.score(
            _Steps(step), ref, candidate, options, fmt, previous, "pixelproof qa", VERSIONS_FLAG
        )
        if (nothing := nothing_to_report(scored.result)) is not None:
            return nothing
        write_reports(scored.result, candidate, {kind: out}, *names)
        return None

    outcome = dialogs.run_job(shell.widget, f"Scoring and writing {out.name}…", work)
    if outcome.cancelled:
        shell.status("Report export cancelled: nothing written", 6000)
        return None
    failure = outcome.error or outcome.result
    if failure:
        shell.status(f"Report not written to {out}: {failure}", 10000, "error")
        dialogs.show_error(shell.widget, TITLE, f"{out}\n\nnot written: {failure}")
        return None
    shell.status(f"{KINDS[kind][0]} written to {out}", 10000)
    return out
