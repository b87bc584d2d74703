"""MOTChallenge sequences (interop.mot): a hand-made sequence read with its tracks, classes, ignored boxes
and visibility; read -> write -> read equal; a tracker's results file scored by ``pixelproof qa`` as
py-motmetrics' own MOT reader and accumulator score it; hostile lines skipped and said with file:line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.clipboard import track_of
from pixelproof.core.model import Annotation, Project
from pixelproof.interop.formats import FORMATS, detect_format
from pixelproof.interop.mot_writer import SHIFTED

MOT = FORMATS["mot"]

# frame,id,x,y,w,h,conf,class,visibility: two pedestrians crossing, a car the benchmark ignores (conf 0)
GT = """\
1,1,10,10,20,30,1,1,1
2,1,14,10,20,30,1,1,0.75
3,1,18,10,20,30,1,1,0.5
4,1,22,10,20,30,1,1,1
1,2,60,12,18,28,1,1,1
2,2,56,12,18,28,1,1,1
3,2,52,12,18,28,1,1,1
4,2,48,12,18.5,28.25,1,1,1
2,3,80,40,30,15,0,3,0.25
3,3,80,40,30,15,0,3,0.25
"""


def make_sequence(root: Path, name: str = "MOT17-02", frames: int = 4, gt: str = GT) -> Path:
    seq = root / name
    (seq / "img1").mkdir(parents=True)
    (seq / "gt").mkdir()
    for f in range(1, frames + 1):
        Image.new("RGB", (120, 80), (f * 40, 0, 0)).save(seq / "img1" / f"{f:06d}.png")
    (seq / "seqinfo.ini").write_text(
        f"[Sequence]\nname={name}\nimDir=img1\nframeRate=25\nseqLength={frames}\n"
        "imWidth=120\nimHeight=80\nimExt=.png\n"
    )
    (seq / "gt" / "gt.txt").write_text(gt)
    return seq


def content(project: Project) -> set[tuple]:
    out = set()
    for a in project.annotations.values():
        cat = project.categories[a.category_id]
        seen = (a.app_extra.get("mot") or {}).get("visibility")
        image = project.images[a.image_id].file_name
        out.add((image, cat.name, cat.void, tuple(a.bbox), track_of(a), seen, a.score))
    return out


def test_sequence_reads_tracks_classes_and_ignored_boxes(tmp_path: Path) -> None:
    seq = make_sequence(tmp_path)
    assert detect_format(seq) is MOT and detect_format(tmp_path) is MOT  # a sequence, a folder of them
    result = MOT.read(seq)
    project = result.project
    assert result.problems == []
    assert sorted(i.file_name for i in project.images.values()) == [
        f"MOT17-02/img1/00000{f}.png" for f in range(1, 5)
    ]
    assert {(c.name, c.void) for c in project.categories.values()} == {
        ("pedestrian", False),
        ("car (ignored)", True),
    }
    got = content(project)
    assert ("MOT17-02/img1/000002.png", "pedestrian", False, (14.0, 10.0, 20.0, 30.0), 1, 0.75, None) in got
    assert ("MOT17-02/img1/000003.png", "car (ignored)", True, (80.0, 40.0, 30.0, 15.0), 3, 0.25, None) in got
    assert len(got) == 10
    assert all(project.image_status(i) == "done" for i in project.images)
    assert project.images[1].extra["pixelproof"]["mot"] == {"frame_rate": 25}


def test_read_write_read_is_equal(tmp_path: Path) -> None:
    first = MOT.read(make_sequence(tmp_path / "in")).project
    warnings = MOT.write(first, tmp_path / "out", images="copy")
    assert warnings == []
    seq = tmp_path / "out" / "MOT17-02"
    assert sorted(p.name for p in (seq / "img1").iterdir()) == [f"00000{f}.png" for f in range(1, 5)]
    info = (seq / "seqinfo.ini").read_text()
    assert "frameRate=25" in info and "seqLength=4" in info and "imWidth=120" in info and "imExt=.png" in info
    assert (seq / "gt" / "gt.txt").read_text().splitlines()[:2] == [
        "1,1,10,10,20,30,1,1,1",
        "1,2,60,12,18,28,1,1,1",
    ]
    second = MOT.read(tmp_path / "out").project
    assert content(second) == content(first)
    assert {(c.name, c.void) for c in second.categories.values()} == {
        (c.name, c.void) for c in first.categories.values()
    }


def test_export_gives_objects_without_track_new_ids_and_says_shapes(tmp_path: Path) -> None:
    project = MOT.read(make_sequence(tmp_path / "in")).project
    image = next(i for i in project.images.values() if i.file_name.endswith("000001.png"))
    ped = next(c for c in project.categories.values() if c.name == "pedestrian")
    bike = project.add_category(type(ped)(99, "unicycle"))
    poly = [[5.0, 50.0, 25.0, 50.0, 25.0, 70.0]]
    project.add_annotation(Annotation(500, image.id, bike.id, [5.0, 50.0, 20.0, 20.0], poly, 200.0))
    warnings = MOT.write(project, tmp_path / "out", images="link")
    assert "1 object without a track of its own on its frame given a new track id" in warnings
    assert "1 polygon/mask object written as their bounding boxes (MOT holds boxes)" in warnings
    assert (
        "1 category not among MOT17's classes written as a class number from 14 on: 'unicycle' as 14"
        in warnings
    )
    lines = (tmp_path / "out" / "MOT17-02" / "gt" / "gt.txt").read_text().splitlines()
    assert "1,4,5,50,20,20,1,14,1" in lines  # after the highest track id, 3
    back = MOT.read(tmp_path / "out").project
    assert "unicycle" in {c.name for c in back.categories.values()}  # gt/labels.txt names class 14


def test_a_project_with_track_0_is_written_from_id_1_and_round_trips(tmp_path: Path) -> None:
    """New Track's first track is 0, and gt.txt got id 0: MOTChallenge ids count from 1 (Datumaro, so CVAT's
    MOT import, reads 0 as no track). Every track is written one up, said; read back, the tracks are the same
    objects apart as before, and written again the file is the same (no track 0 left to shift)."""
    project = MOT.read(make_sequence(tmp_path / "in")).project
    for a in project.annotations.values():
        a.extra["track_id"] -= 1  # tracks 0, 1, 2: as labelled in the app
    before = {(a.image_id, tuple(a.bbox)): track_of(a) for a in project.annotations.values()}
    warnings = MOT.write(project, tmp_path / "out", images="copy")
    assert SHIFTED in warnings
    gt = (tmp_path / "out" / "MOT17-02" / "gt" / "gt.txt").read_text()
    assert sorted(gt.splitlines()) == sorted(GT.splitlines())  # ids 1, 2, 3 as in MOT17: none is 0
    back = MOT.read(tmp_path / "out").project
    after = {(a.image_id, tuple(a.bbox)): track_of(a) for a in back.annotations.values()}
    assert after == {k: t + 1 for k, t in before.items()}  # the same tracks, numbered as the file says
    assert MOT.write(back, tmp_path / "again", images="copy") == []
    assert (tmp_path / "again" / "MOT17-02" / "gt" / "gt.txt").read_text() == gt


@pytest.fixture
def _asfarray(monkeypatch: pytest.MonkeyPatch) -> None:
    """motmetrics 1.4's ``iou_matrix`` calls ``np.asfarray``, which NumPy 2 removed: given back for it."""
    if not hasattr(np, "asfarray"):
        monkeypatch.setattr(np, "asfarray", lambda a: np.asarray(a, dtype=np.float64), raising=False)


