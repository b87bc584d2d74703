"""``pixelproof qa`` on two projects with tracks: the printed tracking section, the JSON's ``tracks`` and
``--tracks-csv``, their figures motmetrics'; projects without tracks print no section."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord

mm = pytest.importorskip("motmetrics")

# track -> box per frame (None: not on that frame). The tracker follows 1 with 10, then 12 (a switch),
# loses 2 on frame 2 (a fragmentation) and adds 99 on frame 3.
REFERENCE = {1: [[10, 10, 20, 20], [15, 10, 20, 20], [20, 10, 20, 20], [25, 10, 20, 20]]}
REFERENCE[2] = [[200, 100, 30, 30], [195, 100, 30, 30], [190, 100, 30, 30], [185, 100, 30, 30]]
CANDIDATE = {10: [[11, 10, 20, 20], [16, 11, 20, 20], None, None]}
CANDIDATE[12] = [None, None, [21, 10, 20, 20], [26, 11, 20, 20]]
CANDIDATE[11] = [[199, 101, 30, 30], [196, 99, 30, 30], None, [184, 100, 30, 30]]
CANDIDATE[99] = [None, None, None, [400, 300, 20, 20]]
FRAMES = 4


def write(tracks, path, track=True):  # type: ignore[no-untyped-def]
    p = new_project(["car"])
    p.add_image(ImageRecord(50, "street/still.png", 640, 480))
    for f in range(FRAMES):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 640, 480))
        for t, boxes in tracks.items():
            if boxes[f] is not None:
                extra = {"track_id": t} if track else {}
                n = len(p.annotations) + 1
                p.add_annotation(Annotation(n, f + 1, 1, list(map(float, boxes[f])), area=1.0, extra=extra))
    save_project(p, path)
    return str(path)


def motmetrics_figures(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    if not hasattr(np, "asfarray"):  # motmetrics 1.4's iou_matrix calls it; NumPy 2 removed it
        monkeypatch.setattr(np, "asfarray", lambda a: np.asarray(a, dtype=np.float64), raising=False)
    acc = mm.MOTAccumulator(auto_id=True)
    for f in range(FRAMES):
        refs = [t for t in sorted(REFERENCE) if REFERENCE[t][f] is not None]
        cands = [t for t in sorted(CANDIDATE) if CANDIDATE[t][f] is not None]
        dist = mm.distances.iou_matrix(
            [REFERENCE[t][f] for t in refs], [CANDIDATE[t][f] for t in cands], max_iou=0.5
        )
        acc.update(refs, cands, dist)
    names = ["mota", "motp", "idf1", "idp", "idr", "num_switches", "num_fragmentations"]
    names += ["mostly_tracked", "num_false_positives", "num_misses"]
    got = mm.metrics.create().compute(acc, metrics=names, return_dataframe=False)
    return {k: float(v) for k, v in got.items()}


def test_qa_prints_the_tracking_section_and_writes_it(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ref, cand = write(REFERENCE, tmp_path / "ref.json"), write(CANDIDATE, tmp_path / "cand.json")
    out_json, out_csv = tmp_path / "qa.json", tmp_path / "tracks.csv"
    assert main(["qa", ref, cand, "--json", str(out_json), "--tracks-csv", str(out_csv)]) == 0
    want = motmetrics_figures(monkeypatch)
    assert want["num_switches"] == 1 and want["num_fragmentations"] == 1 and want["num_false_positives"] == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    head = lines.index("tracks: 1 sequence, box IoU >= 0.5, class-agnostic (MOTP: mean 1 - IoU)")
    heads = "sequence MOTA MOTP IDF1 IDP IDR IDsw frag MT PT ML FP FN"
    assert lines[head + 1].split() == heads.split(" ")
    row = lines[head + 2].split()
    assert row[0] == "clip"
    assert row[1:6] == [f"{want[k]:.3f}" for k in ("mota", "motp", "idf1", "idp", "idr")]
    assert row[6:8] == ["1", "1"] and row[11:] == ["1", "1"]
    tracks = json.loads(out_json.read_text())["tracks"]
    for name, value in want.items():
        assert tracks["overall"][name] == pytest.approx(value, abs=1e-9), name
    assert [r["sequence"] for r in tracks["per_sequence"]] == ["clip"]  # street/ has no track
    rows = list(csv.DictReader(out_csv.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["sequence"] for r in rows] == ["clip", "(all)"]
    assert float(rows[0]["idf1"]) == pytest.approx(want["idf1"], abs=1e-9)
    assert rows[0]["num_switches"] == "1"


def test_projects_without_tracks_print_no_section(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    ref = write(REFERENCE, tmp_path / "ref.json", track=False)
    cand = write(CANDIDATE, tmp_path / "cand.json", track=False)
    out_csv = tmp_path / "tracks.csv"
    assert main(["qa", ref, cand, "--tracks-csv", str(out_csv)]) == 0
    captured = capsys.readouterr()
    assert "tracks:" not in captured.out
    assert "header only, no tracking figures (both projects need objects on tracks)" in captured.err
    assert out_csv.read_text(encoding="utf-8-sig").splitlines()[0].startswith("sequence,mota,mota_reason,")
