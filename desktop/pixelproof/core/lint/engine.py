"""Lint in three steps, each a pure function so an executor can spread images over workers:

1. ``collect(work, context)`` per image (checks.py): rule problems + per-object figures + ObjectLab inputs;
2. ``dataset_figures(facts, context)`` once: the class distributions (median / MAD) for outliers and
   ObjectLab's dataset-wide minimum similarity and lowest prediction score;
3. ``finish(facts, figures, context)`` per image: outlier and model problems.

``lint_project`` runs the three serially; splitting step 1 and 3 over workers gives the same result.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pixelproof.core.labels import is_label
from pixelproof.core.limits import LimitError
from pixelproof.core.lint import fixes
from pixelproof.core.lint import objectlab as ol
from pixelproof.core.lint.checks import Context, ImageFacts, ImageWork, ObjectFacts, collect, unlabeled_image
from pixelproof.core.lint.classes import empty_classes
from pixelproof.core.lint.model_problems import model_problems, shape_fix
from pixelproof.core.lint.pictures import Match, Pictures, matches, picture_problem, size_problem
from pixelproof.core.lint.predictions import skipped_overlapping, unconfident
from pixelproof.core.lint.problems import KINDS, MODEL_KINDS, PICTURE_KINDS, Problem, sort_key, z_score
from pixelproof.core.lint.rules import Rules, rules_of
from pixelproof.core.lint.unsupported import unsupported_labels
from pixelproof.core.measure import pixel_area_text
from pixelproof.core.model import Annotation, Project
from pixelproof.core.object_types import type_words

FEATURES = ("log_area", "log_aspect", "log_roughness", "dice")
_FEATURE_KIND = {
    "log_area": "size_outlier",
    "log_aspect": "aspect_outlier",
    "log_roughness": "jagged_contour",
    "dice": "low_mask_agreement",
}


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and MAD of one figure over a class's objects (of one QuPath object type)."""

    median: float
    mad: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        v = np.asarray(values, dtype=np.float64)
        med = float(np.median(v))
        return cls(med, float(np.median(np.abs(v - med))), int(v.size))

    def z(self, x: float, floor: float) -> float:
        """Robust (modified) z-score, Iglewicz & Hoaglin: 0.6745 (x - median) / MAD."""
        return 0.6745 * (x - self.median) / max(self.mad, floor, 1e-12)


@dataclass(slots=True)
class DatasetFigures:
    """The dataset-wide figures of step 2."""

    # (feature, category id, QuPath objectType): a class's hand-drawn regions and its detected cells apart
    spreads: dict[tuple[str, int, str], Spread] = field(default_factory=dict)
    pooled: dict[str, Spread] = field(default_factory=dict)  # feature over every class
    min_similarity: float = 1.0
    min_prediction_score: float = 1.0
    marked: int = 0  # images marked done or reviewed
    marked_empty: int = 0  # of them, those without objects (``unlabeled_image`` scores by their share)


def dataset_figures(facts: Iterable[ImageFacts]) -> DatasetFigures:
    """Step 2: class distributions and ObjectLab's dataset-wide minimums, from every image's facts."""
    values: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    min_sims, min_scores = [], []
    marked = marked_empty = 0
    for f in facts:
        marked += f.marked is not None
        marked_empty += f.marked is not None and not f.objects
        for o in f.objects:
            for name in FEATURES:
                v = getattr(o, name)
                if not math.isnan(v):
                    values[(name, o.category_id, o.object_type)].append(v)
        if f.boxes is not None:
            min_sims.append(f.min_similarity)
            min_scores.append(f.min_prediction_score)
    pooled: dict[str, list[float]] = defaultdict(list)
    for (name, _, _), vs in values.items():
        pooled[name] += vs
    return DatasetFigures(
        {k: Spread.of(v) for k, v in values.items()},
        {k: Spread.of(v) for k, v in pooled.items()},
        ol.min_possible_similarity(min_sims),
        float(min([1.0, *min_scores])),
        marked,
        marked_empty,
    )


