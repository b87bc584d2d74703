"""Each image pair's QA score kept from one run to the next (``run_qa(cache=...)``), so that a run after an
edit scores again only the pairs whose inputs changed: the review view's refresh after an edit to one image
of hundreds. The result is the one a run from nothing gives: a pair's score is kept only while everything it
was computed from is as it was, and every aggregate (per class, summary, the Images table, AP, the
confusion matrix, the volumes' 3D rows) is made again from all the scores. What the reference images no
candidate image pairs with count as missed is kept too (``missed``), by the same rules as the scores; a
slice of a volume keeps its masks with its score (its volume's 3D figures are made from them).

Which pairs are scored again is decided here, from the inputs themselves, not from a caller's list of the
images it saw edited: an edit replaces an annotation and never changes one in place (``Project.snapshot``
relies on it too), so "the candidate image's annotations are the very objects it was scored with" is exact,
and an edit made while a background run was scoring is never missed.

A pair's score is kept while:

- its two image records are equal (file name, size, pixel spacing and every other field): a pair made
  anew after images were added, removed or renamed, or an image whose size or spacing changed, is scored
  again;
- its candidate image's annotations are the same objects in the same order: any edit on that image (an
  object drawn, moved, deleted, relabelled, a model's score, an accept or reject - decisions are in the
  object rows - or the undo of one) scores it again.

Every score goes (``clear``), and every pair is scored again, when what all of them depend on changes:

- the reference: another object (``Reference``, or a ``Project`` given as one), as when another is chosen or
  the same file is read again; a reference must not change in place while scores of it are kept;
- the settings (``QAOptions``): the IoU threshold, the NSD tolerance and per-class tolerances, the
  both-empty rule, the Boundary IoU band, boundary metrics on or off, the score threshold;
- the classes scored (``used_categories``): every pair has a row per class, so a class drawn for the first
  time, or no longer drawn on either side, scores every pair again;
- either side's categories as scoring reads them, each id's name and whether it is void: a category added,
  renamed, merged, deleted or made void; a colour, shortcut or supercategory changes no score;
- whether the reference is scored as objects or as semantic masks.

A pair that could not be scored is not kept: it is tried again on each run. A background run fills a
``copy``, so a view swaps the filled one in when the run ends and the one it holds never changes under it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pixelproof.core.model import Annotation, Category, Project
    from pixelproof.core.qa import ImageScore
    from pixelproof.core.qa_batch import QAContext
    from pixelproof.core.qa_objects import ImagePair
    from pixelproof.core.qa_unmatched import Missed


@dataclass(frozen=True, slots=True)
class _Kept:
    pair: ImagePair
    annotations: tuple[Annotation, ...]  # the candidate image's, as scored (held: identity is compared)
    score: ImageScore


def _scoring_names(categories: dict[int, Category]) -> dict[int, tuple[str, bool]]:
    """What scoring reads of categories: each id's name and whether it is void."""
    return {k: (c.name, c.void) for k, c in categories.items()}


def _same_objects(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class ScoreCache:
    """The scores of one reference's pairs, by candidate image id (see the module's docstring for what
    keeps a score). ``scored`` and ``reused``: how many pairs the last run scored and took from here."""

    def __init__(self) -> None:
        self.reference: Any = None  # held, so its identity cannot pass to another object
        self._key: tuple | None = None
        self._kept: dict[int, _Kept] = {}
        #: reference image id -> what it counts as missed when no candidate image pairs with it
        #: (``qa_unmatched``): the same while the reference and the context are
        self.missed: dict[int, Missed] = {}
        self.scored = 0
        self.reused = 0

    @property
    def size(self) -> int:
        return len(self._kept)

    def copy(self) -> ScoreCache:
        """A cache a background run may fill while this one stays as it is (the scores are shared: no run
        changes one)."""
        other = ScoreCache()
        other.reference, other._key, other._kept = self.reference, self._key, dict(self._kept)
        other.missed = dict(self.missed)
        return other

    def clear(self) -> None:
        self._kept.clear()
        self.missed.clear()
        self._key = None

    def of(self, reference: Any) -> ScoreCache:
        """This cache for a run against ``reference``: emptied when it held another one's scores."""
        if reference is not self.reference:
            self.clear()
            self.reference = reference
        self.scored = self.reused = 0
        return self

    def begin(self, context: QAContext) -> None:
        """A run with ``context`` (``qa_batch.QAContext``: what every pair's score depends on) starts: every
        score goes unless it is the context of the scores kept."""
        key = (
            copy.deepcopy(context.options),
            list(context.categories),
            context.instance_scored,
            _scoring_names(context.ref_categories),
            _scoring_names(context.cand_categories),
        )
        if key != self._key:
            self.clear()
            self._key = key

    def take(self, pairs: Sequence[ImagePair], candidate: Project) -> dict[int, ImageScore]:
        """The kept score of each of ``pairs`` (by index) whose inputs are unchanged; the scores of images
        that are in none of them are let go."""
        out: dict[int, ImageScore] = {}
        wanted = set()
        for n, pair in enumerate(pairs):
            wanted.add(pair.cand.id)
            kept = self._kept.get(pair.cand.id)
            if (
                kept is not None
                and kept.pair == pair
                and _same_objects(kept.annotations, candidate.annotations_of(pair.cand.id))
            ):
                out[n] = kept.score
        for image_id in self._kept.keys() - wanted:
            del self._kept[image_id]
        self.reused, self.scored = len(out), len(pairs) - len(out)
        return out

    def put(self, pair: ImagePair, candidate: Project, score: ImageScore) -> None:
        """Keep ``score`` of ``pair``, as scored from ``candidate``'s annotations of its image."""
        self._kept[pair.cand.id] = _Kept(pair, tuple(candidate.annotations_of(pair.cand.id)), score)
