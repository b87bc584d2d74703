"""Multi-object tracking figures of a QA run: CLEAR-MOT (MOTA, MOTP, ID switches, fragmentations, mostly
tracked / partially tracked / mostly lost) and the identity figures (IDF1, IDP, IDR), per frame sequence and
overall, as py-motmetrics computes them (its ``MOTAccumulator`` and ``metrics.create()``; the tests compare
every figure with it). No Qt.

A sequence is a folder of the paired images, its frames in ``track_fill.sequence_frames``' order; the objects
are those with a track id (``clipboard.track_of``) on either side, compared by box IoU whatever their class,
as motmetrics compares them. Frame by frame: a reference track keeps the candidate track it had when their
boxes still pair, then the rest are paired by a minimum-distance assignment (distance = 1 - IoU; a pair
needs IoU >= the threshold, motmetrics' ``iou_matrix(max_iou=1 - threshold)``; the most pairs first, then
the least total distance), and a pair whose reference track last had another candidate track is an ID
switch. ``core.matching.match`` (most total IoU, IoU > threshold) is not that rule, so it is not used here.
IDF1 pairs whole tracks once per sequence, the pairing that shares the most frames (motmetrics'
``id_global_assignment``). MOTP is motmetrics': the mean distance 1 - IoU of the paired boxes (lower is
better). Overall figures come from the sequences' counts summed, as motmetrics' ``compute_many`` overall row.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np

from pixelproof.core import safe_csv
from pixelproof.core.atomic import atomic_output
from pixelproof.core.clipboard import track_of
from pixelproof.core.image_pairing import ImagePair
from pixelproof.core.matching import (
    DENSE_GROUP_CELLS,
    DENSE_GROUP_SHARE,
    match,
    overlapping_pairs,
    pair_groups,
    pair_table,
)
from pixelproof.core.metrics_overlap import box_ious
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.qa_objects import too_many_objects
from pixelproof.core.track_fill import frame_numbers
from pixelproof.core.wording import plural

TrackId = int | str
#: a frame: reference track ids and boxes ([n, 4] x, y, w, h), candidate track ids and boxes
Frame = tuple[list[TrackId], np.ndarray, list[TrackId], np.ndarray]

#: the counts a sequence adds to the overall row (motmetrics' names)
COUNTS = (
    "num_frames",
    "num_objects",
    "num_predictions",
    "num_unique_objects",
    "num_matches",
    "num_switches",
    "num_fragmentations",
    "num_false_positives",
    "num_misses",
    "num_detections",
    "mostly_tracked",
    "partially_tracked",
    "mostly_lost",
    "idtp",
    "idfp",
    "idfn",
)
#: the ratios made from them (motmetrics' names); None in a report when there is nothing to divide by
FIGURES = ("mota", "motp", "idf1", "idp", "idr", "precision", "recall")


@dataclass
class SequenceCounts:
    """One sequence's events summed: the counts of ``COUNTS`` and the paired boxes' total distance."""

    counts: Counter[str] = field(default_factory=Counter)
    distance: float = 0.0  # sum of 1 - IoU over the pairs (MOTP's numerator)

    def add(self, other: SequenceCounts) -> None:
        self.counts.update(other.counts)
        self.distance += other.distance

    def figures(self) -> dict[str, float]:
        """The ratios, as motmetrics divides (0/0 is NaN; MOTA of no reference object is NaN too)."""
        c = self.counts
        det, objects, predictions = c["num_detections"], c["num_objects"], c["num_predictions"]
        errors = c["num_misses"] + c["num_switches"] + c["num_false_positives"]
        return {
            "mota": 1.0 - errors / objects if objects else math.nan,
            "motp": self.distance / det if det else math.nan,
            "idf1": 2 * c["idtp"] / (objects + predictions) if objects + predictions else math.nan,
            "idp": _ratio(c["idtp"], c["idtp"] + c["idfp"]),
            "idr": _ratio(c["idtp"], c["idtp"] + c["idfn"]),
            "precision": _ratio(det, det + c["num_false_positives"]),
            "recall": _ratio(det, objects),
        }


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def close_pairs(
    ref_boxes: np.ndarray, cand_boxes: np.ndarray, iou_threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reference index, candidate index, distance 1 - IoU) of the box pairs with IoU >= the threshold,
    sorted: the finite cells of motmetrics' ``iou_matrix``. Above threshold 0 a pair must overlap, so only
    the overlapping pairs are measured (``matching.overlapping_pairs``' sweep): a crowded frame of 10,000
    boxes a side was a 10,000 x 10,000 table (800 MB) and twice that again in its inputs. At threshold 0
    every pair counts, boxes apart too (distance 1), so every pair is listed."""
    a = np.asarray(ref_boxes, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(cand_boxes, dtype=np.float64).reshape(-1, 4)
    if iou_threshold > 0:
        rows, cols = overlapping_pairs(
            np.c_[a[:, :2], a[:, :2] + a[:, 2:]], np.c_[b[:, :2], b[:, :2] + b[:, 2:]]
        )
    else:
        rows, cols = np.divmod(np.arange(len(a) * len(b), dtype=np.int64), max(len(b), 1))
    dist = 1.0 - box_ious(a[rows], b[cols])
    keep = dist <= 1.0 - iou_threshold  # NaN (a NaN box) pairs nothing, as in motmetrics
    return rows[keep], cols[keep], dist[keep]


def _assign(costs: np.ndarray) -> list[tuple[int, int]]:
    """The most pairs of finite cost, then the least total cost: motmetrics' ``linear_sum_assignment`` (an
    impossible pair costs more than any assignment of possible ones; it is dropped from the answer)."""
    from scipy.optimize import linear_sum_assignment

    valid = np.isfinite(costs)
    if not valid.any():
        return []
    large = 2 * min(costs.shape) * (np.abs(costs[valid]).max() + 1) + 1
    rows, cols = linear_sum_assignment(np.where(valid, costs, large))
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if valid[i, j]]


