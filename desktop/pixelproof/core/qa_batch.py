"""QA as a batch job (``pixelproof.core.batch``): image pairs scored in this process, on local worker
processes or on a Dask cluster, with the same rows in the same order.

A task gets, per pair, the two image records and their annotations (not the whole projects), builds a
two-image project for each side and runs ``qa.score_image`` on it; the void mask comes from the reference
side's void objects, as ``Reference.void_mask`` makes it. Nothing is shared between tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pixelproof.core.batch import Executor, Failed, Progress, run_batch
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.qa import ImageScore, QAOptions, score_image
from pixelproof.core.qa_ap import evaluate_image
from pixelproof.core.qa_objects import ImageObject, ImagePair, image_objects, too_many_objects
from pixelproof.core.qa_volumes import parse_slice_ref
from pixelproof.core.references import Reference, void_mask

if TYPE_CHECKING:
    from pixelproof.core.qa_cache import ScoreCache

SECONDS_PER_PAIR = 0.02  # a pair with ~10 masks and every figure, on one core: sizes chunks

Item = tuple[ImagePair, list[Annotation], list[Annotation]]


@dataclass(frozen=True, slots=True)
class QAContext:
    """What every QA task needs besides its pairs."""

    options: QAOptions
    categories: list[str]
    instance_scored: bool
    ref_categories: dict[int, Category]
    cand_categories: dict[int, Category]


def _one_image(image: ImageRecord, annotations: list[Annotation], categories: dict[int, Category]) -> Project:
    project = Project(categories=categories)
    project.add_image(image)
    project.extend_annotations(annotations)
    return project


def above_score(objects: list[ImageObject], threshold: float | None) -> list[ImageObject]:
    """The candidate objects a model deployed at ``threshold`` would output: those scoring at least that,
    and those without a score (drawn by hand); all of them without a threshold."""
    if threshold is None:
        return objects
    return [o for o in objects if o.ann.score is None or o.ann.score >= threshold]


def qa_task(context: QAContext, items: list[Item]) -> list[ImageScore | Failed]:
    """Score each pair; a pair that cannot be scored gives ``Failed`` and the others go on."""
    out: list[ImageScore | Failed] = []
    threshold = context.options.score_threshold
    for pair, ref_annotations, cand_annotations in items:
        kept_n = sum(
            1 for a in cand_annotations if threshold is None or a.score is None or a.score >= threshold
        )
        too_many = too_many_objects(len(ref_annotations), kept_n)
        if too_many is not None:  # refused before anything is decoded or matched
            out.append(Failed(too_many))
            continue
        try:
            ref = _one_image(pair.ref, ref_annotations, context.ref_categories)
            cand = _one_image(pair.cand, cand_annotations, context.cand_categories)
            void = void_mask(ref, pair.ref)
            objects = (
                image_objects(ref, pair.ref, pair.shape, void),
                image_objects(cand, pair.cand, pair.shape, void),
            )
            kept = above_score(objects[1], context.options.score_threshold)
            score = score_image(
                pair,
                ref,
                cand,
                context.options,
                void=void,
                categories=context.categories,
                instance_scored=context.instance_scored,
                objects=(objects[0], kept),
            )
            score.below_score = len(objects[1]) - len(kept)
            if context.instance_scored:  # COCO AP of scored candidate objects (a model's predictions)
                score.ap = evaluate_image(*objects, pair.ref.id)
        except Exception as e:  # a malformed object must not stop the job
            out.append(Failed(f"{type(e).__name__}: {e}"))
            continue
        if parse_slice_ref(pair.cand.file_name) is None and parse_slice_ref(pair.ref.file_name) is None:
            score.masks = {}  # only slices of a volume need their masks back (VolumeCollector)
        out.append(score)
    return out


def score_pairs(
    reference: Reference,
    candidate: Project,
    pairs: Sequence[ImagePair],
    options: QAOptions,
    categories: list[str],
    executor: Executor | Callable[[int], Executor],
    *,
    on_progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cache: ScoreCache | None = None,
) -> Iterator[tuple[ImagePair, ImageScore | str]]:
    """(pair, its score) or (pair, why it could not be scored), in pair order, whatever ran them.
    ``executor``: an ``Executor``, or a function making one for the number of pairs to score, closed once
    they are (a refresh scoring one pair of 500 starts no worker processes). ``cache``: the scores kept from
    an earlier run (``qa_cache``), taken for the pairs whose inputs are unchanged; the others are scored and
    kept there."""
    context = QAContext(
        options,
        list(categories),
        reference.instance_scored,
        dict(reference.project.categories),
        dict(candidate.categories),
    )
    kept: dict[int, ImageScore] = {}
    if cache is not None:
        cache.begin(context)
        kept = cache.take(pairs, candidate)
    items = [
        (pair, reference.project.annotations_of(pair.ref.id), candidate.annotations_of(pair.cand.id))
        for n, pair in enumerate(pairs)
        if n not in kept
    ]
    fresh = _scored(context, items, executor, on_progress, cancelled)
    for n, pair in enumerate(pairs):
        if n in kept:
            yield pair, kept[n]
            continue
        _, result = next(fresh)
        if isinstance(result, Failed):
            yield pair, result.reason
            continue
        if cache is not None:
            cache.put(pair, candidate, result)
        yield pair, result
    next(fresh, None)  # to its end: an executor it made closes as done (a pool kept warm), not as cancelled


def _scored(
    context: QAContext,
    items: list[Item],
    executor: Executor | Callable[[int], Executor],
    on_progress: Callable[[Progress], None] | None,
    cancelled: Callable[[], bool] | None,
) -> Iterator[tuple[int, ImageScore | Failed]]:
    """``run_batch`` of ``qa_task`` over ``items``: on ``executor``, or on the one it makes for them."""
    if not items:
        return

    def run(on: Executor) -> Iterator[tuple[int, ImageScore | Failed]]:
        return run_batch(
            qa_task,
            context,
            items,
            on,
            seconds_per_item=SECONDS_PER_PAIR,
            on_progress=on_progress,
            cancelled=cancelled,
        )

    if isinstance(executor, Executor):
        yield from run(executor)
        return
    with executor(len(items)) as made:  # a Cancel (BatchCancelled) leaves it at once, stopping its workers
        yield from run(made)
