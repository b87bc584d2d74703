"""Inter-annotator agreement on overlap images (issue 16).

Raters are annotators' projects (shards), or the annotator-tagged versions kept side by side in a merged
project. For each image that two or more raters labelled (matched by image path, and an overlap image one
annotator renamed as ``merge`` matches it: ``shard_match.RenamedTwins``):

- per pair of raters and class: Dice and IoU of their class masks and the matched-object F1, both from
  QA's ``score_image`` (same-class Hungarian matching, IoU > threshold), the first rater as reference; an
  image a pair both left empty is one row of perfect agreement (``PairRow.both_empty``: Dice = IoU = F1 =
  1, no class), as Label Studio scores two empty annotations - "nothing here" is a label both gave;
- objects are grouped class-agnostically into *units* (one object per rater at most: average-linkage
  clustering on IoU, whatever the raters' order, ``cluster_objects``), so a class disagreement shows as
  a disagreement instead of as two unmatched objects. On the units:
  Cohen's kappa per pair (units both labelled), Fleiss' kappa (units every rater of the image labelled),
  Krippendorff's alpha (every unit; a rater with no object in a unit is a missing label);
- STAPLE per class over the class masks of all images pooled (an image where nobody drew the class
  counts too, all background), giving each annotator's sensitivity and specificity (a rater who did not
  label an image is missing there, not wrong).

``image_agreement`` is a pure function of one image's raters, for batch executors; ``run_agreement``
collects in image order.
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import reliability
from pixelproof.core.merge import Shard
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, versions_side_by_side
from pixelproof.core.paths import RelativeNames
from pixelproof.core.qa import QAOptions, score_image
from pixelproof.core.qa_near_misses import near_ious, near_miss_note
from pixelproof.core.qa_objects import ImageObject, ImagePair, image_objects, iou_pairs, spacing_warning
from pixelproof.core.shard_match import RenamedTwins, another_picture, copied_from
from pixelproof.core.split import image_key

MAX_IMAGE_RATERS = 100  # an image's versions compared pair by pair: 4,950 pairs (~5 s); 300 took minutes


@dataclass(slots=True)
class Rater:
    name: str
    project: Project
    split: str | None = None  # the split a shard came from (its copies of one image keep the dealt id)


@dataclass(slots=True)
class Member:
    """One rater's copy of an image."""

    rater: int
    project: Project
    image: ImageRecord


@dataclass(slots=True)
class PairRow:
    file_name: str
    category: str | None  # None: the image both left empty (``both_empty``)
    a: int  # rater indexes
    b: int
    dice: float
    iou: float
    f1: float
    tp: int
    fp: int
    fn: int
    both_empty: bool = False  # neither drew anything on the image: agreement, counted as 1


@dataclass(slots=True)
class Unit:
    """Objects of several raters taken to be the same object: rater index -> (category, annotation id)."""

    file_name: str
    members: dict[int, tuple[str, int]]


@dataclass
class ImageAgreement:
    file_name: str
    raters: list[int]
    rows: list[PairRow]
    units: list[Unit]
    patterns: dict[str, Counter[tuple[int, ...]]] = field(default_factory=dict)  # class -> STAPLE patterns
    pixels: int = 0  # height x width: a class nobody drew here is that many all-background pixels
    near_ious: list[float] = field(default_factory=list)  # unpaired objects near one (qa_near_misses)


def raters_from_shards(shards: list[Shard]) -> list[Rater]:
    return [Rater(s.name, s.project, s.split) for s in shards]


def raters_from_merged(project: Project) -> list[Rater]:
    """One rater per annotator of the versions a merge kept side by side
    (``overlap_versions.versions_side_by_side``): its objects are those tagged with its name
    (``pixelproof.annotator``), its images those it has objects on and those
    ``pixelproof.overlap_annotators`` lists it for (it drew nothing there: every other rater's object there
    is one it missed)."""
    holders = versions_side_by_side(project)
    tagged: dict[str, list[Annotation]] = {}
    for a in project.annotations.values():
        who = a.app_extra.get(ANNOTATOR_KEY)
        if who is not None:
            tagged.setdefault(str(who), []).append(a)
    out = []
    for name in sorted({n for who in holders.values() for n in who}):
        images = {i for i, who in holders.items() if name in who}
        view = Project(
            images={i: project.images[i] for i in project.images if i in images},
            categories=project.categories,
            annotations={a.id: a for a in tagged.get(name, [])},
            path=project.path,
        )
        out.append(Rater(name, view))
    return out


