"""File > Merge Shards… with its conflict dialog, and Review > Annotators Side by Side (real widgets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget

from pixelproof.core import masks
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits.images import RecordTime
from pixelproof.core.model import Annotation
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.split import split_project
from pixelproof.core.wording import plural

pytestmark = pytest.mark.gui


def _shards(project_file: Path) -> list[str]:
    """Three annotators given every image (overlap 1.0), each drawing a disc a little apart on image 1."""
    project = load_project(project_file)
    result = split_project(project, ["ann", "bob", "cy"], overlap=1.0, overlap_copies=3)
    out = project_file.parent / "shards"
    out.mkdir()
    paths = []
    for k, (name, shard) in enumerate(result.shards.items()):
        im = shard.images[1]
        yy, xx = np.mgrid[: im.height, : im.width]
        m = (yy - 100) ** 2 + (xx - 120 - 6 * k) ** 2 <= 40**2
        shard.add_annotation(
            Annotation(10 + k, 1, 1 + (k == 2), masks.bbox(m), masks.encode(m), float(m.sum()))
        )
        RecordTime(1, name, 10.0 * (k + 1)).apply(shard)  # what the app records as they work
        save_project(shard, out / f"{name}.json")
        paths.append(str(out / f"{name}.json"))
    return paths


def _answer_modal(qtbot, answer) -> None:  # type: ignore[no-untyped-def]
    """Run ``answer(dialog)`` on the next modal dialog, as a user would once it shows."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
            return
        answer(dialog)

    QTimer.singleShot(0, poll)


def _merge_with_report(qtbot, window, paths) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """File > Merge Shards… with ``paths`` (what Add Shards… puts in the list after its file dialog), OK,
    then the merge report read and closed with Esc: (its text, its conflict table's rows)."""

    def fill_merge(dialog) -> None:  # type: ignore[no-untyped-def]
        for path in paths:
            dialog.shards.addItem(str(path))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # OK

    said: list[tuple[str, int]] = []

    def close_report(dialog) -> None:  # type: ignore[no-untyped-def]
        said.append((dialog.findChild(QLabel).text(), dialog.findChild(QTableWidget).rowCount()))
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    _answer_modal(qtbot, fill_merge)
    window.teams.act_merge.trigger()
    qtbot.waitUntil(lambda: window.teams.job is not None, timeout=10000)
    _answer_modal(qtbot, close_report)
    qtbot.waitUntil(lambda: bool(said), timeout=20000)
    return said[0]


def test_merge_dialog_then_annotators_view_consensus_and_accept(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    paths = _shards(project_file)
    teams = window.teams
    doc = window.document

    _merge_with_report(qtbot, window, paths)
    tagged = [a for a in doc.project.annotations_of(1) if a.app_extra.get(ANNOTATOR_KEY)]
    assert sorted(a.app_extra[ANNOTATOR_KEY] for a in tagged) == ["ann", "bob", "cy"]
    # every image is an overlap image (overlap 1.0): those all three left as they were are kept side by
    # side too, each version a rating
    assert teams.last_report["stats"]["overlap_images"] == len(doc.project.images) == 3
    assert doc.project.app["overlap_annotators"]["2"] == ["ann", "bob", "cy"]
    # each annotator's time on the image comes along, as `pixelproof merge` saves it
    assert doc.project.app["time_spent"]["1"] == {"ann": 10.0, "bob": 20.0, "cy": 30.0}

    teams.view.action.trigger()  # Review > Annotators Side by Side
    view = teams.view
    assert window.shell.current_view() is view.widget
    assert [p.title for p in view.panes] == ["ann", "bob", "cy", "disagreement"]
    qtbot.waitUntil(view.overlays_ready, timeout=10000)
    heat = view.overlays[-1]
    assert (heat[..., 3] > 0).any()
    assert "differ on" in view.info.text()

    qtbot.mouseClick(view.consensus_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.consensus_job is None, timeout=10000)  # worked out in the background
    said = window.statusBar().currentMessage()
    assert said.startswith(
        "1 pending consensus object on 3 images (0 objects drawn by fewer than half"
    ) and said.endswith("; review them, then Accept Consensus.")
    consensus = [a for a in doc.project.annotations_of(1) if (a.source or "").startswith("consensus:")]
    assert len(consensus) == 1 and consensus[0].review == "pending"
    assert doc.project.categories[consensus[0].category_id].name == "cat"  # two of three said cat
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    left = doc.project.annotations_of(1)
    assert [a.review for a in left] == ["accepted"] and not any(ANNOTATOR_KEY in a.app_extra for a in left)
    doc.undo_stack.undo()  # accept
    doc.undo_stack.undo()  # consensus
    doc.undo_stack.undo()  # merge
    assert not any(ANNOTATOR_KEY in a.app_extra for a in doc.project.annotations.values())
    assert "1" not in doc.project.app.get("time_spent", {})


def test_your_name_and_time_spent_per_image(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit

    # no author yet; set (not deleted) so the name the app puts in os.environ is undone after the test:
    # delenv of an absent variable records nothing to restore, and "Dana" leaked into later tests
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "")

    def type_name(dialog) -> None:  # type: ignore[no-untyped-def]
        line = dialog.findChild(QLineEdit)
        line.selectAll()
        qtbot.keyClicks(line, "Dana")
        qtbot.keyClick(line, Qt.Key.Key_Return)

    _answer_modal(qtbot, type_name)
    window.teams.act_name.trigger()
    import os

    assert os.environ["PIXELPROOF_AUTHOR"] == "Dana"
    now = [1000.0]
    timer = window.teams.timer
    timer.clock = lambda: now[0]
    timer.since = now[0]
    first = window.document.current_image_id
    now[0] += 12.0
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10000)
    qtbot.keyClick(window.canvas, Qt.Key.Key_D)  # next image
    qtbot.waitUntil(lambda: window.document.current_image_id != first, timeout=10000)
    now[0] += 5000.0  # away from the desk: counts 10 minutes
    qtbot.keyClick(window.canvas, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: window.document.current_image_id == first, timeout=10000)
    app = window.document.project.app  # each visit's time is applied once the key's event is over
    qtbot.waitUntil(lambda: len(app.get("time_spent", {})) == 2, timeout=10000)
    spent = app["time_spent"]
    assert spent[str(first)] == {"Dana": 12.0}
    assert list(spent[str(window.document.project.images[first + 1].id)].values()) == [600.0]


