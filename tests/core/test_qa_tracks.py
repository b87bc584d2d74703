"""qa's tracking figures (core.qa_tracks) against py-motmetrics: a hand-made sequence with one ID switch, one
fragmentation, an extra and missed objects; seeded random sequences of crossing tracks with jitter, drops,
swaps and extras; the overall row of several sequences as motmetrics' ``compute_many``; and a QA run's
sequences built from two projects' folders and track ids."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.qa import run_qa
from pixelproof.core.qa_tracks import COUNTS, FIGURES, SequenceCounts, clear_mot, score_tracks

mm = pytest.importorskip("motmetrics")

NAMES = [*COUNTS, *FIGURES]


@pytest.fixture(autouse=True)
def _asfarray(monkeypatch: pytest.MonkeyPatch) -> None:
    """motmetrics 1.4's ``iou_matrix`` calls ``np.asfarray``, which NumPy 2 removed: given back for it."""
    if not hasattr(np, "asfarray"):
        monkeypatch.setattr(np, "asfarray", lambda a: np.asarray(a, dtype=np.float64), raising=False)


def accumulator(frames, threshold=0.5):  # type: ignore[no-untyped-def]
    acc = mm.MOTAccumulator(auto_id=True)
    for ref_ids, ref_boxes, cand_ids, cand_boxes in frames:
        acc.update(ref_ids, cand_ids, mm.distances.iou_matrix(ref_boxes, cand_boxes, max_iou=1 - threshold))
    return acc


def theirs(frames, threshold=0.5) -> dict[str, float]:  # type: ignore[no-untyped-def]
    got = mm.metrics.create().compute(accumulator(frames, threshold), metrics=NAMES, return_dataframe=False)
    return {k: float(v) for k, v in got.items()}


def ours(counts: SequenceCounts) -> dict[str, float]:
    return {**{k: float(counts.counts[k]) for k in COUNTS}, **counts.figures()}


def assert_same(a: dict[str, float], b: dict[str, float]) -> None:
    for name in NAMES:
        if math.isnan(b[name]):
            assert math.isnan(a[name]), name
        else:
            assert a[name] == pytest.approx(b[name], abs=1e-9), name


def box(x: float, y: float = 10.0, size: float = 20.0) -> list[float]:
    return [x, y, size, size]


def frame(refs: dict[int, list[float]], cands: dict[int, list[float]]):  # type: ignore[no-untyped-def]
    def side(d):  # type: ignore[no-untyped-def]
        ids = sorted(d)
        return ids, np.array([d[i] for i in ids], dtype=float).reshape(-1, 4)

    return (*side(refs), *side(cands))


def hand_made() -> list:  # type: ignore[type-arg]
    """Track 1 followed by 10, then by 12 from frame 3 (a switch); track 2 followed by 11 but missed on frame
    2 (a fragmentation); track 3 never followed (2 misses, mostly lost); 99 an extra on frame 4."""
    frames = []
    for f in range(6):
        refs = {1: box(10 + 5 * f), 2: box(200 - 5 * f, 100)}
        cands: dict[int, list[float]] = {}
        cands[10 if f < 3 else 12] = box(11 + 5 * f)
        if f != 2:
            cands[11] = box(199 - 5 * f, 101)
        if f >= 4:
            refs[3] = box(300, 300)
        if f == 4:
            cands[99] = box(500, 10)
        frames.append(frame(refs, cands))
    return frames


def test_hand_made_case_counts_and_motmetrics_agree() -> None:
    got = ours(clear_mot(hand_made()))
    assert got["num_switches"] == 1
    assert got["num_fragmentations"] == 1
    assert got["num_false_positives"] == 1
    assert got["num_misses"] == 3  # track 2 on frame 2, track 3 twice
    assert (got["mostly_tracked"], got["partially_tracked"], got["mostly_lost"]) == (2, 0, 1)
    assert got["num_objects"] == 14 and got["num_predictions"] == 12
    assert got["mota"] == pytest.approx(1 - (3 + 1 + 1) / 14)
    assert got["idtp"] == 8  # 1 with 10 (3 frames), 2 with 11 (5 frames)
    assert_same(got, theirs(hand_made()))


def test_a_pair_kept_from_the_previous_frame_beats_a_closer_box() -> None:
    """CLEAR-MOT's rule: track 1 stays with 10 while their boxes still pair, though 11 sits exactly on it."""
    frames = [frame({1: box(0)}, {10: box(0)})]
    frames.append(frame({1: box(0)}, {10: box(4), 11: box(0)}))
    got = ours(clear_mot(frames))
    assert got["num_switches"] == 0 and got["num_false_positives"] == 1
    assert got["motp"] == pytest.approx((1 - (16 * 20) / (2 * 400 - 16 * 20)) / 2)
    assert_same(got, theirs(frames))