# a tracker: finds track 1 (as 7) throughout, switches track 2 from 8 to 9 on frame 3, one extra box, misses
# track 2 on frame 4 (a box too far off), a box on the ignored car
RESULTS = """\
1,7,11,10,20,30,0.9,-1,-1,-1
2,7,15,11,20,30,0.8,-1,-1,-1
3,7,18,12,20,30,0.9,-1,-1,-1
4,7,23,10,20,30,0.7,-1,-1,-1
1,8,60,13,18,28,0.9,-1,-1,-1
2,8,57,12,18,28,0.9,-1,-1,-1
3,9,52,13,18,28,0.6,-1,-1,-1
4,9,70,30,18,28,0.6,-1,-1,-1
2,10,100,60,10,10,0.3,-1,-1,-1
3,11,81,40,30,15,0.5,-1,-1,-1
"""


TRACK_FIGURES = {"mota", "motp", "idf1", "idp", "idr", "precision", "recall", "num_switches"}
TRACK_FIGURES |= {"num_false_positives", "num_misses", "num_fragmentations", "mostly_tracked", "mostly_lost"}


def _qa(reference: Path, candidate: Path, report: Path) -> dict:
    assert main(["qa", str(reference), str(candidate), "--json", str(report)]) == 0
    return json.loads(report.read_text())


