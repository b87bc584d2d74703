"""``pixelproof qa`` on two COCO person_keypoints files: ``--class-csv`` carries the JSON's ``keypoints``
figures per class (mean OKS, keypoint AP), read back as a spreadsheet would; without keypoints on both
sides it has no keypoint column."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from pixelproof.core.keypoint_oks import KEYPOINT_STATS
from tests.core.test_qa_keypoints import _project, scene

CLASSES = ("person", "robot")


def _files(tmp_path: Path, seed: int = 8, scores: bool = True, keypoints: bool = True) -> list[Path]:
    refs, cands = scene(seed, 17, CLASSES)
    for c in cands:
        if not scores:
            c.pop("score")
    save_project(_project(refs, CLASSES, 17, range(1, 6)), tmp_path / "ref.json")
    cand = _project(cands, CLASSES, 17, (1, 2, 3, 5))
    if not keypoints:
        for a in cand.annotations.values():
            a.extra.pop("keypoints", None)
    save_project(cand, tmp_path / "cand.json")
    return [tmp_path / "ref.json", tmp_path / "cand.json"]


def _cell(v: str) -> float | None:
    return None if v == "" else float(v)


def _run(tmp_path: Path, *more: str) -> tuple[int, dict, dict[str, dict[str, str]]]:
    ref, cand = _files(tmp_path, **({"scores": False} if "no-scores" in more else {}))
    args = ["qa", str(ref), str(cand), "--json", str(tmp_path / "qa.json")]
    code = main([*args, "--class-csv", str(tmp_path / "classes.csv")])
    data = json.loads((tmp_path / "qa.json").read_text(encoding="utf-8"))
    with (tmp_path / "classes.csv").open(newline="", encoding="utf-8-sig") as fh:
        rows = {r["category"]: r for r in csv.DictReader(fh)}
    return code, data, rows


def test_class_csv_has_the_jsons_keypoint_figures(tmp_path, capsys) -> None:
    code, data, rows = _run(tmp_path)
    capsys.readouterr()
    assert code == 0
    section = data["keypoints"]
    assert section["computed"]
    want = {r["category"]: r for r in section["per_class"]}
    want["(all)"] = section["summary"]
    assert set(want) <= set(rows)
    for name, kp in want.items():
        row = rows[name]
        assert int(row["keypoints_pairs"]) == kp["pairs"], name
        assert _cell(row["keypoints_mean_oks"]) == kp["mean_oks"], name
        for stat in KEYPOINT_STATS:
            assert _cell(row[f"keypoints_{stat}"]) == kp[stat], (name, stat)
        if name != "(all)":
            assert int(row["keypoints_n_reference"]) == kp["n_reference"]
    assert 0 < float(rows["(all)"]["keypoints_AP"]) < 1
    header = list(next(iter(rows.values())))
    at = header.index("keypoints_pairs")  # after COCO box AP, as the JSON's sections come
    assert header.index("bbox_ARl") < at
    assert header[at : at + 3] == ["keypoints_pairs", "keypoints_mean_oks", "keypoints_n_reference"]


def test_class_csv_without_scores_has_oks_but_no_keypoint_ap(tmp_path, capsys) -> None:
    code, data, rows = _run(tmp_path, "no-scores")
    capsys.readouterr()
    assert code == 0 and not data["keypoints"]["computed"]
    for kp in data["keypoints"]["per_class"]:
        assert _cell(rows[kp["category"]]["keypoints_mean_oks"]) == kp["mean_oks"]
    assert not any(k.startswith("keypoints_A") for k in next(iter(rows.values())))


def test_class_csv_has_no_keypoint_columns_without_keypoints(tmp_path, capsys) -> None:
    ref, cand = _files(tmp_path, keypoints=False)
    out = tmp_path / "classes.csv"
    assert main(["qa", str(ref), str(cand), "--class-csv", str(out)]) == 0
    capsys.readouterr()
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert "bbox_AP" in header and not any(k.startswith("keypoints_") for k in header)


def test_a_class_without_keypoints_has_empty_keypoint_cells() -> None:
    from pixelproof.core.report_ap import keypoint_cells

    section = {"computed": True, "summary": {"pairs": 3, "mean_oks": 0.5}, "per_class": []}
    cells = keypoint_cells(section, "car")
    assert list(cells) == ["keypoints_pairs", "keypoints_mean_oks", "keypoints_n_reference"] + [
        f"keypoints_{n}" for n in KEYPOINT_STATS
    ]
    assert set(cells.values()) == {None}
    assert keypoint_cells(None, "car") == {}


def _gate(tmp_path: Path, *bounds: str, scores: bool = True, keypoints: bool = True) -> tuple[int, dict]:
    ref, cand = _files(tmp_path, scores=scores, keypoints=keypoints)
    out = tmp_path / "qa.json"
    code = main(["qa", str(ref), str(cand), "--json", str(out), *bounds])
    return code, json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}


def test_fail_under_gates_on_mean_oks_and_keypoint_ap(tmp_path, capsys) -> None:
    """``--fail-under oks=V`` and ``kp_ap[:CLASS]=V`` read the JSON's keypoints section: 0 when met (said
    with the figure), 3 when under, each miss named on stderr."""
    code, data = _gate(tmp_path, "--fail-under", "oks=0.05", "--fail-under", "kp_ap:person=0.01")
    out = capsys.readouterr().out
    section = data["keypoints"]
    person = next(r for r in section["per_class"] if r["category"] == "person")
    assert code == 0, out
    assert f"every bound met: oks {section['summary']['mean_oks']:.4f} >= 0.05" in out
    assert f"class 'person': kp_ap {person['AP']:.4f} >= 0.01" in out
    code, _ = _gate(
        tmp_path,
        "--fail-under",
        "oks=0.99",
        "--fail-under",
        "kp_ap50=0.01",
        "--fail-under",
        "kp_ap:robot=0.99",
    )
    err = capsys.readouterr().err
    robot = next(r for r in section["per_class"] if r["category"] == "robot")
    assert code == 3
    assert f"oks {section['summary']['mean_oks']:.4f} is under 0.99 (--fail-under)" in err
    assert f"class 'robot': kp_ap {robot['AP']:.4f} is under 0.99" in err
    assert "kp_ap50" not in err  # met


def test_a_keypoint_bound_is_missed_when_the_figure_is_na(tmp_path, capsys) -> None:
    code, _ = _gate(tmp_path, "--fail-under", "kp_ap=0.1", "--fail-under", "oks=0.05", scores=False)
    err = capsys.readouterr().err
    assert code == 3
    assert "kp_ap is n/a (keypoint AP not computed: the candidate's objects carry no scores)" in err
    assert "oks" not in err  # OKS needs no scores: met
    code, _ = _gate(tmp_path, "--fail-under", "oks=0.1", keypoints=False)
    err = capsys.readouterr().err
    assert code == 3 and "oks is n/a (no objects with keypoints on both sides), so not at least 0.1" in err


def test_keypoint_bounds_are_lower_bounds(tmp_path, capsys) -> None:
    code, _ = _gate(tmp_path, "--fail-over", "oks=0.5")
    assert code == 2 and "use --fail-under oks=0.5" in capsys.readouterr().err
    code, _ = _gate(tmp_path, "--fail-under", "kp_ap=1.5")
    assert code == 2 and "between 0 and 1" in capsys.readouterr().err
