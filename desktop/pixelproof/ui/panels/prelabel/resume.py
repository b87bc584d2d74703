"""Continuing an unfinished "Pre-label all" (``core.edits.prelabel_run``): what the run depends on, as the
record compares it, and the question put when some of the images asked were done by an unfinished run
with the same model and options. Another model or option starts anew, and the panel says why."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from pixelproof import __version__
from pixelproof.core.edits.prelabel_run import RunPlan
from pixelproof.core.wording import plural
from pixelproof.inference.batch import BackendSpec
from pixelproof.ui.panels.prelabel.run_options import RunSettings

# the inputs' keys are ``prelabel``'s flags (one vocabulary with the CLI's kept parts), said in app words
APP_LABELS = {
    "PixelProof version": "PixelProof's version",
    "--backend": "the backend",
    "--score-threshold": "the minimum score",
    "--map": "the class mapping",
    "--only-existing": "“Only this project's classes”",
    "--skip-existing": "“Skip objects already labeled” (IoU)",
    "--tile": "the tiles",
    "--overlap": "the tiles' overlap",
    "--keep-specks": "“Keep specks”",
}


def run_inputs(
    spec: BackendSpec, mapping: dict[str, str | None], run: RunSettings
) -> tuple[dict[str, Any], dict[str, str]]:
    """What a "Pre-label all" run's predictions depend on (its model files by content), and how to name
    each in a message."""
    inputs, files = spec.inputs()
    inputs |= {
        "PixelProof version": __version__,
        "--map": sorted([k, v] for k, v in mapping.items()),
        "--only-existing": run.only_existing,
        "--skip-existing": run.skip_existing,
        "--tile": None if run.tiling is None else run.tiling.size,
        "--overlap": run.overlap,
        "--keep-specks": True if run.keep_specks else None,  # absent from earlier records: None
    }
    labels = dict(APP_LABELS)
    for key, name in files.items():  # "--model /path/m.onnx" -> "the model file /path/m.onnx"
        labels[key] = name.replace("--model ", "the model file ", 1).replace(
            "--classes ", "the classes file ", 1
        )
    for key in inputs:
        if key.startswith("--option "):
            labels.setdefault(key, f"option {key.removeprefix('--option ')}")
    return inputs, labels


def new_token() -> str:
    """A run's own name in the record: a run continued keeps it, a new one replaces it."""
    return uuid.uuid4().hex


def changed_note(plan: RunPlan) -> str:
    """Why an unfinished run is not continued ("" when there is none): started anew, each change named."""
    if not plan.changed or plan.was is None:
        return ""
    done, of = plan.was
    return (
        f"Started anew: the unfinished pre-labeling ({done} of {plural(of, 'image')} done) was made with "
        f"other settings ({'; '.join(plan.changed)})"
    )


def ask_continue(parent: QWidget | None, plan: RunPlan) -> RunPlan | None:
    """Some images asked were done by an unfinished run of the same model and options: continue with the
    others (Yes, the default), run all again (No), or nothing (Cancel)."""
    n, left = len(plan.ids), len(plan.todo)
    said = (
        f"{plan.done} of the {plural(n, 'image')} were pre-labeled by an earlier “Pre-label all” with this "
        "model and these options that did not finish (cancelled, or the app was closed)."
    )
    if left:
        text = (
            f"{said}\n\nYes: continue with the {plural(left, 'image')} not done yet; the others keep their "
            f"predictions and are not run again.\nNo: run all {n} again (the predictions there stay; "
            "“Skip objects already labeled” leaves out those repeating them)."
        )
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    else:
        text = f"{said}\n\nAll of them are done. Run them again (No to leave them)?"
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(
        parent, "Continue pre-labeling?", text, buttons | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Yes,
    )  # fmt: skip
    if not left:
        return plan.anew() if answer == QMessageBox.StandardButton.Yes else None
    if answer == QMessageBox.StandardButton.Yes:
        return plan
    return plan.anew() if answer == QMessageBox.StandardButton.No else None