def test_merge_dialog_refuses_a_shard_listed_twice(qtbot, window, project_file, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    warned: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warned.append((title, text)))
    )
    paths = _shards(project_file)
    before = len(window.document.project.annotations)

    def fill_merge(dialog) -> None:  # type: ignore[no-untyped-def]
        for p in [*paths, paths[0]]:
            dialog.shards.addItem(p)
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    _answer_modal(qtbot, fill_merge)
    window.teams.act_merge.trigger()
    qtbot.waitUntil(lambda: bool(warned), timeout=20000)
    assert warned[0][0] == "Merge failed"
    assert "are the same file: give each annotator's shard once" in warned[0][1]
    assert len(window.document.project.annotations) == before  # nothing merged


def test_split_dialog_shows_its_fields_whole(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The dialog opened as narrow as its labels: the honeypot field's hint read "optional: a referenc…" and
    the output folder showed "ixelProof/demo/shards"."""
    from pixelproof.ui.app import create_app
    from pixelproof.ui.teams import SplitDialog

    create_app()
    project = Path("/home/alexandra/.local/share/PixelProof/demo/project.json")  # the demo's, on Linux
    dialog = SplitDialog(project)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    assert dialog.width() <= 1366 and dialog.height() <= 740
    assert dialog.focusWidget() is dialog.annotators  # the first field, ready for names
    for edit, text in ((dialog.reference, dialog.reference.placeholderText()),
                       (dialog.output, dialog.output.text())):  # fmt: skip
        room = edit.width() - 12  # frame and text margins
        assert edit.fontMetrics().horizontalAdvance(text) <= room, (text, edit.width())


def test_the_merge_report_says_how_many_decisions_were_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from pixelproof.ui.teams import ConflictDialog

    stats = {"shards": 2, "images": 3, "annotations": 4, "overlap_images": 0, "honeypots_left_out": 0}
    for dropped, said in ((0, False), (2, True)):
        report = {"stats": {**stats, "conflicts": 0, "dismissed_dropped": dropped}, "conflicts": []}
        dialog = ConflictDialog(report)
        qtbot.addWidget(dialog)
        text = dialog.findChild(QLabel).text()
        assert ('2 "not a problem" decisions dropped' in text) is said and "0 conflicts" in text


def test_merge_dialog_refuses_a_shard_of_another_split_than_the_manifest(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Before: the merge went on with a split_mismatch conflict, the other split's shard's untouched
    copies of the manifest's overlap images joining as its annotator's ratings."""
    import json

    from PySide6.QtWidgets import QMessageBox

    warned: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warned.append((title, text)))
    )
    project = load_project(project_file)
    out = project_file.parent / "shards"
    out.mkdir()
    for seed, name in ((0, "ann"), (7, "bob")):
        result = split_project(project, ["ann", "bob"], overlap=0.5, seed=seed)
        save_project(result.shards[name], out / f"{name}{seed}.json")
        (out / f"manifest{seed}.json").write_text(json.dumps(result.manifest))
    before = len(window.document.project.annotations)

    def fill_merge(dialog) -> None:  # type: ignore[no-untyped-def]
        for name in ("ann0", "bob7"):
            dialog.shards.addItem(str(out / f"{name}.json"))
        dialog.manifest.setText(str(out / "manifest0.json"))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    from pixelproof.ui.teams import ConflictDialog

    reported: list[dict] = []  # a merge that went on would show its report
    monkeypatch.setattr(ConflictDialog, "exec", lambda self: reported.append(self.report) or 0)
    _answer_modal(qtbot, fill_merge)
    window.teams.act_merge.trigger()
    qtbot.waitUntil(lambda: bool(warned or reported), timeout=20000)
    assert not reported, reported[0]["conflicts"]
    title, text = warned[0]
    assert title == "Merge failed" and str(out / "bob7.json") in text and str(out / "manifest0.json") in text
    assert "without a manifest" in text
    assert len(window.document.project.annotations) == before  # nothing merged


