"""Document file flows: edits recovered from an autosave are logged; a new project, once saved, is locked."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pixelproof.core import history
from pixelproof.core.edits.annotations import AddAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.document import Document, autosave_path_for
from tests.ui.conftest import make_project


def test_recovered_edits_are_in_the_change_log(qtbot, tmp_path: Path) -> None:
    path = make_project(tmp_path)
    doc = Document.open(path)
    ann = Annotation(doc.project.next_annotation_id(), 1, 1, [10.0, 10.0, 20.0, 20.0])
    doc.push(AddAnnotations([ann]))
    assert doc.autosave()
    doc.close()  # the app dies: the project file never got the box
    future = time.time() + 5
    os.utime(autosave_path_for(path), (future, future))
    before = len(history.read_log(path, None)[0])

    again = Document.open(path, ask_recover=lambda auto, changed: True)
    assert ann.id in again.project.annotations
    again.save()
    entries, _ = history.read_log(path, again.project.app["history"]["head"])
    assert len(entries) == before + 1
    assert entries[0]["committed"] and entries[0]["totals"]["added"] == 1
    again.close()


def test_a_new_project_saved_for_the_first_time_holds_its_lock(qtbot, tmp_path: Path) -> None:
    """A project made from a folder (or an import) is untitled: once saved it is a project file the app
    has open, which a second window must be told about, as for a project opened from a file."""
    from pixelproof.core import lock
    from pixelproof.core.image_folder import project_from_folder

    make_project(tmp_path)
    project = project_from_folder(tmp_path / "images", tmp_path / "project.json", ["cat"])
    doc = Document(project, untitled=True)
    target = doc.save(tmp_path / "new.json")
    holder = lock.read_lock(target)
    assert doc.locked == target and holder is not None and holder.is_me()
    doc.close()
    assert lock.read_lock(target) is None
