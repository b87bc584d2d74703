"""The problems a problem-finder run holds now, per image: what the Images filter's ``problems`` and
``problem:KIND`` terms read (``core.image_query``).

Built by the app from the Problems panel's list (re-checked after edits), so walking the Images list with
D follows the work: an image whose last problem is fixed or dismissed leaves it. Qt-free, and without
``core.lint`` (whose import brings scipy): a problem is read by its ``kind``, ``score``, ``image_id`` and
``key``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import Protocol


class _Found(Protocol):
    kind: str
    score: float
    image_id: int | None

    @property
    def key(self) -> str: ...


class FoundProblems:
    """Per image, how many problems of each kind count: those not dismissed ("not a problem") scoring at
    least ``min_score`` (the Problems panel's lowest score listed). A problem of the project as a whole
    (``empty_class``, no image) is no image's."""

    def __init__(
        self, problems: Iterable[_Found], dismissed: Collection[str] = frozenset(), min_score: float = 0.0
    ) -> None:
        self._per_image: dict[int, Counter[str]] = {}
        for p in problems:
            if p.image_id is None or p.score < min_score or p.key in dismissed:
                continue
            self._per_image.setdefault(p.image_id, Counter())[p.kind] += 1
        self.kinds: frozenset[str] = frozenset(k for c in self._per_image.values() for k in c)

    def count(self, image_id: int, kind: str | None = None) -> int:
        """The image's problems (of ``kind``; None: of every kind)."""
        found = self._per_image.get(image_id)
        if found is None:
            return 0
        return found.total() if kind is None else found[kind]

    def image_ids(self) -> frozenset[int]:
        """The images with at least one problem."""
        return frozenset(self._per_image)