def test_merge_dialog_refusing_a_file_that_is_no_shard_names_its_manifest_field_not_a_command(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Before: the app's refusal said the file `goes in with pixelproof add or by merging it without a
    manifest` - a command line's words, and an add that would leave the file's labels behind."""
    import json

    from PySide6.QtWidgets import QMessageBox

    warned: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warned.append((title, text)))
    )
    project = load_project(project_file)
    out = project_file.parent / "shards"
    out.mkdir()
    result = split_project(project, ["ann", "bob"], overlap=0.5)
    save_project(result.shards["ann"], out / "ann.json")
    (out / "lead-manifest.json").write_text(json.dumps(result.manifest))
    save_project(load_project(project_file), out / "other.json")  # another project dropped among them

    def fill_merge(dialog) -> None:  # type: ignore[no-untyped-def]
        for name in ("ann", "other"):
            dialog.shards.addItem(str(out / f"{name}.json"))
        dialog.manifest.setText(str(out / "lead-manifest.json"))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    _answer_modal(qtbot, fill_merge)
    window.teams.act_merge.trigger()
    qtbot.waitUntil(lambda: bool(warned), timeout=20000)
    title, text = warned[0]
    assert title == "Merge failed" and "is no annotator's shard" in text
    assert "pixelproof add" not in text and "with the Manifest field left empty" in text


def test_merge_report_says_which_file_an_annotator_renamed_and_the_project_follows(
    qtbot, window, project_file
) -> None:  # type: ignore[no-untyped-def]
    """Before: `pixelproof merge` printed the renamed file, the app said nothing and kept the old name
    (whose file is gone) for the image."""

    project = load_project(project_file)
    result = split_project(project, ["ann", "bob"], overlap=0.0)
    out = project_file.parent / "shards"
    out.mkdir()
    ann = result.shards["ann"]
    iid = min(ann.images)
    old = ann.images[iid].file_name
    new = old.replace(".png", "_ann & co.png")  # a name rich text would garble
    (project_file.parent / old).rename(project_file.parent / new)
    ann.images[iid].file_name = new  # ann pointed her shard at it (Locate Missing Images)
    for name, shard in result.shards.items():
        save_project(shard, out / f"{name}.json")
    doc = window.document

    said = [_merge_with_report(qtbot, window, [out / "ann.json", out / "bob.json"])[0]]
    line = f"renamed in its shard: {old} -> {new} (in ann's); merged under the new name"
    assert line in _plain(said[0])  # as the user reads the label's rich text
    assert doc.project.images[iid].file_name == new and len(doc.project.images) == 3
    doc.undo_stack.undo()  # the merge
    assert doc.project.images[iid].file_name == old


def test_merge_shards_relocated_to_each_annotators_copy_keeps_the_projects_images(
    qtbot, window, project_file
) -> None:  # type: ignore[no-untyped-def]
    """Each annotator copies the images to a folder of their own and relocates their shard there (Locate
    Missing Images). Before, File > Merge Shards added every image again (ids renumbered, 'image id 1 is
    already used' conflicts) under the annotators' paths, the project's own left as they were."""
    import shutil

    from pixelproof.core.edits.images import RelocateImages
    from pixelproof.core.image_folder import find_moved

    folder = project_file.parent
    result = split_project(load_project(project_file), ["ann", "bob"], overlap=0.0)
    paths = []
    for k, (name, shard) in enumerate(result.shards.items()):
        laptop = folder / f"{name}-laptop"
        shutil.copytree(folder / "images", laptop / "usb" / "copy")
        (laptop / "work").mkdir()
        (folder / "shards").mkdir(exist_ok=True)
        save_project(shard, folder / "shards" / f"{name}.json")
        shutil.copy(folder / "shards" / f"{name}.json", laptop / "work")  # handed out: its images missing
        mine = load_project(laptop / "work" / f"{name}.json")
        found, problems = find_moved(mine, laptop / "usb")
        assert problems == [] and len(found) == len(mine.images)
        RelocateImages(found).apply(mine)
        for n, iid in enumerate(sorted(mine.images)):
            m = np.zeros((mine.images[iid].height, mine.images[iid].width), bool)
            m[20 + 10 * k : 60, 30 : 80 + n] = True
            mine.add_annotation(
                Annotation(1000 * (k + 1) + n, iid, 1, masks.bbox(m), masks.encode(m), float(m.sum()))
            )
        save_project(mine)
        paths.append(str(laptop / "work" / f"{name}.json"))
    doc = window.document
    names = {i: im.file_name for i, im in doc.project.images.items()}

    said = [_merge_with_report(qtbot, window, paths)]
    text, rows = said[0]
    assert rows == 0 and "0 conflicts" in _plain(text)
    assert {i: im.file_name for i, im in doc.project.images.items()} == names  # the project's images
    assert {a.image_id for a in doc.project.annotations.values() if a.id >= 1000} == set(names)
    for name in ("ann", "bob"):
        n = len(result.shards[name].images)
        assert (
            f"relocated in {name}'s shard to copies of their files: {plural(n, 'image')} (images/img"
            in _plain(text)
        )


def _plain(html: str) -> str:
    """The text a rich-text label shows."""
    from PySide6.QtGui import QTextDocument

    d = QTextDocument()
    d.setHtml(html)
    return d.toPlainText()


def test_merge_into_a_renumbered_project_names_the_shard_and_the_file_to_merge_into(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The lead renumbered the project in place while the annotators worked. Merge Shards refused their
    shards, but named them by their stem ('after ann was made... Merge ann into the project it was split
    from') and not where the old numbering is: the shard's file and the project's .bak are named now."""
    from PySide6.QtWidgets import QMessageBox

    from pixelproof.core.renumber import renumber
    from tests.ui.conftest import wait_loaded

    warned: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warned.append((title, text)))
    )
    lead = project_file.with_name("lead.json")
    project = load_project(project_file)
    last = max(project.images)
    project.images[last].id = 77  # a gap in the ids (an image removed once): renumbering changes them
    project.images[77] = project.images.pop(last)
    save_project(project, lead)
    paths = _shards(lead)
    save_project(renumber(load_project(lead)).project, lead)  # renumber --in-place: the old one in .bak
    assert window.open_path(lead)
    wait_loaded(qtbot, window)
    before = len(window.document.project.annotations)

    def fill_merge(dialog) -> None:  # type: ignore[no-untyped-def]
        for p in paths:
            dialog.shards.addItem(p)
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    _answer_modal(qtbot, fill_merge)
    window.teams.act_merge.trigger()
    qtbot.waitUntil(lambda: bool(warned), timeout=20000)
    title, text = warned[0]
    assert title == "Merge failed" and "Traceback" not in text
    assert "was renumbered (on the command line: pixelproof renumber, at " in text
    assert f"after {paths[0]} was made" in text  # the app merges into the open project: open the .bak
    assert f"Open {lead}.bak, the project as it was before renumbering" in text
    assert f"and merge {paths[0]} into it (Merge Shards merges into the open project)" in text
    assert len(window.document.project.annotations) == before  # nothing merged


def test_merge_report_says_a_shard_gave_another_pixel_spacing_and_the_projects_is_kept(
    qtbot, window, project_file
) -> None:  # type: ignore[no-untyped-def]
    """Before: the app kept the project's pixel spacing where ann's shard gave 0.5 mm, without a word (the
    CLI neither); its merge report now says it, as `pixelproof merge` does."""

    from tests.ui.conftest import wait_loaded

    project = load_project(project_file)
    for im in project.images.values():
        im.extra["pixel_spacing"] = [0.8, 0.8]
    save_project(project)
    assert window.open_path(project_file)
    wait_loaded(qtbot, window)
    result = split_project(project, ["ann", "bob"], overlap=0.0)
    out = project_file.parent / "shards"
    out.mkdir()
    ann = result.shards["ann"]
    iid = min(ann.images)
    ann.images[iid].extra["pixel_spacing"] = [0.5, 0.5]  # ann's tool read another header
    for name, shard in result.shards.items():
        save_project(shard, out / f"{name}.json")
    doc = window.document

    said = [_merge_with_report(qtbot, window, [out / "ann.json", out / "bob.json"])[0]]
    name = doc.project.images[iid].file_name
    line = (
        f"pixel_spacing differs: base [0.8, 0.8] mm, ann [0.5, 0.5] mm on 1 image ({name}); "
        "the merged project keeps the base's"
    )
    assert line in _plain(said[0])
    assert doc.project.images[iid].extra["pixel_spacing"] == [0.8, 0.8]
    assert window.teams.last_report["geometry_differs"][0]["shard"] == "ann"


def test_the_merge_report_says_one_overlap_image_in_the_singular(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from pixelproof.ui.teams import ConflictDialog

    stats = {"shards": 2, "images": 1, "annotations": 1, "overlap_images": 1, "honeypots_left_out": 1}
    dialog = ConflictDialog({"stats": {**stats, "conflicts": 1}, "conflicts": []})
    qtbot.addWidget(dialog)
    text = dialog.findChild(QLabel).text()
    assert "2 shards: 1 image, 1 object; 1 overlap image keeps each annotator's version;" in text
    assert "1 honeypot left out; <b>1 conflict</b>." in text


def test_the_merge_report_says_how_many_images_merged_object_by_object(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from pixelproof.ui.teams import ConflictDialog

    stats = {"shards": 4, "images": 9, "annotations": 20, "overlap_images": 0, "honeypots_left_out": 0}
    dialog = ConflictDialog({"stats": {**stats, "merged_by_object": 3, "conflicts": 0}, "conflicts": []})
    qtbot.addWidget(dialog)
    text = dialog.findChild(QLabel).text()
    assert (
        "keep each annotator's version; 3 images edited in two shards merged object by object; 0 honeypots"
        in text
    )


def left_out_shards(window, project_file: Path) -> tuple[list[Path], Annotation]:  # type: ignore[no-untyped-def]
    """Shards whose merge leaves an object out: the lead draws a box (returned) on an image after the split,
    and its annotator changes the image too, so the merge keeps the annotator's version."""
    from pixelproof.core.edits import AddAnnotations

    result = split_project(load_project(project_file), ["ann", "bob"], overlap=0.0)
    ann = result.shards["ann"]
    iid = sorted(ann.images)[0]
    doc = window.document
    lead_box = Annotation(doc.project.next_annotation_id(), iid, 1, [5.0, 5.0, 20.0, 20.0], None, 400.0)
    doc.push(AddAnnotations([lead_box]))  # the lead labels the image after handing out the shards
    ann.add_annotation(Annotation(ann.next_annotation_id(), iid, 2, [60.0, 60.0, 10.0, 10.0], None, 100.0))
    paths = []
    for name, shard in result.shards.items():
        save_project(shard, project_file.parent / f"{name}.json")
        paths.append(project_file.parent / f"{name}.json")
    return paths, lead_box


def test_app_merge_writes_the_objects_it_left_out_beside_the_project(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    """Before: the objects a conflict left out (here the lead's box, drawn on an image after the split, that
    the annotator's version replaced) were only in the report dialog: closed without Save Report… and the
    project saved, they were in no file - where `pixelproof merge` writes them beside the merged project."""
    import json

    doc = window.document
    paths, lead_box = left_out_shards(window, project_file)
    text, rows = _merge_with_report(qtbot, window, paths)
    assert rows == 1
    written = project_file.parent / "project.merge-report.json"
    assert written.is_file()
    report = json.loads(written.read_text(encoding="utf-8"))
    assert [c["type"] for c in report["conflicts"]] == ["edited_in_base_and_shard"]
    (left_out,) = report["left_out_objects"]
    assert left_out["id"] == lead_box.id and left_out["bbox"] == [5.0, 5.0, 20.0, 20.0]
    assert "1 object left out of the project" in text and f"written to {written}" in text
    assert lead_box.id not in doc.project.annotations  # ann's version is the image's
    assert window.teams.left_out_file == written
    assert doc.undo_stack.undoText() == "Merge 2 shards of ann, bob"  # whose, in Edit > Undo and the log
