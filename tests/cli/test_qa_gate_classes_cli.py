"""``pixelproof qa --fail-under METRIC:CLASS=V`` and ``--fail-over METRIC[:CLASS]=V``: a CI gate on one
class's figure (the per-class table's row) and an upper bound on the figures where lower is better
(distances, object error counts). A bound the wrong way round, an unknown class or metric is a usage error
before scoring; an n/a figure fails its bound with the reason; each miss names metric, class, value and
bound. The demo's figures (px): cell Dice 0.8655, coin HD95 3.1623, cup HD95 5.0, overall HD95 7.5056,
fn 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.demo import install_demo
from pixelproof.core.qa_gate import parse_bound


@pytest.fixture
def demo(tmp_path: Path) -> tuple[str, str]:
    project = install_demo(tmp_path / "demo")
    return str(project.parent / "reference.json"), str(project)


def edit_categories(paths: tuple[str, str], edit) -> None:
    """Apply ``edit`` to the category list of both projects (reference and candidate)."""
    for path in paths:
        data = json.loads(Path(path).read_text())
        data["categories"] = edit(data["categories"])
        Path(path).write_text(json.dumps(data))


def test_a_class_bound_missed_names_class_value_and_bound(demo, tmp_path: Path, capsys) -> None:
    report = tmp_path / "qa.json"
    args = ["qa", *demo, "--json", str(report), "--fail-under", "dice:cell=0.9", "--fail-under", "dice=0.9"]
    assert main(args) == 3  # the summary's Dice (0.9627) meets 0.9: only the class's misses
    err = capsys.readouterr().err
    assert "pixelproof: error: class 'cell': dice 0.8655 is under 0.9 (--fail-under)" in err
    assert err.count("pixelproof: error:") == 1
    cell = next(r for r in json.loads(report.read_text())["per_class"] if r["category"] == "cell")
    assert round(cell["dice"], 4) == 0.8655  # the report, written before the gate


def test_a_class_bound_met_says_the_class_as_the_report_spells_it(demo, capsys) -> None:
    assert main(["qa", *demo, "--fail-under", "dice:Cell=0.8", "--fail-over", "hd95:cup=5px"]) == 0
    out = capsys.readouterr().out
    assert (
        "--fail-under, --fail-over: every bound met: class 'cell': dice 0.8655 >= 0.8, "
        "class 'cup': hd95 5.0000 px <= 5px"
    ) in out


def test_a_class_name_with_spaces_equals_and_colons(demo, capsys) -> None:
    """Split at the last '=' and the first ':': the name between is the class's, whatever it holds."""
    name = "red = blood: cell"
    edit_categories(demo, lambda cats: [{**c, "name": name} if c["name"] == "cell" else c for c in cats])
    assert main(["qa", *demo, "--fail-under", f"dice:{name}=0.9"]) == 3
    assert f"class '{name}': dice 0.8655 is under 0.9 (--fail-under)" in capsys.readouterr().err
    bound = parse_bound(f"dice:{name}=0.9")
    assert (bound.metric, bound.category, bound.limit) == ("dice", name, 0.9)


def test_an_unknown_class_is_a_usage_error_before_scoring(demo, tmp_path: Path, capsys) -> None:
    report = tmp_path / "qa.json"
    assert main(["qa", *demo, "--json", str(report), "--fail-over", "hd95:nucleus=3"]) == 2
    assert (
        "--fail-over hd95:nucleus=3: no class 'nucleus' in either project; the classes: 'cat', 'cell', "
        "'coin', 'cup', 'lesion', 'motorcycle', 'person'"
    ) in capsys.readouterr().err
    assert not report.exists()  # refused before scoring