def cluster_objects(per_rater: list[list[ImageObject]], iou_threshold: float) -> list[list[tuple[int, int]]]:
    """Class-agnostic units: lists of (rater position, object index), at most one object per rater, each
    in rater order, the units in the order of their first object.

    Average-linkage agglomerative clustering with a cannot-link constraint (constrained clustering of
    several annotators' objects, as NuCLS, Amgad et al. 2022): start from one unit per object, and
    repeatedly merge the two units of largest mean IoU over every pair of an object of each (0 for a pair
    apart) that share no rater, while that mean is > ``iou_threshold``. It depends on the objects only,
    not on the raters' order (a rater-by-rater matching did: renaming an annotator changed kappa and the
    consensus). The mean, not the minimum: versions A, B, C at IoU 0.49 (A-B), 0.62 (A-C), 0.65 (B-C)
    are one object, A joining B+C at 0.555 (the minimum would drop A as a minority); not the maximum,
    which chains neighbours. Equal means are taken in the order of the units' geometry (``_tie_key``);
    only exact copies fall back to rater order, and then the units differ only in which copy they hold.
    Sparse: only overlapping pairs are measured and kept (10,000 objects a rater is no objects x objects
    table)."""
    nodes = [(r, j) for r, objs in enumerate(per_rater) for j in range(len(objs))]
    start = np.cumsum([0] + [len(objs) for objs in per_rater]).tolist()
    members = {k: [k] for k in range(len(nodes))}  # unit id -> its objects (node numbers)
    raters = {k: 1 << r for k, (r, _) in enumerate(nodes)}  # unit id -> its raters as bits
    keys = {k: _tie_key(per_rater[r][j]) for k, (r, j) in enumerate(nodes)}
    sums: dict[int, dict[int, float]] = {k: {} for k in members}  # unit -> neighbour -> IoU summed
    for r, s in itertools.combinations(range(len(per_rater)), 2):
        t = iou_pairs(per_rater[r], per_rater[s]).tocoo()
        for i, j, v in zip(
            (t.row + start[r]).tolist(), (t.col + start[s]).tolist(), t.data.tolist(), strict=True
        ):
            sums[i][j] = sums[j][i] = v

    def entry(a: int, b: int) -> tuple[Any, ...]:
        first, second = sorted((keys[a], keys[b]))
        return (-sums[a][b] / (len(members[a]) * len(members[b])), first, second, a, b)

    heap = [entry(a, b) for a in sums for b in sums[a] if a < b]
    heapq.heapify(heap)
    fresh = itertools.count(len(nodes))  # ids of merged units
    while heap and -heap[0][0] > iou_threshold:
        *_, a, b = heapq.heappop(heap)
        if a not in members or b not in members:  # merged since: an outdated mean
            continue
        c = next(fresh)
        members[c] = members.pop(a) + members.pop(b)
        raters[c] = raters.pop(a) | raters.pop(b)
        keys[c] = min(keys.pop(a), keys.pop(b))
        merged = sums.pop(a)
        for x, v in sums.pop(b).items():
            merged[x] = merged.get(x, 0.0) + v
        merged.pop(a, None)
        merged.pop(b, None)
        sums[c] = merged
        for x, v in merged.items():
            near = sums[x]
            near.pop(a, None)
            near.pop(b, None)
            near[c] = v
            if not raters[x] & raters[c]:
                heapq.heappush(heap, entry(c, x))
    return sorted(sorted(nodes[k] for k in unit) for unit in members.values())


def _tie_key(o: ImageObject) -> tuple[Any, ...]:
    """What orders units of equal mean IoU: the object's geometry, the same whoever drew it."""
    p = o.placed
    return (*(float(v) for v in o.ann.bbox), p.x0, p.y0, zlib.crc32(np.ascontiguousarray(p.mask).tobytes()))


def image_agreement(file_name: str, members: list[Member], iou_threshold: float = 0.5) -> ImageAgreement:
    """Agreement figures of one image (see the module docstring). Pure: reads its arguments only."""
    options = QAOptions(iou_threshold=iou_threshold, boundary_metrics=False)
    rows: list[PairRow] = []
    near: list[float] = []
    shape = (members[0].image.height, members[0].image.width)
    objects = [image_objects(m.project, m.image, shape) for m in members]  # decoded once each
    for (a, ma), (b, mb) in itertools.combinations(enumerate(members), 2):
        pair = ImagePair(file_name, ma.image, mb.image)
        score = score_image(
            pair, ma.project, mb.project, options, objects=(objects[a], objects[b]), crowd=False
        )
        near += near_ious(score.objects)
        for r in score.rows:
            c = r.instances
            rows.append(
                PairRow(file_name, r.category, ma.rater, mb.rater, r.dice, r.iou, c.f1, c.tp, c.fp, c.fn)
            )
        if not score.rows and not objects[a] and not objects[b]:  # both say "nothing here": they agree
            rows.append(PairRow(file_name, None, ma.rater, mb.rater, 1.0, 1.0, 1.0, 0, 0, 0, both_empty=True))
    units = [
        Unit(file_name, {members[r].rater: (objects[r][j].category, objects[r][j].ann.id) for r, j in unit})
        for unit in cluster_objects(objects, iou_threshold)
    ]
    patterns = _class_patterns(objects, shape)
    return ImageAgreement(
        file_name, [m.rater for m in members], rows, units, patterns, shape[0] * shape[1], near
    )