@pytest.mark.usefixtures("_asfarray")
def test_results_file_scored_by_qa_as_motmetrics_scores_it(tmp_path: Path) -> None:
    """``qa SEQ/ results.txt`` and ``qa gt.txt results.txt`` (the results file as the candidate as it is)
    give py-motmetrics' figures, the same as converting the results to a project first."""
    mm = pytest.importorskip("motmetrics")
    seq = make_sequence(tmp_path / "MOT17" / "train")
    results = tmp_path / "results" / "MOT17-02.txt"
    results.parent.mkdir()
    results.write_text(RESULTS)
    tracker = tmp_path / "tracker.json"
    # the route of converting first
    assert (
        main(
            ["convert", str(results), str(tracker), "--from", "mot", "--to", "coco", "--image-dir", str(seq)]
        )
        == 0
    )
    converted = _qa(seq, tracker, tmp_path / "converted.json")["tracks"]["overall"]
    other_name = tmp_path / "results" / "tracker.txt"  # the reference's only sequence, whatever the name
    other_name.write_text(RESULTS)
    direct = [
        _qa(seq, results, tmp_path / "direct.json")["tracks"]["overall"],
        _qa(seq.parent, results, tmp_path / "dataset.json")["tracks"]["overall"],  # named by the file
        _qa(seq / "gt" / "gt.txt", other_name, tmp_path / "gt.json")["tracks"]["overall"],
    ]

    gt = mm.io.loadtxt(str(seq / "gt" / "gt.txt"), fmt="mot15-2D", min_confidence=1)
    ts = mm.io.loadtxt(str(results), fmt="mot15-2D")
    acc = mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5)
    theirs = mm.metrics.create().compute(acc, metrics=mm.metrics.motchallenge_metrics, return_dataframe=False)
    assert theirs["num_switches"] == 1 and theirs["num_false_positives"] >= 2
    for name in TRACK_FIGURES:
        value = float(theirs[name])
        assert converted[name] is not None and not math.isnan(value), name
        assert converted[name] == pytest.approx(value, abs=1e-9), name
    for tracks in direct:
        assert {k: tracks[k] for k in TRACK_FIGURES} == {k: converted[k] for k in TRACK_FIGURES}


def test_results_file_against_one_class_is_scored_as_it_and_said(tmp_path: Path, capsys) -> None:
    """A results file's boxes are all 'object': against MOT17's ground truth (pedestrians; the car is a box
    the benchmark ignores) they are scored as 'pedestrian', said; against two classes, left as they are."""
    seq = make_sequence(tmp_path)
    results = tmp_path / "MOT17-02.txt"
    results.write_text(RESULTS)
    data = _qa(seq, results, tmp_path / "one.json")
    err = capsys.readouterr().err
    assert f"{results}: the candidate names no class (its objects are all 'object'): scored as the " in err
    assert "reference's only class 'pedestrian'" in err
    (row,) = data["per_class"]
    assert row["category"] == "pedestrian" and row["tp"] == 7 and data["summary"]["wrong_class"] == 0

    two = make_sequence(
        tmp_path / "two", gt=GT.replace("4,2,48,12,18.5,28.25,1,1,1", "4,2,48,12,18.5,28.25,1,3,1")
    )
    data = _qa(two, results, tmp_path / "two.json")
    err = capsys.readouterr().err
    assert "scored as the reference's only class" not in err
    assert {r["category"] for r in data["per_class"]} == {"pedestrian", "car", "object"}
    assert data["summary"]["tp"] == 0
    # the first warning says what that means and which figures to read, before the per-class ones
    first = err.splitlines()[0]
    assert first.startswith("pixelproof: warning: the candidate names no class of the reference: its ")
    assert "Read the tracking figures (class-agnostic): MOTA " in first and data["problems"][0] in first