def test_a_class_with_no_objects_fails_its_bound_as_na(demo, capsys) -> None:
    """A class both projects declare but neither uses has no row: n/a, never a pass."""
    edit_categories(demo, lambda cats: [*cats, {"id": 99, "name": "nucleus"}])
    assert main(["qa", *demo, "--fail-under", "recall:nucleus=0", "--fail-under", "cldice:cat=0"]) == 3
    err = capsys.readouterr().err
    assert (
        "class 'nucleus': recall is n/a (no objects of it on either side), so not at least 0 (--fail-under)"
        in err
    )
    assert "class 'cat': cldice is n/a (no values (every row n/a)), so not at least 0 (--fail-under)" in err


def test_upper_bounds_on_distances_and_counts(demo, tmp_path: Path, capsys) -> None:
    report = tmp_path / "qa.json"
    args = ["qa", *demo, "--json", str(report), "--fail-over", "hd95=5", "--fail-over", "hd95:coin=3"]
    assert main([*args, "--fail-over", "fn=0", "--fail-over", "hd95:lesion=2"]) == 3
    err = capsys.readouterr().err
    assert "pixelproof: error: hd95 7.5056 px is over 5 (--fail-over)" in err
    assert "pixelproof: error: class 'coin': hd95 3.1623 px is over 3 (--fail-over)" in err
    assert "pixelproof: error: fn 1 is over 0 (--fail-over)" in err  # a count, said whole
    assert "lesion" not in err  # 2.0 px: met
    assert report.exists()


def test_a_distance_bound_in_another_unit_fails(demo, capsys) -> None:
    """``5mm`` asks mm: the demo has no pixel spacing (px), so the figure cannot be compared."""
    assert main(["qa", *demo, "--fail-over", "hd95=10mm"]) == 3
    assert "hd95 is in px, the bound 10mm in mm: not comparable (--fail-over)" in capsys.readouterr().err


def test_a_figure_printed_as_an_upper_bound_is_said_with_its_digits() -> None:
    bound = parse_bound("hd95=5", under=False)
    assert bound.check({"hd95": 5.0, "unit": "px"}) is None
    assert bound.check({"hd95": 5.00001, "unit": "px"}) == "hd95 5.00001 px is over 5 (--fail-over)"


@pytest.mark.parametrize(
    ("option", "bound", "said"),
    [
        ("--fail-under", "hd95=5", "--fail-under hd95=5: for hd95 lower is better"),
        ("--fail-under", "hd95=5", "use --fail-over hd95=5"),
        ("--fail-under", "fn:coin=0", "use --fail-over fn:coin=0"),
        ("--fail-over", "dice:cell=0.8", "--fail-over dice:cell=0.8: for dice higher is better"),
        ("--fail-over", "iou=0.8", "use --fail-under iou=0.8"),
        ("--fail-over", "volume=3", "--fail-over: 'volume' cannot be gated; one of: hd, hd95, hd95_pooled"),
        ("--fail-over", "hd95=-1", "--fail-over hd95=-1: hd95 is a finite number >= 0, got -1"),
        ("--fail-over", "hd95=5cm", "--fail-over hd95=5cm: '5cm' is not a number"),
        ("--fail-under", "dice:=0.8", "--fail-under dice:=0.8: no class after ':'"),
    ],
)
def test_a_bound_the_wrong_way_round_is_a_usage_error(
    demo, tmp_path: Path, capsys, option, bound, said
) -> None:
    report = tmp_path / "qa.json"
    assert main(["qa", *demo, "--json", str(report), option, bound]) == 2
    assert said in capsys.readouterr().err
    assert not report.exists()  # refused before scoring


def test_a_class_respelt_by_the_reference_is_the_one_class_qa_scores(demo, capsys) -> None:
    """The reference's 'Cell' is scored as the candidate's 'cell' (qa_categories): 'CELL' names that one
    class, not two to choose from."""
    reference = Path(demo[0])
    data = json.loads(reference.read_text())
    data["categories"] = [{**c, "name": "Cell"} if c["name"] == "cell" else c for c in data["categories"]]
    reference.write_text(json.dumps(data))
    assert main(["qa", *demo, "--fail-under", "dice:CELL=0.9"]) == 3
    assert "class 'cell': dice 0.8655 is under 0.9 (--fail-under)" in capsys.readouterr().err
