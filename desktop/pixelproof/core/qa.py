"""Score a candidate project against a reference (DESIGN.md §6) and return plain tables.

``run_qa(reference, candidate)`` gives a ``QAResult``: ``per_image`` rows (one per image and category:
semantic Dice/IoU/boundary figures plus that image's object counts), ``per_object`` rows (matched pairs,
wrong-class pairs, FN and FP objects, each with its box so a view can centre on it), ``per_class`` and
``summary`` aggregates, and the images that matched nothing. ``score_image`` does one image, and a view's
run after an edit scores only the images the edit changed (``qa_cache``); the per-pixel agreement/FN/FP
map is ``qa_difference.difference_image``.

Masks are decoded straight into crops (``Placed``) from RLE or polygons, never as whole images per object,
so a large dataset is scored in seconds. Images are paired by ``file_name``, then by their path ending,
then by the bare file stem (``JPEGImages/a.jpg`` <-> ``a.png``; ``core.image_pairing``); categories by
name (a reference's name spelt with other case or spaces is the candidate's: ``qa_categories``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pixelproof.core.metrics import InstanceCounts, MaskComparison, Placed
from pixelproof.core.metrics_parts import ClassMasks, compare_parts
from pixelproof.core.metrics_shapes import Shapes, compare_shapes
from pixelproof.core.metrics_topology import centrelines
from pixelproof.core.model import Project
from pixelproof.core.qa_categories import (
    candidate_only,
    candidate_only_notes,
    classless_lead,
    paired_reference,
    under_threshold,
    used_categories,
)
from pixelproof.core.qa_object_matching import ObjectRow, by_category, match_objects
from pixelproof.core.qa_objects import (
    ImageObject,
    ImagePair,
    image_objects,
    pair_images,
    pair_spacing,
    unit_warning,
)
from pixelproof.core.qa_tables import (
    COUNT_FIELDS,
    DISTANCE_FIELDS,
    FIGURE_FIELDS,
    INSTANCE_FIELDS,
    StreamedRows,
    aggregate,
    has_problem,
    image_table_row,
    worst_order,
)

if TYPE_CHECKING:
    from pixelproof.core.qa_cache import ScoreCache


@dataclass(slots=True)
class QAOptions:
    """Settings of a QA run; every one is written into the report."""

    iou_threshold: float = 0.5  # a pair counts when IoU > threshold (strict)
    # NSD tolerance in distance units (px, or mm with a pixel spacing); None: by the image's pixel size
    nsd_tau: float | None = None  # (qa_nsd_tau: 2 mm radiology, 2 µm a slide, 2 px without a spacing)
    nsd_tau_by_class: dict[str, float] = field(default_factory=dict)
    both_empty_as_one: bool = False  # opt-in: both empty counts as Dice = IoU = 1.0
    boundary_iou_d: int | None = None  # fixed band width in px; None = max(1, round(0.02 x diagonal))
    boundary_metrics: bool = True
    # candidate objects scoring under it are left out of all QA scores but AP (threshold-free), as a model
    score_threshold: float | None = None  # deployed at it would not output them; unscored ones are kept
    # a merged project's images holding several annotators' versions: "agreed" scores their consensus
    versions: str = "agreed"  # objects (an image without one left out), "all" every version (``qa_team``)

    def tau(self, category: str, spacing: tuple[float, ...] | None = None) -> float:
        """The NSD tolerance of ``category`` on an image of ``spacing``: per class, given, else the
        default for its pixel size (``qa_nsd_tau``, the one place deciding it)."""
        from pixelproof.core.qa_nsd_tau import resolve_tau

        return resolve_tau(self.nsd_tau_by_class.get(category, self.nsd_tau), spacing)


# ------------------------------------------------------------------------------------------------
# rows


@dataclass(slots=True)
class ImageClassRow:
    """One image and one category: semantic figures from ``comparison`` and the object counts."""

    file_name: str
    image_id: int  # candidate image id
    ref_image_id: int
    category: str
    comparison: MaskComparison
    instances: InstanceCounts
    width: int
    height: int
    spacing: tuple[float, float] | None = None
    both_empty_as_one: bool = False
    instance_scored: bool = True

    def value(self, name: str) -> float:
        """Any figure by field name (``dice``, ``hd95``, ``pq``, ``tp_px`` ...)."""
        if name in ("iou", "dice") and self.both_empty_as_one and self.comparison.both_empty:
            return 1.0
        if name in FIGURE_FIELDS:
            return float(getattr(self.comparison, name))
        if name in ("tp_px", "fp_px", "fn_px"):
            return float(getattr(self.comparison, name[:2]))
        if name in COUNT_FIELDS:
            return float(getattr(self.instances, name)) if self.instance_scored else math.nan
        if name in INSTANCE_FIELDS:
            if not self.instance_scored:
                return math.nan
            attr = {"mean_matched_iou": "mean_iou", "mean_matched_dice": "mean_dice"}.get(name, name)
            return float(getattr(self.instances, attr))
        raise KeyError(name)

    def reason(self, name: str) -> str | None:
        v = self.value(name)
        if math.isfinite(v):
            if name in ("iou", "dice") and self.both_empty_as_one and self.comparison.both_empty:
                return "both empty (counted as 1.0)"
            return None
        if name in INSTANCE_FIELDS or name in COUNT_FIELDS:
            return "semantic reference" if not self.instance_scored else "no objects"
        in_boundary = name == "boundary_iou" or name in DISTANCE_FIELDS or name == "nsd"
        if in_boundary and not self.comparison.both_empty and math.isnan(v):
            return "not computed"
        return self.comparison.reason(name) if name in FIGURE_FIELDS else "n/a"

    @property
    def dice(self) -> float:
        return self.value("dice")

    @property
    def iou(self) -> float:
        return self.value("iou")


@dataclass(slots=True)
class ImageScore:
    """All rows of one image pair."""

    pair: ImagePair
    rows: list[ImageClassRow]
    objects: list[ObjectRow]
    masks: Mapping[str, tuple[Placed, Placed]] = field(default_factory=dict)  # category -> (ref, cand)
    ap: Any = None  # qa_ap.ImageAp: this pair's part of COCO AP
    below_score: int = 0  # candidate objects left out, scoring under ``QAOptions.score_threshold``


@dataclass
class QAResult:
    """Tables of a QA run, ready for a view, the CLI and the report writer (``pixelproof.core.report``)."""

    options: QAOptions
    per_image: list[ImageClassRow]
    per_object: list[ObjectRow]
    categories: list[str]
    pairs: list[ImagePair]
    unmatched_reference: list[str]
    unmatched_candidate: list[str]
    problems: list[str] = field(default_factory=list)
    reference_kind: str = "project"
    instance_scored: bool = True
    per_volume: list[Any] = field(default_factory=list)  # qa_volumes.VolumeRow, one per volume x category
    #: the rows went to disk as they came (``run_qa(stream=...)``): ``per_image`` and ``per_object`` stay
    #: empty, the aggregates and the worst images are kept here
    streamed: StreamedRows | None = None
    #: whole-image decisions of the paired candidate images: file_name, image_id, review, note
    image_reviews: list[dict[str, Any]] = field(default_factory=list)
    #: image pairs actually scored (``summary.images``): pairs skipped for a size mismatch or that could
    #: not be scored are listed under ``problems`` instead
    images_scored: int = 0
    below_score: int = 0  # candidate objects left out for scoring under ``QAOptions.score_threshold``
    reference: Any = None  # the ``Reference`` as scored, its classes respelt as the candidate's
    ap: dict[str, Any] = field(default_factory=dict)  # COCO AP of scored candidate objects (qa_ap)
    confusion: dict[str, Any] = field(default_factory=dict)  # class confusion matrix of the matching
    #: the candidate image ids of its cells, (reference, candidate) index -> ids (``ApCollector``'s)
    confusion_images: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    #: per class, the reference objects on images the candidate lacks, counted as missed (``qa_unmatched``)
    missed: dict[str, InstanceCounts] = field(default_factory=dict)
    #: OKS and COCO keypoint AP when both sides have objects with keypoints (``ApCollector.keypoints``)
    keypoints: dict[str, Any] | None = None
    #: multi-object tracking figures of the frame sequences when both sides have tracks (``qa_tracks``)
    tracks: dict[str, Any] | None = None
    #: the line ``problems`` starts with when the candidate names none of the reference's classes
    #: (``qa_categories.classless_lead``), and the per-class warnings it sums up
    lead: str | None = None
    lead_covers: list[str] = field(default_factory=list)

    def per_class(self) -> list[dict[str, Any]]:
        """One dict per category: semantic means (NaN left out, +inf -> image diagonal) + object counts."""
        if self.streamed is not None:
            return self.streamed.per_class(self.categories, self.instance_scored, self.missed)
        out = []
        for cat in self.categories:
            rows = [r for r in self.per_image if r.category == cat]
            out.append({"category": cat, **aggregate(rows, self.instance_scored, self.missed.get(cat))})
        return out

    def summary(self) -> dict[str, Any]:
        """Means over every image x category row and object counts pooled over all classes."""
        missed = InstanceCounts()
        for counts in self.missed.values():
            missed.add(counts)
        if self.streamed is not None:
            agg = self.streamed.overall.result(self.instance_scored, missed)
        else:
            agg = aggregate(self.per_image, self.instance_scored, missed)
        per_class_pq = [c["pq"] for c in self.per_class() if math.isfinite(c["pq"])]
        agg["pq_class_mean"] = float(np.mean(per_class_pq)) if per_class_pq else math.nan
        agg.update(
            images=self.images_scored,
            unmatched_reference=len(self.unmatched_reference),
            unmatched_candidate=len(self.unmatched_candidate),
            unmatched_reference_objects=missed.fn,  # counted as missed (fn): ``qa_unmatched``
        )
        return agg

    def object_rows(self, file_name: str) -> list[ObjectRow]:
        return [r for r in self.per_object if r.file_name == file_name]

    def image_table(self) -> list[dict[str, Any]]:
        """One row per image: means over its categories and error counts (``image_table_row``)."""
        by_image: dict[str, list[ImageClassRow]] = {}
        for r in self.per_image:
            by_image.setdefault(r.file_name, []).append(r)
        return [image_table_row(rows, self.instance_scored) for rows in by_image.values()]

    def worst_images(self, n: int = 20, key: str = "dice") -> list[dict[str, Any]]:
        """Images with a problem (``qa_tables.has_problem``), worst first by ``key`` (NaN last), ties as
        the review view orders them (``qa_tables.worst_order``)."""
        if self.streamed is not None:
            return self.streamed.worst_images(n, key)
        return sorted(filter(has_problem, self.image_table()), key=lambda row: worst_order(row, key))[:n]


# ------------------------------------------------------------------------------------------------
# scoring


def score_image(
    pair: ImagePair,
    reference: Project,
    candidate: Project,
    options: QAOptions | None = None,
    *,
    void: np.ndarray | None = None,
    categories: list[str] | None = None,
    instance_scored: bool = True,
    objects: tuple[list[ImageObject], list[ImageObject]] | None = None,
    crowd: bool = True,
) -> ImageScore:
    """Score one image pair: semantic rows per category and per-object rows (see ``QAResult``).
    ``objects``: both sides' ``image_objects`` when the caller has them decoded already (agreement
    scores each rater against every other: each decoded once, not once per pair). ``crowd``: crowd
    regions follow COCO's rules in the object matching (``qa_object_matching.match_objects``); False
    scores them as ordinary objects (agreement, where neither side is the reference)."""
    opt = options or QAOptions()
    shape, spacing = pair.shape, pair_spacing(pair)
    if objects is not None:
        refs, cands = objects
    else:
        refs = image_objects(reference, pair.ref, shape, void)
        cands = image_objects(candidate, pair.cand, shape, void)
    if categories is None:
        categories = sorted({o.category for o in refs} | {o.category for o in cands})
    counts = {c: InstanceCounts() for c in categories}
    kw = {"spacing": spacing, "boundary_iou_d": opt.boundary_iou_d, "distances": opt.boundary_metrics}
    kw["shapes"] = Shapes()  # each mask's boundary and band measured once, for its object and class rows

    def cmp(a: Placed, b: Placed, category: str) -> MaskComparison:
        return compare_shapes(a, b, shape, nsd_tau=opt.tau(category, spacing), **kw)  # type: ignore[arg-type]

    base = {"file_name": pair.file_name, "image_id": pair.cand.id, "ref_image_id": pair.ref.id}
    objects = (
        match_objects(base, refs, cands, categories, counts, opt.iou_threshold, cmp, crowd)
        if instance_scored
        else []
    )
    rows = []
    masks = ClassMasks()  # merged when asked: a class compared cluster by cluster needs no union frame
    by_r, by_c = by_category(refs), by_category(cands)
    for cat in categories:
        parts_r, parts_c = [o.placed for o in by_r.get(cat, ())], [o.placed for o in by_c.get(cat, ())]
        masks.add(cat, parts_r, parts_c)
        # compare(*masks[cat]), without the whole frame of a class spread thin over a large image
        comparison = compare_parts(
            parts_r, parts_c, shape, nsd_tau=opt.tau(cat, spacing), merged=masks.of(cat), **kw
        )  # type: ignore[arg-type]
        if opt.boundary_metrics:  # clDice of the class's masks, thinned cluster by cluster
            boxes = any(o.is_box for o in (*by_r.get(cat, ()), *by_c.get(cat, ())))
            comparison.centrelines = centrelines(parts_r, parts_c, boxes=boxes)
        rows.append(
            ImageClassRow(
                category=cat,
                comparison=comparison,
                instances=counts[cat],
                width=pair.cand.width,
                height=pair.cand.height,
                spacing=spacing,
                both_empty_as_one=opt.both_empty_as_one,
                instance_scored=instance_scored,
                **base,
            )
        )
    return ImageScore(pair, rows, objects, masks)


def versions_notes(reference: Project) -> list[str]:
    """The warning for a reference holding annotators' versions side by side (a merged project before its
    consensus is accepted): every version there is a label, so the copies count as missed objects. In the
    problems, so the review view's banner and the reports say it too, not only the terminal. What is
    scored of such a candidate is said by ``qa_team.scored_candidate``."""
    from pixelproof.core.overlap_versions import versions_note

    note = versions_note(str(reference.path) if reference.path else "the reference", reference, "scored")
    return [note] if note else []


def run_qa(
    reference: Any,
    candidate: Project,
    options: QAOptions | None = None,
    *,
    progress: Callable[[Iterable, int], Iterable] | None = None,
    cancelled: Callable[[], bool] | None = None,
    executor: Any = None,
    on_progress: Callable[[Any], None] | None = None,
    stream: StreamedRows | None = None,
    cache: ScoreCache | None = None,
    near_miss_command: str | None = "pixelproof qa",
    versions_switch: str | None = None,
) -> QAResult:
    """Score ``candidate`` against ``reference`` (a ``Project`` or a ``references.Reference``).

    ``progress(items, total)`` may wrap the iteration; ``cancelled()`` returning True stops early (a
    worker's cancel button) with the rows done so far. ``executor`` (``pixelproof.core.batch``, or a function
    making one for the pairs to score) runs them elsewhere, e.g. on worker processes (default: here);
    ``on_progress`` gets its ``Progress``. ``cache`` (``qa_cache.ScoreCache``) keeps each pair's score for
    the next run, which scores again only the pairs whose inputs changed: the same result, sooner.
    ``stream`` takes the rows as they come, in image order, instead of the result (memory stays flat
    however many images; the reports come out the same).
    A reference category spelt otherwise than one of the candidate's (case, spaces) is scored under the
    candidate's name (``qa_categories``) on a copy, ``QAResult.reference``: draw that one to pair them too.
    ``near_miss_command``: the command the near-miss note tells to run with another ``--iou-threshold``;
    None says the threshold alone (the review view, where no command can be given). ``versions_switch``:
    what a merged project's lines name as scoring every version (``qa_team.VERSIONS_FLAG`` when None; the
    app names its menu item).
    """
    from pixelproof.core.qa_team import scored_candidate
    from pixelproof.core.references import Reference, labels_only, scorable_pairs

    opt = options or QAOptions()
    # a merged project: its agreed objects, not every annotator's version (opt.versions); honeypots out
    candidate, unscored, team_notes = scored_candidate(candidate, opt.versions, versions_switch)
    ref = reference if isinstance(reference, Reference) else Reference(project=reference)
    whole = ref.project  # its pending and rejected objects are no ground truth: said by scorable_pairs
    ref, names = paired_reference(labels_only(ref), candidate)  # "Tumor" scored as "tumor", said in problems
    only = candidate_only(ref.project, candidate)  # said once scored, by what its objects counted as
    pairs, un_r, un_c = pair_images(ref.project, candidate)
    categories = used_categories(ref.project, candidate)
    result = QAResult(
        options=opt,
        per_image=[],
        per_object=[],
        categories=categories,
        pairs=pairs,
        unmatched_reference=un_r,
        unmatched_candidate=un_c,
        problems=[*ref.problems, *names, *versions_notes(whole), *team_notes],
        reference_kind=ref.kind,
        instance_scored=ref.instance_scored,
        streamed=stream,
        reference=ref,
    )
    from pixelproof.core.merge import image_reviews

    decided = image_reviews(candidate)
    result.image_reviews = [
        {"file_name": p.file_name, "image_id": p.cand.id, "review": e.get("review"), "note": e.get("note")}
        for p in pairs
        if (e := decided.get(p.cand.id)) is not None
    ]
    from pixelproof.core.batch import BatchCancelled, SerialExecutor
    from pixelproof.core.qa_ap import ApCollector
    from pixelproof.core.qa_batch import score_pairs
    from pixelproof.core.qa_near_misses import near_ious, near_miss_note
    from pixelproof.core.qa_volumes import VolumeCollector

    volumes, detections = VolumeCollector(categories), ApCollector(categories)
    near: list[float] = []  # missed objects' IoU with an extra one of their class (qa_near_misses)
    same_size, left_out = scorable_pairs(pairs, whole)
    same_size = [p for p in same_size if p.cand.id not in unscored]  # said in team_notes
    result.problems += left_out + unit_warning(same_size)
    scores: Iterable = score_pairs(
        ref, candidate, same_size, opt, categories, executor or SerialExecutor(),
        on_progress=on_progress, cancelled=cancelled, cache=None if cache is None else cache.of(reference),
    )  # fmt: skip
    if progress is not None:
        scores = progress(scores, len(same_size))  # type: ignore[arg-type]
    try:
        for pair, score in scores:
            if isinstance(score, str):
                result.problems.append(f"{pair.file_name}: could not be scored: {score}")
                detections.unscorable += 1
                continue
            if stream is not None:
                stream.add(score, result.instance_scored)
            else:
                result.per_image.extend(score.rows)
                result.per_object.extend(score.objects)
            result.images_scored += 1
            result.below_score += score.below_score
            volumes.add(score)
            detections.add(score)
            near += near_ious(score.objects)
    except BatchCancelled:
        pass  # the rows done so far
    if ref.instance_scored:  # every object of a reference image the candidate lacks is missed, as COCOeval
        from pixelproof.core.qa_unmatched import count_unmatched_reference

        result.missed = count_unmatched_reference(ref, whole, pairs, detections, result.problems, cache)
    result.problems += [n for n in [near_miss_note(near, opt.iou_threshold, near_miss_command)] if n]
    result.per_volume = volumes.score(opt, result.problems)
    result.ap, result.confusion = detections.ap(ref.instance_scored), detections.confusion()
    result.confusion_images = detections.confusion_images()
    result.keypoints = detections.keypoints()
    from pixelproof.core.qa_tracks import score_tracks

    result.tracks = score_tracks(
        ref.project, candidate, pairs, opt.iou_threshold, opt.score_threshold, result.problems
    )
    at = len(ref.problems) + len(names)
    below = under_threshold(candidate, only, opt.score_threshold)
    result.problems[at:at] = candidate_only_notes(only, detections.cells, below, opt.score_threshold)
    lead = classless_lead(ref.project, candidate, result.problems, result.tracks)
    # said first: the terminal's warnings, the reports' problems, the review's banner (nothing scored: that
    # is said instead)
    if lead is not None and result.images_scored:
        result.lead, result.lead_covers = lead
        result.problems.insert(0, result.lead)
    return result