def _assign_pairs(rows: np.ndarray, cols: np.ndarray, dist: np.ndarray) -> list[tuple[int, int]]:
    """``_assign`` of the table whose only finite cells are the pairs (``rows``, ``cols``, ``dist``),
    without the table: the most pairs, then the least total, is the union of that of each connected group
    of pairs (``matching.pair_groups``), each solved on its own small table; a group too large for one
    (``matching.DENSE_GROUP_CELLS``: a long chain of overlapping boxes) by a sparse solver. Sorted by row.
    Decision: between equally good assignments (exact ties) the one chosen may differ from motmetrics'
    solve of the whole table."""
    out: list[tuple[int, int]] = []
    if rows.size == 0:
        return out
    group = pair_groups(rows, cols, int(rows.max()) + 1, int(cols.max()) + 1)
    order = np.argsort(group, kind="stable")
    for part in np.split(order, np.flatnonzero(np.diff(group[order])) + 1):
        r, ri = np.unique(rows[part], return_inverse=True)
        c, ci = np.unique(cols[part], return_inverse=True)
        if r.size * c.size <= max(DENSE_GROUP_CELLS, DENSE_GROUP_SHARE * part.size):
            sub = np.full((r.size, c.size), np.nan)
            sub[ri, ci] = dist[part]
            found = _assign(sub)
        else:
            found = _assign_sparse(ri, ci, dist[part], r.size, c.size)
        out += [(int(r[i]), int(c[j])) for i, j in found]
    return sorted(out)


def _assign_sparse(
    rows: np.ndarray, cols: np.ndarray, dist: np.ndarray, n_rows: int, n_cols: int
) -> list[tuple[int, int]]:
    """``_assign`` of one large group as a full minimum-cost matching of a sparse graph: the pairs (cost
    ``dist``), a stand-in per object to take when it stays unpaired (cost ``large``) and stand-ins pairing
    up behind a pair (cost ``large``), all shifted by 1 (no zero cost; a full matching has as many edges
    whatever it picks). k pairs cost their distances + ``large`` x (objects - k): each pair more saves more
    than any distances can add, as ``_assign``'s constant."""
    from scipy import sparse
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    large = 2 * min(n_rows, n_cols) * (np.abs(dist).max() + 1) + 1
    r_all, c_all = np.arange(n_rows), np.arange(n_cols)
    r = np.concatenate([rows, r_all, n_rows + c_all, n_rows + cols])
    c = np.concatenate([cols, n_cols + r_all, c_all, n_cols + rows])
    cost = np.concatenate([dist, np.full(n_rows + n_cols + dist.size, large)]) + 1.0
    size = n_rows + n_cols
    a, b = min_weight_full_bipartite_matching(sparse.csr_array((cost, (r, c)), shape=(size, size)))
    real = (a < n_rows) & (b < n_cols)
    return [(int(i), int(j)) for i, j in zip(a[real], b[real], strict=True)]