# ------------------------------------------------------------------------------------------------
# step 3


def finish(
    facts: ImageFacts, figures: DatasetFigures, ctx: Context
) -> tuple[list[Problem], ol.ImageScores | None]:
    """Step 3 for one image: its rule problems plus outliers and model problems; ObjectLab's scores."""
    ctx = ctx.judging(facts.predictions)
    problems = list(facts.problems)
    for o in facts.objects:
        problems += _outliers(facts, o, figures, ctx)
    if facts.marked and not facts.objects and ctx.wants("unlabeled_image"):
        problems.append(unlabeled_image(facts, figures.marked, figures.marked_empty))
    scores = None
    if facts.boxes is not None and facts.mats is not None:
        high = per_prediction(facts.boxes, ctx, "confident")
        scores = ol.score_image(
            facts.boxes,
            facts.mats,
            figures.min_similarity,
            high=high,
            low=per_prediction(facts.boxes, ctx, "min_prediction_score"),
        )
        problems += model_problems(facts, scores, ctx, high)
        if ctx.wants("unsupported_label"):
            problems += unsupported_labels(facts, scores.badloc_pred, high, ctx)
    return problems, scores


def per_prediction(boxes: ol.ImageBoxes, ctx: Context, name: str, at: np.ndarray | None = None) -> np.ndarray:
    """A threshold of ObjectLab per prediction (those ``at``, default all): its class's (a class entry
    may override any threshold). Looked up once per class: called per label, a slide tile's 10,000
    predictions made it the whole run's cost."""
    labels = boxes.pred_labels if at is None else boxes.pred_labels[at]
    classes, inverse = np.unique(labels, return_inverse=True)
    values = [
        (ctx.class_rules.get(c) or ctx.rules.for_class("")).threshold(name) or 0.0 for c in classes.tolist()
    ]
    return np.asarray(values, dtype=np.float64)[inverse.reshape(-1)]


def _outliers(facts: ImageFacts, o: ObjectFacts, figures: DatasetFigures, ctx: Context) -> list[Problem]:
    out = []
    cr = ctx.class_rules.get(o.category_id) or ctx.rules.for_class("")
    limit = cr.threshold("outlier_z") or 3.5
    floor = cr.threshold("outlier_min_spread") or 0.0
    need = cr.threshold("outlier_min_objects") or 0
    name = ctx.categories.get(o.category_id, str(o.category_id))
    for feature, kind in _FEATURE_KIND.items():
        value = getattr(o, feature)
        if kind not in ctx.kinds or math.isnan(value):
            continue
        spread = figures.spreads.get((feature, o.category_id, o.object_type))
        if spread is None or spread.n < need:
            if feature != "dice":
                continue
            spread = figures.pooled.get(feature)  # few objects of this class: all classes' agreement
            if spread is None or spread.n < need:
                spread = None
        z = spread.z(value, floor) if spread is not None else 0.0
        if feature == "dice":
            floor_dice = cr.threshold("min_mask_dice")
            hard = floor_dice is not None and value < floor_dice
            if not (-z > limit or hard):
                continue
            score = max(z_score(z, limit) if -z > limit else 0.0, 0.5 + 0.5 * (1 - value) if hard else 0.0)
            out.append(_mask_problem(facts, o, name, value, spread, score))
            continue
        if feature == "log_roughness" and z <= limit:
            continue  # only rougher than usual is a problem
        if abs(z) <= limit:
            continue
        out.append(_outlier_problem(facts, o, name, kind, value, spread, z, limit))  # type: ignore[arg-type]
    return out