def test_results_file_qa_cannot_place_is_said_with_the_sequences(tmp_path: Path, capsys) -> None:
    """A results file named as none of several sequences of the reference: the file and the sequences
    named, nothing scored; a bad line of one it can place is said with its file:line."""
    train = tmp_path / "train"
    make_sequence(train)
    make_sequence(train, "MOT17-04")
    results = tmp_path / "MOT17-09.txt"
    results.write_text(RESULTS)
    assert main(["qa", str(train), str(results)]) == 1
    err = capsys.readouterr().err
    assert f"{results}: a tracker's results file holds no frames" in err
    assert f"the reference {train} has no sequence MOT17-09 (its sequences: MOT17-02, MOT17-04)" in err
    placed = tmp_path / "MOT17-04.txt"
    placed.write_text(RESULTS + "2,12,nan,1,1,1,1,-1,-1,-1\n")
    assert main(["qa", str(train), str(placed)]) == 0
    assert f"{placed}:11: NaN or infinite value; line skipped" in capsys.readouterr().err


HOSTILE = [
    ("1,2,nan,10,20,30,1,1,1", "NaN or infinite value; line skipped"),
    ("1,3,10,inf,20,30,1,1,1", "NaN or infinite value; line skipped"),
    ("1,4,10,10,-5,30,1,1,1", "negative width or height (-5 x 30); line skipped"),
    ("1000000000000,5,10,10,20,30,1,1,1", "frame '1000000000000' is no frame number (0 to 999,999,999)"),
    ("-1,5,10,10,20,30,1,1,1", "frame '-1' is no frame number"),
    ("2,abc,10,10,20,30,1,1,1", "id 'abc' is no track id"),
    ("2,1.5,10,10,20,30,1,1,1", "id '1.5' is no track id"),
    ("2,-2,10,10,20,30,1,1,1", "id '-2' is no track id"),
    ("2,6,10,10", "expected at least 6 values (frame,id,x,y,w,h), got 4; line skipped"),
    ("2,6,10,x,20,30", "a value that is no number; line skipped"),
    ("9,7,10,10,20,30,1,1,1", "frame 9 is past the sequence's last (seqLength 4); line skipped"),
    ("1,1,12,10,20,30,1,1,1", "track 1 already has a box on frame 1; line skipped"),
    ("2,8,1e300,10,20,30,1,1,1", "line skipped"),  # far outside the image (core.limits)
]


@pytest.mark.parametrize(("line", "said"), HOSTILE)
def test_hostile_line_is_skipped_and_said_with_its_place(tmp_path: Path, line: str, said: str) -> None:
    seq = make_sequence(tmp_path, gt=f"1,1,10,10,20,30,1,1,1\n{line}\n4,1,10,10,20,30,1,1,1\n")
    result = MOT.read(seq)
    assert len(result.problems) == 1 and result.problems[0].startswith(f"{seq / 'gt' / 'gt.txt'}:2: ")
    assert said in result.problems[0]
    assert result.skipped["lines"] == 1
    assert len(result.project.annotations) == 2  # the lines around it


def test_over_long_line_ends_the_file_and_many_bad_lines_are_counted(tmp_path: Path) -> None:
    bad = "".join(f"1,{k},nan,1,1,1\n" for k in range(2, 12))
    seq = make_sequence(
        tmp_path, gt="1,1,10,10,20,30,1,1,1\n" + bad + "3," + "9" * 5000 + ",1,1,1,1\n4,1,1,1,1,1\n"
    )
    result = MOT.read(seq)
    gt = seq / "gt" / "gt.txt"
    assert f"... and 5 more skipped lines in {gt}" in result.problems  # 10 bad lines: 5 said, 5 counted
    assert any("line 12" in p and "longer than 4,096 bytes" in p for p in result.problems)
    assert len(result.project.annotations) == 1  # the first line; the rest of the file is not read
    assert result.skipped["lines"] == 10


