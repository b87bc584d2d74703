"""``pixelproof agreement`` prints, writes (--json) and pages (--html) each annotator's agreement with the
others, worst first: the annotator who needs training is on top."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from tests.core.test_agreement_per_annotator import _project


def test_agreement_ranks_the_annotator_off_the_others_first_in_print_json_and_page(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    paths = []
    for name in ("ann", "bob", "cy"):
        p = _project(name)
        p.path = tmp_path / f"{name}.json"
        save_project(p)
        paths.append(str(p.path))
    report, page = tmp_path / "agreement.json", tmp_path / "agreement.html"
    assert main(["agreement", *paths, "--json", str(report), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    data = json.loads(report.read_text())
    rows = data["per_annotator"]
    assert rows[0]["annotator"] == "cy"
    assert set(rows[0]) == {
        "annotator", "images", "others", "rows", "dice", "iou", "f1", "tp", "fp", "fn", "n_both_empty",
        "consensus_images", "consensus_dice", "consensus_iou",
    }  # fmt: skip
    assert all("rows" in p for p in data["pairs"])
    table = out[out.index("per annotator, worst first") :].splitlines()[2:5]
    assert [line.split()[0] for line in table] == [a["annotator"] for a in rows]
    cy = table[0].split()
    assert cy[1:] == [str(rows[0]["images"])] + [
        f"{rows[0][k]:.3f}" for k in ("dice", "iou", "f1", "consensus_dice")
    ]
    html = page.read_text()
    section = html[html.index("<h2>Per annotator") : html.index("Mean Dice per annotator")]
    assert [m for m in re.findall(r"<td><bdi>(ann|bob|cy)</bdi></td>", section)] == [
        a["annotator"] for a in rows
    ]
