"""Where the autosave goes. The project's folder gone while the app has it open (a network share unmounted,
the folder renamed or deleted in a file manager): the autosave and the save say so, naming the folder, and
never make it again (an empty mount point filled with a ghost copy of the folder), and the edits stay
savable elsewhere. A symlinked project's autosave is beside its target, whichever name opened it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.core.coco import ProjectSaveError, load_project
from pixelproof.core.edits.annotations import AddAnnotations
from pixelproof.core.model import Annotation
from pixelproof.ui.document import Document, autosave_path_for
from tests.ui.conftest import make_project


def test_autosave_does_not_make_a_gone_project_folder_again(qtbot, tmp_path: Path) -> None:
    share = tmp_path / "share" / "proj"
    path = make_project(share)
    doc = Document.open(path)
    doc.push(AddAnnotations([Annotation(doc.project.next_annotation_id(), 1, 1, [1.0, 1.0, 5.0, 5.0])]))
    share.rename(tmp_path / "share" / "proj-moved")  # the share is gone, or the folder renamed
    failures: list[str] = []
    doc.autosaveFailed.connect(failures.append)

    assert not doc.autosave()

    assert not share.exists()  # no ghost folder with only an autosave in it
    assert len(failures) == 1 and str(share) in failures[0] and "does not exist" in failures[0]
    with pytest.raises(ProjectSaveError, match="does not exist"):
        doc.save()
    assert not share.exists()
    elsewhere = tmp_path / "saved.json"
    doc.save(elsewhere)  # Save As: the edits are all there
    assert len(load_project(elsewhere).annotations) == 1
    assert not autosave_path_for(elsewhere).exists()
    doc.close()


def test_a_symlinked_projects_autosave_is_offered_whichever_name_opens_it(qtbot, tmp_path: Path) -> None:
    """The autosave lives beside the file itself, as its lock, backup and change log do: written while the
    project was open through a link in another folder, it was beside the link, and opening the file by
    its own name (or another link) offered nothing to recover."""
    path = make_project(tmp_path / "data")
    (tmp_path / "work").mkdir()
    link = tmp_path / "work" / "project.json"
    link.symlink_to(path)
    doc = Document.open(link)
    doc.push(AddAnnotations([Annotation(doc.project.next_annotation_id(), 1, 1, [1.0, 1.0, 5.0, 5.0])]))
    assert doc.autosave()
    doc.autosave_timer.stop()  # the app is killed: its autosave stays
    asked: list[Path] = []

    recovered = Document.open(path, ask_recover=lambda auto, changed: asked.append(auto) or True)

    assert asked == [autosave_path_for(path)] and autosave_path_for(link) == autosave_path_for(path)
    assert len(recovered.project.annotations) == 1 and recovered.is_modified()
    assert not (tmp_path / "work" / "project.json.autosave").exists()
    recovered.save()  # written through the name it was opened by; the autosave goes
    assert link.is_symlink() and not autosave_path_for(path).exists()
    recovered.close()
    doc.close()


def test_edits_autosaved_in_the_same_clock_tick_as_the_save_are_still_offered(qtbot, tmp_path: Path) -> None:
    """A file system that keeps times to the second (or 2 s: FAT on a USB stick) gives an autosave written
    just after a save the project's time: 'newer than the project' was false and the edits were not
    offered. The autosave's header says they were made on this very file: that decides."""
    path = make_project(tmp_path)
    doc = Document.open(path)
    doc.push(AddAnnotations([Annotation(doc.project.next_annotation_id(), 1, 1, [1.0, 1.0, 5.0, 5.0])]))
    assert doc.autosave()
    doc.autosave_timer.stop()  # the app is killed: its autosave stays
    auto = autosave_path_for(path)
    tick = int(path.stat().st_mtime)
    os.utime(path, (tick, tick))
    os.utime(auto, (tick, tick))
    asked: list[bool] = []

    again = Document.open(path, ask_recover=lambda a, changed: asked.append(changed) or True)

    assert asked == [False] and len(again.project.annotations) == 1  # offered, the file unchanged
    again.close()
    doc.close()
