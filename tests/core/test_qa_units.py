"""Distance units in QA: every distance says mm or px, and no mean mixes the two.

One image carrying a pixel_spacing (mm) beside images without one (px): the per-image rows are checked
against the brute-force O(n^2) distances of ``test_metrics`` (plain numpy over every pair of boundary pixel
centres, scaled by the spacing), and the aggregates against means of those taken per unit by hand."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.qa_tables import StreamedRows
from pixelproof.core.report import to_dict, write_csv, write_html, write_json
from tests.core.test_metrics import brute
from tests.core.test_qa import disc, make_project

SPACING = (0.5, 0.8)  # mm between rows, between columns
IMAGES = ("mm.png", "px1.png", "px2.png")
SHIFTS = {"mm.png": 3, "px1.png": 5, "px2.png": 2}  # candidate disc moved right by this many pixels


def projects(spaced: tuple[str, ...] = ("mm.png",)):
    ref = make_project([(n, "cat", disc(30, 30, 10)) for n in IMAGES], images=IMAGES)
    cand = make_project([(n, "cat", disc(30, 30 + SHIFTS[n], 10)) for n in IMAGES], images=IMAGES)
    for p in (ref, cand):
        for image in p.images.values():
            if image.file_name in spaced:
                image.extra["pixel_spacing"] = list(SPACING)
    return ref, cand


def expected(name: str, spaced: bool) -> dict[str, float]:
    return brute(disc(30, 30, 10), disc(30, 30 + SHIFTS[name], 10), 2.0, SPACING if spaced else (1, 1))


def test_mixed_spacing_keeps_each_image_in_its_unit_and_never_averages_mm_with_px() -> None:
    result = run_qa(*projects())
    rows = {r.file_name: r for r in result.per_image}
    for name, row in rows.items():
        want = expected(name, name == "mm.png")
        assert row.comparison.unit == ("mm" if name == "mm.png" else "px")
        for field in ("hd", "hd95", "assd", "masd", "nsd"):
            assert row.value(field) == pytest.approx(want[field], abs=1e-9), (name, field)
    for agg in (result.summary(), result.per_class()[0]):
        assert agg["unit"] == "mixed"
        assert all(math.isnan(agg[f]) for f in ("hd", "hd95", "assd", "masd", "nsd"))
        assert agg["dice"] == pytest.approx(np.mean([r.dice for r in rows.values()]))  # unitless: all
        mm, px = agg["by_unit"]["mm"], agg["by_unit"]["px"]
        assert (mm["n_rows"], px["n_rows"]) == (1, 2)
        for field in ("hd", "hd95", "assd", "nsd"):
            assert mm[field] == pytest.approx(expected("mm.png", True)[field])
            both = [expected(n, False)[field] for n in ("px1.png", "px2.png")]
            assert px[field] == pytest.approx(np.mean(both))
    assert any("mm.png" not in p and "px1.png" in p and "pixel_spacing" in p for p in result.problems)


@pytest.mark.parametrize(("spaced", "unit"), [(IMAGES, "mm"), ((), "px")])
def test_one_unit_throughout_gives_plain_means_in_that_unit(spaced, unit) -> None:
    result = run_qa(*projects(spaced))
    s = result.summary()
    assert s["unit"] == unit and "by_unit" not in s
    want = np.mean([expected(n, bool(spaced))["hd95"] for n in IMAGES])
    assert s["hd95"] == pytest.approx(want)
    assert not any("pixel_spacing" in p for p in result.problems)


def test_reports_carry_the_unit_of_every_distance(tmp_path) -> None:
    """JSON: ``unit`` per image, per object and per aggregate (``by_unit`` when mixed, the top-level
    distances null with a reason); CSV: the unit column; HTML: every distance cell with its unit and the
    HD95 chart once per unit. A streamed run writes the same."""
    ref, cand = projects()
    kept = to_dict(run_qa(ref, cand, QAOptions()), "r", "c")
    with StreamedRows(tmp_path) as stream:
        streamed = to_dict(run_qa(ref, cand, QAOptions(), stream=stream), "r", "c")
        write_json(streamed, tmp_path / "s.json")
    write_json(kept, tmp_path / "k.json")
    assert (tmp_path / "s.json").read_bytes() == (tmp_path / "k.json").read_bytes()
    data = json.loads((tmp_path / "k.json").read_text())
    s = data["summary"]
    assert s["unit"] == "mixed" and s["hd95"] is None and "mixed units" in s["hd95_reason"]
    assert s["by_unit"]["mm"]["hd95"] == pytest.approx(expected("mm.png", True)["hd95"])
    assert data["per_class"][0]["unit"] == "mixed"
    assert {r["file_name"]: r["unit"] for r in data["per_image"]} == {"mm.png": "mm", "px1.png": "px",
                                                                      "px2.png": "px"}  # fmt: skip
    assert {r["file_name"]: r["unit"] for r in data["per_object"]} == {"mm.png": "mm", "px1.png": "px",
                                                                       "px2.png": "px"}  # fmt: skip
    write_csv(kept, tmp_path / "rows.csv")
    with (tmp_path / "rows.csv").open(encoding="utf-8-sig") as f:
        assert {r["file_name"]: r["unit"] for r in csv.DictReader(f)}["mm.png"] == "mm"
    write_html(kept, tmp_path / "qa.html")
    page = (tmp_path / "qa.html").read_text()
    mm_hd95 = s["by_unit"]["mm"]["hd95"]
    px_hd95 = s["by_unit"]["px"]["hd95"]
    assert f"{mm_hd95:.4f} mm" in page and f"{px_hd95:.4f} px" in page
    assert "Mean HD95 per class (mm" in page and "Mean HD95 per class (px" in page


def test_an_infinite_distance_is_never_written_as_a_measure(tmp_path) -> None:
    """px2.png's candidate has no object: its HD95 is ∞. The CSV row leaves the cell empty and says why;
    the HTML means that count it as the image diagonal say so beside the figure."""
    ref, cand = projects(())
    cand.remove_annotation(max(cand.annotations))
    data = to_dict(run_qa(ref, cand), "r", "c")
    write_csv(data, tmp_path / "rows.csv")
    with (tmp_path / "rows.csv").open(encoding="utf-8-sig") as f:
        row = next(r for r in csv.DictReader(f) if r["file_name"] == "px2.png")
    assert row["hd95"] == "" and row["hd95_reason"] == "one mask empty" and row["unit"] == "px"
    write_html(data, tmp_path / "qa.html")
    page = (tmp_path / "qa.html").read_text()
    s = data["summary"]
    assert s["hd95_inf_replaced"] == 1
    assert f"{s['hd95']:.4f} px (incl. 1 ∞ as the image diagonal)" in page


def test_a_honeypot_scorecard_over_mm_and_px_keeps_one_hd95_per_unit(tmp_path) -> None:
    """A scorecard's HD95 was null when some honeypots had a pixel_spacing and some not, with no figure
    left anywhere and 'n/a' on the agreement page: each unit's mean HD95 is now kept (hd95_by_unit) and
    shown with its unit."""
    from pixelproof.core.agreement_html import write_html
    from pixelproof.core.scorecards import honeypot_scorecards

    ref, cand = projects()
    (card,) = honeypot_scorecards([("ann", cand)], ref, {"honeypots": {"images": list(IMAGES)}})
    assert card["unit"] == "mixed" and card["hd95"] is None
    px = np.mean([expected(n, False)["hd95"] for n in ("px1.png", "px2.png")])
    assert card["hd95_by_unit"] == pytest.approx({"mm": expected("mm.png", True)["hd95"], "px": px})
    data = {"raters": ["ann"], "images": 0, "iou_threshold": 0.5, "summary": {}, "pairs": [], "per_class": []}
    write_html({**data, "honeypots": [card], "problems": []}, tmp_path / "a.html")
    page = (tmp_path / "a.html").read_text()
    cards = page[page.index("Honeypot scorecards") :]
    assert f"{card['hd95_by_unit']['mm']:.4f} mm" in cards and f"{px:.4f} px" in cards
    json.dumps(card, allow_nan=False)


def test_spacings_that_disagree_are_named_and_the_references_is_used() -> None:
    """The candidate's NIfTI header said 0.25 x 0.4 mm, the reference's 0.5 x 0.8 mm: the distances used the
    candidate's spacing, and nothing said the two disagreed. The reference's is used (the ground truth),
    and problems names the image and both spacings. A spacing equal but for float32 rounding (a NIfTI
    header beside a DICOM's decimal string) is the same spacing: nothing said."""
    ref, cand = projects(IMAGES)
    cand.image_by_file_name("mm.png").extra["pixel_spacing"] = [0.25, 0.4]
    cand.image_by_file_name("px1.png").extra["pixel_spacing"] = [float(np.float32(v)) for v in SPACING]
    result = run_qa(ref, cand)
    rows = {r.file_name: r for r in result.per_image}
    for name in IMAGES:
        want = expected(name, True)  # in the reference's spacing
        assert rows[name].comparison.unit == "mm"
        for field in ("hd", "hd95", "assd", "nsd"):
            assert rows[name].value(field) == pytest.approx(want[field], abs=1e-9), (name, field)
    said = [p for p in result.problems if "pixel_spacing" in p]
    (line,) = said
    assert "mm.png" in line and "px1.png" not in line and "px2.png" not in line, line
    assert "reference [0.5, 0.8] mm" in line and "candidate [0.25, 0.4] mm" in line, line
    assert "the reference's" in line, line


def test_a_spacing_only_the_candidate_gives_is_used_and_said() -> None:
    """An old reference without a pixel_spacing beside a candidate with one: the distances are in the
    candidate's mm (the best there is), but nothing said they were not the reference's. A line now names
    the images; images both sides space (or neither does) are not in it."""
    ref, cand = projects(())
    for name in ("mm.png", "px1.png"):
        cand.image_by_file_name(name).extra["pixel_spacing"] = list(SPACING)
    result = run_qa(ref, cand)
    rows = {r.file_name: r for r in result.per_image}
    for name in ("mm.png", "px1.png"):
        assert rows[name].comparison.unit == "mm"
        assert rows[name].value("hd95") == pytest.approx(expected(name, True)["hd95"], abs=1e-9)
    assert rows["px2.png"].comparison.unit == "px"
    said = [p for p in result.problems if p.startswith("pixel_spacing")]
    assert said == [
        "pixel_spacing only in the candidate on 2 images (mm.png, px1.png); distances use the candidate's"
    ]
    ref, cand = projects(("mm.png",))
    assert not [p for p in run_qa(ref, cand).problems if p.startswith("pixel_spacing")]
