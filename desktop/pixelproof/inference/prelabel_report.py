"""What a pre-labelling run tallies (``PrelabelReport``, ``Skipped`` per image) and the words its summary
uses for the predictions it did not add, the same in the CLI and the app. Split out of
``inference.apply``, which fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from pixelproof.inference.from_boxes import BoxFailure
from pixelproof.inference.prelabel_checks import Shrunk
from pixelproof.inference.tiling import AutoTiled

# what a run's summary says of the predictions it did not add (``Proposal.ignored``), CLI and app alike
LEFT_OUT = "left out (class ignored by the mapping, not in the project, or an empty shape)"
# how a run's summary names its two kinds of skipped predictions, CLI and app alike
SKIPPED_EXISTING = "skipped: repeat an existing object"
SKIPPED_DUPLICATES = "skipped: repeat another prediction of this run"
# a resumed ``--shard-size`` job's parts kept by a version that counted both kinds as one (before 5b9b337)
SKIPPED_UNSPLIT = "skipped in parts kept from before repeats were told apart (an object or a prediction)"


class Skipped(NamedTuple):
    """The predictions of an image skipped for repeating an object it had (``existing``), and those
    skipped for repeating another prediction of the run kept before them (``duplicates``: a second NMS,
    nothing to do with what was labeled)."""

    existing: int = 0
    duplicates: int = 0


NO_SKIPS = Skipped()


def skipped_words(existing: int, duplicates: int, unsplit: int = 0) -> str:
    """ ", N skipped: repeat an existing object, M skipped: repeat another prediction of this run", each
    part only when there are some; ``unsplit``: skipped in kept parts that did not tell the two apart."""
    kinds = ((existing, SKIPPED_EXISTING), (duplicates, SKIPPED_DUPLICATES), (unsplit, SKIPPED_UNSPLIT))
    parts = [f"{n} {what}" for n, what in kinds if n]
    return "".join(f", {p}" for p in parts)


@dataclass(slots=True)
class PrelabelReport:
    images: int = 0
    annotations: int = 0
    new_categories: list[str] = field(default_factory=list)
    name_problems: list[str] = field(default_factory=list)  # new categories' names kept whole (name_kept)
    ignored: int = 0
    skipped: int = 0  # predictions repeating an object the image already had
    duplicates: int = 0  # predictions repeating another prediction of the run
    # either of the two, in a resumed job's parts kept by a version that counted them as one (``skipped``)
    skipped_unsplit: int = 0
    speckles: int = 0  # masks the backend dropped under its ``min_area``
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    box_failures: list[tuple[str, BoxFailure]] = field(default_factory=list)  # (file name, box) no mask
    auto_tiled: list[tuple[str, AutoTiled]] = field(default_factory=list)  # (file name, tiles): too big
    shrunk: Shrunk = field(default_factory=Shrunk)  # pictures shrunk to the model's input: said after the run

    @property
    def succeeded(self) -> int:
        return self.images - len(self.failures)
