"""``pixelproof qa --fail-under METRIC=V``: a CI gate. The run writes its reports and then exits 3 when a
figure of the summary (the ``(all)`` row) is under its bound or n/a; a bound that cannot be checked is a
usage error before any scoring. Without it every scored run exited 0, whatever its Dice."""

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


def summary(reference: str, candidate: str, out: Path) -> dict:
    assert main(["qa", reference, candidate, "--json", str(out)]) == 0  # no bound: 0
    return json.loads(out.read_text())["summary"]


def test_bounds_met_exit_0_and_say_so(demo, tmp_path: Path, capsys) -> None:
    s = summary(*demo, tmp_path / "plain.json")
    capsys.readouterr()
    args = ["qa", *demo, "--fail-under", f"dice={s['dice']}", "--fail-under", "recall=0.9"]
    assert main(args) == 0  # a bound equal to the figure is met
    out = capsys.readouterr().out
    assert f"every bound met: dice {s['dice']:.4f} >= {s['dice']}, recall {s['recall']:.4f} >= 0.9" in out


def test_a_bound_missed_exits_3_after_writing_the_reports(demo, tmp_path: Path, capsys) -> None:
    s = summary(*demo, tmp_path / "plain.json")
    report, rows = tmp_path / "qa.json", tmp_path / "rows.csv"
    capsys.readouterr()
    args = ["qa", *demo, "--json", str(report), "--csv", str(rows)]
    assert main([*args, "--fail-under", "dice=0.99", "--fail-under", "recall=0.5"]) == 3
    err = capsys.readouterr().err
    assert f"pixelproof: error: dice {s['dice']:.4f} is under 0.99 (--fail-under)" in err
    assert "recall" not in err  # met: not named
    assert json.loads(report.read_text())["summary"] == s and rows.stat().st_size  # the reports, written


def test_a_figure_shown_rounded_up_to_its_bound_is_said_with_its_digits() -> None:
    bound = parse_bound("dice=0.9")
    assert bound.check({"dice": 0.9}) is None
    assert bound.check({"dice": 0.89996}) == "dice 0.89996 is under 0.9 (--fail-under)"  # not "0.9000"
    assert bound.check({"dice": 0.85}) == "dice 0.8500 is under 0.9 (--fail-under)"


def test_an_na_figure_fails_its_bound(demo, capsys) -> None:
    """The demo's classes are no thin structures: clDice is n/a, and a gate on it cannot pass."""
    assert main(["qa", *demo, "--fail-under", "cldice=0"]) == 3
    assert (
        "cldice is n/a (no values (every row n/a)), so not at least 0 (--fail-under)"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("bound", "said"),
    [
        ("volume=3", "'volume' cannot be gated; one of: dice, iou"),
        ("dice", "--fail-under takes METRIC=VALUE or METRIC:CLASS=VALUE (e.g. dice=0.9), got 'dice'"),
        ("dice=high", "--fail-under dice=high: 'high' is not a number"),
        ("dice=1.5", "--fail-under dice=1.5: dice is between 0 and 1, got 1.5"),
        ("dice=nan", "dice is between 0 and 1, got nan"),
    ],
)
def test_a_bound_that_cannot_be_checked_is_a_usage_error(demo, tmp_path: Path, capsys, bound, said) -> None:
    report = tmp_path / "qa.json"
    assert main(["qa", *demo, "--json", str(report), "--fail-under", bound]) == 2
    assert said in capsys.readouterr().err
    assert not report.exists()  # refused before scoring
