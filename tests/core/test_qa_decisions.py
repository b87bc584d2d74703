"""The reviewer's decisions (accept / reject and notes, per object and per image) reach the QA reports:
the JSON's per_object rows and image_reviews, the CSV's per-image rows and the HTML page."""

from __future__ import annotations

import copy
import csv
import json

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.edits import ReviewDecision
from pixelproof.core.qa import run_qa
from pixelproof.core.qa_tables import StreamedRows
from pixelproof.core.report import to_dict, write_csv, write_html, write_json
from pixelproof.interop.references import load_reference


def decided_demo(tmp_path):
    """The demo with decisions made as the review view makes them (its undoable edit), saved and read."""
    project_file = install_demo(tmp_path / "demo")
    cand = load_project(project_file)
    coins = cand.image_by_file_name("images/coins.png")
    first, second = sorted(a.id for a in cand.annotations_of(coins.id))[:2]
    ReviewDecision(cand, coins.id, "rejected", "edge & <b>rim</b> missed", [first]).apply(cand)
    ReviewDecision(cand, coins.id, "accepted", "", [second]).apply(cand)
    cell = cand.image_by_file_name("images/cell.png")
    ReviewDecision(cand, cell.id, "rejected", "redo the whole outline").apply(cand)
    save_project(cand, project_file)
    return project_file, first, second, cell.id


def long_notes_demo(tmp_path, object_note: str, image_note: str):
    """decided_demo with its first object's note and cell.png's image note replaced in the file, as a
    script, an older version or a hand edit may have written them (ReviewDecision refuses such notes)."""
    project_file, first, second, cell_id = decided_demo(tmp_path)
    data = json.loads(project_file.read_text())
    next(a for a in data["annotations"] if a["id"] == first)["pixelproof"]["note"] = object_note
    data["pixelproof"]["image_review"][str(cell_id)]["note"] = image_note
    project_file.write_text(json.dumps(data))
    return project_file, first, second, cell_id