def test_the_most_pairs_first_then_the_least_distance() -> None:
    """At IoU 0.3: 1 overlaps 10 by 0.905 and 11 by 0.333, 2 overlaps 10 by 0.379. Most total IoU would pair
    1 with 10 alone; CLEAR-MOT pairs both (1-11, 2-10)."""
    frames = [frame({1: [0, 0, 10, 10], 2: [-4, 0, 10, 10]}, {10: [0.5, 0, 10, 10], 11: [5, 0, 10, 10]})]
    got = ours(clear_mot(frames, 0.3))
    assert got["num_matches"] == 2 and got["num_misses"] == 0
    assert_same(got, theirs(frames, 0.3))


def test_iou_equal_to_the_threshold_pairs() -> None:
    frames = [frame({1: [0, 0, 20, 20]}, {10: [0, 0, 10, 20]})]  # IoU 0.5 exactly
    got = ours(clear_mot(frames))
    assert got["num_matches"] == 1 and got["motp"] == 0.5
    assert_same(got, theirs(frames))


def random_sequence(seed: int, tracks: int = 7, length: int = 40) -> list:  # type: ignore[type-arg]
    """Tracks crossing (opposite speeds on one band), boxes jittered, some frames dropped, candidate ids
    swapped once two tracks meet and restarted at random (fragments), extras scattered."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(0, 300, size=(tracks, 2))
    speed = rng.uniform(-6, 6, size=(tracks, 2))
    speed[:, 1] *= 0.2  # they stay close in y: paths cross
    size = rng.uniform(15, 40, size=(tracks, 2))
    alive = [
        (int(a), int(a + rng.integers(length // 3, length))) for a in rng.integers(0, length // 2, tracks)
    ]
    cand_id = {t: 100 + t for t in range(tracks)}
    fresh = 1000
    frames = []
    for f in range(length):
        refs, cands = {}, {}
        for t in range(tracks):
            if not alive[t][0] <= f < alive[t][1]:
                continue
            x, y = start[t] + speed[t] * f
            refs[t] = [float(x), float(y), float(size[t, 0]), float(size[t, 1])]
            if rng.random() < 0.12:
                continue  # the tracker drops it on this frame
            if rng.random() < 0.04:  # and starts a new id for it
                cand_id[t], fresh = fresh, fresh + 1
            jitter = rng.normal(0, 2.5, 4)
            cands[cand_id[t]] = [float(v) for v in np.array(refs[t]) + jitter * [1, 1, 0.5, 0.5]]
        ids = sorted(refs)
        if len(ids) >= 2 and rng.random() < 0.1:  # an identity swap between two tracks
            a, b = rng.choice(ids, 2, replace=False)
            cand_id[a], cand_id[b] = cand_id[b], cand_id[a]
        for _ in range(rng.poisson(0.6)):
            cands[fresh] = [float(v) for v in rng.uniform(0, 300, 2)] + [25.0, 25.0]
            fresh += 1
        frames.append(frame(refs, cands))
    return frames


@pytest.mark.parametrize("seed", range(6))
def test_random_crossing_tracks_agree_with_motmetrics(seed: int) -> None:
    frames = random_sequence(seed)
    got = ours(clear_mot(frames))
    assert got["num_switches"] + got["num_fragmentations"] > 0  # the case tests something
    assert_same(got, theirs(frames))


@pytest.mark.parametrize("threshold", [0.3, 0.7])
def test_other_thresholds_agree_with_motmetrics(threshold: float) -> None:
    frames = random_sequence(11)
    assert_same(ours(clear_mot(frames, threshold)), theirs(frames, threshold))


def test_overall_of_several_sequences_is_motmetrics_overall_row() -> None:
    sequences = [random_sequence(s, length=25) for s in (3, 4, 5)]
    total = SequenceCounts()
    for frames in sequences:
        total.add(clear_mot(frames))
    summary = mm.metrics.create().compute_many(
        [accumulator(f) for f in sequences], metrics=NAMES, names=["a", "b", "c"], generate_overall=True
    )
    row = {k: float(v) for k, v in summary.loc["OVERALL"].items()}
    assert_same(ours(total), row)


def project(frames: list, side: int) -> Project:  # type: ignore[type-arg]
    """A project of the frames under clip/ (side 0: the reference's objects, 1: the candidate's); an image
    elsewhere with objects on no track."""
    p = new_project(["car"])
    for f, fr in enumerate(frames):
        p.add_image(ImageRecord(f + 1, f"clip/frame_{f:06d}.png", 640, 480))
        ids, boxes = fr[2 * side], fr[2 * side + 1]
        for track, b in zip(ids, boxes, strict=True):
            n = len(p.annotations) + 1
            p.add_annotation(Annotation(n, f + 1, 1, list(b), area=b[2] * b[3], extra={"track_id": track}))
    p.add_image(ImageRecord(99, "photos/a.png", 640, 480))
    p.add_annotation(Annotation(500, 99, 1, box(5), area=400.0))
    return p


def test_qa_run_scores_the_clip_and_matches_motmetrics() -> None:
    frames = hand_made()
    ref, cand = project(frames, 0), project(frames, 1)
    result = run_qa(ref, cand)
    tracks = result.tracks
    assert tracks is not None
    assert [r["sequence"] for r in tracks["per_sequence"]] == ["clip"]  # photos/ has no track: no sequence
    want = theirs(frames)
    for name in NAMES:
        assert tracks["overall"][name] == pytest.approx(want[name], abs=1e-9), name


def test_frames_in_frame_order_and_one_side_without_tracks_said() -> None:
    frames = hand_made()
    ref, cand = project(frames, 0), project(frames, 1)
    # the images listed in another order: the frames still go by their numbers
    for p in (ref, cand):
        p.images = {i: p.images[i] for i in (4, 1, 99, 6, 2, 5, 3)}
    pairs = run_qa(ref, cand).pairs
    assert [p.cand.id for p in pairs][:3] != [1, 2, 3]  # the order the images are listed in
    tracks = score_tracks(ref, cand, pairs)
    assert tracks is not None
    want = theirs(frames)
    for name in NAMES:
        assert tracks["overall"][name] == pytest.approx(want[name], abs=1e-9), name
    for ann in cand.annotations.values():
        ann.extra.pop("track_id", None)
    problems: list[str] = []
    assert score_tracks(ref, cand, run_qa(ref, cand).pairs, problems=problems) is None
    assert problems == [
        "tracks: the reference has objects on tracks, the candidate none: no tracking figures"
    ]


def test_two_objects_on_one_track_on_an_image_keep_the_first_and_say_so() -> None:
    frames = hand_made()
    ref, cand = project(frames, 0), project(frames, 1)
    cand.add_annotation(Annotation(900, 1, 1, box(400), area=400.0, extra={"track_id": 10}))
    problems: list[str] = []
    tracks = score_tracks(ref, cand, run_qa(ref, cand).pairs, problems=problems)
    assert tracks is not None and tracks["overall"]["num_false_positives"] == 1  # #900 is not an extra
    assert problems == [
        "tracks: left out clip/frame_000000.png: object #900 (track 10, another object already on it): "
        "a track has one object on an image"
    ]


def crowded_sequence(seed: int = 0) -> list:  # type: ignore[type-arg]
    """Three frames of 3,100 boxes a side: a grid of 2,000 (cells 10 px, 12 apart), jittered, some dropped,
    ids swapped; and a row of 1,100 boxes 16 wide, 4 apart (each overlapping its neighbours at IoU 0.6):
    one group of pairs too large for one table (1,100 x 1,100 cells), solved sparse."""
    rng = np.random.default_rng(seed)
    grid = [[12.0 * (k % 60), 12.0 * (k // 60), 10.0, 10.0] for k in range(2000)]
    row = [[4.0 * k, 1000.0, 16.0, 16.0] for k in range(1100)]
    base = np.array(grid + row)
    ids = list(range(len(base)))
    cand_ids = [10_000 + k for k in ids]
    frames = []
    for f in range(3):
        refs = base + np.array([f, 0, 0, 0])
        cands = refs + rng.normal(0, 0.8, refs.shape) * [1, 1, 0.3, 0.3]
        keep = rng.random(len(base)) > 0.05
        swap = rng.choice(len(base), 200, replace=False)
        cand_ids = list(cand_ids)
        for a, b in zip(swap[::2], swap[1::2], strict=True):
            cand_ids[a], cand_ids[b] = cand_ids[b], cand_ids[a]
        kept = np.flatnonzero(keep)
        frames.append((ids, refs, [cand_ids[k] for k in kept], cands[kept]))
    return frames


def test_a_crowded_frame_agrees_with_motmetrics_without_a_dense_table() -> None:
    """3,100 boxes a side: motmetrics' 3,100 x 3,100 distance table is 77 MB; only the close pairs are
    measured and assigned here, group by group, so the whole run stays far under that."""
    import tracemalloc

    frames = crowded_sequence()
    tracemalloc.start()
    try:
        counts = clear_mot(frames)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20, f"{peak / 2**20:.1f} MB"
    got = ours(counts)
    assert got["num_switches"] > 0 and got["num_misses"] > 0
    assert_same(got, theirs(frames))


def test_threshold_zero_pairs_boxes_apart_as_motmetrics() -> None:
    """At IoU 0 every pair counts, boxes apart too (distance 1), as motmetrics' ``max_iou=1``."""
    frames = random_sequence(2)
    frames.append(frame({1: box(0), 2: box(100)}, {10: box(300), 11: box(101)}))
    got = ours(clear_mot(frames, 0.0))
    assert_same(got, theirs(frames, 0.0))
