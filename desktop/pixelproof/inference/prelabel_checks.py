"""Two things a pre-labeling run checks of each picture, where the model ran (``inference.batch``), so
that neither passes without a word: a picture shrunk a lot to a model's fixed input (a line scan of
8192x1024 fed whole to a 640-px detector: a 3-px scratch is 0.2 px there), said once after the run; and a
picture whose kept objects are a flood of specks (a level cutting noise: 240,000 objects of 1-2 px on
one scan), refused before its objects are made, unless the run keeps them (``--keep-specks``, the app's
"Keep specks": a pathologist's cells may be specks). The CLI and the app say both in these words.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np

from pixelproof.inference.base import Prediction
from pixelproof.inference.tiling import CLI_WORDS, CutFixWords

# a picture shrunk more than this to the model's input is said after the run: at 4x a 3-px defect is
# under a pixel where the model looks; up to it, a detector still sees what a person labels
SHRINK_WARN_FACTOR = 4.0

# a picture with more kept objects than this, of which more than ``SPECK_FLOOD_SHARE`` are of at most
# ``SPECK_PIXELS`` px, is refused (nothing written for it): no one reviews ten thousand 1-2 px objects,
# while a slide's ten thousand nuclei (tens of pixels each) pass
SPECK_FLOOD_OBJECTS = 10_000
SPECK_PIXELS = 2
SPECK_FLOOD_SHARE = 0.9


def shrink_factor(width: int, height: int, model_input: tuple[int, int] | None) -> float:
    """How many times a ``width`` x ``height`` picture is shrunk to fit the model's fixed (h, w) input
    (letterboxed: its side that fits last); 0.0 for a model that takes any size, 1.0 or less: none."""
    if model_input is None or width <= 0 or height <= 0:
        return 0.0
    return max(width / model_input[1], height / model_input[0])


@dataclass(slots=True)
class Shrunk:
    """A run's pictures shrunk to the model's fixed input, as the CLI's report and the app's batch tally
    them: the worst one (named after the run) and how many went over ``SHRINK_WARN_FACTOR``."""

    worst: str = ""  # its file name
    factor: float = 0.0
    count: int = 0

    def note(self, file_name: str, factor: float) -> None:
        """A picture shrunk ``factor`` times (a worker's ``shrink_factor``)."""
        if factor > SHRINK_WARN_FACTOR:
            self.count += 1
        if factor > self.factor:
            self.worst, self.factor = file_name, factor

    def warning(self, model_input: tuple[int, int] | None, words: CutFixWords = CLI_WORDS) -> str:
        """``shrink_warning`` of the worst picture ("" for a model that takes any size, or none shrunk)."""
        if model_input is None:
            return ""
        return shrink_warning(self.worst, self.factor, model_input, self.count, words)


def shrink_warning(
    file_name: str,
    factor: float,
    model_input: tuple[int, int],
    shrunk: int = 1,
    words: CutFixWords = CLI_WORDS,
) -> str:
    """The one line after a run in which ``shrunk`` pictures were shrunk over ``SHRINK_WARN_FACTOR`` to the
    model's input, naming the worst (``file_name``, ``factor``) and the tiles to ask for (``words``: the
    CLI's ``--tile`` or the app's Tiles field) at the model's own input side; "" when none was."""
    if shrunk <= 0 or factor <= SHRINK_WARN_FACTOR:
        return ""
    side = max(model_input)
    which = f"{file_name} (the most of {shrunk} pictures)" if shrunk > 1 else file_name
    return (
        f"{which} was shrunk {factor:.1f}x to fit the model's {model_input[1]}x{model_input[0]} input: "
        f"details under {factor:.0f} px are under a pixel where the model looks; pre-label in tiles "
        f"({words.tile.format(side)})"
    )


def object_area(p: Prediction) -> float:
    """A prediction's pixels: its mask's count, else its stored ``area``, else its box's (an upper bound)."""
    if p.mask is not None:
        return float(np.count_nonzero(p.mask))
    if p.rle is not None and p.area:
        return float(p.area)
    return float(p.bbox[2] * p.bbox[3])


def speck_flood(areas: Iterable[float], options: Collection[str] = (), keep_with: str = "") -> str:
    """Why a picture's kept objects (their ``areas`` in px) are a flood of specks and not labels: more
    than ``SPECK_FLOOD_OBJECTS``, over ``SPECK_FLOOD_SHARE`` of them of at most ``SPECK_PIXELS`` px; with
    what to set among the backend's ``options`` (threshold, min_area), and ``keep_with``, the override
    that keeps them when they are labels (``CutFixWords.keep_specks``). "" when they are not."""
    sizes = np.fromiter(areas, dtype=np.float64)
    if sizes.size <= SPECK_FLOOD_OBJECTS:
        return ""
    tiny = int(np.count_nonzero(sizes <= SPECK_PIXELS))
    share = tiny / sizes.size
    if share <= SPECK_FLOOD_SHARE:
        return ""
    fixes = []
    if "threshold" in options:
        fixes.append("a threshold=LEVEL that parts the objects from the background noise")
    if "min_area" in options:
        fixes.append(f"min_area={SPECK_PIXELS + 1} or more")
    fix = f"; set {' or '.join(fixes)}" if fixes else ""
    if keep_with:  # cells a few pixels wide are labels to the one who asks for them
        fix += f"; if they are labels, keep them with {keep_with}"
    percent = math.floor(share * 100)  # 99.95 % is not all of them
    return (
        f"{sizes.size:,} objects, {percent}% of them of {SPECK_PIXELS} px or less: specks of noise, not "
        f"labels; not pre-labeled (over {SPECK_FLOOD_OBJECTS:,} objects mostly that small){fix}"
    )
