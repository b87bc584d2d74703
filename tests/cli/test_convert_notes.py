"""``convert`` counts a reader's problems, not its lines of information: a COCO export of two splits is
read "as one project" and its images found in ``images/<split>/`` (both said on stderr, as notes), while
only the object ids renumbered are a problem; nothing was left out, so the exit status stays 0."""

from __future__ import annotations

import shutil
from pathlib import Path

from pixelproof.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "coco_dataset" / "coco_instances"


def test_notes_are_printed_but_not_counted_as_problems(tmp_path: Path, capsys) -> None:
    src = tmp_path / "export"
    shutil.copytree(DATA, src)
    out = tmp_path / "out.json"
    assert main(["convert", str(src), str(out), "--from", "coco", "--to", "coco"]) == 0
    captured = capsys.readouterr()
    assert "as one project; each image's split is its file's" in captured.err  # still said
    assert captured.err.count("their names now lead there") == 2
    assert "1 annotation id also in an earlier file" in captured.err
    summary = captured.out.strip().splitlines()[-1]
    assert summary.endswith("; 1 problem"), summary  # 4 before: the three notes counted


def test_qupath_cells_note_is_no_problem(tmp_path: Path, capsys) -> None:
    """A QuPath export whose only line is how its cells were read (the boundary, the nucleus kept):
    said on stderr, but no problem counted, exit 0 (it printed "1 problem")."""
    import json

    import numpy as np
    from PIL import Image

    src = tmp_path / "qp"
    src.mkdir()
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(src / "slide.png")
    square = [[[10, 10], [30, 10], [30, 30], [10, 30], [10, 10]]]
    nucleus = [[[15, 15], [20, 15], [20, 20], [15, 20], [15, 15]]]
    cell = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": square},
        "nucleusGeometry": {"type": "Polygon", "coordinates": nucleus},
        "properties": {"objectType": "cell", "classification": {"name": "Tumor"}},
    }
    (src / "slide.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [cell]}))
    out = tmp_path / "out.json"
    assert main(["convert", str(src), str(out), "--from", "geojson", "--to", "coco"]) == 0
    captured = capsys.readouterr()
    assert "1 cell: the cell boundary is read, its nucleusGeometry kept" in captured.err  # still said
    summary = captured.out.strip().splitlines()[-1]
    assert "problem" not in summary and summary.endswith("1 annotation, 1 category"), summary
