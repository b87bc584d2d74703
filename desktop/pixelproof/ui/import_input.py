"""The Import dialog's Input row: a File… and a Folder… button, whatever the format, and the format a picked
path looks like.

Every reader takes a file or a folder (a COCO export folder - CVAT's ``annotations/instances_<split>.json``
beside ``images/``, Roboflow's ``<split>/_annotations.coco.json`` - as well as one COCO JSON; YOLO's
``data.yaml`` as well as its folder), but one Browse… button chose by the format's main kind, so an unzipped
CVAT COCO export could only be typed in. A picked path is recognised (``detect_formats``, the code behind
``convert``'s guess) and the Format set to what it looks like, said in the note, so a user need not know
which of the formats a tool's export is before picking it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from pixelproof.core import limits
from pixelproof.interop.format_guess import a_title
from pixelproof.interop.formats import Format, detect_formats
from pixelproof.ui.jobs import Job

TYPED_REST_MS = 400  # a typed or pasted path is detected once the keys rest this long (or on Enter / Tab)

# how an export folder's files give each image its split, said under the Input row (the readers' own rule)
FOLDER_SPLITS = {
    "coco": " (an export folder: each annotations/instances_<split>.json holds that split's images).",
    "datumaro": " (an export folder: each annotations/<subset>.json holds that split's images).",
}


# the check box that is the command line's --allow-outside-root for one import (readers say to tick it)
OUTSIDE_LABEL = "Read files linked outside the dataset folder"
OUTSIDE_FLAG = "the command line's --allow-outside-root"  # how readers say it (or the flag alone)


def outside_root_box() -> QCheckBox:
    """Off at every opening (never remembered): a link to a file outside the dataset (``/etc/passwd``) is
    not read, so its lines are not echoed back in the import report, unless the user says so this time."""
    box = QCheckBox(OUTSIDE_LABEL)
    box.setObjectName("allow_outside_root")
    box.setToolTip(
        "Label files (or a labels folder) that are links to a place outside the folder picked are skipped "
        "and named in the report, so a link cannot make an import show another file. Tick to read them "
        "this once, e.g. labels/ linked to another disk."
    )
    return box


@contextlib.contextmanager
def outside_root_allowed(allowed: bool) -> Iterator[None]:
    """``limits.set_outside_root_allowed(allowed)`` while one import reads, then back as it was."""
    before = limits.outside_root_allowed()
    limits.set_outside_root_allowed(allowed)
    try:
        yield
    finally:
        limits.set_outside_root_allowed(before)


def file_and_folder_row(
    edit: QLineEdit, pick_file: Callable[[], None], pick_folder: Callable[[], None]
) -> QWidget:
    """``edit`` with File… and Folder… buttons to its right (the row's ``file_button``/``folder_button``)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    for name, text, tip, slot in (
        ("file_button", "File…", "Pick one file (a COCO or Label Studio JSON, YOLO's data.yaml…)", pick_file),
        (
            "folder_button",
            "Folder…",
            "Pick a dataset or export folder (an unzipped CVAT export…)",
            pick_folder,
        ),
    ):
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        layout.addWidget(button)
        row.setProperty(name, button)
    return row


def pick_input(parent: QWidget, fmt: Format, start: str, folder: bool) -> str:
    """A file or a folder to import as ``fmt``, chosen in Qt's dialog ("" when cancelled)."""
    if folder:
        return QFileDialog.getExistingDirectory(parent, f"Import {fmt.title}: a folder", start)
    filters = "JSON (*.json);;All files (*)" if fmt.input_is_file else "All files (*)"
    path, _ = QFileDialog.getOpenFileName(parent, f"Import {fmt.title}: a file", start, filters)
    return path


class Recognised:
    """The formats a picked or typed path looks like, kept while the path is that one (detection reads
    files: done once per pick, or once a typed path rests, not on every key typed)."""

    def __init__(self) -> None:
        self.path = ""
        self.formats: list[Format] = []

    def pick(self, path: str) -> list[Format]:
        return self.found(path, detect_formats(Path(path)))

    def found(self, path: str, formats: list[Format]) -> list[Format]:
        """``path`` looks like ``formats`` (detected off the UI thread: ``DetectOnEdit``)."""
        self.path, self.formats = path, formats
        return formats

    def note(self, typed: str, fmt: Format) -> str:
        """What the note says of the path in the box as ``fmt``: "" when it is not the picked one."""
        if not self.path or typed != self.path:
            return ""
        name = Path(self.path).name or self.path
        if fmt in self.formats:
            others = [a_title(f) for f in self.formats if f is not fmt]
            also = f" (it may also be {' or '.join(others)}: choose it under Format)" if others else ""
            return f"{name} looks like {a_title(fmt)}{also}."
        if self.formats:
            return (
                f"{name} looks like {a_title(self.formats[0])}, not {a_title(fmt)}: choose it under Format."
            )
        return f"{name} is not recognised as any format: check Format before importing."


class DetectOnEdit(QObject):
    """A path typed or pasted into ``edit`` is recognised as a picked one is, once the typing rests
    (``TYPED_REST_MS``) or the field is left, on a worker thread: the sniffing lists a folder (the masks
    and LabelMe tests glob it, a network drive may be slow), which must not freeze the dialog.
    ``detected(path, formats)`` comes back on the UI thread, only while the field still holds ``path``."""

    detected = Signal(str, list)

    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        self.done = ""  # the last text detected (or being detected): not read again
        self.timer = QTimer(self, singleShot=True, interval=TYPED_REST_MS)
        self.timer.timeout.connect(self.detect)
        edit.textEdited.connect(lambda _text: self.timer.start())  # the user's keys, not setText
        edit.editingFinished.connect(self.detect)

    def detect(self) -> None:
        self.timer.stop()
        typed = self.edit.text().strip()
        if not typed or typed == self.done:
            return
        self.done = typed
        path = Path(typed).expanduser()

        def sniff(_job: Job) -> list[Format] | None:
            return detect_formats(path) if path.exists() else None  # half typed: nothing said yet

        job = Job(sniff, self)
        job.finished.connect(lambda formats: self._found(typed, formats))
        job.start()

    def _found(self, typed: str, formats: list[Format] | None) -> None:
        if formats is None:
            self.done = ""  # typed again once it exists (the folder made meanwhile): read then
        elif self.edit.text().strip() == typed:  # else the user typed on: that text is detected in turn
            self.detected.emit(typed, formats)
