"""A frame holding more objects than QA matches (``qa_objects.MAX_IMAGE_OBJECTS``): a tracker's results
with a million boxes on one frame were matched for minutes, then said as "could not be scored:
MemoryError"; COCO AP then said the candidate had no objects, and the tracks table lost its columns at
MOTA -124999.750. The frame is now refused before matching, naming it and the side; AP says how many
images could not be scored; the tracks table widens a column to its widest figure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core.qa_objects import MAX_IMAGE_OBJECTS
from pixelproof.core.qa_tracks import _row, clear_mot, tracks_text
from tests.interop.test_mot import make_sequence


def test_a_frame_of_too_many_boxes_is_refused_by_name(tmp_path: Path, capsys) -> None:
    seq = make_sequence(tmp_path)
    n = MAX_IMAGE_OBJECTS + 1
    results = tmp_path / "results.txt"  # every box on frame 1, each on its own track
    results.write_text(
        "".join(f"1,{i},{i % 100},{(i // 100) % 60},10,10,0.9,-1,-1,-1\n" for i in range(1, n + 1))
    )
    report = tmp_path / "qa.json"
    main(["qa", str(seq), str(results), "--json", str(report)])
    out = capsys.readouterr()
    said = out.out + out.err
    refused = f"MOT17-02/img1/000001.png: could not be scored: the candidate has {n:,} objects on this image"
    assert refused in said and "MemoryError" not in said
    data = json.loads(report.read_text())
    assert any(p.startswith(refused) for p in data["problems"])
    assert any(
        p.startswith("tracks: left out MOT17-02/img1/000001.png: the candidate has") for p in data["problems"]
    )
    note = data["ap"]["note"] or ""
    assert "could not be scored" in note and "1 image" in note  # not "the candidate has no objects" alone
    assert data["tracks"]["overall"]["num_false_positives"] == 0  # the refused frame counted nowhere


def test_tracks_table_keeps_its_columns_for_wide_figures() -> None:
    boxes = np.array([[x % 400, (x // 400) * 12, 10, 10] for x in range(2000)], dtype=np.float64)
    frames = [([1], np.array([[1000.0, 1000.0, 10.0, 10.0]]), list(range(2000)), boxes)]
    wide = {"sequence": "crowd", **_row(clear_mot(frames))}  # MOTA -2000.000 (1 - 2001 / 1), FP 2000
    small = {"sequence": "street", **_row(clear_mot([([1], boxes[:1], [7], boxes[:1])]))}
    tracks = {"iou_threshold": 0.5, "per_sequence": [wide, small], "overall": {**small, "sequence": "(all)"}}
    lines = tracks_text(tracks)[1:]
    assert "-2000.000" in lines[1]
    ends = [
        [m for m in range(1, len(line) + 1) if line[m - 1] != " " and (m == len(line) or line[m] == " ")]
        for line in lines
    ]
    assert all(e[1:] == ends[0][1:] for e in ends), "\n".join(
        lines
    )  # every column ends where its heading does