def test_decisions_saved_in_the_project_are_in_every_report(tmp_path) -> None:
    project_file, first, second, cell_id = decided_demo(tmp_path)
    cand = load_project(project_file)
    result = run_qa(load_reference(project_file.parent / "reference.json", cand), cand)
    data = to_dict(result, "reference.json", "project.json")
    by_cand = {o["cand_id"]: o for o in data["per_object"] if o["cand_id"] is not None}
    assert (by_cand[first]["review"], by_cand[first]["note"]) == ("rejected", "edge & <b>rim</b> missed")
    assert by_cand[second]["review"] == "accepted" and not by_cand[second]["note"]
    for o in data["per_object"]:  # every candidate object says its state, as the project file has it
        if o["cand_id"] is not None:
            assert o["review"] == cand.annotations[o["cand_id"]].review
        else:
            assert o["review"] is None and o["note"] is None  # missed: nothing to decide on
    assert {"file_name": "images/cell.png", "image_id": cell_id, "review": "rejected",
            "note": "redo the whole outline"} in data["image_reviews"]  # fmt: skip
    write_json(data, tmp_path / "qa.json")
    assert json.loads((tmp_path / "qa.json").read_text())["image_reviews"] == data["image_reviews"]
    write_csv(data, tmp_path / "qa.csv")
    with open(tmp_path / "qa.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    cell_rows = [r for r in rows if r["file_name"] == "images/cell.png"]
    assert cell_rows and all(r["image_review"] == "rejected" for r in cell_rows)
    assert all(r["image_review_note"] == "redo the whole outline" for r in cell_rows)
    assert all(r["image_review"] == "" for r in rows if r["file_name"] != "images/cell.png")
    write_html(data, tmp_path / "qa.html")
    page = (tmp_path / "qa.html").read_text()
    assert "Review decisions" in page and "redo the whole outline" in page
    assert "edge &amp; &lt;b&gt;rim&lt;/b&gt; missed" in page and "<b>rim</b>" not in page


def test_a_streamed_run_reports_the_same_decisions(tmp_path) -> None:
    project_file, *_ = decided_demo(tmp_path)
    cand = load_project(project_file)
    ref = project_file.parent / "reference.json"
    kept = to_dict(run_qa(load_reference(ref, cand), cand))
    with StreamedRows(tmp_path) as stream:
        streamed = to_dict(run_qa(load_reference(ref, cand), cand, stream=stream))
        assert list(streamed["per_object"]) == kept["per_object"]
        assert streamed["image_reviews"] == kept["image_reviews"]


def test_the_page_lists_at_most_500_image_decisions_as_it_does_objects() -> None:
    """The objects accepted, rejected or noted were capped at 500 on the page (all in --json) but the
    whole-image decisions were not: a reviewed dataset of 50,000 images put 50,000 rows on it."""
    from pixelproof.core.report import DECIDED_SHOWN, decisions_html

    images = [
        {"file_name": f"img{i:05d}.png", "image_id": i, "review": "rejected", "note": '=HYPERLINK("x")'}
        for i in range(DECIDED_SHOWN + 37)
    ]
    page = "".join(decisions_html({"per_object": [], "image_reviews": images}))
    assert page.count("<tr>") - 1 == DECIDED_SHOWN  # a header row, then the decisions shown
    assert "img00499.png" in page and "img00500.png" not in page
    assert "… and 37 more images (all are in --json)" in page


def test_the_html_cuts_a_long_note_and_the_json_keeps_it_whole(tmp_path) -> None:
    """Notes made elsewhere (a script, an earlier version, a hand edit) may be any length, and the page
    printed each whole: 500 notes of 1 MB made a 500 MB page. The page cuts a note at MAX_NOTE characters
    (what the app lets one hold) with '…'; --json keeps it whole."""
    from pixelproof.core.limits import MAX_NOTE

    long_note = "".join(f"<{k}>" for k in range(200_000))  # ~1.3 MB, markup in it
    project_file, first, _, _ = long_notes_demo(tmp_path, long_note, "i" + long_note)
    cand = load_project(project_file)
    exact = "e" * MAX_NOTE  # at the limit: shown whole
    chelsea = cand.image_by_file_name("images/chelsea.jpg")
    ReviewDecision(cand, chelsea.id, "accepted", exact).apply(cand)
    result = run_qa(load_reference(project_file.parent / "reference.json", cand), cand)
    data = to_dict(result, "reference.json", "project.json")
    write_json(data, tmp_path / "qa.json")
    back = json.loads((tmp_path / "qa.json").read_text())
    assert next(o for o in back["per_object"] if o["cand_id"] == first)["note"] == long_note
    assert {r["file_name"]: r["note"] for r in back["image_reviews"]}["images/cell.png"] == "i" + long_note
    write_html(data, tmp_path / "qa.html")
    page = (tmp_path / "qa.html").read_text()
    escape = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
    assert escape(long_note[:MAX_NOTE]) + "…" in page and escape(long_note[: MAX_NOTE + 1]) not in page
    assert escape(("i" + long_note)[:MAX_NOTE]) + "…" in page
    assert exact in page and exact + "…" not in page
    assert len(page) < 200_000


def test_a_decision_refuses_a_note_over_the_limit_naming_the_image() -> None:
    """Only the app's note field stopped at MAX_NOTE: a script or CLI path through ReviewDecision stored a
    note of any length (1 MB). The edit refuses one longer, naming the image, the objects, the length and
    the limit, before it touches the project; a note of MAX_NOTE characters is taken."""
    import pytest

    from pixelproof.core.coco import project_from_dict
    from pixelproof.core.coco_dump import project_to_dict
    from pixelproof.core.limits import MAX_NOTE, LimitError

    project = project_from_dict(
        {
            "images": [{"id": 7, "file_name": "scans/a.png", "width": 20, "height": 10}],
            "annotations": [{"id": 3, "image_id": 7, "category_id": 1, "bbox": [1, 1, 4, 4]}],
            "categories": [{"id": 1, "name": "cat"}],
        }
    )
    before = copy.deepcopy(project_to_dict(project))
    for ann_ids, where in ((None, "image 7 (scans/a.png)"), ([3], "image 7 (scans/a.png), object 3")):
        with pytest.raises(LimitError) as e:
            ReviewDecision(project, 7, "rejected", "x" * (MAX_NOTE + 1), ann_ids)
        assert e.value.where == where
        assert f"{MAX_NOTE + 1:,}" in e.value.message and f"{MAX_NOTE:,}" in e.value.message
    assert project_to_dict(project) == before
    ReviewDecision(project, 7, "rejected", "x" * MAX_NOTE, [3]).apply(project)
    assert project.annotations[3].note == "x" * MAX_NOTE


def test_notes_longer_than_the_limit_in_a_file_load_and_save_whole(tmp_path) -> None:
    """A note made before the limit (or by hand) is the reviewer's data: it loads whole, a decision made
    without a note leaves it whole, and it is saved back whole."""
    from pixelproof.core.limits import MAX_NOTE

    object_note, image_note = "o" * (MAX_NOTE * 500), "i" * (MAX_NOTE + 1)
    project_file, first, _, cell_id = long_notes_demo(tmp_path, object_note, image_note)
    cand = load_project(project_file)
    assert cand.annotations[first].note == object_note
    coins = cand.annotations[first].image_id
    ReviewDecision(cand, coins, "accepted", "", [first]).apply(cand)  # another decision, no new note
    save_project(cand, project_file)
    data = json.loads(project_file.read_text())
    saved = next(a for a in data["annotations"] if a["id"] == first)["pixelproof"]
    assert saved["note"] == object_note and saved["review"] == "accepted"
    assert data["pixelproof"]["image_review"][str(cell_id)]["note"] == image_note
