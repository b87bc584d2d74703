"""``pixelproof qa`` on a slide: its distances printed in µm, as the review view and README write them,
and the NSD tolerance it used said in the header (2 µm by default on a slide, 2 mm on a CT, a given
``--nsd-tau`` as given)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from tests.core.test_qa_nsd_tau import CT, SLIDE, pair


def qa(capsys, tmp_path: Path, spacing, reach: int, *flags: str) -> tuple[dict[str, list[str]], str, dict]:
    ref, cand = pair(spacing, reach)
    save_project(ref, tmp_path / "ref.json")
    save_project(cand, tmp_path / "cand.json")
    capsys.readouterr()
    out = tmp_path / "qa.json"
    assert (
        main(["qa", str(tmp_path / "ref.json"), str(tmp_path / "cand.json"), "--json", str(out), *flags]) == 0
    )
    text = capsys.readouterr().out
    lines = text.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("category"))
    cols = lines[header].split()
    rows = {line.split()[0]: line.split() for line in lines[header + 1 : header + 3]}  # tumor, (all)
    return {"cols": cols, **rows}, text, json.loads(out.read_text())


def test_a_slides_distances_print_in_um_and_the_tau_it_used(capsys, tmp_path: Path) -> None:
    page = tmp_path / "qa.html"
    rows, text, data = qa(capsys, tmp_path, SLIDE, 90, "--html", str(page))  # 90 px = 22.5 µm
    assert rows["cols"][4:6] == ["hd95", "assd"]  # after dice and iou, each distance with its unit
    assert rows["tumor"][4:6] == ["22.5000", "µm"] and rows["(all)"][4:6] == ["22.5000", "µm"], rows
    assert data["summary"]["hd95"] == pytest.approx(0.0225)  # the JSON stays in mm
    assert "NSD tolerance: 2 µm on 1 image (default for a pixel under 0.01 mm, a slide's)" in text
    assert data["options"]["nsd_tau"] == "auto"
    html = page.read_text(encoding="utf-8")  # the HTML page writes it as the terminal does
    assert "<td>22.5000 µm</td>" in html and "0.0225 mm" not in html
    assert "NSD tolerance used: 2 µm on 1 image" in html


def test_a_ct_prints_mm_and_two_mm(capsys, tmp_path: Path) -> None:
    rows, text, data = qa(capsys, tmp_path, CT, 2)
    assert rows["tumor"][4:6] == ["1.4000", "mm"] and "µm" not in text, rows
    assert "NSD tolerance: 2 mm on 1 image (default for a pixel spacing from 0.01 mm)" in text
    assert data["per_image"][0]["nsd"] == 1.0


def test_a_given_tau_wins_and_is_said(capsys, tmp_path: Path) -> None:
    _, text, data = qa(capsys, tmp_path, SLIDE, 1000, "--nsd-tau", "0.5")
    assert "NSD tolerance: 500 µm on 1 image (given)" in text
    assert data["options"]["nsd_tau"] == 0.5 and data["per_image"][0]["nsd"] == 1.0