def _outlier_problem(
    facts: ImageFacts,
    o: ObjectFacts,
    name: str,
    kind: str,
    value: float,
    spread: Spread,
    z: float,
    limit: float,
) -> Problem:
    typical, actual = math.exp(spread.median), math.exp(value)
    said = name + type_words(o.object_type)  # "Tumor (QuPath cell)": compared with the class's cells only
    if kind == "size_outlier":
        area, median = (pixel_area_text(round(v), facts.spacing) for v in (actual, typical))
        msg = f"{said} area {area} is {actual / typical:.2g}x the class median {median}"
    elif kind == "aspect_outlier":
        msg = f"{said} aspect (w/h) {actual:.2f} is far from the class median {typical:.2f}"
    else:
        msg = (
            f"{said} contour roughness {actual:.2f} (perimeter / hull perimeter); class median {typical:.2f}"
        )
    return Problem(
        kind,
        z_score(z, limit),
        facts.image_id,
        facts.file_name,
        o.annotation_id,
        name,
        o.bbox,
        f"{msg} (robust z {z:+.1f}, {spread.n} objects)",
        None,
        figures={"value": math.exp(value), "class_median": typical, "z": z},
    )


def _mask_problem(
    facts: ImageFacts, o: ObjectFacts, name: str, dice: float, spread: Spread | None, score: float
) -> Problem:
    pred = facts.predictions[o.dice_pred]
    typical = f"; typical {spread.median:.2f} over {spread.n} objects" if spread is not None else ""
    return Problem(
        "low_mask_agreement",
        score,
        facts.image_id,
        facts.file_name,
        o.annotation_id,
        name,
        o.bbox,
        f"{name}{type_words(o.object_type)} mask agrees poorly with the model's (Dice {dice:.2f}{typical}); "
        "fix: take the model's mask",
        shape_fix(facts, o, pred),
        figures={"dice": dice, "prediction_score": pred.score if pred.score is not None else math.nan},
    )


# ------------------------------------------------------------------------------------------------
# the whole project


@dataclass(slots=True)
class LintOptions:
    """What to report: kinds (None = all), the lowest score listed, problems dismissed as "not a problem"."""

    kinds: frozenset[str] | None = None
    min_score: float = 0.0
    dismissed: frozenset[str] = frozenset()


@dataclass(slots=True)
class LintResult:
    problems: list[Problem]
    images: int
    objects: int
    predictions: int | None  # None = run without a model
    dismissed: int
    image_scores: dict[int, ol.ImageScores] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False
    rechecker: Rechecker | None = None

    def summary(self) -> dict[str, Any]:
        by_kind = Counter(p.kind for p in self.problems)
        by_class = Counter(p.category or "(image)" for p in self.problems)
        by_kind_class: dict[str, dict[str, int]] = defaultdict(dict)
        for (k, c), n in sorted(Counter((p.kind, p.category or "(image)") for p in self.problems).items()):
            by_kind_class[k][c] = n
        return {
            "images": self.images,
            "objects": self.objects,
            "predictions": self.predictions,
            "problems": len(self.problems),
            "dismissed": self.dismissed,
            "by_kind": {k: by_kind[k] for k in KINDS if by_kind[k]},
            "by_class": dict(sorted(by_class.items())),
            "by_kind_and_class": dict(by_kind_class),
        }


def image_works(
    project: Project,
    predictions: dict[int, list[Annotation]] | None = None,
    first: dict[str, int] | None = None,
) -> list[ImageWork]:
    """One ``ImageWork`` per image, in id order: its labels (void regions are not objects) and, with a
    model, its predictions (an image missing from ``predictions`` is linted without the model, e.g. when
    the model failed on it)."""
    void = project.void_category_ids()
    first = first_listed(project) if first is None else first
    return [image_work(project, iid, predictions, void, first) for iid in sorted(project.images)]


def first_listed(project: Project) -> dict[str, int]:
    """file_name -> the lowest image id listing it (``duplicate_image`` names the later ones)."""
    out: dict[str, int] = {}
    for iid in sorted(project.images):
        out.setdefault(project.images[iid].file_name, iid)
    return out


