"""The reviewer's decisions (accept / reject and notes, per object and per image) reach the QA reports:
the JSON's per_object rows and image_reviews, the CSV's per-image rows and the HTML page."""

from __future__ import annotations

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
    with open(tmp_path / "qa.csv", newline="") as fh:
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

    project_file = install_demo(tmp_path / "demo")
    cand = load_project(project_file)
    coins = cand.image_by_file_name("images/coins.png")
    first = min(a.id for a in cand.annotations_of(coins.id))
    long_note = "".join(f"<{k}>" for k in range(200_000))  # ~1.3 MB, markup in it
    exact = "e" * MAX_NOTE  # at the limit: shown whole
    ReviewDecision(cand, coins.id, "rejected", long_note, [first]).apply(cand)
    cell = cand.image_by_file_name("images/cell.png")
    ReviewDecision(cand, cell.id, "rejected", "i" + long_note).apply(cand)
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