def test_results_file_without_its_sequence_names_image_dir(tmp_path: Path) -> None:
    results = tmp_path / "MOT17-02.txt"
    results.write_text(RESULTS)
    with pytest.raises(ValueError, match="--image-dir"):
        MOT.read(results)
    make_sequence(tmp_path)  # MOT17-02/ beside it: found by the file's stem
    project = MOT.read(results).project
    assert {c.name for c in project.categories.values()} == {"object"}
    assert sorted(a.score for a in project.annotations.values())[:2] == [0.3, 0.5]


@pytest.mark.usefixtures("_asfarray")
def test_folder_of_results_files_is_one_candidate_as_motmetrics_scores_it(tmp_path: Path, capsys) -> None:
    """``qa train/ tracker/`` with a results file per sequence (``MOT17-02.txt``, ``MOT17-04.txt``, as
    py-motmetrics' ``eval_motchallenge`` and TrackEval take a tracker's folder): each file on the sequence
    named as it, the overall figures py-motmetrics' over both accumulators; a file no sequence is named as
    is said and left out; TrackEval's ``data/`` folder is found too."""
    mm = pytest.importorskip("motmetrics")
    train = tmp_path / "MOT17" / "train"
    make_sequence(train)
    other = GT.replace("1,1,10,10", "1,1,30,20").replace("2,1,14,10", "2,1,34,20")
    make_sequence(train, "MOT17-04", gt=other)
    tracker = tmp_path / "tracker" / "data"
    tracker.mkdir(parents=True)
    (tracker / "MOT17-02.txt").write_text(RESULTS)
    (tracker / "MOT17-04.txt").write_text(RESULTS.replace("3,9,", "3,8,"))
    (tracker / "MOT17-09.txt").write_text(RESULTS)
    ours = _qa(train.parent, tracker.parent, tmp_path / "folder.json")["tracks"]["overall"]
    err = capsys.readouterr().err
    assert f"{tracker / 'MOT17-09.txt'}: no sequence MOT17-09 in {train.parent}" in err
    assert "(its sequences: MOT17-02, MOT17-04)" in err

    accs, names = [], []
    for name in ("MOT17-02", "MOT17-04"):
        gt = mm.io.loadtxt(str(train / name / "gt" / "gt.txt"), fmt="mot15-2D", min_confidence=1)
        ts = mm.io.loadtxt(str(tracker / f"{name}.txt"), fmt="mot15-2D")
        accs.append(mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5))
        names.append(name)
    theirs = mm.metrics.create().compute_many(
        accs, names=names, metrics=mm.metrics.motchallenge_metrics, generate_overall=True
    )
    overall = theirs.loc["OVERALL"]
    assert int(overall["num_switches"]) == 1  # the second sequence's tracker keeps its track
    for name in TRACK_FIGURES:
        assert ours[name] == pytest.approx(float(overall[name]), abs=1e-9), name

    (tracker / "MOT17-02.txt").unlink()
    (tracker / "MOT17-04.txt").unlink()
    assert main(["qa", str(train), str(tracker)]) == 1
    assert "name their sequences by their file names: no sequence of those names" in capsys.readouterr().err


