"""File > Merge Shards says its refusals and warnings in the app's terms: it merges into the open project
(no ``--into``) and has no renumbering (the command line's, said so). Real window, dialog and keys."""

from __future__ import annotations

import html

import pytest
from PySide6.QtCore import Qt

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.core.renumber import renumber
from pixelproof.core.split import split_project
from tests.ui.test_teams_ui import _answer_modal, _merge_with_report, _plain

pytestmark = pytest.mark.gui


def test_a_renumbered_project_refuses_old_shards_in_the_apps_words(
    qtbot, window, project_file, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Before: the box said `Merge ann.json into ...` - the app merges into the open project only - and
    `renumber the merged project`, which the app cannot do, naming no way to."""
    from PySide6.QtWidgets import QMessageBox

    warned: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warned.append((title, text)))
    )
    out = project_file.parent / "shards"
    out.mkdir()
    save_project(
        split_project(load_project(project_file), ["ann"], overlap=0.0).shards["ann"], out / "ann.json"
    )
    lead = load_project(project_file)
    lead.remove_image(1)  # images 2 and 3 become 1 and 2: the shard's ids name others now
    save_project(renumber(lead).project, project_file)  # the lead renumbered it
    assert window.open_path(project_file)

    def fill_merge(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.shards.addItem(str(out / "ann.json"))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    _answer_modal(qtbot, fill_merge)
    window.teams.act_merge.trigger()
    qtbot.waitUntil(lambda: bool(warned), timeout=20000)
    title, text = warned[0][0], html.unescape(warned[0][1])
    assert title == "Merge failed" and "was renumbered (on the command line: pixelproof renumber, at " in text
    assert f", and merge {out / 'ann.json'} into it (Merge Shards merges into the open project)" in text
    assert text.split(": their ids")[1].startswith(" name different objects")
    assert f"Merge {out / 'ann.json'} into" not in text
    assert "renumber it from the command line: pixelproof renumber PROJECT -o NEW.json" in text
    assert "split the renumbered project again (File > Split for Annotators; " in text


def test_an_image_the_open_project_lacks_names_no_into(qtbot, window, project_file) -> None:  # type: ignore[no-untyped-def]
    """Before: two shards adding one image with two pixel spacings said `no base to settle it: merge into
    the lead's project, --into, to keep its own` - the app merges into the lead's project already."""
    out = project_file.parent / "shards"
    out.mkdir()
    result = split_project(load_project(project_file), ["ann", "bob"], overlap=0.0)
    new = str(project_file.parent / "images" / "img0.png")  # one picture both added under one path
    for k, (name, shard) in enumerate(result.shards.items()):
        shard.add_image(ImageRecord(900, new, 320, 240, extra={"pixel_spacing": [0.5 + k, 0.5 + k]}))
        save_project(shard, out / f"{name}.json")

    said = _plain(_merge_with_report(qtbot, window, [out / "ann.json", out / "bob.json"])[0])
    assert "pixel_spacing differs: ann [0.5, 0.5] mm, bob [1.5, 1.5] mm on 1 image" in said
    assert "keeps ann's (the base does not hold this image: no record of its own to keep)" in said
    assert "--into" not in said and "no base to settle it" not in said