def clear_mot(frames: Iterable[Frame], iou_threshold: float = 0.5) -> SequenceCounts:
    """One sequence's counts, frame by frame as motmetrics' ``MOTAccumulator.update`` (ids unique within a
    frame; the reference ids in the order given are the order previous pairs are kept in)."""
    out = SequenceCounts()
    c = out.counts
    paired: dict[TrackId, TrackId] = {}  # reference track -> the candidate track it was last paired with
    states: dict[TrackId, list[bool]] = {}  # per reference track, tracked or missed in each frame it is in
    shared: Counter[tuple[TrackId, TrackId]] = Counter()  # frames each (reference, candidate) pair is close
    seen_cand: Counter[TrackId] = Counter()
    for ref_ids, ref_boxes, cand_ids, cand_boxes in frames:
        c["num_frames"] += 1
        seen_cand.update(cand_ids)
        n, m = len(ref_ids), len(cand_ids)
        none = np.zeros(0, dtype=np.int64)
        rows, cols, dist = (
            close_pairs(ref_boxes, cand_boxes, iou_threshold) if n and m else (none, none, none)
        )
        close = dict(zip(zip(rows.tolist(), cols.tolist(), strict=True), dist.tolist(), strict=True))
        for i, j in close:
            shared[ref_ids[i], cand_ids[j]] += 1
        made = _frame_pairs(ref_ids, cand_ids, (rows, cols, dist), close, paired)
        for i, j, switch in made:
            c["num_switches" if switch else "num_matches"] += 1
            out.distance += close[i, j]
        c["num_misses"] += n - len(made)
        c["num_false_positives"] += m - len(made)
        tracked = {i for i, _, _ in made}
        for i, o in enumerate(ref_ids):
            states.setdefault(o, []).append(i in tracked)
    _track_counts(out, states)
    _identity_counts(out, states, seen_cand, shared)
    return out


def _frame_pairs(
    ref_ids: list[TrackId],
    cand_ids: list[TrackId],
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    close: dict[tuple[int, int], float],
    paired: dict[TrackId, TrackId],
) -> list[tuple[int, int, bool]]:
    """One frame's pairs (reference index, candidate index, whether an ID switch) among its close ``pairs``
    (``close_pairs``; ``close`` the same as a dict); ``paired`` updated."""
    made: list[tuple[int, int, bool]] = []
    if not (ref_ids and cand_ids):
        return made
    index = {h: j for j, h in reversed(list(enumerate(cand_ids)))}
    rows: set[int] = set()
    cols: set[int] = set()
    for i, o in enumerate(ref_ids):  # 1. previous pairs still close enough are kept
        j = index.get(paired[o], -1) if o in paired else -1
        if j >= 0 and j not in cols and (i, j) in close:
            made.append((i, j, False))
            rows.add(i)
            cols.add(j)
    r, c, d = pairs
    free = ~np.isin(r, np.fromiter(rows, dtype=np.int64)) & ~np.isin(c, np.fromiter(cols, dtype=np.int64))
    for i, j in _assign_pairs(r[free], c[free], d[free]):  # 2. the others: the assignment of least distance
        o = ref_ids[i]
        made.append((i, j, o in paired and paired[o] != cand_ids[j]))
        paired[o] = cand_ids[j]
    return made


def _track_counts(out: SequenceCounts, states: dict[TrackId, list[bool]]) -> None:
    c = out.counts
    c["num_objects"] += sum(len(s) for s in states.values())
    c["num_unique_objects"] += len(states)
    c["num_detections"] = c["num_matches"] + c["num_switches"]
    for s in states.values():
        ratio = sum(s) / len(s)
        c["mostly_tracked" if ratio >= 0.8 else "partially_tracked" if ratio >= 0.2 else "mostly_lost"] += 1
        if any(s):  # a fragmentation: tracked, then missed, between its first and last tracked frame
            first, last = s.index(True), len(s) - 1 - s[::-1].index(True)
            c["num_fragmentations"] += sum(1 for k in range(first + 1, last + 1) if s[k - 1] and not s[k])