def _class_patterns(objects: list[list[ImageObject]], shape: tuple[int, int]) -> dict[str, Counter]:
    """Per class, the STAPLE decision patterns of this image's raters (positions in ``objects``) with
    pixel counts over the whole image, counted in tiles (a slide's nuclei span it)."""
    out: dict[str, Counter] = {}
    for cat in sorted({o.category for objs in objects for o in objs}):
        crops = [[o.placed for o in objs if o.category == cat and not o.placed.is_empty] for objs in objects]
        if not any(crops):
            continue
        patterns, counts = reliability.placed_decision_patterns(crops, shape)
        out[cat] = Counter(
            {tuple(int(v) for v in p): float(n) for p, n in zip(patterns, counts, strict=True)}
        )
    return out


# ------------------------------------------------------------------------------------------------
# the whole run


@dataclass
class AgreementResult:
    raters: list[str]
    images: list[ImageAgreement]
    problems: list[str]
    iou_threshold: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (documented in README); NaN is written as null."""
        from pixelproof.core.agreement_annotators import pair_rows, per_annotator

        names = self.raters
        rows = [r for im in self.images for r in im.rows]
        by_pair: dict[tuple[int, int], list[PairRow]] = {}
        for r in rows:  # once, not every row for every pair (100 raters: 24 million looks, 5 s)
            by_pair.setdefault((min(r.a, r.b), max(r.a, r.b)), []).append(r)
        pairs = []
        for a, b in itertools.combinations(range(len(names)), 2):
            mine = by_pair.get((a, b), [])
            labels = _pair_labels(self.images, a, b)
            pairs.append(
                {
                    "a": names[a],
                    "b": names[b],
                    # every image both labelled, one both left empty too (it has no Dice/F1 row)
                    "images": sum(a in im.raters and b in im.raters for im in self.images),
                    **_means(mine),
                    "rows": pair_rows(mine),  # in its Dice/IoU means: its weight in per_annotator
                    "units_both": len(labels[0]),
                    "cohen_kappa": _num(reliability.cohen_kappa(*labels)),
                }
            )
        per_class = []
        for cat in sorted({r.category for r in rows if r.category is not None}):
            per_class.append({"category": cat, **_means([r for r in rows if r.category == cat])})
            per_class[-1]["staple"] = self._staple(cat)
        return {
            "raters": names,
            "iou_threshold": self.iou_threshold,
            "images": len(self.images),
            "summary": {**_means(rows), **self._kappas()},
            "pairs": pairs,
            "per_class": per_class,
            "per_annotator": per_annotator(names, self.images),
            "per_image": [
                {
                    **{k: _num(getattr(r, k)) for k in PairRow.__slots__ if k != "both_empty"},
                    **({"both_empty": True} if r.both_empty else {}),
                    "a": names[r.a],
                    "b": names[r.b],
                }
                for r in rows
            ],
            "problems": self.problems,
        }

    def _kappas(self) -> dict[str, Any]:
        units = [u for im in self.images for u in im.units]
        n = len(self.raters)
        data = [[u.members[r][0] if r in u.members else None for u in units] for r in range(n)]
        complete = [(u, im) for im in self.images for u in im.units if len(u.members) == len(im.raters)]
        sizes = Counter(len(u.members) for u, _ in complete)
        fleiss = math.nan
        size = 0
        if sizes:  # Fleiss needs one number of raters per unit: the most common one (ties: the larger)
            size = max(sizes, key=lambda k: (sizes[k], k))
            cats = sorted({c for u, _ in complete for c, _ in u.members.values()})
            table = np.array(
                [
                    [sum(c == cat for c, _ in u.members.values()) for cat in cats]
                    for u, _ in complete
                    if len(u.members) == size
                ]
            )
            fleiss = reliability.fleiss_kappa(table) if size >= 2 else math.nan
        return {
            "units": len(units),
            "units_all_raters": sum(sizes.values()),
            "units_one_rater": sum(len(u.members) == 1 for u in units),
            "fleiss_kappa": _num(fleiss),
            "fleiss_raters_per_unit": size,
            "fleiss_units": sizes.get(size, 0),
            "krippendorff_alpha": _num(reliability.krippendorff_alpha_nominal(data)),
        }

    def _staple(self, category: str) -> dict[str, dict[str, float | None]]:
        pooled: Counter[tuple[int, ...]] = Counter()
        n = len(self.raters)
        seen: set[int] = set()  # raters of an image where someone drew the class: a sensitivity to estimate
        for im in self.images:
            if category in im.patterns:
                seen.update(im.raters)
            # an overlap image where nobody drew the class: every pixel is background for each rater
            found = im.patterns.get(category) or {(0,) * len(im.raters): float(im.pixels)}
            for pattern, count in found.items():
                full = [reliability.MISSING] * n
                for pos, rater in enumerate(im.raters):
                    full[rater] = pattern[pos]
                pooled[tuple(full)] += count
        if not pooled:
            return {}
        keys = list(pooled)
        result = reliability.staple(np.array(keys, dtype=np.int8), np.array([pooled[k] for k in keys]))
        return {
            self.raters[r]: {
                "sensitivity": _num(result.sensitivity[r]),
                "specificity": _num(result.specificity[r]),
            }
            for r in range(n)
            if r in seen and not math.isnan(result.sensitivity[r])
        }


def _pair_labels(images: list[ImageAgreement], a: int, b: int) -> tuple[list[str], list[str]]:
    la, lb = [], []
    for im in images:
        for u in im.units:
            if a in u.members and b in u.members:
                la.append(u.members[a][0])
                lb.append(u.members[b][0])
    return la, lb


def _num(v: Any) -> Any:
    if isinstance(v, float | np.floating) and not math.isfinite(v):
        return None
    return float(v) if isinstance(v, np.floating) else v


def _means(rows: list[PairRow]) -> dict[str, Any]:
    def mean(name: str) -> float | None:
        vals = [getattr(r, name) for r in rows if math.isfinite(getattr(r, name))]
        return float(np.mean(vals)) if vals else None

    tp, fp, fn = (sum(getattr(r, k) for r in rows) for k in ("tp", "fp", "fn"))
    pooled_f1 = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else None
    empty = sum(r.both_empty for r in rows)  # images a pair both left empty, in the means as 1
    return {"dice": mean("dice"), "iou": mean("iou"), "f1": pooled_f1, "tp": tp, "fp": fp, "fn": fn,
            "n_both_empty": empty}  # fmt: skip


def overlap_members(
    raters: list[Rater], leave_out: Collection[str] = (), named_from: str | None = None
) -> tuple[list[tuple[str, list[Member]]], list[str]]:
    """Images two or more raters labelled, in the first rater's order, and the problems found.
    ``leave_out``: image keys (``split.image_key``) not compared, the honeypots a manifest names (every
    annotator has them, yet they are scored against the reference, not overlap images). Copies are paired
    by path, and as ``merge`` pairs them when one annotator renamed the file (one image, under the new
    name), so the figures on the shards are those on the merged project. ``named_from``: the folder whose
    project names the images (the split project's, as the merged project names them: ``images/a.png``
    rather than a shard's ``../images/a.png``); default: as the first rater naming the image does."""
    by_key: dict[str, list[Member]] = {}
    names: dict[str, str] = {}
    home = RelativeNames(Path(os.path.abspath(named_from))).name if named_from is not None else None
    problems: list[str] = []
    twins = RenamedTwins()
    for r, rater in enumerate(raters):
        for im in rater.project.images.values():
            key = dealt = image_key(rater.project, im)  # dealt: the split's path, as manifests name it
            copy = copied_from(rater.project, im, key)
            if copy is not None:  # relocated to a copy of its file: the image dealt out, by the lead's path
                key = dealt = copy.file_name
                names.setdefault(key, _named(rater.project, copy.file_name, home))
            twin = twins.find(r, rater.split, rater.project, key, im) if key not in by_key else None
            if twin is not None:  # another rater's copy of this image, one of the two files renamed
                key, _, renamed_here = twin
                if renamed_here:  # the file is under this rater's name: the image goes by it
                    dealt, names[key] = key, _named(rater.project, im.file_name, home)
            elif copy is None and key not in by_key:  # a copy not the picture dealt out: said, as merge does
                named = lambda path, p=rater.project: _named(p, path)  # noqa: E731
                why = another_picture(None, rater.project, im, key, rater.name, named, merged=False)
                if why is not None:
                    problems.append(why[1])
            if dealt in leave_out:
                continue
            names.setdefault(key, _named(rater.project, im.file_name, home))
            held = by_key.setdefault(key, [])
            if held and held[-1].rater == r:  # the file listed again (lint's duplicate_image): one rating
                problems.append(
                    f"{rater.name}: {im.file_name} listed twice (image ids {held[-1].image.id} and {im.id}); "
                    f"image {im.id} and its objects left out"
                )
                continue
            held.append(Member(r, rater.project, im))
    out = []
    for key, members in by_key.items():
        if len(members) < 2:
            continue
        sizes = {(m.image.width, m.image.height) for m in members}
        if len(sizes) > 1:
            problems.append(f"{names[key]}: raters disagree on the image size {sorted(sizes)}; image skipped")
            continue
        if len(members) > MAX_IMAGE_RATERS:  # 10,000 versions of a Label Studio task: 50 million pairs
            problems.append(
                f"{names[key]}: {len(members):,} annotators' versions; agreement compares every two, at most "
                f"{MAX_IMAGE_RATERS} an image; image skipped"
            )
            continue
        out.append((names[key], members))
    problems += rater_spacing_warning(raters, out)
    return out, problems


def rater_spacing_warning(raters: list[Rater], images: list[tuple[str, list[Member]]]) -> list[str]:
    """qa's warning (``spacing_warning``) for the overlap images a rater gives another pixel spacing than
    the first rater of the image does (the one ``pair_spacing`` takes): the figures here use no distance,
    but one of the two is wrong, and a distance measured later in it (QA of the merged project) would be
    off by their ratio, unsaid."""
    by_raters: dict[tuple[int, int], list[ImagePair]] = {}
    for name, members in images:
        for m in members[1:]:
            by_raters.setdefault((members[0].rater, m.rater), []).append(
                ImagePair(name, members[0].image, m.image)
            )
    lines = []
    for (a, b), pairs in by_raters.items():
        lines += spacing_warning(
            pairs,
            sides=(raters[a].name, raters[b].name),
            taken="one of the two is wrong (check before merging)",
        )
    return lines


def _named(project: Project, path: str, home: Callable[[str], str] | None = None) -> str:
    """``path`` (absolute, or as ``project`` names it) as ``home`` names it (``RelativeNames.name`` of
    another folder), else as ``project`` would: from its folder, as its other images are named."""
    if project.path is None:
        return path
    folder = Path(os.path.abspath(project.path)).parent
    if home is not None:
        return home(os.path.join(folder, path))
    return RelativeNames(folder).name(path) if os.path.isabs(path) else path


def _one_image(member: Member) -> Member:
    """The member with a project of just its image (what a batch task needs to carry)."""
    project = Project(categories=dict(member.project.categories))
    project.add_image(member.image)
    project.extend_annotations(member.project.annotations_of(member.image.id))
    return Member(member.rater, project, member.image)


def agreement_task(iou_threshold: float, items: list[tuple[str, list[Member]]]) -> list[ImageAgreement]:
    """``image_agreement`` for a batch of images, on any executor (``pixelproof.core.batch``)."""
    return [image_agreement(name, members, iou_threshold) for name, members in items]


def run_agreement(
    raters: list[Rater],
    iou_threshold: float = 0.5,
    *,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
    executor: Any = None,
    on_progress: Callable[[Any], None] | None = None,
    leave_out: Collection[str] = (),
    named_from: str | None = None,
) -> AgreementResult:
    """Agreement over every overlap image (see the module docstring), in image order whatever
    ``executor`` (``pixelproof.core.batch``; default: here) runs the images on; images whose key is in
    ``leave_out`` (a manifest's honeypots) are not compared; ``named_from``: see ``overlap_members``."""
    from pixelproof.core.batch import Failed, SerialExecutor, run_batch

    images, problems = overlap_members(raters, leave_out, named_from)
    items = [(name, [_one_image(m) for m in members]) for name, members in images]
    steps: Iterable[Any] = run_batch(
        agreement_task, iou_threshold, items, executor or SerialExecutor(), seconds_per_item=0.02,
        on_progress=on_progress,
    )  # fmt: skip
    if progress is not None:
        steps = progress(steps, len(items))
    results = []
    for index, found in steps:
        if isinstance(found, Failed):
            problems.append(f"{items[index][0]}: could not be compared: {found.reason}")
        else:
            results.append(found)
    near = [v for found in results for v in found.near_ious]
    note = near_miss_note(
        near, iou_threshold, "pixelproof agreement", ("object of one rater", "objects of one rater")
    )
    return AgreementResult(
        [r.name for r in raters], results, problems + ([note] if note else []), iou_threshold
    )