def test_a_results_file_named_dot_dot_names_no_sequence_and_each_file_is_sniffed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``...txt`` in a results folder inside a sequence: its stem ``..`` made the sequence above the folder
    the one its results were read on. And the folder's files were listed (each one's first line read)
    twice: 100,000 files took 6 s a listing."""
    from pixelproof.interop import mot

    seq = make_sequence(tmp_path)
    results = seq / "results"
    results.mkdir()
    (results / "...txt").write_text(RESULTS)
    (results / "..txt").write_text(RESULTS)
    with pytest.raises(ValueError, match="no sequence of those names"):
        MOT.read(results)
    sniffed: list[str] = []
    sniff = mot.looks_like_mot
    monkeypatch.setattr(mot, "looks_like_mot", lambda p: sniffed.append(p.name) or sniff(p))
    (results / "MOT17-02.txt").write_text(RESULTS)
    assert len(MOT.read(results, image_dir=tmp_path).project.annotations) == RESULTS.count("\n")
    assert sorted(sniffed) == ["...txt", "..txt", "MOT17-02.txt"]


def test_many_results_files_naming_no_sequence_are_said_in_a_few_lines(tmp_path: Path) -> None:
    """40 stray results files beside one that fits: the first five named, the rest counted in one line
    naming the folder (a tracker folder of 100,000 said 100,000 lines); the fitting one is read."""
    from pixelproof.interop._util import SAID_PER_FILE

    seq = make_sequence(tmp_path / "train")
    tracker = tmp_path / "tracker"
    tracker.mkdir()
    (tracker / "MOT17-02.txt").write_text(RESULTS)
    for n in range(40):
        (tracker / f"stray{n:02d}.txt").write_text(RESULTS)
    said: list[str] = []
    result = MOT.read(tracker, image_dir=seq.parent, on_problem=said.append)
    assert result.project.annotations
    strays = [m for m in said if "stray" in m]
    assert len(strays) == SAID_PER_FILE, said
    assert f"... and {40 - SAID_PER_FILE:,} more results files naming no sequence in {tracker}" in said
    assert result.skipped["files"] == 40


def test_a_cvat_occluded_box_is_written_with_visibility_0_as_cvat_writes_it(tmp_path: Path) -> None:
    """CVAT's own MOT export (Datumaro's) writes an occluded box's visibility as 0 (``1 - occluded``) where
    none was read; ours wrote 1, so track 0's occluded box of the real CVAT for video task
    (tests/data/datumaro/cvat_dataset/for_video, see SOURCE.md) came back to CVAT not occluded."""
    video = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset" / "for_video"
    project = FORMATS["cvat"].read(video).project
    MOT.write(project, tmp_path / "out", images="copy")
    lines = (tmp_path / "out" / "images" / "gt" / "gt.txt").read_text().splitlines()
    # frame 10 is MOT's 11, track 0 is id 1 (ids one up), its class 16 ('II', after 14 and 15)
    assert "11,1,3,4,7,1,1,16,0" in lines
    assert all(line.endswith(",1") for line in lines if not line.startswith("11,1,"))  # the skeleton: seen
    visible = next(a for a in MOT.read(tmp_path / "out").project.annotations.values() if track_of(a) == 1)
    assert visible.app_extra["mot"] == {"visibility": 0.0}  # read back and written again the same


DATUMARO_MOT = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "mot_dataset" / "mot_seq"


def test_a_box_of_id_minus_1_is_a_box_without_a_track_as_datumaro_reads_it() -> None:
    """Datumaro (CVAT's MOT import and export) writes a box on no track with id -1 and reads one so; the
    reader skipped the line, so the real Datumaro sequence (tests/data/datumaro/mot_dataset, see SOURCE.md)
    came in with no box, exit 3."""
    done = MOT.read(DATUMARO_MOT)
    (ann,) = done.project.annotations.values()
    assert ann.bbox == [0.0, 4.0, 4.0, 8.0] and track_of(ann) is None
    assert not done.problems


def test_gt_labels_txt_names_the_classes_as_cvat_writes_it_and_the_export_writes_one(tmp_path: Path) -> None:
    """CVAT's MOT export (Datumaro's) writes ``gt/labels.txt``, a label name a line, and the class column
    counts in it from 1: the Datumaro sequence's class 3 is ``label_2``, not MOT17's car. Our export writes
    one too (MOT17's names, then the classes numbered from 14 on), since Datumaro reading a sequence
    without it knows 12 classes and stops at class 14; read back, 'ball' is 'ball', not 'class 14'."""
    project = MOT.read(DATUMARO_MOT).project
    assert [c.name for c in project.categories.values()] == ["label_2"]
    project = MOT.read(make_sequence(tmp_path / "in")).project
    image = next(i for i in project.images.values() if i.file_name.endswith("000001.png"))
    ball = project.add_category(type(project.categories[1])(99, "ball"))
    project.add_annotation(Annotation(500, image.id, ball.id, [5.0, 50.0, 20.0, 20.0], None, 400.0))
    MOT.write(project, tmp_path / "out", images="link")
    labels = (tmp_path / "out" / "MOT17-02" / "gt" / "labels.txt").read_text().splitlines()
    assert labels[:3] == ["pedestrian", "person on vehicle", "car"] and labels[13:] == ["ball"]
    back = MOT.read(tmp_path / "out").project
    assert {c.name for c in back.categories.values()} == {c.name for c in project.categories.values()}