def _identity_counts(
    out: SequenceCounts,
    states: dict[TrackId, list[bool]],
    seen_cand: Counter[TrackId],
    shared: Counter[tuple[TrackId, TrackId]],
) -> None:
    """IDTP, IDFP, IDFN: whole tracks paired once, the pairing sharing the most frames (``id_global_
    assignment``'s minimum of IDFP + IDFN is the same pairing); tracks sharing no frame add nothing, so a
    sequence of many tracks is no tracks x tracks table."""
    c = out.counts
    c["num_predictions"] += sum(seen_cand.values())
    idtp = 0
    if shared:  # the pairing of most shared frames: ``match`` on the frames shared (over the most, in (0, 1])
        r = {o: i for i, o in enumerate(states)}
        k = {h: j for j, h in enumerate(seen_cand)}
        keys = list(shared)
        frames = np.array([shared[key] for key in keys], dtype=np.float64)
        table = pair_table(
            [r[o] for o, _ in keys], [k[h] for _, h in keys], frames / frames.max(), (len(r), len(k))
        )
        index = {(r[o], k[h]): n for (o, h), n in shared.items()}
        idtp = sum(index[pair] for pair in match(table, 0.0))
    c["idtp"] += idtp
    c["idfn"] += c["num_objects"] - idtp
    c["idfp"] += c["num_predictions"] - idtp


# ------------------------------------------------------------------------------------------------
# a QA run's sequences


def _order_key(track: TrackId) -> tuple[bool, int, str]:
    return (isinstance(track, str), track if isinstance(track, int) else 0, str(track))


def _tracked(
    anns: Iterable[Annotation], project: Project, score_threshold: float | None, dropped: list[str], name: str
) -> tuple[list[TrackId], np.ndarray]:
    """An image's objects on a track, in track order: ids and boxes (one object a track: the first by id)."""
    found: dict[TrackId, list[float]] = {}
    for ann in sorted(anns, key=lambda a: a.id):
        cat = project.categories.get(ann.category_id)
        track = track_of(ann)
        if track is None or (cat is not None and cat.void):
            continue
        if score_threshold is not None and ann.score is not None and ann.score < score_threshold:
            continue
        if track in found:
            dropped.append(f"{name}: object #{ann.id} (track {track}, another object already on it)")
            continue
        x, y, w, h = (float(v) for v in ann.bbox)
        found[track] = [x, y, max(w, 0.0), max(h, 0.0)]
    ids = sorted(found, key=_order_key)
    return ids, np.array([found[t] for t in ids], dtype=np.float64).reshape(-1, 4)


def score_tracks(
    reference: Project,
    candidate: Project,
    pairs: list[ImagePair],
    iou_threshold: float = 0.5,
    score_threshold: float | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any] | None:
    """The tracking figures of the paired images as JSON-ready data (``per_sequence`` rows and ``overall``;
    a ratio with nothing to divide by is None with a ``<name>_reason``), or None unless both sides have an
    object on a track. Candidate objects scoring under ``score_threshold`` are left out, as in the rest of
    QA; ``problems`` gets a line when only one side has tracks, or an image has two objects on one track."""
    notes = problems if problems is not None else []
    if not any(track_of(a) is not None for proj in (reference, candidate) for a in proj.annotations.values()):
        return None  # no video: nothing to say
    by_folder: dict[PurePath, list[ImagePair]] = {}
    for p in pairs:
        by_folder.setdefault(PurePath(p.cand.file_name).parent, []).append(p)
    folder_images: dict[PurePath, list[ImageRecord]] = {}  # each folder's images, gathered once
    for image in candidate.images.values():
        folder_images.setdefault(PurePath(image.file_name).parent, []).append(image)
    sides = {"reference": False, "candidate": False}
    sequences: list[tuple[str, list[Frame]]] = []
    dropped: list[str] = []
    for folder, group in by_folder.items():
        by_cand = {p.cand.id: p for p in group}
        numbers = frame_numbers(folder_images.get(folder, []))  # sequence_frames' rule
        order = [by_cand[i] for _, i in sorted((f, i) for i, f in numbers.items()) if i in by_cand]
        frames: list[Frame] = []
        for p in order:
            r = _tracked(reference.annotations_of(p.ref.id), reference, None, dropped, p.file_name)
            k = _tracked(
                candidate.annotations_of(p.cand.id), candidate, score_threshold, dropped, p.file_name
            )
            sides["reference"] |= bool(r[0])
            sides["candidate"] |= bool(k[0])
            too_many = too_many_objects(len(r[0]), len(k[0]))
            if too_many is not None:  # as in the rest of QA: that frame is not matched
                notes.append(f"tracks: left out {p.file_name}: {too_many}")
                continue
            frames.append((r[0], r[1], k[0], k[1]))
        if any(f[0] or f[2] for f in frames):
            sequences.append((str(folder) if str(folder) != "." else "(top folder)", frames))
    if not all(sides.values()):
        if any(sides.values()):
            have, lack = ("reference", "candidate") if sides["reference"] else ("candidate", "reference")
            notes.append(f"tracks: the {have} has objects on tracks, the {lack} none: no tracking figures")
        return None
    if dropped:
        more = f" (and {len(dropped) - 1} more)" if len(dropped) > 1 else ""
        notes.append(f"tracks: left out {dropped[0]}{more}: a track has one object on an image")
    total = SequenceCounts()
    rows = []
    for name, frames in sequences:
        counts = clear_mot(frames, iou_threshold)
        total.add(counts)
        rows.append({"sequence": name, **_row(counts)})
    return {
        "iou_threshold": iou_threshold,
        "matching": "box IoU >= iou_threshold, class-agnostic; CLEAR-MOT and IDF1 as py-motmetrics",
        "per_sequence": rows,
        "overall": {"sequence": "(all)", "sequences": len(rows), **_row(total)},
    }


