"""Time spent on a project only viewed: no "save changes?" question for it, yet it is not lost - saved to
the file silently when the project is left, and in the autosave meanwhile."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from PySide6.QtCore import Qt

from pixelproof.core import lock
from pixelproof.core.coco import load_project
from pixelproof.core.history import current_author
from pixelproof.ui import dialogs
from pixelproof.ui.document import autosave_path_for
from tests.ui.conftest import make_project, settle
from tests.ui.test_time_recorder import _clock


def _on_disk(path: Path) -> dict[str, float]:
    spent = load_project(path).app.get("time_spent", {})
    return {iid: entry[current_author()] for iid, entry in spent.items()}


def _view_first_image_for(window, qtbot, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Spend ``seconds`` on image 1, then press D (next image)."""
    now = _clock(window)
    now[0] += seconds
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_D)
    assert window.document.current_image_id == 2
    settle()


def test_time_on_a_project_only_viewed_is_saved_when_the_window_closes_without_a_question(
    window, qtbot, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """RecordTime leaves the document clean, so closing asked nothing and saved nothing: the time was lost."""
    doc = window.document
    path = doc.path
    _view_first_image_for(window, qtbot, 8.0)
    assert not doc.is_modified() and not window.isWindowModified()  # viewing is no unsaved change
    assert _on_disk(path) == {}
    window.close()
    assert no_prompts == []  # never asked
    assert _on_disk(path) == {"1": 8.0}


def test_time_is_saved_when_another_project_is_opened(window, qtbot, no_prompts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = window.document.path
    _view_first_image_for(window, qtbot, 6.0)
    assert window.open_path(make_project(tmp_path / "other"))
    assert no_prompts == [] and _on_disk(path) == {"1": 6.0}


def test_unsaved_edits_keep_their_question_and_discard_drops_the_time_with_them(
    window, qtbot, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    doc = window.document
    path = doc.path
    before = path.read_bytes()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # Mark as Done: an edit
    assert doc.is_modified()
    _view_first_image_for(window, qtbot, 5.0)
    window.close()  # no_prompts answers Discard
    assert len(no_prompts) == 1 and path.read_bytes() == before
    assert TIME_GOES in no_prompts[0][1]  # and the question said the time goes with Discard


TIME_GOES = "Discard also drops the time spent on its images since the last save"


def test_the_question_speaks_of_time_only_when_some_is_unsaved(window, qtbot, no_prompts) -> None:  # type: ignore[no-untyped-def]
    _clock(window)  # no time passes: the visit is under a second, nothing recorded
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # Mark as Done: an edit
    window.act_close.trigger()  # File > Close Project; no_prompts answers Discard
    assert len(no_prompts) == 1
    assert "Save the changes" in no_prompts[0][1] and "time" not in no_prompts[0][1]


def test_the_visit_in_progress_counts_as_unsaved_time_in_the_question(window, qtbot, no_prompts) -> None:  # type: ignore[no-untyped-def]
    """Closing the project from the image being viewed: its visit is recorded when the document is left,
    after the question, so the question asked with the time unrecorded said nothing of the time it drops."""
    doc = window.document
    now = _clock(window)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # Mark as Done: an edit
    settle()
    assert not doc.time_unsaved
    now[0] += 7.0  # still on image 1
    window.act_close.trigger()
    assert len(no_prompts) == 1 and TIME_GOES in no_prompts[0][1]


def test_the_autosave_keeps_time_on_a_clean_project(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A crash before the project is left: the autosave, written only for unsaved edits, held no time."""
    doc = window.document
    _view_first_image_for(window, qtbot, 9.0)
    assert not doc.is_modified()
    assert doc.autosave()
    assert _on_disk(autosave_path_for(doc.path)) == {"1": 9.0}
    doc.save()  # saved: nothing left for an autosave
    assert not doc.autosave() and not autosave_path_for(doc.path).exists()


def test_a_read_only_project_file_is_not_replaced_for_the_time_spent_viewing_it(
    window, qtbot, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """A project file made read-only (a reference kept safe, a shared file) was replaced silently, the save
    renaming over it, by merely looking at its images; and the autosave of that time asked to be recovered
    on every later open."""
    doc = window.document
    path = doc.path
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        _view_first_image_for(window, qtbot, 7.0)
        assert doc.autosave()  # the autosave timer fired meanwhile
        window.close()
        assert no_prompts == []
        assert path.read_bytes() == before
        assert not autosave_path_for(path).exists()
    finally:
        path.chmod(0o644)


def test_a_project_another_app_has_open_is_not_written_for_time_spent_viewing_it(
    window, qtbot, no_prompts, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Opened anyway while another PixelProof has it open ("if both save, the second save is refused"):
    merely looking at it saved the file, so the other app's next save was refused as a conflict, and its
    time-only autosave replaced the other app's (the same file beside the project), the crash copy of
    that app's unsaved edits."""
    path = make_project(tmp_path / "shared")
    theirs = autosave_path_for(path)
    theirs.write_bytes(b"their unsaved edits")
    os.utime(theirs, (1, 1))  # older than the file: not offered as a recovery here
    holder = {"user": "ana", "host": socket.gethostname(), "pid": os.getppid(), "since": "2024-01-01 10:00"}
    lock.lock_path(path).write_text(json.dumps(holder))  # a live process that is not this one
    monkeypatch.setattr(dialogs, "ask_open_locked", lambda *a: True)
    before = path.read_bytes()
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.document.current_image_id == 1, timeout=10000)
    _view_first_image_for(window, qtbot, 7.0)
    assert not window.document.autosave()
    window.close()
    assert no_prompts == []
    assert path.read_bytes() == before and theirs.read_bytes() == b"their unsaved edits"


def test_a_project_on_a_read_only_mount_only_viewed_does_not_warn_of_failed_autosaves(
    window, qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Time alone made the autosave timer write for a project never edited; where nothing can be written
    (a dataset on a read-only share) the status bar said "Autosave failed" at every tick."""
    import errno

    from pixelproof.ui import document

    def refuse(*_a: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(document, "write_autosave", refuse)
    doc = window.document
    _view_first_image_for(window, qtbot, 7.0)
    window.statusBar().clearMessage()
    assert not doc.autosave()
    assert "Autosave failed" not in window.statusBar().currentMessage()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # an edit: then it says so
    assert doc.is_modified() and not doc.autosave()
    assert "Autosave failed" in window.statusBar().currentMessage()
    doc.undo_stack.setClean()


def test_a_new_project_only_viewed_leaves_no_recovery_behind(window, qtbot, no_prompts, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A folder opened as a new project and only looked at: its time-only autosave (in the recovery folder)
    stayed when the window closed, so the next start offered to recover a project nobody made."""
    from tests.ui.test_autosave_recovery import open_new_project

    make_project(tmp_path / "data")
    doc = open_new_project(qtbot, window, tmp_path / "data" / "images")
    assert doc.untitled and not doc.is_modified()
    _view_first_image_for(window, qtbot, 7.0)
    assert doc.autosave()
    recovery = doc.autosave_path()
    assert recovery is not None and recovery.exists()
    window.close()
    assert no_prompts == []
    assert not recovery.exists()


def test_time_not_saved_over_another_writers_save_leaves_no_recovery_of_the_older_file(
    window, qtbot, no_prompts
) -> None:  # type: ignore[no-untyped-def]
    """The file saved by someone else meanwhile: the time is not saved over it, and its autosave (the file
    as this app opened it, plus the time) was then offered at the next open as unsaved work, whose recovery
    would put the older version back over the other writer's."""
    doc = window.document
    path = doc.path
    _view_first_image_for(window, qtbot, 7.0)
    assert doc.autosave()
    theirs = path.read_bytes().replace(b"{", b"{ ", 1)  # another writer's save
    path.write_bytes(theirs)
    window.close()
    assert no_prompts == []
    assert path.read_bytes() == theirs and not autosave_path_for(path).exists()


def test_reload_after_a_conflict_drops_the_time_with_the_edits(window, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+S, the file changed on disk, "Reload (discard mine)": the discarded document kept its time as
    unsaved, so leaving it tried to save that time over the file just reloaded (refused as a conflict, and
    said so on the status bar) - time the user had just chosen to give up with the edits."""
    from tests.ui.test_two_writers import click_in_next_message_box, someone_else_saves

    mine = window.document
    path = mine.path
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # Mark as Done: an edit
    _view_first_image_for(window, qtbot, 6.0)
    assert mine.time_unsaved
    someone_else_saves(path)
    theirs = path.read_bytes()
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    saves: list[bool] = []
    mine.aboutToSave.connect(lambda: saves.append(True))  # a save of this document begins
    seen: list[str] = []
    click_in_next_message_box(qtbot, "Reload (discard mine)", seen)
    qtbot.keyClick(window.canvas, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert seen and window.document is not mine
    assert not mine.time_unsaved and saves == [True]  # the user's Ctrl+S only, none once discarded
    assert not any("Time spent" in m for m in said)
    assert path.read_bytes() == theirs and not autosave_path_for(path).exists()