def image_work(
    project: Project,
    image_id: int,
    predictions: dict[int, list[Annotation]] | None,
    void: set[int],
    first: dict[str, int],
) -> ImageWork:
    anns = project.annotations_of(image_id)
    labels = sorted((a for a in anns if is_label(a) and a.category_id not in void), key=lambda a: a.id)
    preds = None if predictions is None else predictions.get(image_id)  # None: the model failed on it
    image = project.images[image_id]
    before = first.get(image.file_name, image_id)
    regions = [a for a in anns if a.category_id in void] if preds else []
    return ImageWork(
        image, project.image_status(image_id), labels, preds, before if before != image_id else None, regions
    )


@dataclass(slots=True)
class Rechecker:
    """Re-checks edited images with a finished run's dataset-wide figures and predictions, so the app's
    problem list follows edits without a whole new run (the figures stay those of the run)."""

    context: Context
    figures: DatasetFigures
    predictions: dict[int, list[Annotation]] | None
    first: dict[str, int]  # ``first_listed`` of the run: not a pass over every image at each edit
    pictures: dict[int, Match] = field(default_factory=dict)  # the run's picture pairs (duplicate_picture)
    shown: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # sizes read (image_size_mismatch)

    def image(self, project: Project, image_id: int) -> tuple[list[Problem], ol.ImageScores | None]:
        """Every problem of one image now (not filtered by score or dismissals)."""
        names = {cid: c.name for cid, c in project.categories.items()}
        if names != self.context.categories:  # categories added or renamed since the run
            self.context = Context.make(names, self.context.rules, self.context.kinds, self.context.predicted)
        work = image_work(project, image_id, self.predictions, project.void_category_ids(), self.first)
        found, scores = finish(collect(work, self.context), self.figures, self.context)
        for p in found:
            fixes.stamp(p.fix, project.annotations)
        match = self.pictures.get(image_id)  # the pair stays the run's; its labels are compared now
        if match is not None and (p := picture_problem(project, image_id, match, _bits(self.context))):
            found.append(p)
        if (p := size_problem(project, image_id, self.shown.get(image_id))) is not None:
            found.append(p)
        return found, scores

    def dataset(self, project: Project) -> list[Problem]:
        """The problems of the project as a whole (``empty_class``) now: an edit anywhere may change them."""
        return empty_classes(project, self.context.kinds)

    def partners(self, image_id: int) -> set[int]:
        """The images whose ``duplicate_picture`` names ``image_id``: an edit of it changes theirs."""
        return {i for i, m in self.pictures.items() if m.other == image_id}


def _bits(ctx: Context) -> int:
    return int(ctx.rules.threshold("near_picture_bits") or 0)


def dismissed_keys(project: Project) -> frozenset[str]:
    """Problems marked "not a problem" in the project (``pixelproof.lint.dismissed``)."""
    lint = project.app.get("lint")
    keys = lint.get("dismissed", []) if isinstance(lint, dict) else []
    return frozenset(k for k in keys if isinstance(k, str))


SECONDS_PER_IMAGE = 0.02  # step 1 for an image of ~10 masks on one core: sizes batch chunks


class LintFailed(RuntimeError):
    """An image could not be checked (a mask too big to decode, a bug): the message names it and why."""


def collect_task(ctx: Context, works: list[ImageWork]) -> list[Any]:
    """Step 1 for a batch of images, on any executor (``pixelproof.core.batch``); an image over a limit
    fails alone, saying which object and limit."""
    from pixelproof.core.batch import Failed

    out: list[ImageFacts | Failed] = []
    for work in works:
        try:
            out.append(collect(work, ctx))
        except LimitError as e:
            out.append(Failed(str(e)))
    return out