def _row(counts: SequenceCounts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in counts.figures().items():
        out[name] = None if math.isnan(value) else value
        if math.isnan(value):
            out[f"{name}_reason"] = "nothing to divide by"
    out.update({k: int(counts.counts[k]) for k in COUNTS})
    return out


def tracks_heading(tracks: dict[str, Any]) -> str:
    """What the figures are of and how boxes pair: the first line of the printed section and of the HTML
    report's, so both say it alike."""
    return (
        f"tracks: {plural(len(tracks['per_sequence']), 'sequence')}, box IoU >= {tracks['iou_threshold']:g}, "
        "class-agnostic (MOTP: mean 1 - IoU)"
    )


def tracks_text(tracks: dict[str, Any], rows: int = 10) -> list[str]:
    """The printed tracking section: a line per sequence (the first ``rows``) and the overall line."""

    def f(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    heads = ["MOTA", "MOTP", "IDF1", "IDP", "IDR", "IDsw", "frag", "MT", "PT", "ML", "FP", "FN"]
    keys = ["mota", "motp", "idf1", "idp", "idr", "num_switches", "num_fragmentations"]
    keys += ["mostly_tracked", "partially_tracked", "mostly_lost", "num_false_positives", "num_misses"]
    seqs = tracks["per_sequence"]
    shown_rows = seqs[:rows] + ([tracks["overall"]] if len(seqs) > 1 else [])
    table = [[f(r[k]) if k in FIGURES else str(r[k]) for k in keys] for r in shown_rows]
    # each column as wide as its widest cell and a space (MOTA -124999.750, FP 1000000), at least 7
    widths = [max([7, len(h) + 1, *(len(row[c]) + 1 for row in table)]) for c, h in enumerate(heads)]
    lines = [
        tracks_heading(tracks),
        f"{'sequence':<24}" + "".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True)),
    ]
    for r, cells in zip(shown_rows, table, strict=True):
        name = r["sequence"] if len(r["sequence"]) <= 23 else "…" + r["sequence"][-22:]
        lines.append(f"{name:<24}" + "".join(f"{t:>{w}}" for t, w in zip(cells, widths, strict=True)))
    if len(seqs) > rows:
        lines.insert(-1, f"  … and {len(seqs) - rows} more (all in --json, its tracks)")
    return lines


def write_tracks_csv(tracks: dict[str, Any] | None, path: str | os.PathLike[str]) -> None:
    """``--tracks-csv``: a row per sequence and the ``(all)`` row, the JSON's ``tracks`` figures (a null an
    empty cell, its ``<name>_reason`` column says why); only the header when there are no tracks."""
    rows = [*tracks["per_sequence"], tracks["overall"]] if tracks else []
    fields = ["sequence", *(k for f in FIGURES for k in (f, f"{f}_reason")), *COUNTS]  # the same every run
    with atomic_output(path, text=True, newline="") as fh:
        safe_csv.write_table(fh, fields, ([r.get(k) for k in fields] for r in rows), bom=True)
