"""Which model classes a pre-labeling run keeps (``ClassFilter``, picklable for workers) and how a run
names the classes it dropped, so the user knows what to map: the CLI and the app word it alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.names import shown_name
from pixelproof.core.wording import plural
from pixelproof.inference.base import Prediction


@dataclass(frozen=True, slots=True)
class ClassFilter:
    """The model classes a run keeps and the category each goes to (picklable, so workers drop the
    others before any geometry work): not mapped to None and, with ``only_existing``, mapped onto a
    category the project has."""

    mapping: dict[str, str | None]
    only_existing: bool
    existing: frozenset[str]

    def target(self, model_name: str) -> str | None:
        """The category name a model class goes to; None when the class is dropped."""
        name = self.mapping.get(model_name, model_name)
        if name is None or (self.only_existing and name not in self.existing):
            return None
        return name

    def __call__(self, model_name: str) -> bool:
        return self.target(model_name) is not None


def refused_classes(predictions: Iterable[Prediction], keep: ClassFilter | None) -> Counter[str]:
    """Per model class, the predictions ``keep`` drops: what a run says to map (``ignored_line``)."""
    if keep is None:
        return Counter()
    return Counter(p.category for p in predictions if keep.target(p.category) is None)


IGNORED_NAMES = 8  # classes an ignored-classes line names before counting the rest


def ignored_line(counts: Mapping[str, int], cap: int = IGNORED_NAMES) -> str:
    """``person 12, car 3 and 4 more classes (5)``: the classes a run ignored, the most frequent first (the
    user maps them), ties by name; the CLI and the app word it alike."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{shown_name(name, NAME_IN_TEXT)} {n}" for name, n in ranked[:cap])
    rest = ranked[cap:]
    if rest:
        text += f" and {len(rest)} more classes ({sum(n for _, n in rest)})"
    return text


def keeps_none(classes: Iterable[str], keep: ClassFilter) -> str:
    """Why a run with ``keep`` cannot add anything: none of the model's ``classes`` goes to a category
    the project has ("" when one does, or the model does not name its classes). Said before the model
    runs, so keeping to the project's categories never silently adds nothing."""
    names = list(classes)
    if not names or not keep.only_existing or any(keep(c) for c in names):
        return ""
    return none_of_the_models(len(names), "class", "one of the project's categories")


def none_of_the_models(n: int, noun: str, what: str) -> str:
    """ "none of the model's 3 classes is ``what``", or for one "the model's one class is not ``what``"
    (never "none of the model's 1 classes"): the CLI and the app word it alike."""
    if n == 1:
        return f"the model's one {noun} is not {what}"
    return f"none of the model's {plural(n, noun)} is {what}"