def lint_project(
    project: Project,
    rules: Rules | None = None,
    predictions: dict[int, list[Annotation]] | None = None,
    options: LintOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    executor: Any = None,
    pictures: Pictures | None = None,
) -> LintResult:
    """Every problem of the project, worst first. ``predictions``: image id -> predicted objects (in the
    project's category ids; None = no model: the model kinds are skipped). ``rules`` default to the
    project's own. ``progress(done, total)`` is called per image of the first pass; ``cancelled()``
    stops the run early (the result then says so and holds what was found). ``executor``
    (``pixelproof.core.batch``) runs step 1 on worker processes or a cluster; default: here. ``pictures``
    (``pictures.read_pictures``; None = not read: ``duplicate_picture`` is skipped) pairs copies."""
    from pixelproof.core.batch import BatchCancelled, Failed, SerialExecutor, run_batch

    options = options or LintOptions()
    rules = rules if rules is not None else rules_of(project.app)
    kinds = set(options.kinds if options.kinds is not None else KINDS)
    if predictions is None:
        kinds -= set(MODEL_KINDS)
    if pictures is None:
        kinds -= set(PICTURE_KINDS)
    skipped = skipped_overlapping(predictions)  # the images so pre-labeled are judged without some kinds
    skipped_on = sum(skipped_overlapping({i: p}) is not None for i, p in (predictions or {}).items())
    predicted = frozenset(p.category_id for preds in (predictions or {}).values() for p in preds)
    ctx = Context.make(
        {cid: c.name for cid, c in project.categories.items()}, rules, frozenset(kinds), predicted
    )
    first = first_listed(project)
    works = image_works(project, predictions, first)
    facts: list[ImageFacts] = []
    stopped = False
    feed = None if progress is None else (lambda p: progress(p.done, p.total))
    steps = run_batch(
        collect_task, ctx, works, executor or SerialExecutor(), seconds_per_item=SECONDS_PER_IMAGE,
        on_progress=feed, cancelled=cancelled,
    )  # fmt: skip
    try:
        for index, found in steps:
            if isinstance(found, Failed):  # a bug, not a label problem: say which image
                raise LintFailed(f"{works[index].image.file_name}: {found.reason}")
            facts.append(found)
    except BatchCancelled:
        stopped = True
    figures = dataset_figures(facts)
    problems: list[Problem] = []
    image_scores: dict[int, ol.ImageScores] = {}
    for f in facts:
        found, scores = finish(f, figures, ctx)
        for p in found:
            fixes.stamp(p.fix, project.annotations)  # the objects as this run saw them
        problems += found
        if scores is not None:
            image_scores[f.image_id] = scores
    pairs = matches(project.images, pictures, _bits(ctx)) if pictures and "duplicate_picture" in kinds else {}
    for f in facts:
        if f.image_id in pairs and (p := picture_problem(project, f.image_id, pairs[f.image_id], _bits(ctx))):
            problems.append(p)
    shown = pictures.shown if pictures and "image_size_mismatch" in kinds else {}
    problems += [p for f in facts if (p := size_problem(project, f.image_id, shown.get(f.image_id)))]
    problems += empty_classes(project, kinds)  # of the project as a whole: no image
    kept = [p for p in problems if p.score >= options.min_score]
    listed = [p for p in kept if p.key not in options.dismissed]
    listed.sort(key=sort_key)
    return LintResult(
        listed,
        len(facts),
        sum(len(w.labels) for w in works[: len(facts)]),
        None if predictions is None else sum(len(w.predictions or []) for w in works[: len(facts)]),
        len(kept) - len(listed),
        image_scores,
        {
            "kinds": sorted(kinds),
            "min_score": options.min_score,
            "min_similarity": figures.min_similarity,
            # the lowest score of any prediction (cleanlab's figure), not the --min-prediction-score threshold
            # (``rules``): called ``min_prediction_score`` before, and taken for that flag
            "lowest_prediction_score": figures.min_prediction_score,
            "predictions_skipped_overlapping": skipped,
            "images_skipped_overlapping": skipped_on,
            "unconfident": unconfident(predictions, rules, kinds),  # no missing_object, wrong_class possible
            "rules": rules.to_json(),
            **({"pictures": pictures.summary()} if pictures is not None else {}),
        },
        stopped,
        Rechecker(ctx, figures, predictions, first, pairs, shown),
    )
